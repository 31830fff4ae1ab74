-- Schema 7: a recipe on Globex with two versions, a finished run and its step, a run that
-- waits, its Wrike webhook (secret sealed) and an HTTP hook (no connection: 0008 marks it).
INSERT INTO recipes (name, connection_name, trigger_kind, source, version, state, state_reason, created_at, updated_at, updated_by) VALUES
    ('comment-on-status-change', 'globex', 'wrike', {{recipe:comment-on-status-change}}, 2, 'running', NULL, 1788800000, 1788800500, 'otto'),
    ('inbound-orders', 'globex', 'http', {{recipe:inbound-orders}}, 1, 'stopped', 'stopped by otto', 1788800600, 1788800600, 'otto');
INSERT INTO recipe_versions (recipe_id, version, source, changed_by, changed_at)
    SELECT id, 1, source, 'otto', 1788800000 FROM recipes WHERE name = 'comment-on-status-change';
INSERT INTO recipe_versions (recipe_id, version, source, changed_by, changed_at)
    SELECT id, 2, source, 'otto', 1788800500 FROM recipes WHERE name = 'comment-on-status-change';
INSERT INTO recipe_versions (recipe_id, version, source, changed_by, changed_at)
    SELECT id, 1, source, 'otto', 1788800600 FROM recipes WHERE name = 'inbound-orders';
INSERT INTO recipe_runs (recipe_id, version, event_key, trigger_event, status, next_step, outputs, error, rerun_of, created_ms, updated_ms, finished_ms)
    SELECT id, 2, 'wrike:TaskStatusChanged:IEAAAAAQKQAAAAT1:1788810000', '{"eventType":"TaskStatusChanged","taskId":"IEAAAAAQKQAAAAT1","oldStatus":"Active","status":"Completed"}',
        'succeeded', 1, '{"comment":{"id":"IEAAAAAQIMAAAAC1"}}', NULL, NULL, 1788810000000, 1788810002000, 1788810002000
    FROM recipes WHERE name = 'comment-on-status-change';
INSERT INTO recipe_runs (recipe_id, version, event_key, trigger_event, status, next_step, outputs, error, rerun_of, created_ms, updated_ms, finished_ms)
    SELECT id, 2, 'wrike:TaskStatusChanged:IEAAAAAQKQAAAAT2:1788820000', '{"eventType":"TaskStatusChanged","taskId":"IEAAAAAQKQAAAAT2","oldStatus":"Active","status":"Deferred"}',
        'waiting', 0, '{}', 'the connection globex is broken; the run waits for it', NULL, 1788820000000, 1788820001000, NULL
    FROM recipes WHERE name = 'comment-on-status-change';
INSERT INTO recipe_run_steps (run_id, seq, step_index, step_id, attempt, status, input, output, error, started_ms, finished_ms)
    SELECT id, 1, 0, 'comment', 1, 'succeeded', '{"task":"IEAAAAAQKQAAAAT1","text":"Status changed from Active to Completed."}',
        '{"id":"IEAAAAAQIMAAAAC1"}', NULL, 1788810001000, 1788810002000
    FROM recipe_runs WHERE status = 'succeeded';
INSERT INTO recipe_hooks (recipe_id, connection_id, token, secret, webhook_id, status, updated_at)
    SELECT id, 'conn_globex1', 'hookfixturewrike', {{sealed:recipe-hook:hookfixturewrike:wrike-hook-secret}}, 'IEAAAAAQJAAAAAW1', 'Active', 1788800500
    FROM recipes WHERE name = 'comment-on-status-change';
INSERT INTO recipe_hooks (recipe_id, connection_id, token, secret, webhook_id, status, updated_at)
    SELECT id, '', 'hookfixturehttp', {{sealed:recipe-hook:hookfixturehttp:http-hook-secret}}, NULL, 'Active', 1788800600
    FROM recipes WHERE name = 'inbound-orders';
INSERT INTO trail (at, actor, action, target, before_json, after_json) VALUES
    (1788800000, 'otto', 'recipe.save', 'comment-on-status-change', NULL, '{"version":1}');
