-- The savings ledger: every person a reclaim plan changed in Wrike, with what that saved a
-- year at the costs entered then (NULL: no costs were entered), once per plan and person.
-- A person seen restored by a later sync (reactivated, or given back a paid type or role)
-- nets out: `restored_at` and why.
CREATE TABLE usage_savings (
    id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    plan_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    change_label TEXT NOT NULL,
    annual_saving_cents BIGINT,
    currency TEXT,
    realized_at BIGINT NOT NULL,
    realized_by TEXT NOT NULL,
    restored_at BIGINT,
    restored_reason TEXT
);
CREATE UNIQUE INDEX usage_savings_once ON usage_savings (plan_id, user_id);
CREATE INDEX usage_savings_by_connection ON usage_savings (connection_id, realized_at);
