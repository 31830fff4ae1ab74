PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);
INSERT INTO _sqlx_migrations VALUES(1,'initial','2026-12-07 05:07:38',1,X'b9b0de9b5f8dacbc6f13e6333991cc836e7672472cfe7773680e1f1347e3eba8d7929a39c10a22c66a941b7a8548af57',1340711);
INSERT INTO _sqlx_migrations VALUES(2,'sessions tokens oauth','2026-12-07 05:07:38',1,X'd6165c9e228b3970813f7c00121aa1a08f4aa44daa3b6ad73c79314a3f8697a8f0c890753fc1f0490934f12a63ea77f7',1315262);
INSERT INTO _sqlx_migrations VALUES(3,'runtime','2026-12-07 05:07:38',1,X'f846eba92caa4232db0817679c9ad471413b23d82c7e87ce4c4853ccbde59ddf49de561855f4357bf72e6eca428bc484',4111345);
INSERT INTO _sqlx_migrations VALUES(4,'change counter','2026-12-07 05:07:38',1,X'1afd7121eea99ac54b224a091ada7856214f7cf478c631fcdec089156ec2d686515ed06a16efdd9de174856460d89aec',2377027);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'operator')),
    created_at INTEGER NOT NULL
);
INSERT INTO users VALUES('usr_ada','ada','$argon2id$v=19$m=19456,t=2,p=1$LT/qDsbZAzcaX+GkvaxTZw$nQKF0RvIR6AMJpJC+crJVcsqvmvY9wDmEgY7Qr7DoI8','admin',1788220800);
INSERT INTO users VALUES('usr_ana','ana','$argon2id$v=19$m=19456,t=2,p=1$Wkxz0nr4/2CzUxZc9X5Jmg$QOeJTWs5uPXzFH8fx9d3K/l/T6k5etpXnjtxSKr+QrM','analyst',1788220900);
INSERT INTO users VALUES('usr_otto','otto','$argon2id$v=19$m=19456,t=2,p=1$3QjqckT1KzfYPOzUIlOLfw$m4t5YRGH8r3QakXy13+WWTUEfkN0DGVnDDV0+onwn2g','operator',1788221000);
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
    health_class TEXT,
    health_message TEXT,
    checked_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
, health_state TEXT CHECK (health_state IN ('healthy', 'degraded', 'broken')), failing_since INTEGER, health_version INTEGER NOT NULL DEFAULT 0);
INSERT INTO connections VALUES('conn_acme01','acme','permanent','https://app-us2.wrike.com/api/v4','IEAAAAAA','Acme Corp','KUAAAAAS','Service Account','weft@acme.example',1,'Default,amReadOnlyAuditLog,amReadOnlyUser','usage_analytics',X'0157baa312104ab26862964950d1e86dc3ecc9fad704f6b3cc65ffe28193e85491641cbda3a4ac34c10931b5ddc3223703b0f24c61a4d8f1efc39e63fd',NULL,NULL,1,NULL,NULL,1788300000,1788221100,'ada','healthy',NULL,0);
INSERT INTO connections VALUES('conn_globex1','globex','oauth','https://app-eu.wrike.com/api/v4','IEBBBBBB','Globex','KUBBBBBB','Hank Scorpio','hank@globex.example',1,'Default','read_work,write_work,webhooks',X'0122e884b859fbcf710d7ba5019f4255c3257c045f0b5e83914912230e6ee39cc31dbd47e4d3410b9614c0b7f5b9c920c3f4c36a873de5a7d76bfaf3',X'01b67d9b873d0dbd4ac6aa00b272ed5fe192a2f0cb8d5c1cc90006dd7bd0e6767e6735b69c97cb4f771c00976d326cf1747d2b6b3282daee390acbf735',1788310000,3,'token_rejected','the token was revoked (invalid_grant)',1788305000,1788221200,'ada','broken',1788305000,0);
CREATE TABLE IF NOT EXISTS "trail" (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
INSERT INTO trail VALUES(1,1788220800,'setup','user.add','ada',NULL,'{"role":"admin"}');
INSERT INTO trail VALUES(2,1788221100,'ada','connection.add','acme',NULL,'{"kind":"permanent"}');
INSERT INTO trail VALUES(3,1788221200,'ada','connection.add','globex',NULL,'{"kind":"oauth"}');
INSERT INTO trail VALUES(4,1788400100,'ana','token.issue','reports',NULL,NULL);
INSERT INTO trail VALUES(5,1788500100,'ada','schedule.add','fixture-nightly',NULL,'{"cron":"0 3 * * *"}');
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO sessions VALUES('179222d26523cb6a4dc5fe9f2c086f9129dbf7e85b065c990f23170dc0006931','usr_ada','fixture-csrf',1788400000,4102444800);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
INSERT INTO api_tokens VALUES('tok_ana01','usr_ana','reports','aa4825ddead5a48b407502989b40ab1255802f22100c2239c9259bc8f67a4ead',1788400100);
CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    features TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO oauth_states VALUES('fd23f6c0afc67ec92e111903cbf6d9d95e09573f577053d16d8087f04390e261','usr_ada','initech','Default','read_work',1788400700);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    origin TEXT NOT NULL,
    priority INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'dead', 'cancelled')),
    run_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    backoff_ms INTEGER NOT NULL,
    backoff_max_ms INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_ms INTEGER,
    heartbeat_ms INTEGER,
    last_error TEXT,
    result TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    finished_ms INTEGER
);
INSERT INTO jobs VALUES(1,'connection.check','{"connection":"conn_acme01"}','check:conn_acme01:1','schedule',0,'succeeded',1788500000000,1,3,1000,60000,NULL,NULL,NULL,NULL,'{"state":"healthy"}',1788500000000,1788500001000,1788500001000);
INSERT INTO jobs VALUES(2,'connection.check','{"connection":"conn_globex1"}','check:conn_globex1:1','schedule',0,'dead',1788500000000,3,3,1000,60000,NULL,NULL,NULL,'the token was revoked (invalid_grant)',NULL,1788500000000,1788500009000,1788500009000);
CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    every_ms INTEGER,
    cron TEXT,
    timezone TEXT,
    priority INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    backoff_ms INTEGER NOT NULL,
    backoff_max_ms INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    next_run_ms INTEGER NOT NULL,
    last_run_ms INTEGER,
    last_job_id INTEGER,
    updated_ms INTEGER NOT NULL,
    CHECK ((every_ms IS NULL) <> (cron IS NULL))
);
INSERT INTO schedules VALUES('fixture-nightly','connection.check','{"connection":"conn_acme01"}',NULL,'0 3 * * *','Europe/Paris',0,3,1000,60000,1,1788570000000,NULL,NULL,1788500000000);
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO change_counter VALUES(1,0);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('trail',5);
INSERT INTO sqlite_sequence VALUES('jobs',2);
CREATE INDEX jobs_ready ON jobs (priority DESC, run_at_ms, id) WHERE status = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_ms) WHERE status = 'running';
CREATE INDEX jobs_by_kind ON jobs (kind, id);
CREATE INDEX jobs_finished ON jobs (status, finished_ms);
CREATE TRIGGER users_insert_counted AFTER INSERT ON users BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER users_update_counted AFTER UPDATE ON users BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER users_delete_counted AFTER DELETE ON users BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER sessions_update_counted AFTER UPDATE ON sessions BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER sessions_delete_counted AFTER DELETE ON sessions BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER api_tokens_update_counted AFTER UPDATE ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER api_tokens_delete_counted AFTER DELETE ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_insert_counted AFTER INSERT ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_update_counted AFTER UPDATE ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_delete_counted AFTER DELETE ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
COMMIT;
