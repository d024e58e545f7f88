-- A fold's phase was always written equal to its status: one column for the one value.
ALTER TABLE folds DROP COLUMN phase;
