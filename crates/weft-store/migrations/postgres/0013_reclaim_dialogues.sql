-- The reclaim dialogue: one row per person a policy flagged and asked (or, silent, put
-- before an Admin). `state` moves forward only, each move a conditional update:
--   pending -> notified -> reminded -> kept | released | escalated -> applied | failed
--   and any open state -> cancelled (with the reason).
-- An e-mail is claimed (`*_claimed_at`) before it is sent and marked sent after, so a
-- process killed between the two never sends it again.
CREATE TABLE usage_dialogues (
    id TEXT PRIMARY KEY,
    policy TEXT NOT NULL REFERENCES usage_policies(name) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    user_type_id TEXT,
    mode TEXT NOT NULL,
    change TEXT NOT NULL,
    change_label TEXT NOT NULL,
    last_activity_at BIGINT,
    last_signal TEXT,
    annual_saving_cents BIGINT,
    state TEXT NOT NULL,
    reason TEXT,
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    notify_claimed_at BIGINT,
    notified_at BIGINT,
    remind_at BIGINT,
    remind_claimed_at BIGINT,
    reminded_at BIGINT,
    deadline_at BIGINT,
    answered_at BIGINT,
    keep_until BIGINT,
    plan_id TEXT,
    updated_at BIGINT NOT NULL
);
-- One open dialogue per person and policy.
CREATE UNIQUE INDEX usage_dialogues_open ON usage_dialogues (policy, user_id)
    WHERE state IN ('pending', 'notified', 'reminded', 'released', 'escalated');
CREATE INDEX usage_dialogues_by_policy ON usage_dialogues (policy, state);
CREATE INDEX usage_dialogues_by_plan ON usage_dialogues (plan_id);

-- Who let a policy's dialogue run (an Admin), and when; NULL: it does not run.
ALTER TABLE usage_policies ADD COLUMN dialogue_by TEXT;
ALTER TABLE usage_policies ADD COLUMN dialogue_at BIGINT;
