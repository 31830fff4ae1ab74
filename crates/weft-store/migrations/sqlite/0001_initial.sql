-- Users, connections with sealed tokens, and the hub's audit trail. Times are Unix seconds.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'operator')),
    created_at INTEGER NOT NULL
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
    access_token BLOB NOT NULL,
    refresh_token BLOB,
    expires_at INTEGER,
    token_version INTEGER NOT NULL,
    healthy BOOLEAN,
    health_class TEXT,
    health_message TEXT,
    checked_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE audit_trail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
