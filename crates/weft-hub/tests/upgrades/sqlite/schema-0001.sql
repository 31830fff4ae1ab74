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
    healthy BOOLEAN,
    health_class TEXT,
    health_message TEXT,
    checked_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
INSERT INTO connections VALUES('conn_acme01','acme','permanent','https://app-us2.wrike.com/api/v4','IEAAAAAA','Acme Corp','KUAAAAAS','Service Account','weft@acme.example',1,'Default,amReadOnlyAuditLog,amReadOnlyUser','usage_analytics',X'0157baa312104ab26862964950d1e86dc3ecc9fad704f6b3cc65ffe28193e85491641cbda3a4ac34c10931b5ddc3223703b0f24c61a4d8f1efc39e63fd',NULL,NULL,1,1,NULL,NULL,1788300000,1788221100,'ada');
INSERT INTO connections VALUES('conn_globex1','globex','oauth','https://app-eu.wrike.com/api/v4','IEBBBBBB','Globex','KUBBBBBB','Hank Scorpio','hank@globex.example',1,'Default','read_work,write_work,webhooks',X'0122e884b859fbcf710d7ba5019f4255c3257c045f0b5e83914912230e6ee39cc31dbd47e4d3410b9614c0b7f5b9c920c3f4c36a873de5a7d76bfaf3',X'01b67d9b873d0dbd4ac6aa00b272ed5fe192a2f0cb8d5c1cc90006dd7bd0e6767e6735b69c97cb4f771c00976d326cf1747d2b6b3282daee390acbf735',1788310000,3,0,'token_rejected','the token was revoked (invalid_grant)',1788305000,1788221200,'ada');
CREATE TABLE audit_trail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
INSERT INTO audit_trail VALUES(1,1788220800,'setup','user.add','ada',NULL,'{"role":"admin"}');
INSERT INTO audit_trail VALUES(2,1788221100,'ada','connection.add','acme',NULL,'{"kind":"permanent"}');
INSERT INTO audit_trail VALUES(3,1788221200,'ada','connection.add','globex',NULL,'{"kind":"oauth"}');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('audit_trail',3);
COMMIT;
