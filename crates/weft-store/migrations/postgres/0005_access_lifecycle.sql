-- The access lifecycle: users can be disabled, API tokens can expire and say when they were
-- last used, failed sign-ins are counted per account and per source address, and a sealed
-- marker proves which secrets key the database's secrets were sealed with. OAuth consents
-- keep their PKCE code verifier.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE oauth_states ADD COLUMN code_verifier TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- A token's last-use stamp is not a change of who may call: only these columns count.
DROP TRIGGER api_tokens_counted ON api_tokens;
CREATE TRIGGER api_tokens_counted AFTER UPDATE OF user_id, token_hash, expires_at OR DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION weft_count_change();

CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE hub_settings (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
