--
-- PostgreSQL database dump
--

\restrict d2YamPwwiLYTHeUhamKlKRil0QKCbTcAWlToznpofWuaprYPBU2Vnh5eqxTK2MJ

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: weft_upgrade_fixture; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA weft_upgrade_fixture;


--
-- Name: weft_count_change(); Type: FUNCTION; Schema: weft_upgrade_fixture; Owner: -
--

CREATE FUNCTION weft_upgrade_fixture.weft_count_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE change_counter SET seq = seq + 1;
    RETURN NULL;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: _sqlx_migrations; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture._sqlx_migrations (
    version bigint NOT NULL,
    description text NOT NULL,
    installed_on timestamp with time zone DEFAULT now() NOT NULL,
    success boolean NOT NULL,
    checksum bytea NOT NULL,
    execution_time bigint NOT NULL
);


--
-- Name: api_tokens; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.api_tokens (
    id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    token_hash text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: trail; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.trail (
    id bigint NOT NULL,
    at bigint NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    before_json text,
    after_json text
);


--
-- Name: audit_trail_id_seq; Type: SEQUENCE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE SEQUENCE weft_upgrade_fixture.audit_trail_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_trail_id_seq; Type: SEQUENCE OWNED BY; Schema: weft_upgrade_fixture; Owner: -
--

ALTER SEQUENCE weft_upgrade_fixture.audit_trail_id_seq OWNED BY weft_upgrade_fixture.trail.id;


--
-- Name: change_counter; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.change_counter (
    id bigint NOT NULL,
    seq bigint NOT NULL,
    CONSTRAINT change_counter_id_check CHECK ((id = 1))
);


--
-- Name: connections; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.connections (
    id text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    api_base text NOT NULL,
    account_id text NOT NULL,
    account_name text NOT NULL,
    wrike_user_id text NOT NULL,
    wrike_user_name text NOT NULL,
    wrike_user_email text NOT NULL,
    wrike_user_admin boolean NOT NULL,
    scopes text NOT NULL,
    features text NOT NULL,
    access_token bytea NOT NULL,
    refresh_token bytea,
    expires_at bigint,
    token_version bigint NOT NULL,
    health_class text,
    health_message text,
    checked_at bigint,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    health_state text,
    failing_since bigint,
    health_version bigint DEFAULT 0 NOT NULL,
    CONSTRAINT connections_health_state_check CHECK ((health_state = ANY (ARRAY['healthy'::text, 'degraded'::text, 'broken'::text]))),
    CONSTRAINT connections_kind_check CHECK ((kind = ANY (ARRAY['oauth'::text, 'permanent'::text])))
);


--
-- Name: jobs; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.jobs (
    id bigint NOT NULL,
    kind text NOT NULL,
    payload text NOT NULL,
    dedupe_key text,
    origin text NOT NULL,
    priority bigint NOT NULL,
    status text NOT NULL,
    run_at_ms bigint NOT NULL,
    attempts bigint NOT NULL,
    max_attempts bigint NOT NULL,
    backoff_ms bigint NOT NULL,
    backoff_max_ms bigint NOT NULL,
    lease_owner text,
    lease_expires_ms bigint,
    heartbeat_ms bigint,
    last_error text,
    result text,
    created_ms bigint NOT NULL,
    updated_ms bigint NOT NULL,
    finished_ms bigint,
    CONSTRAINT jobs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'dead'::text, 'cancelled'::text])))
);


--
-- Name: jobs_id_seq; Type: SEQUENCE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE SEQUENCE weft_upgrade_fixture.jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: jobs_id_seq; Type: SEQUENCE OWNED BY; Schema: weft_upgrade_fixture; Owner: -
--

ALTER SEQUENCE weft_upgrade_fixture.jobs_id_seq OWNED BY weft_upgrade_fixture.jobs.id;


--
-- Name: oauth_states; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.oauth_states (
    state_hash text NOT NULL,
    user_id text NOT NULL,
    connection_name text NOT NULL,
    scopes text NOT NULL,
    features text NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: schedules; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.schedules (
    name text NOT NULL,
    kind text NOT NULL,
    payload text NOT NULL,
    every_ms bigint,
    cron text,
    timezone text,
    priority bigint NOT NULL,
    max_attempts bigint NOT NULL,
    backoff_ms bigint NOT NULL,
    backoff_max_ms bigint NOT NULL,
    enabled boolean NOT NULL,
    next_run_ms bigint NOT NULL,
    last_run_ms bigint,
    last_job_id bigint,
    updated_ms bigint NOT NULL,
    CONSTRAINT schedules_check CHECK (((every_ms IS NULL) <> (cron IS NULL)))
);


--
-- Name: sessions; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.sessions (
    id_hash text NOT NULL,
    user_id text NOT NULL,
    csrf text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.users (
    id text NOT NULL,
    username text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    created_at bigint NOT NULL,
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'analyst'::text, 'operator'::text])))
);


--
-- Name: jobs id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.jobs ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.jobs_id_seq'::regclass);


--
-- Name: trail id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.trail ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.audit_trail_id_seq'::regclass);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (1, 'initial', '2026-12-07 05:07:40.218154+00', true, '\x5dad5fb728f2598923bff5c8690a895da07f6e234dc110cf5b34a72be311e41de6ec8fb0883de48306f2bc4e988884c2', 34629516);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (2, 'sessions tokens oauth', '2026-12-07 05:07:40.466246+00', true, '\xb38b3c229fa806b05251b0dd1381e52652fe3c22d519d30c71eee4207509f0e10e1c59a9708fc19bce781a82d7e97899', 26514176);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (3, 'runtime', '2026-12-07 05:07:40.614717+00', true, '\x088e452bb05493f84b565780a4d90b03198eb53d2f947c4c985ea9cfef7cbcf6975c75140dd2494cbf075c01b4d5c207', 38084522);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (4, 'change counter', '2026-12-07 05:07:40.775207+00', true, '\x82e3442a6d39c4dfb9d4ba5eebb5c79d41b8efedee0d75f6110744e1a08e7f09f7b2940a8011a460cf286506a26ccd56', 9501809);


--
-- Data for Name: api_tokens; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.api_tokens (id, user_id, name, token_hash, created_at) VALUES ('tok_ana01', 'usr_ana', 'reports', 'aa4825ddead5a48b407502989b40ab1255802f22100c2239c9259bc8f67a4ead', 1788400100);


--
-- Data for Name: change_counter; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.change_counter (id, seq) VALUES (1, 0);


--
-- Data for Name: connections; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, health_class, health_message, checked_at, created_at, created_by, health_state, failing_since, health_version) VALUES ('conn_acme01', 'acme', 'permanent', 'https://app-us2.wrike.com/api/v4', 'IEAAAAAA', 'Acme Corp', 'KUAAAAAS', 'Service Account', 'weft@acme.example', true, 'Default,amReadOnlyAuditLog,amReadOnlyUser', 'usage_analytics', '\x0145a2fcb4e7009b1260bca37fc03a394c968edde55d85e7997838464c43ae45d2f6d4e508f880fdf1494af6382ccd7c33b7fe216d11a2e4d0ce8e0633', NULL, NULL, 1, NULL, NULL, 1788300000, 1788221100, 'ada', 'healthy', NULL, 0);
INSERT INTO weft_upgrade_fixture.connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, health_class, health_message, checked_at, created_at, created_by, health_state, failing_since, health_version) VALUES ('conn_globex1', 'globex', 'oauth', 'https://app-eu.wrike.com/api/v4', 'IEBBBBBB', 'Globex', 'KUBBBBBB', 'Hank Scorpio', 'hank@globex.example', true, 'Default', 'read_work,write_work,webhooks', '\x01c19f7df7ccb875abbfc5002e450d3c85fffb638efa68f9ed209a44a43ff0f5243068e7a861b6a79bfdbda807c9ac6e6bb048905cdff73ba6cdbd97', '\x0147b911e66c2ff74f6d255e16bd1b77fa91568e28ee5c65051ee5a84705d2f86afba6ab1eb0d8131bb30fecb9bc895879319b4c9814d3f2d481b53e92', 1788310000, 3, 'token_rejected', 'the token was revoked (invalid_grant)', 1788305000, 1788221200, 'ada', 'broken', 1788305000, 0);


--
-- Data for Name: jobs; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.jobs (id, kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts, backoff_ms, backoff_max_ms, lease_owner, lease_expires_ms, heartbeat_ms, last_error, result, created_ms, updated_ms, finished_ms) VALUES (1, 'connection.check', '{"connection":"conn_acme01"}', 'check:conn_acme01:1', 'schedule', 0, 'succeeded', 1788500000000, 1, 3, 1000, 60000, NULL, NULL, NULL, NULL, '{"state":"healthy"}', 1788500000000, 1788500001000, 1788500001000);
INSERT INTO weft_upgrade_fixture.jobs (id, kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts, backoff_ms, backoff_max_ms, lease_owner, lease_expires_ms, heartbeat_ms, last_error, result, created_ms, updated_ms, finished_ms) VALUES (2, 'connection.check', '{"connection":"conn_globex1"}', 'check:conn_globex1:1', 'schedule', 0, 'dead', 1788500000000, 3, 3, 1000, 60000, NULL, NULL, NULL, 'the token was revoked (invalid_grant)', NULL, 1788500000000, 1788500009000, 1788500009000);


--
-- Data for Name: oauth_states; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.oauth_states (state_hash, user_id, connection_name, scopes, features, expires_at) VALUES ('fd23f6c0afc67ec92e111903cbf6d9d95e09573f577053d16d8087f04390e261', 'usr_ada', 'initech', 'Default', 'read_work', 1788400700);


--
-- Data for Name: schedules; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.schedules (name, kind, payload, every_ms, cron, timezone, priority, max_attempts, backoff_ms, backoff_max_ms, enabled, next_run_ms, last_run_ms, last_job_id, updated_ms) VALUES ('fixture-nightly', 'connection.check', '{"connection":"conn_acme01"}', NULL, '0 3 * * *', 'Europe/Paris', 0, 3, 1000, 60000, true, 1788570000000, NULL, NULL, 1788500000000);


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ('179222d26523cb6a4dc5fe9f2c086f9129dbf7e85b065c990f23170dc0006931', 'usr_ada', 'fixture-csrf', 1788400000, 4102444800);


--
-- Data for Name: trail; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (1, 1788220800, 'setup', 'user.add', 'ada', NULL, '{"role":"admin"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (2, 1788221100, 'ada', 'connection.add', 'acme', NULL, '{"kind":"permanent"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (3, 1788221200, 'ada', 'connection.add', 'globex', NULL, '{"kind":"oauth"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (4, 1788400100, 'ana', 'token.issue', 'reports', NULL, NULL);
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (5, 1788500100, 'ada', 'schedule.add', 'fixture-nightly', NULL, '{"cron":"0 3 * * *"}');


--
-- Data for Name: users; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at) VALUES ('usr_ada', 'ada', '$argon2id$v=19$m=19456,t=2,p=1$W46FrWWSEE2fnGANwGdmBQ$ksR0NEXByI0detvZsoxQ7AXLOHajGch3JuTzs9UMlMI', 'admin', 1788220800);
INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at) VALUES ('usr_ana', 'ana', '$argon2id$v=19$m=19456,t=2,p=1$BQx+5o6bxnG2ywRYCTJGyg$Dramy9uFl9MhCy4u4cQ7QRZj0+5xu822ZFD8Jijs+AY', 'analyst', 1788220900);
INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at) VALUES ('usr_otto', 'otto', '$argon2id$v=19$m=19456,t=2,p=1$P302A80aX68y5m79m4XFuA$ryGe/vDdybCPSw88udgg/UA3Qld8QsVNTWLtBr2bU5Y', 'operator', 1788221000);


--
-- Name: audit_trail_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.audit_trail_id_seq', 5, true);


--
-- Name: jobs_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.jobs_id_seq', 2, true);


--
-- Name: _sqlx_migrations _sqlx_migrations_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture._sqlx_migrations
    ADD CONSTRAINT _sqlx_migrations_pkey PRIMARY KEY (version);


--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_token_hash_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: trail audit_trail_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.trail
    ADD CONSTRAINT audit_trail_pkey PRIMARY KEY (id);


--
-- Name: change_counter change_counter_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.change_counter
    ADD CONSTRAINT change_counter_pkey PRIMARY KEY (id);


--
-- Name: connections connections_name_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.connections
    ADD CONSTRAINT connections_name_key UNIQUE (name);


--
-- Name: connections connections_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.connections
    ADD CONSTRAINT connections_pkey PRIMARY KEY (id);


--
-- Name: jobs jobs_dedupe_key_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.jobs
    ADD CONSTRAINT jobs_dedupe_key_key UNIQUE (dedupe_key);


--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);


--
-- Name: oauth_states oauth_states_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.oauth_states
    ADD CONSTRAINT oauth_states_pkey PRIMARY KEY (state_hash);


--
-- Name: schedules schedules_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.schedules
    ADD CONSTRAINT schedules_pkey PRIMARY KEY (name);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id_hash);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: jobs_by_kind; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX jobs_by_kind ON weft_upgrade_fixture.jobs USING btree (kind, id);


--
-- Name: jobs_finished; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX jobs_finished ON weft_upgrade_fixture.jobs USING btree (status, finished_ms);


--
-- Name: jobs_leases; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX jobs_leases ON weft_upgrade_fixture.jobs USING btree (lease_expires_ms) WHERE (status = 'running'::text);


--
-- Name: jobs_ready; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX jobs_ready ON weft_upgrade_fixture.jobs USING btree (priority DESC, run_at_ms, id) WHERE (status = 'queued'::text);


--
-- Name: api_tokens api_tokens_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER api_tokens_counted AFTER DELETE OR UPDATE ON weft_upgrade_fixture.api_tokens FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: connections connections_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER connections_counted AFTER INSERT OR DELETE OR UPDATE ON weft_upgrade_fixture.connections FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: sessions sessions_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER sessions_counted AFTER DELETE OR UPDATE ON weft_upgrade_fixture.sessions FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: users users_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER users_counted AFTER INSERT OR DELETE OR UPDATE ON weft_upgrade_fixture.users FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: api_tokens api_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES weft_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: oauth_states oauth_states_user_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.oauth_states
    ADD CONSTRAINT oauth_states_user_id_fkey FOREIGN KEY (user_id) REFERENCES weft_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES weft_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict d2YamPwwiLYTHeUhamKlKRil0QKCbTcAWlToznpofWuaprYPBU2Vnh5eqxTK2MJ

