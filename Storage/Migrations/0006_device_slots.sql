-- Device slots that silos offer for fold training (a CUDA device, or a CPU slot). A silo registers its slots at
-- start-up under its Orleans address (which includes its generation, so a restarted silo gets fresh rows); a
-- fold claims one with an atomic UPDATE. Slots of silos that are not Active (status 3) in Orleans' membership
-- table are ignored, which frees the slots of a dead silo without any clean-up.
CREATE TABLE device_slots
(
    silo       text        NOT NULL,
    device     text        NOT NULL,
    fold_key   text,
    claimed_at timestamptz,
    PRIMARY KEY (silo, device),
    -- Checked at commit: moving a fold's claim from one slot to another happens in one statement.
    CONSTRAINT uq_device_slots_fold UNIQUE (fold_key) DEFERRABLE INITIALLY DEFERRED
);
