-- The access lifecycle: users can be disabled, API tokens can expire and say when they were
-- last used, failed sign-ins are counted per account and per source address, and a sealed
-- marker proves which secrets key the database's secrets were sealed with. OAuth consents
-- keep their PKCE code verifier.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE oauth_states ADD COLUMN code_verifier TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- A token's last-use stamp is not a change of who may call: only these columns count.
DROP TRIGGER api_tokens_update_counted;
CREATE TRIGGER api_tokens_update_counted AFTER UPDATE OF user_id, token_hash, expires_at ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;

CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until INTEGER
);

CREATE TABLE hub_settings (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
