-- Users, connections with sealed tokens, and the hub's audit trail. Times are Unix seconds.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'operator')),
    created_at BIGINT NOT NULL
);

CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('oauth', 'permanent')),
    api_base TEXT NOT NULL,
    account_id TEXT NOT NULL,
    account_name TEXT NOT NULL,
    wrike_user_id TEXT NOT NULL,
    wrike_user_name TEXT NOT NULL,
    wrike_user_email TEXT NOT NULL,
    wrike_user_admin BOOLEAN NOT NULL,
    scopes TEXT NOT NULL,
    features TEXT NOT NULL,
    access_token BYTEA NOT NULL,
    refresh_token BYTEA,
    expires_at BIGINT,
    token_version BIGINT NOT NULL,
    healthy BOOLEAN,
    health_class TEXT,
    health_message TEXT,
    checked_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE audit_trail (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
