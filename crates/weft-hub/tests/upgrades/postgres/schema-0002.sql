--
-- PostgreSQL database dump
--

\restrict ikJL6xDnRQUsrMGSZupfVNYifrzxLNfX1HbJHERAWkQONgz0EZefFyrgUWjiRTS

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
-- Name: audit_trail; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.audit_trail (
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

ALTER SEQUENCE weft_upgrade_fixture.audit_trail_id_seq OWNED BY weft_upgrade_fixture.audit_trail.id;


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
    healthy boolean,
    health_class text,
    health_message text,
    checked_at bigint,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    CONSTRAINT connections_kind_check CHECK ((kind = ANY (ARRAY['oauth'::text, 'permanent'::text])))
);


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
-- Name: audit_trail id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.audit_trail ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.audit_trail_id_seq'::regclass);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (1, 'initial', '2026-12-07 05:07:40.218154+00', true, '\x5dad5fb728f2598923bff5c8690a895da07f6e234dc110cf5b34a72be311e41de6ec8fb0883de48306f2bc4e988884c2', 34629516);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (2, 'sessions tokens oauth', '2026-12-07 05:07:40.466246+00', true, '\xb38b3c229fa806b05251b0dd1381e52652fe3c22d519d30c71eee4207509f0e10e1c59a9708fc19bce781a82d7e97899', 26514176);


--
-- Data for Name: api_tokens; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.api_tokens (id, user_id, name, token_hash, created_at) VALUES ('tok_ana01', 'usr_ana', 'reports', 'aa4825ddead5a48b407502989b40ab1255802f22100c2239c9259bc8f67a4ead', 1788400100);


--
-- Data for Name: audit_trail; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.audit_trail (id, at, actor, action, target, before_json, after_json) VALUES (1, 1788220800, 'setup', 'user.add', 'ada', NULL, '{"role":"admin"}');
INSERT INTO weft_upgrade_fixture.audit_trail (id, at, actor, action, target, before_json, after_json) VALUES (2, 1788221100, 'ada', 'connection.add', 'acme', NULL, '{"kind":"permanent"}');
INSERT INTO weft_upgrade_fixture.audit_trail (id, at, actor, action, target, before_json, after_json) VALUES (3, 1788221200, 'ada', 'connection.add', 'globex', NULL, '{"kind":"oauth"}');
INSERT INTO weft_upgrade_fixture.audit_trail (id, at, actor, action, target, before_json, after_json) VALUES (4, 1788400100, 'ana', 'token.issue', 'reports', NULL, NULL);


--
-- Data for Name: connections; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, healthy, health_class, health_message, checked_at, created_at, created_by) VALUES ('conn_acme01', 'acme', 'permanent', 'https://app-us2.wrike.com/api/v4', 'IEAAAAAA', 'Acme Corp', 'KUAAAAAS', 'Service Account', 'weft@acme.example', true, 'Default,amReadOnlyAuditLog,amReadOnlyUser', 'usage_analytics', '\x0145a2fcb4e7009b1260bca37fc03a394c968edde55d85e7997838464c43ae45d2f6d4e508f880fdf1494af6382ccd7c33b7fe216d11a2e4d0ce8e0633', NULL, NULL, 1, true, NULL, NULL, 1788300000, 1788221100, 'ada');
INSERT INTO weft_upgrade_fixture.connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, healthy, health_class, health_message, checked_at, created_at, created_by) VALUES ('conn_globex1', 'globex', 'oauth', 'https://app-eu.wrike.com/api/v4', 'IEBBBBBB', 'Globex', 'KUBBBBBB', 'Hank Scorpio', 'hank@globex.example', true, 'Default', 'read_work,write_work,webhooks', '\x01c19f7df7ccb875abbfc5002e450d3c85fffb638efa68f9ed209a44a43ff0f5243068e7a861b6a79bfdbda807c9ac6e6bb048905cdff73ba6cdbd97', '\x0147b911e66c2ff74f6d255e16bd1b77fa91568e28ee5c65051ee5a84705d2f86afba6ab1eb0d8131bb30fecb9bc895879319b4c9814d3f2d481b53e92', 1788310000, 3, false, 'token_rejected', 'the token was revoked (invalid_grant)', 1788305000, 1788221200, 'ada');


--
-- Data for Name: oauth_states; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.oauth_states (state_hash, user_id, connection_name, scopes, features, expires_at) VALUES ('fd23f6c0afc67ec92e111903cbf6d9d95e09573f577053d16d8087f04390e261', 'usr_ada', 'initech', 'Default', 'read_work', 1788400700);


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ('179222d26523cb6a4dc5fe9f2c086f9129dbf7e85b065c990f23170dc0006931', 'usr_ada', 'fixture-csrf', 1788400000, 4102444800);


--
-- Data for Name: users; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at) VALUES ('usr_ada', 'ada', '$argon2id$v=19$m=19456,t=2,p=1$W46FrWWSEE2fnGANwGdmBQ$ksR0NEXByI0detvZsoxQ7AXLOHajGch3JuTzs9UMlMI', 'admin', 1788220800);
INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at) VALUES ('usr_ana', 'ana', '$argon2id$v=19$m=19456,t=2,p=1$BQx+5o6bxnG2ywRYCTJGyg$Dramy9uFl9MhCy4u4cQ7QRZj0+5xu822ZFD8Jijs+AY', 'analyst', 1788220900);
INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at) VALUES ('usr_otto', 'otto', '$argon2id$v=19$m=19456,t=2,p=1$P302A80aX68y5m79m4XFuA$ryGe/vDdybCPSw88udgg/UA3Qld8QsVNTWLtBr2bU5Y', 'operator', 1788221000);


--
-- Name: audit_trail_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.audit_trail_id_seq', 4, true);


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
-- Name: audit_trail audit_trail_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.audit_trail
    ADD CONSTRAINT audit_trail_pkey PRIMARY KEY (id);


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
-- Name: oauth_states oauth_states_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.oauth_states
    ADD CONSTRAINT oauth_states_pkey PRIMARY KEY (state_hash);


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

\unrestrict ikJL6xDnRQUsrMGSZupfVNYifrzxLNfX1HbJHERAWkQONgz0EZefFyrgUWjiRTS

