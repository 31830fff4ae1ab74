-- Schema 2: a session of Ada's that outlives the upgrade, Ana's API token, an OAuth consent
-- that was begun and never finished.
INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES
    ({{hash:ada-fixture-session}}, 'usr_ada', 'fixture-csrf', 1788400000, 4102444800);
INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES
    ('tok_ana01', 'usr_ana', 'reports', {{hash:ana-fixture-api-token}}, 1788400100);
INSERT INTO oauth_states (state_hash, user_id, connection_name, scopes, features, expires_at) VALUES
    ({{hash:abandoned-state}}, 'usr_ada', 'initech', 'Default', 'read_work', 1788400700);
INSERT INTO audit_trail (at, actor, action, target, before_json, after_json) VALUES
    (1788400100, 'ana', 'token.issue', 'reports', NULL, NULL);
