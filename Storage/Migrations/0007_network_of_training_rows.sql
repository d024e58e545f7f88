-- A fold trains more than one network: OSLSM, and the baselines' base classifier (1-NN, logistic regression and
-- the co-segmentation stand-in read its features). Training points and checkpoints say which network they belong to.
ALTER TABLE training_points ADD COLUMN network text NOT NULL DEFAULT 'oslsm';
ALTER TABLE training_points DROP CONSTRAINT training_points_pkey;
ALTER TABLE training_points ADD PRIMARY KEY (run_id, fold, network, iteration);

ALTER TABLE checkpoints ADD COLUMN network text NOT NULL DEFAULT 'oslsm';
ALTER TABLE checkpoints DROP CONSTRAINT checkpoints_pkey;
ALTER TABLE checkpoints ADD PRIMARY KEY (run_id, fold, network, iteration);
