-- Schema 12: a policy over Acme; Ida's seat is dated.
INSERT INTO usage_policies (name, connection_id, version, text, updated_at, updated_by) VALUES
    ('idle-paid-seats', 'conn_acme01', 1, {{policy:idle-paid-seats}}, 1789100000, 'ada');
UPDATE wrike_users SET seated_since = 1780272000 WHERE connection_id = 'conn_acme01' AND id = 'KUAAAAP3';
