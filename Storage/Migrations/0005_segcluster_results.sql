-- SegCluster's own results. Every result row belongs to a run; writers insert a batch's rows in one
-- transaction, keyed so that a retried batch replaces nothing and is never counted twice.

CREATE TABLE runs
(
    run_id       text        PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    status       text        NOT NULL,
    config       jsonb       NOT NULL,
    config_hash  text        NOT NULL,
    provenance   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    started_at   timestamptz,
    finished_at  timestamptz,
    error        text
);

CREATE TABLE folds
(
    run_id         text        NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    fold           integer     NOT NULL CHECK (fold BETWEEN 0 AND 3),
    status         text        NOT NULL,
    phase          text        NOT NULL DEFAULT 'queued',
    silo           text,
    device         text,
    iteration      integer     NOT NULL DEFAULT 0,
    iterations     integer     NOT NULL,
    train_seconds  double precision,
    started_at     timestamptz,
    finished_at    timestamptz,
    error          text,
    PRIMARY KEY (run_id, fold)
);

CREATE TABLE training_points
(
    run_id                text             NOT NULL,
    fold                  integer          NOT NULL,
    iteration             integer          NOT NULL,
    loss                  double precision NOT NULL,
    iterations_per_second double precision NOT NULL,
    recorded_at           timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, fold, iteration),
    FOREIGN KEY (run_id, fold) REFERENCES folds (run_id, fold) ON DELETE CASCADE
);

CREATE TABLE checkpoints
(
    run_id     text        NOT NULL,
    fold       integer     NOT NULL,
    iteration  integer     NOT NULL,
    path       text        NOT NULL,
    sha256     text        NOT NULL,
    bytes      bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, fold, iteration),
    FOREIGN KEY (run_id, fold) REFERENCES folds (run_id, fold) ON DELETE CASCADE
);

-- One row per scored batch of episodes; the key makes a retried batch a no-op.
CREATE TABLE episode_batches
(
    run_id           text               NOT NULL,
    fold             integer            NOT NULL,
    method           text               NOT NULL,
    shots            integer            NOT NULL CHECK (shots >= 1),
    batch            integer            NOT NULL CHECK (batch >= 0),
    episodes         integer            NOT NULL CHECK (episodes >= 0),
    episode_seconds  double precision[] NOT NULL,
    silo             text,
    created_at       timestamptz        NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, fold, method, shots, batch),
    FOREIGN KEY (run_id, fold) REFERENCES folds (run_id, fold) ON DELETE CASCADE
);

-- Per-class confusion sums of one batch (foreground of that class; background is the complement).
CREATE TABLE batch_class_counts
(
    run_id    text    NOT NULL,
    fold      integer NOT NULL,
    method    text    NOT NULL,
    shots     integer NOT NULL,
    batch     integer NOT NULL,
    class_id  integer NOT NULL CHECK (class_id BETWEEN 1 AND 20),
    episodes  integer NOT NULL,
    tp        bigint  NOT NULL,
    fp        bigint  NOT NULL,
    fn        bigint  NOT NULL,
    tn        bigint  NOT NULL,
    PRIMARY KEY (run_id, fold, method, shots, batch, class_id),
    FOREIGN KEY (run_id, fold, method, shots, batch)
        REFERENCES episode_batches (run_id, fold, method, shots, batch) ON DELETE CASCADE
);

CREATE INDEX ix_runs_created_at ON runs (created_at DESC);
CREATE INDEX ix_batch_class_counts_run ON batch_class_counts (run_id, method, shots);
