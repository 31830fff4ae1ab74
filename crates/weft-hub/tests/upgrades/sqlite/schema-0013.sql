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
INSERT INTO _sqlx_migrations VALUES(7,'recipes','2026-12-07 05:07:38',1,X'dbe2a6cce5b7cc336d9f0d8142976e192f687ecbaec99c165fbf3bd74352c414835c7f977e8b62b26df51c19e625be63',5613076);
INSERT INTO _sqlx_migrations VALUES(8,'recipe safety','2026-12-07 05:07:38',1,X'5efda4af7b03c9b455b32ef7dbc26f7c471a624a88f767ad5fb95d911191db9fcfe3a6878eb711ccc8863db00a88e806',3156330);
INSERT INTO _sqlx_migrations VALUES(9,'renewal plan','2026-12-07 05:07:38',1,X'861f5d06e7215df71ff955898914fe14bc5d55f8162c14487baea26557c37b12912d612a893769d4c1d888c720312491',7255557);
INSERT INTO _sqlx_migrations VALUES(10,'seat counts by type','2026-12-07 05:07:38',1,X'40a74ca69d26c3f392f3befc4dd653e87696e45659fc11ffc803f5eb5408ca869614ed3d2bc50415bef7f815db6f1d3c',2021747);
INSERT INTO _sqlx_migrations VALUES(11,'token set at','2026-12-07 05:07:38',1,X'f3351fdb9ada058b3c8b0a2bed732f446cdefd212678fbc86e6fc48c28f794ca7b98214dd14dcd93f8c58c3f3e686a1c',2336257);
INSERT INTO _sqlx_migrations VALUES(12,'policies','2026-12-07 05:07:38',1,X'84f9095827dfbc60e40641c8ef75c62ada906d3a1785761f7e5e32b9fc7b6dcd394034735d3b31f52c1b5becf91ba830',1966615);
INSERT INTO _sqlx_migrations VALUES(13,'reclaim dialogues','2026-12-07 05:07:38',1,X'0f6b970283ad10f1e283fc33485aaec76944639e7a10142160a70ebf7d8ede11049c5d654432da63bf97f0bc88312e2c',6976111);
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
, health_state TEXT CHECK (health_state IN ('healthy', 'degraded', 'broken')), failing_since INTEGER, health_version INTEGER NOT NULL DEFAULT 0, token_set_at BIGINT);
INSERT INTO connections VALUES('conn_acme01','acme','permanent','https://app-us2.wrike.com/api/v4','IEAAAAAA','Acme Corp','KUAAAAAS','Service Account','weft@acme.example',1,'Default,amReadOnlyAuditLog,amReadOnlyUser','usage_analytics',X'0157baa312104ab26862964950d1e86dc3ecc9fad704f6b3cc65ffe28193e85491641cbda3a4ac34c10931b5ddc3223703b0f24c61a4d8f1efc39e63fd',NULL,NULL,1,NULL,NULL,1788300000,1788221100,'ada','healthy',NULL,0,1788221100);
INSERT INTO connections VALUES('conn_globex1','globex','oauth','https://app-eu.wrike.com/api/v4','IEBBBBBB','Globex','KUBBBBBB','Hank Scorpio','hank@globex.example',1,'Default','read_work,write_work,webhooks',X'0122e884b859fbcf710d7ba5019f4255c3257c045f0b5e83914912230e6ee39cc31dbd47e4d3410b9614c0b7f5b9c920c3f4c36a873de5a7d76bfaf3',X'01b67d9b873d0dbd4ac6aa00b272ed5fe192a2f0cb8d5c1cc90006dd7bd0e6767e6735b69c97cb4f771c00976d326cf1747d2b6b3282daee390acbf735',1788310000,3,'token_rejected','the token was revoked (invalid_grant)',1788305000,1788221200,'ada','broken',1788305000,0,1788221200);
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
INSERT INTO trail VALUES(8,1788800000,'otto','recipe.save','comment-on-status-change',NULL,'{"version":1}');
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
, lost_leases INTEGER NOT NULL DEFAULT 0);
INSERT INTO jobs VALUES(1,'connection.check','{"connection":"conn_acme01"}','check:conn_acme01:1','schedule',0,'succeeded',1788500000000,1,3,1000,60000,NULL,NULL,NULL,NULL,'{"state":"healthy"}',1788500000000,1788500001000,1788500001000,0);
INSERT INTO jobs VALUES(2,'connection.check','{"connection":"conn_globex1"}','check:conn_globex1:1','schedule',0,'dead',1788500000000,3,3,1000,60000,NULL,NULL,NULL,'the token was revoked (invalid_grant)',NULL,1788500000000,1788500009000,1788500009000,0);
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
INSERT INTO change_counter VALUES(1,4);
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
, expiry_date TEXT);
INSERT INTO wrike_accounts VALUES('conn_acme01','IEAAAAAA','Acme Corp','Enterprise',50,1,0,'{"id":"IEAAAAAA","name":"Acme Corp","subscription":{"type":"Enterprise","paid":true,"userLimit":50}}',1788700000,'2027-03-01');
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
    last_work_at INTEGER NOT NULL DEFAULT 0, seated_since INTEGER,
    PRIMARY KEY (connection_id, id)
) WITHOUT ROWID;
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP1','Person','Alice','Active','alice@acme.example','Acme','Engineer','User','IEAUTREG',0,0,0,1,0,'Europe/Paris','en','{"id":"KUAAAAP1"}',1788700000,1788700000,1788690000,1788680000,NULL,NULL,NULL,1,1,1788690000,1788680000,NULL);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP2','Person','Ivan','Integration','ivan@acme.example','Acme','Analyst','User','IEAUTREG',0,0,0,1,0,'US/Pacific','en','{"id":"KUAAAAP2"}',1788700000,1788700000,1788650000,NULL,NULL,NULL,NULL,1,1,1788650000,0,NULL);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP3','Person','Ida','Idle','ida@acme.example','Acme','Designer','User','IEAUTREG',0,0,0,1,0,'Europe/Berlin','de','{"id":"KUAAAAP3"}',1780272000,1788700000,1780300000,NULL,NULL,NULL,NULL,1,1,1780300000,0,1780272000);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAP4','Person','Colin','Collab','colin@partner.example','Partner',NULL,'Collaborator','IEAUTCOL',0,0,0,1,0,NULL,NULL,'{"id":"KUAAAAP4"}',1788700000,1788700000,NULL,NULL,NULL,NULL,NULL,1,0,0,0,NULL);
INSERT INTO wrike_users VALUES('conn_acme01','KUAAAAX9','Unknown','','','gone@acme.example',NULL,NULL,NULL,NULL,0,0,0,1,0,NULL,NULL,NULL,1788700000,NULL,1788000000,NULL,NULL,NULL,NULL,0,0,1788000000,0,NULL);
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
, headroom_pct INTEGER NOT NULL DEFAULT 10, type_seats TEXT NOT NULL DEFAULT '{}');
INSERT INTO usage_renewals VALUES('conn_acme01',30000,'EUR','{"IEAUTEXT":12000}','2027-03-01',1788700100,'ana',15,'{"IEAUTREG":40}');
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
, cancelled_by TEXT, cancelled_at INTEGER);
INSERT INTO usage_reclaims VALUES('rcl_fixture1','conn_acme01','deactivate',NULL,'[{"userId":"KUAAAAP3","name":"Ida Idle","email":"ida@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1780300000,"result":null,"message":null}]','planned','ana',1788700200,4102444800,NULL,NULL,NULL,NULL);
INSERT INTO usage_reclaims VALUES('rcl_fixture2','conn_acme01','deactivate',NULL,'[{"userId":"KUAAAAP2","name":"Ivan Integration","email":"ivan@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1788650000,"result":null,"message":null}]','cancelled','ana',1789000100,1789086500,NULL,NULL,'ada',1789000200);
CREATE TABLE recipes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    connection_name TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('stopped', 'running', 'paused')),
    state_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
INSERT INTO recipes VALUES(1,'comment-on-status-change','globex','wrike',replace('name: comment-on-status-change\ndescription: Comment on a task when its status changes, naming the old and the new status.\nconnection: globex\ntrigger:\n  wrike:\n    events: [TaskStatusChanged]\nsteps:\n  - id: comment\n    action: wrike.create_comment\n    when: "{{ trigger.oldStatus != trigger.status }}"\n    input:\n      task: "{{ trigger.taskId }}"\n      text: "Status changed from {{ trigger.oldStatus }} to {{ trigger.status }}."\n','\n',char(10)),2,'running',NULL,1788800000,1788800500,'otto');
INSERT INTO recipes VALUES(2,'inbound-orders','globex','http',replace('name: inbound-orders\ndescription: Pass an order from the shop to the orders service.\nconnection: globex\ntrigger:\n  http: {}\nsteps:\n  - id: forward\n    action: http.request\n    input:\n      method: POST\n      url: "https://orders.acme.example/orders"\n      headers:\n        X-API-Key: "{{ secrets.orders_api_key }}"\n      body:\n        order: "{{ trigger.order }}"\n','\n',char(10)),1,'stopped','stopped by otto',1788800600,1788800600,'otto');
CREATE TABLE recipe_versions (
    recipe_id INTEGER NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (recipe_id, version)
);
INSERT INTO recipe_versions VALUES(1,1,replace('name: comment-on-status-change\ndescription: Comment on a task when its status changes, naming the old and the new status.\nconnection: globex\ntrigger:\n  wrike:\n    events: [TaskStatusChanged]\nsteps:\n  - id: comment\n    action: wrike.create_comment\n    when: "{{ trigger.oldStatus != trigger.status }}"\n    input:\n      task: "{{ trigger.taskId }}"\n      text: "Status changed from {{ trigger.oldStatus }} to {{ trigger.status }}."\n','\n',char(10)),'otto',1788800000);
INSERT INTO recipe_versions VALUES(1,2,replace('name: comment-on-status-change\ndescription: Comment on a task when its status changes, naming the old and the new status.\nconnection: globex\ntrigger:\n  wrike:\n    events: [TaskStatusChanged]\nsteps:\n  - id: comment\n    action: wrike.create_comment\n    when: "{{ trigger.oldStatus != trigger.status }}"\n    input:\n      task: "{{ trigger.taskId }}"\n      text: "Status changed from {{ trigger.oldStatus }} to {{ trigger.status }}."\n','\n',char(10)),'otto',1788800500);
INSERT INTO recipe_versions VALUES(2,1,replace('name: inbound-orders\ndescription: Pass an order from the shop to the orders service.\nconnection: globex\ntrigger:\n  http: {}\nsteps:\n  - id: forward\n    action: http.request\n    input:\n      method: POST\n      url: "https://orders.acme.example/orders"\n      headers:\n        X-API-Key: "{{ secrets.orders_api_key }}"\n      body:\n        order: "{{ trigger.order }}"\n','\n',char(10)),'otto',1788800600);
CREATE TABLE recipe_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipe_id INTEGER NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    -- What made the run: one Wrike event, one schedule occurrence, one inbound request.
    -- The same key never starts the recipe twice.
    event_key TEXT NOT NULL,
    trigger_event TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled')),
    -- The index of the step to run next, and the outputs of the steps before it.
    next_step INTEGER NOT NULL,
    outputs TEXT NOT NULL,
    error TEXT,
    rerun_of INTEGER,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    finished_ms INTEGER, started_by TEXT, hand_made INTEGER NOT NULL DEFAULT 0,
    UNIQUE (recipe_id, event_key)
);
INSERT INTO recipe_runs VALUES(1,1,2,'wrike:TaskStatusChanged:IEAAAAAQKQAAAAT1:1788810000','{"eventType":"TaskStatusChanged","taskId":"IEAAAAAQKQAAAAT1","oldStatus":"Active","status":"Completed"}','succeeded',1,'{"comment":{"id":"IEAAAAAQIMAAAAC1"}}',NULL,NULL,1788810000000,1788810002000,1788810002000,NULL,0);
INSERT INTO recipe_runs VALUES(2,1,2,'wrike:TaskStatusChanged:IEAAAAAQKQAAAAT2:1788820000','{"eventType":"TaskStatusChanged","taskId":"IEAAAAAQKQAAAAT2","oldStatus":"Active","status":"Deferred"}','waiting',0,'{}','the connection globex is broken; the run waits for it',NULL,1788820000000,1788820001000,NULL,NULL,0);
INSERT INTO recipe_runs VALUES(3,2,1,'hand:1788900100','{"order":"A-1"}','failed',0,'{}','orders.acme.example answered 500',NULL,1788900100000,1788900101000,1788900101000,'otto',1);
CREATE TABLE recipe_run_steps (
    run_id INTEGER NOT NULL REFERENCES recipe_runs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    step_index INTEGER NOT NULL,
    step_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'waiting')),
    input TEXT,
    output TEXT,
    error TEXT,
    started_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    PRIMARY KEY (run_id, seq)
);
INSERT INTO recipe_run_steps VALUES(1,1,0,'comment',1,'succeeded','{"task":"IEAAAAAQKQAAAAT1","text":"Status changed from Active to Completed."}','{"id":"IEAAAAAQIMAAAAC1"}',NULL,1788810001000,1788810002000);
CREATE TABLE recipe_hooks (
    recipe_id INTEGER PRIMARY KEY REFERENCES recipes (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    -- The last part of the hook's URL on the hub; finds the hook without trusting the body.
    token TEXT NOT NULL UNIQUE,
    -- The signing secret, sealed with the hub's key ('recipe-hook:' || token as associated data).
    secret BLOB NOT NULL,
    webhook_id TEXT,
    status TEXT NOT NULL,
    updated_at INTEGER NOT NULL
, kind TEXT NOT NULL DEFAULT 'wrike' CHECK (kind IN ('wrike', 'http')));
INSERT INTO recipe_hooks VALUES(1,'conn_globex1','hookfixturewrike',X'01f444a3b3c480f11b0fb686e73f70352eb0349a3028c6d12e8d3ac5db40390cf31ed989f3d906720ac3c0f47e02810cc6f83421df0bb75f39ca','IEAAAAAQJAAAAAW1','Active',1788800500,'wrike');
INSERT INTO recipe_hooks VALUES(2,'','hookfixturehttp',X'01c77eec573aa1b7dbc500d1598cba11dce9ada5cd276b1fccb536b1b22e1cceef91be13aec7665319408d0d28555e96d9afc099fbd48657a4',NULL,'Active',1788800600,'http');
CREATE TABLE recipe_cursors (
    recipe_id INTEGER PRIMARY KEY REFERENCES recipes (id) ON DELETE CASCADE,
    cursor TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE recipe_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    hosts TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO recipe_secrets VALUES('orders_api_key',X'0166ee61038314e9610ee656489424330ef120d14a51c0f175f527f10e6c249f5d26f39bfaa5fb16eea0a8d93236ecd5ee385c0bfa7e70a2a3396f','["orders.acme.example"]','ada',1788900000);
CREATE TABLE usage_snapshots (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    taken_at INTEGER NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (connection_id, taken_at)
);
INSERT INTO usage_snapshots VALUES('conn_acme01',1789000000,'{"idleDays":30,"bought":50,"assigned":3,"active":2,"idle":1,"neverActive":0,"unassigned":47,"deactivatedTyped":0,"collaborators":1}');
CREATE TABLE usage_seat_counts (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    seated BOOLEAN NOT NULL,
    paid BOOLEAN NOT NULL,
    user_type_id TEXT,
    people BIGINT NOT NULL
);
INSERT INTO usage_seat_counts VALUES('conn_acme01','Person',1,0,'IEAUTCOL',1);
INSERT INTO usage_seat_counts VALUES('conn_acme01','Person',1,1,'IEAUTREG',3);
CREATE TABLE usage_period_counts (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    start_day BIGINT NOT NULL,
    signals BIGINT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (connection_id, period, start_day, signals)
);
CREATE TABLE usage_period_state (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    stale_from BIGINT
);
ANALYZE sqlite_schema;
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users_type_role','5 5 2 2 2 2 2 2 1');
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users_paid_activity','5 5 3 3 1 1 1');
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users_work_seat_types','5 5 3 3 2 2 2');
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users_seat_types','5 5 3 3 2 2 1');
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users_work_seats','5 5 3 3 2 2 2');
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users_seats','5 5 3 3 2 1 1');
INSERT INTO sqlite_stat1 VALUES('wrike_users','wrike_users','5 5 1');
ANALYZE sqlite_schema;
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_type_role','5 1 1 1 1 1 1 1 1','0 0 0 0 0 0 0 0 0','0 0 0 0 0 0 0 0 0',X'0a23000009081b08041d636f6e6e5f61636d653031556e6b6e6f776e6a92b7004b55414141415839');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_type_role','5 1 1 1 1 1 1 1 1','0 1 1 1 1 1 1 1 1','0 1 1 1 1 1 1 1 1',X'0a231d2509081908081d636f6e6e5f61636d6530314945415554434f4c436f6c6c61626f7261746f72506572736f6e4b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_type_role','5 3 3 3 3 3 3 1 1','0 2 2 2 2 2 2 2 2','0 2 2 2 2 2 2 2 2',X'0a231d1509081909041d636f6e6e5f61636d653031494541555452454755736572506572736f6e6a1d38e04b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_type_role','5 3 3 3 3 3 3 1 1','0 2 2 2 2 2 2 3 3','0 2 2 2 2 2 2 3 3',X'0a231d1509081909041d636f6e6e5f61636d653031494541555452454755736572506572736f6e6a9ca2104b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_type_role','5 3 3 3 3 3 3 1 1','0 2 2 2 2 2 2 4 4','0 2 2 2 2 2 2 4 4',X'0a231d1509081909041d636f6e6e5f61636d653031494541555452454755736572506572736f6e6a9d3e504b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_paid_activity','5 2 2 1 1 1 1','0 0 0 0 0 0 0','0 0 0 0 0 0 0',X'082308090819081d636f6e6e5f61636d653031506572736f6e4b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_paid_activity','5 2 2 1 1 1 1','0 0 0 1 1 1 1','0 0 0 1 1 1 1',X'08230809041b081d636f6e6e5f61636d6530316a92b700556e6b6e6f776e4b55414141415839');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_paid_activity','5 3 3 1 1 1 1','0 2 2 2 2 2 2','0 1 1 2 2 2 2',X'082309090419081d636f6e6e5f61636d6530316a1d38e0506572736f6e4b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_paid_activity','5 3 3 1 1 1 1','0 2 2 3 3 3 3','0 1 1 3 3 3 3',X'082309090419081d636f6e6e5f61636d6530316a9ca210506572736f6e4b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_paid_activity','5 3 3 1 1 1 1','0 2 2 4 4 4 4','0 1 1 4 4 4 4',X'082309090419081d636f6e6e5f61636d6530316a9d3e50506572736f6e4b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seat_types','5 4 4 1 1 1 1','0 0 0 0 0 0 0','0 0 0 0 0 0 0',X'08231909081d081d636f6e6e5f61636d653031506572736f6e4945415554434f4c4b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seat_types','5 4 4 3 3 2 1','0 0 0 1 1 1 1','0 0 0 1 1 1 1',X'08231909091d081d636f6e6e5f61636d653031506572736f6e49454155545245474b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seat_types','5 4 4 3 3 2 1','0 0 0 1 1 1 2','0 0 0 1 1 1 2',X'08231909091d081d636f6e6e5f61636d653031506572736f6e49454155545245474b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seat_types','5 4 4 3 3 1 1','0 0 0 1 1 3 3','0 0 0 1 1 2 3',X'08231909091d041d636f6e6e5f61636d653031506572736f6e49454155545245476a9d17404b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seat_types','5 1 1 1 1 1 1','0 4 4 4 4 4 4','0 1 1 2 2 3 4',X'08231b080800081d636f6e6e5f61636d653031556e6b6e6f776e4b55414141415839');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seat_types','5 4 4 1 1 1 1','0 0 0 0 0 0 0','0 0 0 0 0 0 0',X'08231909081d081d636f6e6e5f61636d653031506572736f6e4945415554434f4c4b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seat_types','5 4 4 3 3 1 1','0 0 0 1 1 1 1','0 0 0 1 1 1 1',X'08231909091d041d636f6e6e5f61636d653031506572736f6e49454155545245476a1d38e04b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seat_types','5 4 4 3 3 1 1','0 0 0 1 1 2 2','0 0 0 1 1 2 2',X'08231909091d041d636f6e6e5f61636d653031506572736f6e49454155545245476a9ca2104b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seat_types','5 4 4 3 3 1 1','0 0 0 1 1 3 3','0 0 0 1 1 3 3',X'08231909091d041d636f6e6e5f61636d653031506572736f6e49454155545245476a9d3e504b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seat_types','5 1 1 1 1 1 1','0 4 4 4 4 4 4','0 1 1 2 2 4 4',X'08231b080800041d636f6e6e5f61636d653031556e6b6e6f776e6a92b7004b55414141415839');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seats','5 4 4 1 1 1 1','0 0 0 0 0 0 0','0 0 0 0 0 0 0',X'0823190908081d1d636f6e6e5f61636d653031506572736f6e4945415554434f4c4b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seats','5 4 4 3 2 2 1','0 0 0 1 1 1 1','0 0 0 1 1 1 1',X'0823190909081d1d636f6e6e5f61636d653031506572736f6e49454155545245474b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seats','5 4 4 3 2 2 1','0 0 0 1 1 1 2','0 0 0 1 1 1 2',X'0823190909081d1d636f6e6e5f61636d653031506572736f6e49454155545245474b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seats','5 4 4 3 1 1 1','0 0 0 1 3 3 3','0 0 0 1 2 2 3',X'0823190909041d1d636f6e6e5f61636d653031506572736f6e6a9d174049454155545245474b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_work_seats','5 1 1 1 1 1 1','0 4 4 4 4 4 4','0 1 1 2 3 3 4',X'08231b080808001d636f6e6e5f61636d653031556e6b6e6f776e4b55414141415839');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seats','5 4 4 1 1 1 1','0 0 0 0 0 0 0','0 0 0 0 0 0 0',X'0823190908081d1d636f6e6e5f61636d653031506572736f6e4945415554434f4c4b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seats','5 4 4 3 1 1 1','0 0 0 1 1 1 1','0 0 0 1 1 1 1',X'0823190909041d1d636f6e6e5f61636d653031506572736f6e6a1d38e049454155545245474b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seats','5 4 4 3 1 1 1','0 0 0 1 2 2 2','0 0 0 1 2 2 2',X'0823190909041d1d636f6e6e5f61636d653031506572736f6e6a9ca21049454155545245474b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seats','5 4 4 3 1 1 1','0 0 0 1 3 3 3','0 0 0 1 3 3 3',X'0823190909041d1d636f6e6e5f61636d653031506572736f6e6a9d3e5049454155545245474b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users_seats','5 1 1 1 1 1 1','0 4 4 4 4 4 4','0 1 1 2 4 4 4',X'08231b080804001d636f6e6e5f61636d653031556e6b6e6f776e6a92b7004b55414141415839');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users','5 1','0 0','0 0',X'03231d636f6e6e5f61636d6530314b55414141415031');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users','5 1','0 1','0 1',X'03231d636f6e6e5f61636d6530314b55414141415032');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users','5 1','0 2','0 2',X'03231d636f6e6e5f61636d6530314b55414141415033');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users','5 1','0 3','0 3',X'03231d636f6e6e5f61636d6530314b55414141415034');
INSERT INTO sqlite_stat4 VALUES('wrike_users','wrike_users','5 1','0 4','0 4',X'03231d636f6e6e5f61636d6530314b55414141415839');
CREATE TABLE usage_policies (
    name TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
, dialogue_by TEXT, dialogue_at INTEGER);
INSERT INTO usage_policies VALUES('idle-paid-seats','conn_acme01',1,replace('name: idle-paid-seats\ndescription: Paid seats nobody has used for a quarter\nconnection: acme\nidle_days: 90\nsignals: [login, change, task, comment, timelog]\ngrace_days: 60\nexempt:\n  domains: [partner.example]\n  titles: [CEO]\naction: deactivate\ndecide: admin\nuser_types:\n  - user_type: External User\n    idle_days: 60\n    action: {downgrade_to: Collaborator}\n','\n',char(10)),1789100000,'ada','ada',1789200000);
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
    last_activity_at INTEGER,
    last_signal TEXT,
    annual_saving_cents INTEGER,
    state TEXT NOT NULL,
    reason TEXT,
    started_at INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    notify_claimed_at INTEGER,
    notified_at INTEGER,
    remind_at INTEGER,
    remind_claimed_at INTEGER,
    reminded_at INTEGER,
    deadline_at INTEGER,
    answered_at INTEGER,
    keep_until INTEGER,
    plan_id TEXT,
    updated_at INTEGER NOT NULL
);
INSERT INTO usage_dialogues VALUES('dlg_fixture1','idle-paid-seats','conn_acme01','KUAAAAP3','Ida Idle','ida@acme.example','IEAUTREG','silent','{"kind":"deactivate"}','deactivate',1780300000,'login',30000,'escalated','silent: the Admin decides without asking',1789200000,'ada',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1789200000);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('trail',8);
INSERT INTO sqlite_sequence VALUES('jobs',2);
INSERT INTO sqlite_sequence VALUES('recipes',2);
INSERT INTO sqlite_sequence VALUES('recipe_runs',3);
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
CREATE INDEX recipe_runs_by_recipe ON recipe_runs (recipe_id, id);
CREATE INDEX recipe_runs_by_status ON recipe_runs (status, id);
CREATE INDEX usage_reclaims_by_time ON usage_reclaims (created_at);
CREATE INDEX usage_seat_counts_by_connection ON usage_seat_counts (connection_id, kind);
CREATE INDEX wrike_users_paid_activity ON wrike_users (connection_id, paid, active, last_active_at, kind, deleted);
CREATE INDEX wrike_users_type_role ON wrike_users (connection_id, user_type_id, role, active, deleted, kind, paid, last_active_at);
CREATE INDEX usage_policies_by_connection ON usage_policies (connection_id);
CREATE UNIQUE INDEX usage_dialogues_open ON usage_dialogues (policy, user_id)
    WHERE state IN ('pending', 'notified', 'reminded', 'released', 'escalated');
CREATE INDEX usage_dialogues_by_policy ON usage_dialogues (policy, state);
CREATE INDEX usage_dialogues_by_plan ON usage_dialogues (plan_id);
COMMIT;
