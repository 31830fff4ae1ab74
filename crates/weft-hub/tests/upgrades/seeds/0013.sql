-- Schema 13: the policy's dialogue runs; Ida is before the Admin (the policy is silent).
UPDATE usage_policies SET dialogue_by = 'ada', dialogue_at = 1789200000 WHERE name = 'idle-paid-seats';
INSERT INTO usage_dialogues (id, policy, connection_id, user_id, name, email, user_type_id, mode, change, change_label,
    last_activity_at, last_signal, annual_saving_cents, state, reason, started_at, started_by, notify_claimed_at, notified_at,
    remind_at, remind_claimed_at, reminded_at, deadline_at, answered_at, keep_until, plan_id, updated_at) VALUES
    ('dlg_fixture1', 'idle-paid-seats', 'conn_acme01', 'KUAAAAP3', 'Ida Idle', 'ida@acme.example', 'IEAUTREG', 'silent',
     '{"kind":"deactivate"}', 'deactivate', 1780300000, 'login', 30000, 'escalated',
     'silent: the Admin decides without asking', 1789200000, 'ada',
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1789200000);
