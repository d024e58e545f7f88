-- Test episodes drawn under several seeds (--test-seeds): the test seed joins every key of the result tables; rows
-- stored before are seed 0's. Runs trained under several seeds (--train-seeds) share a group.
-- The foreign keys' generated names were cut at 63 characters, so they are looked up.
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT conrelid::regclass AS child, conname FROM pg_constraint
               WHERE contype = 'f' AND confrelid = 'episode_batches'::regclass LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.child, fk.conname);
    END LOOP;
END $$;

ALTER TABLE episode_batches ADD COLUMN test_seed int NOT NULL DEFAULT 0 CHECK (test_seed >= 0);
ALTER TABLE batch_class_counts ADD COLUMN test_seed int NOT NULL DEFAULT 0;
ALTER TABLE gallery_samples ADD COLUMN test_seed int NOT NULL DEFAULT 0;

ALTER TABLE episode_batches DROP CONSTRAINT episode_batches_pkey, ADD PRIMARY KEY (run_id, fold, method, shots, class_set, test_seed, batch);
ALTER TABLE batch_class_counts DROP CONSTRAINT batch_class_counts_pkey, ADD PRIMARY KEY (run_id, fold, method, shots, class_set, test_seed, batch, class_id);

ALTER TABLE batch_class_counts ADD FOREIGN KEY (run_id, fold, method, shots, class_set, test_seed, batch)
    REFERENCES episode_batches (run_id, fold, method, shots, class_set, test_seed, batch) ON DELETE CASCADE;
ALTER TABLE gallery_samples ADD FOREIGN KEY (run_id, fold, method, shots, class_set, test_seed, batch)
    REFERENCES episode_batches (run_id, fold, method, shots, class_set, test_seed, batch) ON DELETE CASCADE;

ALTER TABLE runs ADD COLUMN run_group text NULL;
CREATE INDEX runs_run_group ON runs (run_group) WHERE run_group IS NOT NULL;
