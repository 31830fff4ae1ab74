-- The runtime: connection health that tells a blip (degraded) from breakage, the hub's own
-- trail under a name that cannot be confused with Wrike's audit log, the job queue, and the
-- periodic schedules. Job and schedule times are Unix milliseconds (`_ms` columns).
ALTER TABLE connections ADD COLUMN health_state TEXT CHECK (health_state IN ('healthy', 'degraded', 'broken'));
ALTER TABLE connections ADD COLUMN failing_since BIGINT;
ALTER TABLE connections ADD COLUMN health_version BIGINT NOT NULL DEFAULT 0;
UPDATE connections SET health_state = CASE WHEN healthy THEN 'healthy' ELSE 'broken' END WHERE checked_at IS NOT NULL;
UPDATE connections SET failing_since = checked_at WHERE health_state = 'broken';
ALTER TABLE connections DROP COLUMN healthy;

ALTER TABLE audit_trail RENAME TO trail;

CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    origin TEXT NOT NULL,
    priority BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'dead', 'cancelled')),
    run_at_ms BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    backoff_ms BIGINT NOT NULL,
    backoff_max_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_expires_ms BIGINT,
    heartbeat_ms BIGINT,
    last_error TEXT,
    result TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    finished_ms BIGINT
);
-- Claiming walks the queued jobs in this order.
CREATE INDEX jobs_ready ON jobs (priority DESC, run_at_ms, id) WHERE status = 'queued';
-- The reaper finds running jobs whose lease expired.
CREATE INDEX jobs_leases ON jobs (lease_expires_ms) WHERE status = 'running';
CREATE INDEX jobs_by_kind ON jobs (kind, id);
CREATE INDEX jobs_finished ON jobs (status, finished_ms);

CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    every_ms BIGINT,
    cron TEXT,
    timezone TEXT,
    priority BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    backoff_ms BIGINT NOT NULL,
    backoff_max_ms BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    next_run_ms BIGINT NOT NULL,
    last_run_ms BIGINT,
    last_job_id BIGINT,
    updated_ms BIGINT NOT NULL,
    CHECK ((every_ms IS NULL) <> (cron IS NULL))
);
