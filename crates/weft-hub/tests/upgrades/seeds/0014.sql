-- Schema 14: a reclaim applied earlier, its saving realized.
INSERT INTO usage_savings (id, connection_id, plan_id, user_id, name, action, target, change_label, annual_saving_cents,
    currency, realized_at, realized_by, restored_at, restored_reason) VALUES
    ('sav_fixture1', 'conn_acme01', 'rcl_fixture0', 'KUAAAAQ7', 'Quinn Quit', 'deactivate', NULL, 'deactivate', 30000,
     'EUR', 1789300000, 'ada', NULL, NULL);
