-- License policies (weft_core::policy): one YAML file per policy, applied like a recipe, on
-- the connection it names (resolved when applied; the policy goes with its connection).
CREATE TABLE usage_policies (
    name TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    text TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX usage_policies_by_connection ON usage_policies (connection_id);

-- When a person was last invited in or activated, where known: from the audit log
-- (InvitationAccepted, UserActivated, UserRestored) and from a sync that sees a person new or
-- newly active after the connection's first. Policies leave such seats alone for a grace
-- period. NULL: seated since before weft knew (or the audit log never said).
ALTER TABLE wrike_users ADD COLUMN seated_since BIGINT;
