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
INSERT INTO _sqlx_migrations VALUES(5,'access lifecycle','2026-12-07 05:07:38',1,X'd86d65b172cffa60643e29ebcc3b7be45e88078bca2b33373fd83bffd3faea9e6588c7377e3065f610ae6e09a12a18f9',4893472);
INSERT INTO _sqlx_migrations VALUES(6,'usage','2026-12-07 05:07:38',1,X'1690a160480bcdb048a8681dae6ca9e9602c5e3cae4dcfc032d4fd0d103b2bac539bb91c677b1f6d6917c8ead0ae4f34',4294588);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'operator')),
    created_at INTEGER NOT NULL
, disabled_at INTEGER);
INSERT INTO users VALUES('usr_ada','ada','$argon2id$v=19$m=19456,t=2,p=1$LT/qDsbZAzcaX+GkvaxTZw$nQKF0RvIR6AMJpJC+crJVcsqvmvY9wDmEgY7Qr7DoI8','admin',1788220800,NULL);
INSERT INTO users VALUES('usr_ana','ana','$argon2id$v=19$m=19456,t=2,p=1$Wkxz0nr4/2CzUxZc9X5Jmg$QOeJTWs5uPXzFH8fx9d3K/l/T6k5etpXnjtxSKr+QrM','analyst',1788220900,NULL);
INSERT INTO users VALUES('usr_otto','otto','$argon2id$v=19$m=19456,t=2,p=1$3QjqckT1KzfYPOzUIlOLfw$m4t5YRGH8r3QakXy13+WWTUEfkN0DGVnDDV0+onwn2g','operator',1788221000,1788600000);
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
INSERT INTO trail VALUES(6,1788600000,'ada','user.disable','otto',NULL,NULL);
INSERT INTO trail VALUES(7,1788700100,'ana','usage.renewal.set','acme',NULL,'{"seatCost":"300","currency":"EUR"}');
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
, expires_at INTEGER, last_used_at INTEGER);
INSERT INTO api_tokens VALUES('tok_ana01','usr_ana','reports','aa4825ddead5a48b407502989b40ab1255802f22100c2239c9259bc8f67a4ead',1788400100,4102444800,1788600100);
CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    features TEXT NOT NULL,
    expires_at INTEGER NOT NULL
, code_verifier TEXT NOT NULL DEFAULT '');
INSERT INTO oauth_states VALUES('fd23f6c0afc67ec92e111903cbf6d9d95e09573f577053d16d8087f04390e261','usr_ada','initech','Default','read_work',1788400700,'');
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
INSERT INTO change_counter VALUES(1,2);
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until INTEGER
);
INSERT INTO sign_in_failures VALUES('account:mallory',7,1788600200,1788600500);
CREATE TABLE hub_settings (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE wrike_accounts (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    plan TEXT,
    user_limit INTEGER,
    paid INTEGER,
    suspended INTEGER,
    raw TEXT NOT NULL,
    synced_at INTEGER NOT NULL
);
INSERT INTO wrike_accounts VALUES('conn_acme01','IEAAAAAA','Acme Corp','Enterprise',50,1,0,'{"id":"IEAAAAAA","name":"Acme Corp","subscription":{"type":"Enterprise","paid":true,"userLimit":50}}',1788700000);
CREATE TABLE wrike_user_types (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    license_type TEXT,
    raw TEXT NOT NULL,
    PRIMARY KEY (connection_id, id)
);
INSERT INTO wrike_user_types VALUES('conn_acme01','IEAUTREG','Regular User','Full access','Regular','{"id":"IEAUTREG","title":"Regular User"}');
INSERT INTO wrike_user_types VALUES('conn_acme01','IEAUTEXT','External User',NULL,'External','{"id":"IEAUTEXT","title":"External User"}');
INSERT INTO wrike_user_types VALUES('conn_acme01','IEAUTCOL','Collaborator',NULL,'Collaborator','{"id":"IEAUTCOL","title":"Collaborator"}');
CREATE TABLE wrike_users (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT,
    company_name TEXT,
    title TEXT,
    role TEXT,
    user_type_id TEXT,
    external INTEGER NOT NULL DEFAULT 0,
    admin INTEGER NOT NULL DEFAULT 0,
    owner INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    timezone TEXT,
    locale TEXT,
    raw TEXT,
    first_seen_at INTEGER NOT NULL,
    synced_at INTEGER,
    last_login_at INTEGER,
    last_change_at INTEGER,
    last_task_at INTEGER,
    last_comment_at INTEGER,
    last_timelog_at INTEGER,
    -- Derived, so the seat reports count from an index instead of working them out per row:
    -- holds a seat (active, not deleted), takes a paid one (see weft_core::usage), the
    -- latest activity by every signal and by work alone (0: never).
    seated INTEGER NOT NULL DEFAULT 1,
    paid INTEGER NOT NULL DEFAULT 0,
    last_active_at INTEGER NOT NULL DEFAULT 0,
    last_work_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, id)
) WITHOUT ROWID;
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP1','Person','Alice','Active','alice@acme.example','Acme','Engineer','User','IEAUTREG',0,0,0,1,0,'Europe/Paris','en','{"id":"KUAAAAP1"}',1788700000,1788700000,1788690000,1788680000,NULL,NULL,NULL,1,1,1788690000,1788680000);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP2','Person','Ivan','Integration','ivan@acme.example','Acme','Analyst','User','IEAUTREG',0,0,0,1,0,'US/Pacific','en','{"id":"KUAAAAP2"}',1788700000,1788700000,1788650000,NULL,NULL,NULL,NULL,1,1,1788650000,0);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP3','Person','Ida','Idle','ida@acme.example','Acme','Designer','User','IEAUTREG',0,0,0,1,0,'Europe/Berlin','de','{"id":"KUAAAAP3"}',1780272000,1788700000,1780300000,NULL,NULL,NULL,NULL,1,1,1780300000,0);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP4','Person','Colin','Collab','colin@partner.example','Partner',NULL,'Collaborator','IEAUTCOL',0,0,0,1,0,NULL,NULL,'{"id":"KUAAAAP4"}',1788700000,1788700000,NULL,NULL,NULL,NULL,NULL,1,0,0,0);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAX9','Unknown','','','gone@acme.example',NULL,NULL,NULL,NULL,0,0,0,1,0,NULL,NULL,NULL,1788700000,NULL,1788000000,NULL,NULL,NULL,NULL,0,0,1788000000,0);
CREATE TABLE usage_seat_counts (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    seated BOOLEAN NOT NULL,
    paid BOOLEAN NOT NULL,
    people INTEGER NOT NULL,
    typed INTEGER NOT NULL,
    PRIMARY KEY (connection_id, kind, seated, paid)
) WITHOUT ROWID;
INSERT INTO usage_seat_counts VALUES('conn_acme01','Person',1,0,1,1);
INSERT INTO usage_seat_counts VALUES('conn_acme01','Person',1,1,3,3);
CREATE TABLE wrike_audit_records (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    event_at INTEGER NOT NULL,
    id TEXT NOT NULL,
    operation TEXT NOT NULL,
    user_id TEXT,
    user_email TEXT,
    ip_address TEXT,
    object_type TEXT,
    object_name TEXT,
    object_id TEXT,
    details TEXT NOT NULL
);
INSERT INTO wrike_audit_records VALUES('conn_acme01',1788690000,'AUD00001','UserLoggedIn','KUAAAAP1','alice@acme.example','203.0.113.5','User','alice@acme.example','KUAAAAP1','{"Login Type":"Password","User Agent":"Mozilla/5.0"}');
INSERT INTO wrike_audit_records VALUES('conn_acme01',1788680000,'AUD00002','TaskStatusChanged','KUAAAAP1','alice@acme.example','203.0.113.5','Task','Launch plan','IEAAAAAQKQAAAAT1','{"Old Status":"Active","New Status":"Completed"}');
INSERT INTO wrike_audit_records VALUES('conn_acme01',1788640000,'AUD00003','UserLoggedIn','KUAAAAP2','ivan@acme.example','198.51.100.7','User','ivan@acme.example','KUAAAAP2','{"Login Type":"Oauth2","User Agent":"Nango"}');
INSERT INTO wrike_audit_records VALUES('conn_acme01',1788650000,'AUD00004','UserLoggedIn','KUAAAAP2','ivan@acme.example','198.51.100.7','User','ivan@acme.example','KUAAAAP2','{"Login Type":" OAuth2 ","User Agent":"Nango"}');
INSERT INTO wrike_audit_records VALUES('conn_acme01',1780300000,'AUD00005','UserLoggedIn','KUAAAAP3','ida@acme.example','192.0.2.44','User','ida@acme.example','KUAAAAP3','{"Login Type":"Password"}');
CREATE TABLE usage_days (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    signals INTEGER NOT NULL,
    PRIMARY KEY (connection_id, day, user_id)
) WITHOUT ROWID;
INSERT INTO usage_days VALUES('conn_acme01',20605,'KUAAAAP3',1);
INSERT INTO usage_days VALUES('conn_acme01',20701,'KUAAAAP2',1);
INSERT INTO usage_days VALUES('conn_acme01',20702,'KUAAAAP1',3);
CREATE TABLE usage_syncs (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    progress TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    outcome TEXT,
    message TEXT,
    backfill_from INTEGER
);
INSERT INTO usage_syncs VALUES('conn_acme01',NULL,NULL,NULL,1788699000,1788700000,'ok',NULL,1772668800);
CREATE TABLE usage_sources (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    synced_through INTEGER,
    window_start INTEGER,
    window_end INTEGER,
    page_token TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    last_success_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (connection_id, source)
);
INSERT INTO usage_sources VALUES('conn_acme01','account','ok',NULL,NULL,NULL,NULL,NULL,1,1,1788700000,1788700000);
INSERT INTO usage_sources VALUES('conn_acme01','user_types','ok',NULL,NULL,NULL,NULL,NULL,3,1,1788700000,1788700000);
INSERT INTO usage_sources VALUES('conn_acme01','users','ok',NULL,NULL,NULL,NULL,NULL,4,1,1788700000,1788700000);
INSERT INTO usage_sources VALUES('conn_acme01','audit_log','ok',NULL,1788700000,NULL,NULL,NULL,5,3,1788700000,1788700000);
CREATE TABLE usage_renewals (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    seat_cost_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    type_costs TEXT NOT NULL,
    renewal_date TEXT,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
INSERT INTO usage_renewals VALUES('conn_acme01',30000,'EUR','{"IEAUTEXT":12000}','2027-03-01',1788700100,'ana');
CREATE TABLE usage_reclaims (
    id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    target TEXT,
    items TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    applied_by TEXT,
    applied_at INTEGER
);
INSERT INTO usage_reclaims VALUES('rcl_fixture1','conn_acme01','deactivate',NULL,'[{"userId":"KUAAAAP3","name":"Ida Idle","email":"ida@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1780300000,"result":null,"message":null}]','planned','ana',1788700200,4102444800,NULL,NULL);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('trail',7);
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
CREATE TRIGGER api_tokens_delete_counted AFTER DELETE ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_insert_counted AFTER INSERT ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_update_counted AFTER UPDATE ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_delete_counted AFTER DELETE ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
CREATE TRIGGER api_tokens_update_counted AFTER UPDATE OF user_id, token_hash, expires_at ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE INDEX wrike_users_seats ON wrike_users (connection_id, kind, seated, paid, last_active_at, user_type_id);
CREATE INDEX wrike_users_work_seats ON wrike_users (connection_id, kind, seated, paid, last_work_at, user_type_id);
CREATE INDEX wrike_users_seat_types ON wrike_users (connection_id, kind, seated, paid, user_type_id, last_active_at);
CREATE INDEX wrike_users_work_seat_types ON wrike_users (connection_id, kind, seated, paid, user_type_id, last_work_at);
CREATE UNIQUE INDEX wrike_audit_records_key ON wrike_audit_records (connection_id, event_at, id);
CREATE INDEX usage_reclaims_by_connection ON usage_reclaims (connection_id, created_at);
COMMIT;
