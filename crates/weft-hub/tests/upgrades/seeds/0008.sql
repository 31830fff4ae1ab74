-- Schema 8: a recipe secret bound to its hosts; a run started by hand.
INSERT INTO recipe_secrets (name, value, hosts, updated_by, updated_at) VALUES
    ('orders_api_key', {{sealed:recipe-secret:orders_api_key:fixture-orders-key}}, '["orders.acme.example"]', 'ada', 1788900000);
INSERT INTO recipe_runs (recipe_id, version, event_key, trigger_event, status, next_step, outputs, error, rerun_of, created_ms, updated_ms, finished_ms, started_by, hand_made)
    SELECT id, 1, 'hand:1788900100', '{"order":"A-1"}', 'failed', 0, '{}', 'orders.acme.example answered 500', NULL,
        1788900100000, 1788900101000, 1788900101000, 'otto', TRUE
    FROM recipes WHERE name = 'inbound-orders';
