-- Recipes: the current file of each recipe and every version it had, its runs with each
-- step's attempts, and the webhook each Wrike-triggered recipe registered. Run times are
-- Unix milliseconds (`_ms`), recipe times Unix seconds.
CREATE TABLE recipes (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    connection_name TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('stopped', 'running', 'paused')),
    state_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE recipe_versions (
    recipe_id BIGINT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (recipe_id, version)
);

CREATE TABLE recipe_runs (
    id BIGSERIAL PRIMARY KEY,
    recipe_id BIGINT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    -- What made the run: one Wrike event, one schedule occurrence, one inbound request.
    -- The same key never starts the recipe twice.
    event_key TEXT NOT NULL,
    trigger_event TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled')),
    -- The index of the step to run next, and the outputs of the steps before it.
    next_step BIGINT NOT NULL,
    outputs TEXT NOT NULL,
    error TEXT,
    rerun_of BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    UNIQUE (recipe_id, event_key)
);
CREATE INDEX recipe_runs_by_recipe ON recipe_runs (recipe_id, id);
CREATE INDEX recipe_runs_by_status ON recipe_runs (status, id);

CREATE TABLE recipe_run_steps (
    run_id BIGINT NOT NULL REFERENCES recipe_runs (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    step_index BIGINT NOT NULL,
    step_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'waiting')),
    input TEXT,
    output TEXT,
    error TEXT,
    started_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE recipe_hooks (
    recipe_id BIGINT PRIMARY KEY REFERENCES recipes (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    -- The last part of the hook's URL on the hub; finds the hook without trusting the body.
    token TEXT NOT NULL UNIQUE,
    -- The signing secret, sealed with the hub's key ('recipe-hook:' || token as associated data).
    secret BYTEA NOT NULL,
    webhook_id TEXT,
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Where a polling recipe has read up to (the latest updatedDate seen, RFC 3339).
CREATE TABLE recipe_cursors (
    recipe_id BIGINT PRIMARY KEY REFERENCES recipes (id) ON DELETE CASCADE,
    cursor TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
