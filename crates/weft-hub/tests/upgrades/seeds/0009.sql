-- Schema 9: the renewal plan's inputs and a snapshot of the figures (before weft kept the
-- potential saving in them).
UPDATE usage_renewals SET headroom_pct = 15, type_seats = '{"IEAUTREG":40}' WHERE connection_id = 'conn_acme01';
UPDATE wrike_accounts SET expiry_date = '2027-03-01' WHERE connection_id = 'conn_acme01';
INSERT INTO usage_snapshots (connection_id, taken_at, figures) VALUES
    ('conn_acme01', 1789000000, '{"idleDays":30,"bought":50,"assigned":3,"active":2,"idle":1,"neverActive":0,"unassigned":47,"deactivatedTyped":0,"collaborators":1}');
INSERT INTO usage_reclaims (id, connection_id, action, target, items, status, created_by, created_at, expires_at, applied_by, applied_at, cancelled_by, cancelled_at) VALUES
    ('rcl_fixture2', 'conn_acme01', 'deactivate', NULL,
     '[{"userId":"KUAAAAP2","name":"Ivan Integration","email":"ivan@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1788650000,"result":null,"message":null}]',
     'cancelled', 'ana', 1789000100, 1789086500, NULL, NULL, 'ada', 1789000200);
