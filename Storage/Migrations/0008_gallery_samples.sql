-- The dashboard's gallery (the paper's Figure 4): for each (fold, method, shots, class), the first episode of that
-- class in batch 0, rendered as support with its mask, query with the prediction, query with the ground truth.
-- Written in the batch's transaction, so a retried batch neither duplicates nor loses it.
CREATE TABLE gallery_samples
(
    run_id       text    NOT NULL,
    fold         integer NOT NULL,
    method       text    NOT NULL,
    shots        integer NOT NULL,
    batch        integer NOT NULL,
    class_id     integer NOT NULL CHECK (class_id BETWEEN 1 AND 20),
    query_id     text    NOT NULL,
    support_ids  text[]  NOT NULL,
    iou          double precision NOT NULL,
    png          bytea   NOT NULL,
    PRIMARY KEY (run_id, fold, method, shots, class_id),
    FOREIGN KEY (run_id, fold, method, shots, batch)
        REFERENCES episode_batches (run_id, fold, method, shots, batch) ON DELETE CASCADE
);
