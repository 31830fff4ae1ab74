-- Schema 1: the first hub. Three people run it; two connections, one broken at its last
-- check (0003 turns `healthy` into `health_state`); the hub's trail under its first name.
INSERT INTO users (id, username, password_hash, role, created_at) VALUES
    ('usr_ada', 'ada', {{password:ada-fixture-password}}, 'admin', 1788220800),
    ('usr_ana', 'ana', {{password:ana-fixture-password}}, 'analyst', 1788220900),
    ('usr_otto', 'otto', {{password:otto-fixture-password}}, 'operator', 1788221000);

INSERT INTO connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name,
    wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version,
    healthy, health_class, health_message, checked_at, created_at, created_by) VALUES
    ('conn_acme01', 'acme', 'permanent', 'https://app-us2.wrike.com/api/v4', 'IEAAAAAA', 'Acme Corp', 'KUAAAAAS',
     'Service Account', 'weft@acme.example', TRUE, 'Default,amReadOnlyAuditLog,amReadOnlyUser', 'usage_analytics',
     {{sealed:conn_acme01:acme-permanent-token}}, NULL, NULL, 1,
     TRUE, NULL, NULL, 1788300000, 1788221100, 'ada'),
    ('conn_globex1', 'globex', 'oauth', 'https://app-eu.wrike.com/api/v4', 'IEBBBBBB', 'Globex', 'KUBBBBBB',
     'Hank Scorpio', 'hank@globex.example', TRUE, 'Default', 'read_work,write_work,webhooks',
     {{sealed:conn_globex1:globex-access-token}}, {{sealed:conn_globex1:globex-refresh-token}}, 1788310000, 3,
     FALSE, 'token_rejected', 'the token was revoked (invalid_grant)', 1788305000, 1788221200, 'ada');

INSERT INTO audit_trail (at, actor, action, target, before_json, after_json) VALUES
    (1788220800, 'setup', 'user.add', 'ada', NULL, '{"role":"admin"}'),
    (1788221100, 'ada', 'connection.add', 'acme', NULL, '{"kind":"permanent"}'),
    (1788221200, 'ada', 'connection.add', 'globex', NULL, '{"kind":"oauth"}');
