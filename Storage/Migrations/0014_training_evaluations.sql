-- Evaluation during training (Figure 3): every N iterations a fold scores a fixed seeded subset of its test episodes
-- (1-shot, unseen classes) with the network as it stands; the meanIoU is stored beside the loss.
CREATE TABLE training_evaluations
(
    run_id      text             NOT NULL,
    fold        integer          NOT NULL,
    network     text             NOT NULL,
    iteration   integer          NOT NULL,
    episodes    integer          NOT NULL CHECK (episodes > 0),
    mean_iou    double precision NOT NULL CHECK (mean_iou BETWEEN 0 AND 1),
    recorded_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, fold, network, iteration),
    FOREIGN KEY (run_id, fold) REFERENCES folds (run_id, fold) ON DELETE CASCADE
);
