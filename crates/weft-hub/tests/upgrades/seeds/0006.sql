-- Schema 6: Acme's account synced: its user types, five people (one seen only in the audit
-- log), audit records (two of Ivan's sign-ins came through an integration: 0015 reads them
-- again), the days they were active, the sources, a renewal and an open reclaim.
INSERT INTO wrike_accounts (connection_id, account_id, name, plan, user_limit, paid, suspended, raw, synced_at) VALUES
    ('conn_acme01', 'IEAAAAAA', 'Acme Corp', 'Enterprise', 50, TRUE, FALSE,
     '{"id":"IEAAAAAA","name":"Acme Corp","subscription":{"type":"Enterprise","paid":true,"userLimit":50}}', 1788700000);
INSERT INTO wrike_user_types (connection_id, id, title, description, license_type, raw) VALUES
    ('conn_acme01', 'IEAUTREG', 'Regular User', 'Full access', 'Regular', '{"id":"IEAUTREG","title":"Regular User"}'),
    ('conn_acme01', 'IEAUTEXT', 'External User', NULL, 'External', '{"id":"IEAUTEXT","title":"External User"}'),
    ('conn_acme01', 'IEAUTCOL', 'Collaborator', NULL, 'Collaborator', '{"id":"IEAUTCOL","title":"Collaborator"}');
INSERT INTO wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id,
    external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, last_login_at,
    last_change_at, last_task_at, last_comment_at, last_timelog_at, seated, paid, last_active_at, last_work_at) VALUES
    ('conn_acme01', 'KUAAAAP1', 'Person', 'Alice', 'Active', 'alice@acme.example', 'Acme', 'Engineer', 'User', 'IEAUTREG',
     FALSE, FALSE, FALSE, TRUE, FALSE, 'Europe/Paris', 'en', '{"id":"KUAAAAP1"}', 1788700000, 1788700000, 1788690000,
     1788680000, NULL, NULL, NULL, TRUE, TRUE, 1788690000, 1788680000),
    ('conn_acme01', 'KUAAAAP2', 'Person', 'Ivan', 'Integration', 'ivan@acme.example', 'Acme', 'Analyst', 'User', 'IEAUTREG',
     FALSE, FALSE, FALSE, TRUE, FALSE, 'US/Pacific', 'en', '{"id":"KUAAAAP2"}', 1788700000, 1788700000, 1788650000,
     NULL, NULL, NULL, NULL, TRUE, TRUE, 1788650000, 0),
    ('conn_acme01', 'KUAAAAP3', 'Person', 'Ida', 'Idle', 'ida@acme.example', 'Acme', 'Designer', 'User', 'IEAUTREG',
     FALSE, FALSE, FALSE, TRUE, FALSE, 'Europe/Berlin', 'de', '{"id":"KUAAAAP3"}', 1780272000, 1788700000, 1780300000,
     NULL, NULL, NULL, NULL, TRUE, TRUE, 1780300000, 0),
    ('conn_acme01', 'KUAAAAP4', 'Person', 'Colin', 'Collab', 'colin@partner.example', 'Partner', NULL, 'Collaborator', 'IEAUTCOL',
     FALSE, FALSE, FALSE, TRUE, FALSE, NULL, NULL, '{"id":"KUAAAAP4"}', 1788700000, 1788700000, NULL,
     NULL, NULL, NULL, NULL, TRUE, FALSE, 0, 0),
    ('conn_acme01', 'KUAAAAX9', 'Unknown', '', '', 'gone@acme.example', NULL, NULL, NULL, NULL,
     FALSE, FALSE, FALSE, TRUE, FALSE, NULL, NULL, NULL, 1788700000, NULL, 1788000000,
     NULL, NULL, NULL, NULL, FALSE, FALSE, 1788000000, 0);
INSERT INTO usage_seat_counts (connection_id, kind, seated, paid, people, typed) VALUES
    ('conn_acme01', 'Person', TRUE, TRUE, 3, 3),
    ('conn_acme01', 'Person', TRUE, FALSE, 1, 1);
INSERT INTO wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type,
    object_name, object_id, details) VALUES
    ('conn_acme01', 1788690000, 'AUD00001', 'UserLoggedIn', 'KUAAAAP1', 'alice@acme.example', '203.0.113.5', 'User',
     'alice@acme.example', 'KUAAAAP1', '{"Login Type":"Password","User Agent":"Mozilla/5.0"}'),
    ('conn_acme01', 1788680000, 'AUD00002', 'TaskStatusChanged', 'KUAAAAP1', 'alice@acme.example', '203.0.113.5', 'Task',
     'Launch plan', 'IEAAAAAQKQAAAAT1', '{"Old Status":"Active","New Status":"Completed"}'),
    ('conn_acme01', 1788640000, 'AUD00003', 'UserLoggedIn', 'KUAAAAP2', 'ivan@acme.example', '198.51.100.7', 'User',
     'ivan@acme.example', 'KUAAAAP2', '{"Login Type":"Oauth2","User Agent":"Nango"}'),
    ('conn_acme01', 1788650000, 'AUD00004', 'UserLoggedIn', 'KUAAAAP2', 'ivan@acme.example', '198.51.100.7', 'User',
     'ivan@acme.example', 'KUAAAAP2', '{"Login Type":" OAuth2 ","User Agent":"Nango"}'),
    ('conn_acme01', 1780300000, 'AUD00005', 'UserLoggedIn', 'KUAAAAP3', 'ida@acme.example', '192.0.2.44', 'User',
     'ida@acme.example', 'KUAAAAP3', '{"Login Type":"Password"}');
INSERT INTO usage_days (connection_id, day, user_id, signals) VALUES
    ('conn_acme01', 20702, 'KUAAAAP1', 3),
    ('conn_acme01', 20701, 'KUAAAAP2', 1),
    ('conn_acme01', 20605, 'KUAAAAP3', 1);
INSERT INTO usage_syncs (connection_id, lease_owner, lease_expires_at, progress, started_at, finished_at, outcome, message, backfill_from) VALUES
    ('conn_acme01', NULL, NULL, NULL, 1788699000, 1788700000, 'ok', NULL, 1772668800);
INSERT INTO usage_sources (connection_id, source, status, message, synced_through, window_start, window_end, page_token,
    records, requests, last_success_at, updated_at) VALUES
    ('conn_acme01', 'account', 'ok', NULL, NULL, NULL, NULL, NULL, 1, 1, 1788700000, 1788700000),
    ('conn_acme01', 'user_types', 'ok', NULL, NULL, NULL, NULL, NULL, 3, 1, 1788700000, 1788700000),
    ('conn_acme01', 'users', 'ok', NULL, NULL, NULL, NULL, NULL, 4, 1, 1788700000, 1788700000),
    ('conn_acme01', 'audit_log', 'ok', NULL, 1788700000, NULL, NULL, NULL, 5, 3, 1788700000, 1788700000);
INSERT INTO usage_renewals (connection_id, seat_cost_cents, currency, type_costs, renewal_date, updated_at, updated_by) VALUES
    ('conn_acme01', 30000, 'EUR', '{"IEAUTEXT":12000}', '2027-03-01', 1788700100, 'ana');
INSERT INTO usage_reclaims (id, connection_id, action, target, items, status, created_by, created_at, expires_at, applied_by, applied_at) VALUES
    ('rcl_fixture1', 'conn_acme01', 'deactivate', NULL, '[{"userId":"KUAAAAP3","name":"Ida Idle","email":"ida@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1780300000,"result":null,"message":null}]', 'planned', 'ana', 1788700200, 4102444800, NULL, NULL);
INSERT INTO trail (at, actor, action, target, before_json, after_json) VALUES
    (1788700100, 'ana', 'usage.renewal.set', 'acme', NULL, '{"seatCost":"300","currency":"EUR"}');
