-- Batches of the seen-class control (VOC val images of a fold's training classes) beside the paper's (its held-out
-- classes): the class set joins every key of the result tables; rows stored before are the held-out classes'.
ALTER TABLE batch_class_counts DROP CONSTRAINT batch_class_counts_run_id_fold_method_shots_batch_fkey;
ALTER TABLE gallery_samples DROP CONSTRAINT gallery_samples_run_id_fold_method_shots_batch_fkey;

ALTER TABLE episode_batches ADD COLUMN class_set text NOT NULL DEFAULT 'unseen' CHECK (class_set IN ('unseen', 'seen'));
ALTER TABLE batch_class_counts ADD COLUMN class_set text NOT NULL DEFAULT 'unseen';
ALTER TABLE gallery_samples ADD COLUMN class_set text NOT NULL DEFAULT 'unseen';

ALTER TABLE episode_batches DROP CONSTRAINT episode_batches_pkey, ADD PRIMARY KEY (run_id, fold, method, shots, class_set, batch);
ALTER TABLE batch_class_counts DROP CONSTRAINT batch_class_counts_pkey, ADD PRIMARY KEY (run_id, fold, method, shots, class_set, batch, class_id);
ALTER TABLE gallery_samples DROP CONSTRAINT gallery_samples_pkey, ADD PRIMARY KEY (run_id, fold, method, shots, class_set, class_id);

ALTER TABLE batch_class_counts ADD FOREIGN KEY (run_id, fold, method, shots, class_set, batch)
    REFERENCES episode_batches (run_id, fold, method, shots, class_set, batch) ON DELETE CASCADE;
ALTER TABLE gallery_samples ADD FOREIGN KEY (run_id, fold, method, shots, class_set, batch)
    REFERENCES episode_batches (run_id, fold, method, shots, class_set, batch) ON DELETE CASCADE;
