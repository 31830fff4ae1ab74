-- Schema 3: the job queue and the schedules; the trail is `trail` from here on.
INSERT INTO jobs (kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts,
    backoff_ms, backoff_max_ms, lease_owner, lease_expires_ms, heartbeat_ms, last_error, result,
    created_ms, updated_ms, finished_ms) VALUES
    ('connection.check', '{"connection":"conn_acme01"}', 'check:conn_acme01:1', 'schedule', 0, 'succeeded',
     1788500000000, 1, 3, 1000, 60000, NULL, NULL, NULL, NULL, '{"state":"healthy"}',
     1788500000000, 1788500001000, 1788500001000),
    ('connection.check', '{"connection":"conn_globex1"}', 'check:conn_globex1:1', 'schedule', 0, 'dead',
     1788500000000, 3, 3, 1000, 60000, NULL, NULL, NULL, 'the token was revoked (invalid_grant)', NULL,
     1788500000000, 1788500009000, 1788500009000);
INSERT INTO schedules (name, kind, payload, every_ms, cron, timezone, priority, max_attempts, backoff_ms,
    backoff_max_ms, enabled, next_run_ms, last_run_ms, last_job_id, updated_ms) VALUES
    ('fixture-nightly', 'connection.check', '{"connection":"conn_acme01"}', NULL, '0 3 * * *', 'Europe/Paris',
     0, 3, 1000, 60000, TRUE, 1788570000000, NULL, NULL, 1788500000000);
INSERT INTO trail (at, actor, action, target, before_json, after_json) VALUES
    (1788500100, 'ada', 'schedule.add', 'fixture-nightly', NULL, '{"cron":"0 3 * * *"}');
