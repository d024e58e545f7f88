-- The devices work really ran on, as its tensors report them ("cpu", "cuda:0 (NVIDIA H200)"), beside the slot
-- label a fold claimed: a fold's training, and each scored batch.
ALTER TABLE folds ADD COLUMN training_device text;
ALTER TABLE episode_batches ADD COLUMN device text;
