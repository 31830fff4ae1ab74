--
-- PostgreSQL database dump
--

\restrict o4QZxSmwl7Tiizaj8nWdDcPm31jfW193bitJ1766ucdA7txVPoMCRgzZ37ff3O8

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


--
-- Name: weft_drop_policy_dialogues(); Type: FUNCTION; Schema: weft_upgrade_fixture; Owner: -
--

CREATE FUNCTION weft_upgrade_fixture.weft_drop_policy_dialogues() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM usage_dialogues WHERE policy = OLD.name;
    RETURN OLD;
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
    created_at bigint NOT NULL,
    expires_at bigint,
    last_used_at bigint
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
    token_set_at bigint,
    CONSTRAINT connections_health_state_check CHECK ((health_state = ANY (ARRAY['healthy'::text, 'degraded'::text, 'broken'::text]))),
    CONSTRAINT connections_kind_check CHECK ((kind = ANY (ARRAY['oauth'::text, 'permanent'::text])))
);


--
-- Name: hub_settings; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.hub_settings (
    name text NOT NULL,
    value bytea NOT NULL
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
    lost_leases bigint DEFAULT 0 NOT NULL,
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
    expires_at bigint NOT NULL,
    code_verifier text DEFAULT ''::text NOT NULL
);


--
-- Name: recipe_cursors; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipe_cursors (
    recipe_id bigint NOT NULL,
    cursor text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: recipe_hooks; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipe_hooks (
    recipe_id bigint NOT NULL,
    connection_id text NOT NULL,
    token text NOT NULL,
    secret bytea NOT NULL,
    webhook_id text,
    status text NOT NULL,
    updated_at bigint NOT NULL,
    kind text DEFAULT 'wrike'::text NOT NULL,
    CONSTRAINT recipe_hooks_kind_check CHECK ((kind = ANY (ARRAY['wrike'::text, 'http'::text])))
);


--
-- Name: recipe_run_steps; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipe_run_steps (
    run_id bigint NOT NULL,
    seq bigint NOT NULL,
    step_index bigint NOT NULL,
    step_id text NOT NULL,
    attempt bigint NOT NULL,
    status text NOT NULL,
    input text,
    output text,
    error text,
    started_ms bigint NOT NULL,
    finished_ms bigint,
    CONSTRAINT recipe_run_steps_status_check CHECK ((status = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text, 'skipped'::text, 'waiting'::text])))
);


--
-- Name: recipe_runs; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipe_runs (
    id bigint NOT NULL,
    recipe_id bigint NOT NULL,
    version bigint NOT NULL,
    event_key text NOT NULL,
    trigger_event text NOT NULL,
    status text NOT NULL,
    next_step bigint NOT NULL,
    outputs text NOT NULL,
    error text,
    rerun_of bigint,
    created_ms bigint NOT NULL,
    updated_ms bigint NOT NULL,
    finished_ms bigint,
    started_by text,
    hand_made boolean DEFAULT false NOT NULL,
    CONSTRAINT recipe_runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'waiting'::text, 'succeeded'::text, 'failed'::text, 'cancelled'::text])))
);


--
-- Name: recipe_runs_id_seq; Type: SEQUENCE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE SEQUENCE weft_upgrade_fixture.recipe_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: recipe_runs_id_seq; Type: SEQUENCE OWNED BY; Schema: weft_upgrade_fixture; Owner: -
--

ALTER SEQUENCE weft_upgrade_fixture.recipe_runs_id_seq OWNED BY weft_upgrade_fixture.recipe_runs.id;


--
-- Name: recipe_secrets; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipe_secrets (
    name text NOT NULL,
    value bytea NOT NULL,
    hosts text NOT NULL,
    updated_by text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: recipe_versions; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipe_versions (
    recipe_id bigint NOT NULL,
    version bigint NOT NULL,
    source text NOT NULL,
    changed_by text NOT NULL,
    changed_at bigint NOT NULL
);


--
-- Name: recipes; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.recipes (
    id bigint NOT NULL,
    name text NOT NULL,
    connection_name text NOT NULL,
    trigger_kind text NOT NULL,
    source text NOT NULL,
    version bigint NOT NULL,
    state text NOT NULL,
    state_reason text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL,
    CONSTRAINT recipes_state_check CHECK ((state = ANY (ARRAY['stopped'::text, 'running'::text, 'paused'::text])))
);


--
-- Name: recipes_id_seq; Type: SEQUENCE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE SEQUENCE weft_upgrade_fixture.recipes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: recipes_id_seq; Type: SEQUENCE OWNED BY; Schema: weft_upgrade_fixture; Owner: -
--

ALTER SEQUENCE weft_upgrade_fixture.recipes_id_seq OWNED BY weft_upgrade_fixture.recipes.id;


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
-- Name: sign_in_failures; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.sign_in_failures (
    key text NOT NULL,
    failures bigint NOT NULL,
    last_failure_at bigint NOT NULL,
    locked_until bigint
);


--
-- Name: usage_days; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_days (
    connection_id text NOT NULL,
    day bigint NOT NULL,
    user_id text NOT NULL,
    signals bigint NOT NULL
);


--
-- Name: usage_dialogues; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_dialogues (
    id text NOT NULL,
    policy text NOT NULL,
    connection_id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    email text,
    user_type_id text,
    mode text NOT NULL,
    change text NOT NULL,
    change_label text NOT NULL,
    last_activity_at bigint,
    last_signal text,
    annual_saving_cents bigint,
    state text NOT NULL,
    reason text,
    started_at bigint NOT NULL,
    started_by text NOT NULL,
    notify_claimed_at bigint,
    notified_at bigint,
    remind_at bigint,
    remind_claimed_at bigint,
    reminded_at bigint,
    deadline_at bigint,
    answered_at bigint,
    keep_until bigint,
    plan_id text,
    updated_at bigint NOT NULL
);


--
-- Name: usage_digest_subscriptions; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_digest_subscriptions (
    user_id text NOT NULL,
    email text NOT NULL,
    subscribed_at bigint NOT NULL
);


--
-- Name: usage_digests_sent; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_digests_sent (
    user_id text NOT NULL,
    week text NOT NULL,
    sent_at bigint NOT NULL
);


--
-- Name: usage_period_counts; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_period_counts (
    connection_id text NOT NULL,
    period text NOT NULL,
    start_day bigint NOT NULL,
    signals bigint NOT NULL,
    people bigint NOT NULL
);


--
-- Name: usage_period_state; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_period_state (
    connection_id text NOT NULL,
    stale_from bigint
);


--
-- Name: usage_policies; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_policies (
    name text NOT NULL,
    connection_id text NOT NULL,
    version bigint NOT NULL,
    text text NOT NULL,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL,
    dialogue_by text,
    dialogue_at bigint
);


--
-- Name: usage_reclaims; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_reclaims (
    id text NOT NULL,
    connection_id text NOT NULL,
    action text NOT NULL,
    target text,
    items text NOT NULL,
    status text NOT NULL,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    applied_by text,
    applied_at bigint,
    cancelled_by text,
    cancelled_at bigint
);


--
-- Name: usage_renewal_reminders; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_renewal_reminders (
    connection_id text NOT NULL,
    renewal_date text NOT NULL,
    days_before bigint NOT NULL,
    sent_at bigint NOT NULL,
    channels text NOT NULL
);


--
-- Name: usage_renewals; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_renewals (
    connection_id text NOT NULL,
    seat_cost_cents bigint NOT NULL,
    currency text NOT NULL,
    type_costs text NOT NULL,
    renewal_date text,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL,
    headroom_pct bigint DEFAULT 10 NOT NULL,
    type_seats text DEFAULT '{}'::text NOT NULL
);


--
-- Name: usage_savings; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_savings (
    id text NOT NULL,
    connection_id text NOT NULL,
    plan_id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    action text NOT NULL,
    target text,
    change_label text NOT NULL,
    annual_saving_cents bigint,
    currency text,
    realized_at bigint NOT NULL,
    realized_by text NOT NULL,
    restored_at bigint,
    restored_reason text
);


--
-- Name: usage_seat_counts; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_seat_counts (
    connection_id text NOT NULL,
    kind text NOT NULL,
    seated boolean NOT NULL,
    paid boolean NOT NULL,
    user_type_id text,
    people bigint NOT NULL
);


--
-- Name: usage_snapshots; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_snapshots (
    connection_id text NOT NULL,
    taken_at bigint NOT NULL,
    figures text NOT NULL
);


--
-- Name: usage_sources; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_sources (
    connection_id text NOT NULL,
    source text NOT NULL,
    status text NOT NULL,
    message text,
    synced_through bigint,
    window_start bigint,
    window_end bigint,
    page_token text,
    records bigint DEFAULT 0 NOT NULL,
    requests bigint DEFAULT 0 NOT NULL,
    last_success_at bigint,
    updated_at bigint NOT NULL
);


--
-- Name: usage_syncs; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.usage_syncs (
    connection_id text NOT NULL,
    lease_owner text,
    lease_expires_at bigint,
    progress text,
    started_at bigint,
    finished_at bigint,
    outcome text,
    message text,
    backfill_from bigint
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
    disabled_at bigint,
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'analyst'::text, 'operator'::text])))
);


--
-- Name: wrike_accounts; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.wrike_accounts (
    connection_id text NOT NULL,
    account_id text NOT NULL,
    name text NOT NULL,
    plan text,
    user_limit bigint,
    paid boolean,
    suspended boolean,
    raw text NOT NULL,
    synced_at bigint NOT NULL,
    expiry_date text
);


--
-- Name: wrike_audit_records; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.wrike_audit_records (
    connection_id text NOT NULL,
    event_at bigint NOT NULL,
    id text NOT NULL,
    operation text NOT NULL,
    user_id text,
    user_email text,
    ip_address text,
    object_type text,
    object_name text,
    object_id text,
    details text NOT NULL
);


--
-- Name: wrike_user_types; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.wrike_user_types (
    connection_id text NOT NULL,
    id text NOT NULL,
    title text NOT NULL,
    description text,
    license_type text,
    raw text NOT NULL
);


--
-- Name: wrike_users; Type: TABLE; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TABLE weft_upgrade_fixture.wrike_users (
    connection_id text NOT NULL,
    id text NOT NULL,
    kind text NOT NULL,
    first_name text DEFAULT ''::text NOT NULL,
    last_name text DEFAULT ''::text NOT NULL,
    email text,
    company_name text,
    title text,
    role text,
    user_type_id text,
    external boolean DEFAULT false NOT NULL,
    admin boolean DEFAULT false NOT NULL,
    owner boolean DEFAULT false NOT NULL,
    active boolean DEFAULT true NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    timezone text,
    locale text,
    raw text,
    first_seen_at bigint NOT NULL,
    synced_at bigint,
    last_login_at bigint,
    last_change_at bigint,
    last_task_at bigint,
    last_comment_at bigint,
    last_timelog_at bigint,
    seated boolean DEFAULT true NOT NULL,
    paid boolean DEFAULT false NOT NULL,
    last_active_at bigint DEFAULT 0 NOT NULL,
    last_work_at bigint DEFAULT 0 NOT NULL,
    seated_since bigint,
    last_integration_at bigint
);


--
-- Name: jobs id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.jobs ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.jobs_id_seq'::regclass);


--
-- Name: recipe_runs id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_runs ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.recipe_runs_id_seq'::regclass);


--
-- Name: recipes id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipes ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.recipes_id_seq'::regclass);


--
-- Name: trail id; Type: DEFAULT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.trail ALTER COLUMN id SET DEFAULT nextval('weft_upgrade_fixture.audit_trail_id_seq'::regclass);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (1, 'initial', '2026-12-07 05:24:37.633424+00', true, '\x5dad5fb728f2598923bff5c8690a895da07f6e234dc110cf5b34a72be311e41de6ec8fb0883de48306f2bc4e988884c2', 5732805);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (2, 'sessions tokens oauth', '2026-12-07 05:24:37.733635+00', true, '\xb38b3c229fa806b05251b0dd1381e52652fe3c22d519d30c71eee4207509f0e10e1c59a9708fc19bce781a82d7e97899', 5200731);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (3, 'runtime', '2026-12-07 05:24:37.741801+00', true, '\x088e452bb05493f84b565780a4d90b03198eb53d2f947c4c985ea9cfef7cbcf6975c75140dd2494cbf075c01b4d5c207', 6169417);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (4, 'change counter', '2026-12-07 05:24:37.750572+00', true, '\x82e3442a6d39c4dfb9d4ba5eebb5c79d41b8efedee0d75f6110744e1a08e7f09f7b2940a8011a460cf286506a26ccd56', 3014649);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (5, 'access lifecycle', '2026-12-07 05:24:37.756086+00', true, '\x1b715e0ebf0bbeb8f01a5aee8d80c84571e2f4394c729160ec0fc6ae68addf3653f54b2d8c4ab05f9d93be3058540a79', 4214483);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (6, 'usage', '2026-12-07 05:24:37.763776+00', true, '\x123cfc9b1b6f7db151b21a49d699c9f712da01c8e341316bc61b0686c73420e46f4820be9411b46af2530452c4c4e83e', 15000738);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (7, 'recipes', '2026-12-07 05:24:37.784065+00', true, '\x4b0e07a7fa83c56fcc0c6d11ff2eb2a3cfd7a8c4cf9b5559a28d28a7edda82d3f46945914dde8e1cc0082b27cd8b23cf', 9251710);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (8, 'recipe safety', '2026-12-07 05:24:37.79777+00', true, '\x473862b3670611db437680a3d10620fd31cdfb13484c1b463202a63a6ae6feea4cee3720176b35663c25716650cb2906', 2092462);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (9, 'renewal plan', '2026-12-07 05:24:37.803249+00', true, '\x915c421c4846ad75b9e3e477b624b2340a13545146b6383875ddf35e80396f0cbcdfafca8b5401e37e5cef14f03c63b4', 2574092);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (10, 'seat counts by type', '2026-12-07 05:24:37.809483+00', true, '\x40a74ca69d26c3f392f3befc4dd653e87696e45659fc11ffc803f5eb5408ca869614ed3d2bc50415bef7f815db6f1d3c', 6980758);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (11, 'token set at', '2026-12-07 05:24:37.81959+00', true, '\xf3351fdb9ada058b3c8b0a2bed732f446cdefd212678fbc86e6fc48c28f794ca7b98214dd14dcd93f8c58c3f3e686a1c', 856061);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (12, 'policies', '2026-12-07 05:24:37.823312+00', true, '\x8958a1943a486ac13a4b6eced140ff2c5f2252d5dc0c1204c760d3feacaa8351ea69153f745ab7173195fc70db68f68a', 2037410);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (13, 'reclaim dialogues', '2026-12-07 05:24:37.82921+00', true, '\x64ae82e4a39c586d3b9d62f946e64140225c991750d7ceb64a86cb5365fae88fd48cd34132465cab44c45cccde215f8f', 3242933);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (14, 'savings ledger', '2026-12-07 05:24:37.83644+00', true, '\x0c5bd7888c6d3ca2b85d0e129a809b6605ec541dbe49e7141f7c473dc72d4d257f938077283bdb59490f0cb9ddb8d474', 2562548);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (15, 'integration sign ins', '2026-12-07 05:24:37.842757+00', true, '\xf734935d59e8cd17a8a00b645739493d6c4ba28a3ad71099437d052da7d69f3720f56f5519ff03c12560ade5dd968948', 2514092);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (16, 'reminders and digests', '2026-12-07 05:24:37.848501+00', true, '\x257c2716c4fb9793fc73d512d52e213f3101c374217b43be7fc52786b3ec2c25e51fde91c7479035f58deed0421a3162', 3931931);
INSERT INTO weft_upgrade_fixture._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (17, 'dialogue writes', '2026-12-07 05:24:37.856786+00', true, '\x133d52008233c4e82b96050d17d334e30b725d4c42890e6d68a19f4c4abd59109d3102b9fd0aef10d0aac2c55cdeb4b5', 1700598);


--
-- Data for Name: api_tokens; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.api_tokens (id, user_id, name, token_hash, created_at, expires_at, last_used_at) VALUES ('tok_ana01', 'usr_ana', 'reports', 'aa4825ddead5a48b407502989b40ab1255802f22100c2239c9259bc8f67a4ead', 1788400100, 4102444800, 1788600100);


--
-- Data for Name: change_counter; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.change_counter (id, seq) VALUES (1, 3);


--
-- Data for Name: connections; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, health_class, health_message, checked_at, created_at, created_by, health_state, failing_since, health_version, token_set_at) VALUES ('conn_acme01', 'acme', 'permanent', 'https://app-us2.wrike.com/api/v4', 'IEAAAAAA', 'Acme Corp', 'KUAAAAAS', 'Service Account', 'weft@acme.example', true, 'Default,amReadOnlyAuditLog,amReadOnlyUser', 'usage_analytics', '\x015f0c6a7e7e8e2d83d4ae89b51319baf270ddcdd3a029bf098c1ec1829f34f9e079478b0dbadc9e909a9dbf850e6d8622581e2b58a17484da767965e5', NULL, NULL, 1, NULL, NULL, 1788300000, 1788221100, 'ada', 'healthy', NULL, 0, 1788221100);
INSERT INTO weft_upgrade_fixture.connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, health_class, health_message, checked_at, created_at, created_by, health_state, failing_since, health_version, token_set_at) VALUES ('conn_globex1', 'globex', 'oauth', 'https://app-eu.wrike.com/api/v4', 'IEBBBBBB', 'Globex', 'KUBBBBBB', 'Hank Scorpio', 'hank@globex.example', true, 'Default', 'read_work,write_work,webhooks', '\x01ac292be01683ed169d67b6e4882452f16782515ea5638bed51da83b64801bf36eb079943d999bb6ef06e805c46bbb01690e0c893c2e38ffe4d81c0', '\x01af975f1eb839cd24f5c0e5f62f28411a99d0d5aece15cc36a41144a67e5e10b7ec4991d9bc33caaf37eda22ad74a612c0703ca971489d14c15d9c42b', 1788310000, 3, 'token_rejected', 'the token was revoked (invalid_grant)', 1788305000, 1788221200, 'ada', 'broken', 1788305000, 0, 1788221200);


--
-- Data for Name: hub_settings; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--



--
-- Data for Name: jobs; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.jobs (id, kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts, backoff_ms, backoff_max_ms, lease_owner, lease_expires_ms, heartbeat_ms, last_error, result, created_ms, updated_ms, finished_ms, lost_leases) VALUES (1, 'connection.check', '{"connection":"conn_acme01"}', 'check:conn_acme01:1', 'schedule', 0, 'succeeded', 1788500000000, 1, 3, 1000, 60000, NULL, NULL, NULL, NULL, '{"state":"healthy"}', 1788500000000, 1788500001000, 1788500001000, 0);
INSERT INTO weft_upgrade_fixture.jobs (id, kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts, backoff_ms, backoff_max_ms, lease_owner, lease_expires_ms, heartbeat_ms, last_error, result, created_ms, updated_ms, finished_ms, lost_leases) VALUES (2, 'connection.check', '{"connection":"conn_globex1"}', 'check:conn_globex1:1', 'schedule', 0, 'dead', 1788500000000, 3, 3, 1000, 60000, NULL, NULL, NULL, 'the token was revoked (invalid_grant)', NULL, 1788500000000, 1788500009000, 1788500009000, 0);


--
-- Data for Name: oauth_states; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.oauth_states (state_hash, user_id, connection_name, scopes, features, expires_at, code_verifier) VALUES ('fd23f6c0afc67ec92e111903cbf6d9d95e09573f577053d16d8087f04390e261', 'usr_ada', 'initech', 'Default', 'read_work', 1788400700, '');


--
-- Data for Name: recipe_cursors; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--



--
-- Data for Name: recipe_hooks; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.recipe_hooks (recipe_id, connection_id, token, secret, webhook_id, status, updated_at, kind) VALUES (1, 'conn_globex1', 'hookfixturewrike', '\x016a23db79d9a76e9fc154f7d7dec75bd7c30b3558e73e351fd543d4a0ddde8c3164c9ba4de8ad8742bee4a71894e6cab1fbcfd5a8eeadc4f450', 'IEAAAAAQJAAAAAW1', 'Active', 1788800500, 'wrike');
INSERT INTO weft_upgrade_fixture.recipe_hooks (recipe_id, connection_id, token, secret, webhook_id, status, updated_at, kind) VALUES (2, '', 'hookfixturehttp', '\x01b21df7398382e2a6eac6f096c7ec935787b1fcc99f343f826802df50bbd7afad5c2cf0c87b2356319e1a41076ca21c1727a40d11660d7eea', NULL, 'Active', 1788800600, 'http');


--
-- Data for Name: recipe_run_steps; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.recipe_run_steps (run_id, seq, step_index, step_id, attempt, status, input, output, error, started_ms, finished_ms) VALUES (1, 1, 0, 'comment', 1, 'succeeded', '{"task":"IEAAAAAQKQAAAAT1","text":"Status changed from Active to Completed."}', '{"id":"IEAAAAAQIMAAAAC1"}', NULL, 1788810001000, 1788810002000);


--
-- Data for Name: recipe_runs; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.recipe_runs (id, recipe_id, version, event_key, trigger_event, status, next_step, outputs, error, rerun_of, created_ms, updated_ms, finished_ms, started_by, hand_made) VALUES (1, 1, 2, 'wrike:TaskStatusChanged:IEAAAAAQKQAAAAT1:1788810000', '{"eventType":"TaskStatusChanged","taskId":"IEAAAAAQKQAAAAT1","oldStatus":"Active","status":"Completed"}', 'succeeded', 1, '{"comment":{"id":"IEAAAAAQIMAAAAC1"}}', NULL, NULL, 1788810000000, 1788810002000, 1788810002000, NULL, false);
INSERT INTO weft_upgrade_fixture.recipe_runs (id, recipe_id, version, event_key, trigger_event, status, next_step, outputs, error, rerun_of, created_ms, updated_ms, finished_ms, started_by, hand_made) VALUES (2, 1, 2, 'wrike:TaskStatusChanged:IEAAAAAQKQAAAAT2:1788820000', '{"eventType":"TaskStatusChanged","taskId":"IEAAAAAQKQAAAAT2","oldStatus":"Active","status":"Deferred"}', 'waiting', 0, '{}', 'the connection globex is broken; the run waits for it', NULL, 1788820000000, 1788820001000, NULL, NULL, false);
INSERT INTO weft_upgrade_fixture.recipe_runs (id, recipe_id, version, event_key, trigger_event, status, next_step, outputs, error, rerun_of, created_ms, updated_ms, finished_ms, started_by, hand_made) VALUES (3, 2, 1, 'hand:1788900100', '{"order":"A-1"}', 'failed', 0, '{}', 'orders.acme.example answered 500', NULL, 1788900100000, 1788900101000, 1788900101000, 'otto', true);


--
-- Data for Name: recipe_secrets; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.recipe_secrets (name, value, hosts, updated_by, updated_at) VALUES ('orders_api_key', '\x01a6a35928430e224891b4cf3805221bdaca9bcd3826f65555caa6f3778550d490e358c8a767ddef4d33f1dc01d9b0c4f329e3b09719f464c5dae3', '["orders.acme.example"]', 'ada', 1788900000);


--
-- Data for Name: recipe_versions; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.recipe_versions (recipe_id, version, source, changed_by, changed_at) VALUES (1, 1, 'name: comment-on-status-change
description: Comment on a task when its status changes, naming the old and the new status.
connection: globex
trigger:
  wrike:
    events: [TaskStatusChanged]
steps:
  - id: comment
    action: wrike.create_comment
    when: "{{ trigger.oldStatus != trigger.status }}"
    input:
      task: "{{ trigger.taskId }}"
      text: "Status changed from {{ trigger.oldStatus }} to {{ trigger.status }}."
', 'otto', 1788800000);
INSERT INTO weft_upgrade_fixture.recipe_versions (recipe_id, version, source, changed_by, changed_at) VALUES (1, 2, 'name: comment-on-status-change
description: Comment on a task when its status changes, naming the old and the new status.
connection: globex
trigger:
  wrike:
    events: [TaskStatusChanged]
steps:
  - id: comment
    action: wrike.create_comment
    when: "{{ trigger.oldStatus != trigger.status }}"
    input:
      task: "{{ trigger.taskId }}"
      text: "Status changed from {{ trigger.oldStatus }} to {{ trigger.status }}."
', 'otto', 1788800500);
INSERT INTO weft_upgrade_fixture.recipe_versions (recipe_id, version, source, changed_by, changed_at) VALUES (2, 1, 'name: inbound-orders
description: Pass an order from the shop to the orders service.
connection: globex
trigger:
  http: {}
steps:
  - id: forward
    action: http.request
    input:
      method: POST
      url: "https://orders.acme.example/orders"
      headers:
        X-API-Key: "{{ secrets.orders_api_key }}"
      body:
        order: "{{ trigger.order }}"
', 'otto', 1788800600);


--
-- Data for Name: recipes; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.recipes (id, name, connection_name, trigger_kind, source, version, state, state_reason, created_at, updated_at, updated_by) VALUES (1, 'comment-on-status-change', 'globex', 'wrike', 'name: comment-on-status-change
description: Comment on a task when its status changes, naming the old and the new status.
connection: globex
trigger:
  wrike:
    events: [TaskStatusChanged]
steps:
  - id: comment
    action: wrike.create_comment
    when: "{{ trigger.oldStatus != trigger.status }}"
    input:
      task: "{{ trigger.taskId }}"
      text: "Status changed from {{ trigger.oldStatus }} to {{ trigger.status }}."
', 2, 'running', NULL, 1788800000, 1788800500, 'otto');
INSERT INTO weft_upgrade_fixture.recipes (id, name, connection_name, trigger_kind, source, version, state, state_reason, created_at, updated_at, updated_by) VALUES (2, 'inbound-orders', 'globex', 'http', 'name: inbound-orders
description: Pass an order from the shop to the orders service.
connection: globex
trigger:
  http: {}
steps:
  - id: forward
    action: http.request
    input:
      method: POST
      url: "https://orders.acme.example/orders"
      headers:
        X-API-Key: "{{ secrets.orders_api_key }}"
      body:
        order: "{{ trigger.order }}"
', 1, 'stopped', 'stopped by otto', 1788800600, 1788800600, 'otto');


--
-- Data for Name: schedules; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.schedules (name, kind, payload, every_ms, cron, timezone, priority, max_attempts, backoff_ms, backoff_max_ms, enabled, next_run_ms, last_run_ms, last_job_id, updated_ms) VALUES ('fixture-nightly', 'connection.check', '{"connection":"conn_acme01"}', NULL, '0 3 * * *', 'Europe/Paris', 0, 3, 1000, 60000, true, 1788570000000, NULL, NULL, 1788500000000);


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ('179222d26523cb6a4dc5fe9f2c086f9129dbf7e85b065c990f23170dc0006931', 'usr_ada', 'fixture-csrf', 1788400000, 4102444800);


--
-- Data for Name: sign_in_failures; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.sign_in_failures (key, failures, last_failure_at, locked_until) VALUES ('account:mallory', 7, 1788600200, 1788600500);


--
-- Data for Name: trail; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (1, 1788220800, 'setup', 'user.add', 'ada', NULL, '{"role":"admin"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (2, 1788221100, 'ada', 'connection.add', 'acme', NULL, '{"kind":"permanent"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (3, 1788221200, 'ada', 'connection.add', 'globex', NULL, '{"kind":"oauth"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (4, 1788400100, 'ana', 'token.issue', 'reports', NULL, NULL);
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (5, 1788500100, 'ada', 'schedule.add', 'fixture-nightly', NULL, '{"cron":"0 3 * * *"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (6, 1788600000, 'ada', 'user.disable', 'otto', NULL, NULL);
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (7, 1788700100, 'ana', 'usage.renewal.set', 'acme', NULL, '{"seatCost":"300","currency":"EUR"}');
INSERT INTO weft_upgrade_fixture.trail (id, at, actor, action, target, before_json, after_json) VALUES (8, 1788800000, 'otto', 'recipe.save', 'comment-on-status-change', NULL, '{"version":1}');


--
-- Data for Name: usage_days; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_days (connection_id, day, user_id, signals) VALUES ('conn_acme01', 20702, 'KUAAAAP1', 3);
INSERT INTO weft_upgrade_fixture.usage_days (connection_id, day, user_id, signals) VALUES ('conn_acme01', 20605, 'KUAAAAP3', 1);
INSERT INTO weft_upgrade_fixture.usage_days (connection_id, day, user_id, signals) VALUES ('conn_acme01', 20701, 'KUAAAAP2', 32);


--
-- Data for Name: usage_dialogues; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_dialogues (id, policy, connection_id, user_id, name, email, user_type_id, mode, change, change_label, last_activity_at, last_signal, annual_saving_cents, state, reason, started_at, started_by, notify_claimed_at, notified_at, remind_at, remind_claimed_at, reminded_at, deadline_at, answered_at, keep_until, plan_id, updated_at) VALUES ('dlg_fixture1', 'idle-paid-seats', 'conn_acme01', 'KUAAAAP3', 'Ida Idle', 'ida@acme.example', 'IEAUTREG', 'silent', '{"kind":"deactivate"}', 'deactivate', 1780300000, 'login', 30000, 'escalated', 'silent: the Admin decides without asking', 1789200000, 'ada', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1789200000);


--
-- Data for Name: usage_digest_subscriptions; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_digest_subscriptions (user_id, email, subscribed_at) VALUES ('usr_ana', 'ana@acme.example', 1793491300);


--
-- Data for Name: usage_digests_sent; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_digests_sent (user_id, week, sent_at) VALUES ('usr_ana', '2026-W45', 1793577600);


--
-- Data for Name: usage_period_counts; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--



--
-- Data for Name: usage_period_state; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--



--
-- Data for Name: usage_policies; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_policies (name, connection_id, version, text, updated_at, updated_by, dialogue_by, dialogue_at) VALUES ('idle-paid-seats', 'conn_acme01', 1, 'name: idle-paid-seats
description: Paid seats nobody has used for a quarter
connection: acme
idle_days: 90
signals: [login, change, task, comment, timelog]
grace_days: 60
exempt:
  domains: [partner.example]
  titles: [CEO]
action: deactivate
decide: admin
user_types:
  - user_type: External User
    idle_days: 60
    action: {downgrade_to: Collaborator}
', 1789100000, 'ada', 'ada', 1789200000);


--
-- Data for Name: usage_reclaims; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_reclaims (id, connection_id, action, target, items, status, created_by, created_at, expires_at, applied_by, applied_at, cancelled_by, cancelled_at) VALUES ('rcl_fixture1', 'conn_acme01', 'deactivate', NULL, '[{"userId":"KUAAAAP3","name":"Ida Idle","email":"ida@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1780300000,"result":null,"message":null}]', 'planned', 'ana', 1788700200, 4102444800, NULL, NULL, NULL, NULL);
INSERT INTO weft_upgrade_fixture.usage_reclaims (id, connection_id, action, target, items, status, created_by, created_at, expires_at, applied_by, applied_at, cancelled_by, cancelled_at) VALUES ('rcl_fixture2', 'conn_acme01', 'deactivate', NULL, '[{"userId":"KUAAAAP2","name":"Ivan Integration","email":"ivan@acme.example","userTypeId":"IEAUTREG","before":"Regular User","after":"deactivated","lastActivityAt":1788650000,"result":null,"message":null}]', 'cancelled', 'ana', 1789000100, 1789086500, NULL, NULL, 'ada', 1789000200);


--
-- Data for Name: usage_renewal_reminders; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_renewal_reminders (connection_id, renewal_date, days_before, sent_at, channels) VALUES ('conn_acme01', '2027-03-01', 120, 1793491200, '["email"]');


--
-- Data for Name: usage_renewals; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_renewals (connection_id, seat_cost_cents, currency, type_costs, renewal_date, updated_at, updated_by, headroom_pct, type_seats) VALUES ('conn_acme01', 30000, 'EUR', '{"IEAUTEXT":12000}', '2027-03-01', 1788700100, 'ana', 15, '{"IEAUTREG":40}');


--
-- Data for Name: usage_savings; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_savings (id, connection_id, plan_id, user_id, name, action, target, change_label, annual_saving_cents, currency, realized_at, realized_by, restored_at, restored_reason) VALUES ('sav_fixture1', 'conn_acme01', 'rcl_fixture0', 'KUAAAAQ7', 'Quinn Quit', 'deactivate', NULL, 'deactivate', 30000, 'EUR', 1789300000, 'ada', NULL, NULL);


--
-- Data for Name: usage_seat_counts; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_seat_counts (connection_id, kind, seated, paid, user_type_id, people) VALUES ('conn_acme01', 'Person', true, false, 'IEAUTCOL', 1);
INSERT INTO weft_upgrade_fixture.usage_seat_counts (connection_id, kind, seated, paid, user_type_id, people) VALUES ('conn_acme01', 'Person', true, true, 'IEAUTREG', 3);


--
-- Data for Name: usage_snapshots; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_snapshots (connection_id, taken_at, figures) VALUES ('conn_acme01', 1789000000, '{"idleDays":30,"bought":50,"assigned":3,"active":2,"idle":1,"neverActive":0,"unassigned":47,"deactivatedTyped":0,"collaborators":1}');


--
-- Data for Name: usage_sources; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_sources (connection_id, source, status, message, synced_through, window_start, window_end, page_token, records, requests, last_success_at, updated_at) VALUES ('conn_acme01', 'account', 'ok', NULL, NULL, NULL, NULL, NULL, 1, 1, 1788700000, 1788700000);
INSERT INTO weft_upgrade_fixture.usage_sources (connection_id, source, status, message, synced_through, window_start, window_end, page_token, records, requests, last_success_at, updated_at) VALUES ('conn_acme01', 'user_types', 'ok', NULL, NULL, NULL, NULL, NULL, 3, 1, 1788700000, 1788700000);
INSERT INTO weft_upgrade_fixture.usage_sources (connection_id, source, status, message, synced_through, window_start, window_end, page_token, records, requests, last_success_at, updated_at) VALUES ('conn_acme01', 'users', 'ok', NULL, NULL, NULL, NULL, NULL, 4, 1, 1788700000, 1788700000);
INSERT INTO weft_upgrade_fixture.usage_sources (connection_id, source, status, message, synced_through, window_start, window_end, page_token, records, requests, last_success_at, updated_at) VALUES ('conn_acme01', 'audit_log', 'ok', NULL, 1788700000, NULL, NULL, NULL, 5, 3, 1788700000, 1788700000);


--
-- Data for Name: usage_syncs; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.usage_syncs (connection_id, lease_owner, lease_expires_at, progress, started_at, finished_at, outcome, message, backfill_from) VALUES ('conn_acme01', NULL, NULL, NULL, 1788699000, 1788700000, 'ok', NULL, 1772668800);


--
-- Data for Name: users; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at, disabled_at) VALUES ('usr_ada', 'ada', '$argon2id$v=19$m=19456,t=2,p=1$Wtj3TL+/D8NdxwxxQQk8ZA$kt60VlZDQY+7ujfTGBHvH3I93DcMeNJ/6lnn8FgPXKw', 'admin', 1788220800, NULL);
INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at, disabled_at) VALUES ('usr_ana', 'ana', '$argon2id$v=19$m=19456,t=2,p=1$IltE6Uz25gOSo0bP3/CCyA$/OVz3jHzK/9tJ32aeO67c+dPOcVH6RQ8wdxKHbHvLqo', 'analyst', 1788220900, NULL);
INSERT INTO weft_upgrade_fixture.users (id, username, password_hash, role, created_at, disabled_at) VALUES ('usr_otto', 'otto', '$argon2id$v=19$m=19456,t=2,p=1$7aHDP+/geR6z5zHrdpxI4Q$EPM0EgCs+ZRkLiIQ91Nwapxi8qMSeFq04qyvDZRIEsc', 'operator', 1788221000, 1788600000);


--
-- Data for Name: wrike_accounts; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.wrike_accounts (connection_id, account_id, name, plan, user_limit, paid, suspended, raw, synced_at, expiry_date) VALUES ('conn_acme01', 'IEAAAAAA', 'Acme Corp', 'Enterprise', 50, true, false, '{"id":"IEAAAAAA","name":"Acme Corp","subscription":{"type":"Enterprise","paid":true,"userLimit":50}}', 1788700000, '2027-03-01');


--
-- Data for Name: wrike_audit_records; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) VALUES ('conn_acme01', 1788690000, 'AUD00001', 'UserLoggedIn', 'KUAAAAP1', 'alice@acme.example', '203.0.113.5', 'User', 'alice@acme.example', 'KUAAAAP1', '{"Login Type":"Password","User Agent":"Mozilla/5.0"}');
INSERT INTO weft_upgrade_fixture.wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) VALUES ('conn_acme01', 1788680000, 'AUD00002', 'TaskStatusChanged', 'KUAAAAP1', 'alice@acme.example', '203.0.113.5', 'Task', 'Launch plan', 'IEAAAAAQKQAAAAT1', '{"Old Status":"Active","New Status":"Completed"}');
INSERT INTO weft_upgrade_fixture.wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) VALUES ('conn_acme01', 1788640000, 'AUD00003', 'UserLoggedIn', 'KUAAAAP2', 'ivan@acme.example', '198.51.100.7', 'User', 'ivan@acme.example', 'KUAAAAP2', '{"Login Type":"Oauth2","User Agent":"Nango"}');
INSERT INTO weft_upgrade_fixture.wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) VALUES ('conn_acme01', 1788650000, 'AUD00004', 'UserLoggedIn', 'KUAAAAP2', 'ivan@acme.example', '198.51.100.7', 'User', 'ivan@acme.example', 'KUAAAAP2', '{"Login Type":" OAuth2 ","User Agent":"Nango"}');
INSERT INTO weft_upgrade_fixture.wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) VALUES ('conn_acme01', 1780300000, 'AUD00005', 'UserLoggedIn', 'KUAAAAP3', 'ida@acme.example', '192.0.2.44', 'User', 'ida@acme.example', 'KUAAAAP3', '{"Login Type":"Password"}');


--
-- Data for Name: wrike_user_types; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.wrike_user_types (connection_id, id, title, description, license_type, raw) VALUES ('conn_acme01', 'IEAUTREG', 'Regular User', 'Full access', 'Regular', '{"id":"IEAUTREG","title":"Regular User"}');
INSERT INTO weft_upgrade_fixture.wrike_user_types (connection_id, id, title, description, license_type, raw) VALUES ('conn_acme01', 'IEAUTEXT', 'External User', NULL, 'External', '{"id":"IEAUTEXT","title":"External User"}');
INSERT INTO weft_upgrade_fixture.wrike_user_types (connection_id, id, title, description, license_type, raw) VALUES ('conn_acme01', 'IEAUTCOL', 'Collaborator', NULL, 'Collaborator', '{"id":"IEAUTCOL","title":"Collaborator"}');


--
-- Data for Name: wrike_users; Type: TABLE DATA; Schema: weft_upgrade_fixture; Owner: -
--

INSERT INTO weft_upgrade_fixture.wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id, external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, seated, paid, last_active_at, last_work_at, seated_since, last_integration_at) VALUES ('conn_acme01', 'KUAAAAP1', 'Person', 'Alice', 'Active', 'alice@acme.example', 'Acme', 'Engineer', 'User', 'IEAUTREG', false, false, false, true, false, 'Europe/Paris', 'en', '{"id":"KUAAAAP1"}', 1788700000, 1788700000, 1788690000, 1788680000, NULL, NULL, NULL, true, true, 1788690000, 1788680000, NULL, NULL);
INSERT INTO weft_upgrade_fixture.wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id, external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, seated, paid, last_active_at, last_work_at, seated_since, last_integration_at) VALUES ('conn_acme01', 'KUAAAAP4', 'Person', 'Colin', 'Collab', 'colin@partner.example', 'Partner', NULL, 'Collaborator', 'IEAUTCOL', false, false, false, true, false, NULL, NULL, '{"id":"KUAAAAP4"}', 1788700000, 1788700000, NULL, NULL, NULL, NULL, NULL, true, false, 0, 0, NULL, NULL);
INSERT INTO weft_upgrade_fixture.wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id, external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, seated, paid, last_active_at, last_work_at, seated_since, last_integration_at) VALUES ('conn_acme01', 'KUAAAAX9', 'Unknown', '', '', 'gone@acme.example', NULL, NULL, NULL, NULL, false, false, false, true, false, NULL, NULL, NULL, 1788700000, NULL, 1788000000, NULL, NULL, NULL, NULL, false, false, 1788000000, 0, NULL, NULL);
INSERT INTO weft_upgrade_fixture.wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id, external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, seated, paid, last_active_at, last_work_at, seated_since, last_integration_at) VALUES ('conn_acme01', 'KUAAAAP3', 'Person', 'Ida', 'Idle', 'ida@acme.example', 'Acme', 'Designer', 'User', 'IEAUTREG', false, false, false, true, false, 'Europe/Berlin', 'de', '{"id":"KUAAAAP3"}', 1780272000, 1788700000, 1780300000, NULL, NULL, NULL, NULL, true, true, 1780300000, 0, 1780272000, NULL);
INSERT INTO weft_upgrade_fixture.wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id, external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, seated, paid, last_active_at, last_work_at, seated_since, last_integration_at) VALUES ('conn_acme01', 'KUAAAAP2', 'Person', 'Ivan', 'Integration', 'ivan@acme.example', 'Acme', 'Analyst', 'User', 'IEAUTREG', false, false, false, true, false, 'US/Pacific', 'en', '{"id":"KUAAAAP2"}', 1788700000, 1788700000, NULL, NULL, NULL, NULL, NULL, true, true, 1788650000, 0, NULL, 1788650000);


--
-- Name: audit_trail_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.audit_trail_id_seq', 8, true);


--
-- Name: jobs_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.jobs_id_seq', 2, true);


--
-- Name: recipe_runs_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.recipe_runs_id_seq', 3, true);


--
-- Name: recipes_id_seq; Type: SEQUENCE SET; Schema: weft_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('weft_upgrade_fixture.recipes_id_seq', 2, true);


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
-- Name: hub_settings hub_settings_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.hub_settings
    ADD CONSTRAINT hub_settings_pkey PRIMARY KEY (name);


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
-- Name: recipe_cursors recipe_cursors_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_cursors
    ADD CONSTRAINT recipe_cursors_pkey PRIMARY KEY (recipe_id);


--
-- Name: recipe_hooks recipe_hooks_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_hooks
    ADD CONSTRAINT recipe_hooks_pkey PRIMARY KEY (recipe_id);


--
-- Name: recipe_hooks recipe_hooks_token_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_hooks
    ADD CONSTRAINT recipe_hooks_token_key UNIQUE (token);


--
-- Name: recipe_run_steps recipe_run_steps_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_run_steps
    ADD CONSTRAINT recipe_run_steps_pkey PRIMARY KEY (run_id, seq);


--
-- Name: recipe_runs recipe_runs_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_runs
    ADD CONSTRAINT recipe_runs_pkey PRIMARY KEY (id);


--
-- Name: recipe_runs recipe_runs_recipe_id_event_key_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_runs
    ADD CONSTRAINT recipe_runs_recipe_id_event_key_key UNIQUE (recipe_id, event_key);


--
-- Name: recipe_secrets recipe_secrets_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_secrets
    ADD CONSTRAINT recipe_secrets_pkey PRIMARY KEY (name);


--
-- Name: recipe_versions recipe_versions_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_versions
    ADD CONSTRAINT recipe_versions_pkey PRIMARY KEY (recipe_id, version);


--
-- Name: recipes recipes_name_key; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipes
    ADD CONSTRAINT recipes_name_key UNIQUE (name);


--
-- Name: recipes recipes_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipes
    ADD CONSTRAINT recipes_pkey PRIMARY KEY (id);


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
-- Name: sign_in_failures sign_in_failures_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.sign_in_failures
    ADD CONSTRAINT sign_in_failures_pkey PRIMARY KEY (key);


--
-- Name: usage_days usage_days_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_days
    ADD CONSTRAINT usage_days_pkey PRIMARY KEY (connection_id, day, user_id);


--
-- Name: usage_dialogues usage_dialogues_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_dialogues
    ADD CONSTRAINT usage_dialogues_pkey PRIMARY KEY (id);


--
-- Name: usage_digest_subscriptions usage_digest_subscriptions_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_digest_subscriptions
    ADD CONSTRAINT usage_digest_subscriptions_pkey PRIMARY KEY (user_id);


--
-- Name: usage_digests_sent usage_digests_sent_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_digests_sent
    ADD CONSTRAINT usage_digests_sent_pkey PRIMARY KEY (user_id, week);


--
-- Name: usage_period_counts usage_period_counts_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_period_counts
    ADD CONSTRAINT usage_period_counts_pkey PRIMARY KEY (connection_id, period, start_day, signals);


--
-- Name: usage_period_state usage_period_state_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_period_state
    ADD CONSTRAINT usage_period_state_pkey PRIMARY KEY (connection_id);


--
-- Name: usage_policies usage_policies_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_policies
    ADD CONSTRAINT usage_policies_pkey PRIMARY KEY (name);


--
-- Name: usage_reclaims usage_reclaims_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_reclaims
    ADD CONSTRAINT usage_reclaims_pkey PRIMARY KEY (id);


--
-- Name: usage_renewal_reminders usage_renewal_reminders_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_renewal_reminders
    ADD CONSTRAINT usage_renewal_reminders_pkey PRIMARY KEY (connection_id, renewal_date, days_before);


--
-- Name: usage_renewals usage_renewals_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_renewals
    ADD CONSTRAINT usage_renewals_pkey PRIMARY KEY (connection_id);


--
-- Name: usage_savings usage_savings_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_savings
    ADD CONSTRAINT usage_savings_pkey PRIMARY KEY (id);


--
-- Name: usage_snapshots usage_snapshots_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_snapshots
    ADD CONSTRAINT usage_snapshots_pkey PRIMARY KEY (connection_id, taken_at);


--
-- Name: usage_sources usage_sources_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_sources
    ADD CONSTRAINT usage_sources_pkey PRIMARY KEY (connection_id, source);


--
-- Name: usage_syncs usage_syncs_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_syncs
    ADD CONSTRAINT usage_syncs_pkey PRIMARY KEY (connection_id);


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
-- Name: wrike_accounts wrike_accounts_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_accounts
    ADD CONSTRAINT wrike_accounts_pkey PRIMARY KEY (connection_id);


--
-- Name: wrike_audit_records wrike_audit_records_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_audit_records
    ADD CONSTRAINT wrike_audit_records_pkey PRIMARY KEY (connection_id, event_at, id);


--
-- Name: wrike_user_types wrike_user_types_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_user_types
    ADD CONSTRAINT wrike_user_types_pkey PRIMARY KEY (connection_id, id);


--
-- Name: wrike_users wrike_users_pkey; Type: CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_users
    ADD CONSTRAINT wrike_users_pkey PRIMARY KEY (connection_id, id);


--
-- Name: api_tokens_by_user; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX api_tokens_by_user ON weft_upgrade_fixture.api_tokens USING btree (user_id);


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
-- Name: recipe_runs_by_recipe; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX recipe_runs_by_recipe ON weft_upgrade_fixture.recipe_runs USING btree (recipe_id, id);


--
-- Name: recipe_runs_by_status; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX recipe_runs_by_status ON weft_upgrade_fixture.recipe_runs USING btree (status, id);


--
-- Name: sessions_by_user; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX sessions_by_user ON weft_upgrade_fixture.sessions USING btree (user_id);


--
-- Name: usage_dialogues_by_plan; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_dialogues_by_plan ON weft_upgrade_fixture.usage_dialogues USING btree (plan_id) WHERE (plan_id IS NOT NULL);


--
-- Name: usage_dialogues_by_policy; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_dialogues_by_policy ON weft_upgrade_fixture.usage_dialogues USING btree (policy, state);


--
-- Name: usage_dialogues_open; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE UNIQUE INDEX usage_dialogues_open ON weft_upgrade_fixture.usage_dialogues USING btree (policy, user_id) WHERE (state = ANY (ARRAY['pending'::text, 'notified'::text, 'reminded'::text, 'released'::text, 'escalated'::text]));


--
-- Name: usage_policies_by_connection; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_policies_by_connection ON weft_upgrade_fixture.usage_policies USING btree (connection_id);


--
-- Name: usage_reclaims_by_connection; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_reclaims_by_connection ON weft_upgrade_fixture.usage_reclaims USING btree (connection_id, created_at);


--
-- Name: usage_reclaims_by_time; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_reclaims_by_time ON weft_upgrade_fixture.usage_reclaims USING btree (created_at);


--
-- Name: usage_savings_by_connection; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_savings_by_connection ON weft_upgrade_fixture.usage_savings USING btree (connection_id, realized_at);


--
-- Name: usage_savings_once; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE UNIQUE INDEX usage_savings_once ON weft_upgrade_fixture.usage_savings USING btree (plan_id, user_id);


--
-- Name: usage_seat_counts_by_connection; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX usage_seat_counts_by_connection ON weft_upgrade_fixture.usage_seat_counts USING btree (connection_id, kind);


--
-- Name: wrike_users_paid_activity; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX wrike_users_paid_activity ON weft_upgrade_fixture.wrike_users USING btree (connection_id, paid, active, last_active_at, kind, deleted);


--
-- Name: wrike_users_seat_types; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX wrike_users_seat_types ON weft_upgrade_fixture.wrike_users USING btree (connection_id, kind, seated, paid, user_type_id, last_active_at);


--
-- Name: wrike_users_seats; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX wrike_users_seats ON weft_upgrade_fixture.wrike_users USING btree (connection_id, kind, seated, paid, last_active_at, user_type_id);


--
-- Name: wrike_users_type_role; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX wrike_users_type_role ON weft_upgrade_fixture.wrike_users USING btree (connection_id, user_type_id, role, active, deleted, kind, paid, last_active_at);


--
-- Name: wrike_users_work_seat_types; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX wrike_users_work_seat_types ON weft_upgrade_fixture.wrike_users USING btree (connection_id, kind, seated, paid, user_type_id, last_work_at);


--
-- Name: wrike_users_work_seats; Type: INDEX; Schema: weft_upgrade_fixture; Owner: -
--

CREATE INDEX wrike_users_work_seats ON weft_upgrade_fixture.wrike_users USING btree (connection_id, kind, seated, paid, last_work_at, user_type_id);


--
-- Name: api_tokens api_tokens_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER api_tokens_counted AFTER DELETE OR UPDATE OF user_id, token_hash, expires_at ON weft_upgrade_fixture.api_tokens FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: connections connections_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER connections_counted AFTER INSERT OR DELETE OR UPDATE ON weft_upgrade_fixture.connections FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: sessions sessions_counted; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER sessions_counted AFTER DELETE OR UPDATE ON weft_upgrade_fixture.sessions FOR EACH STATEMENT EXECUTE FUNCTION weft_upgrade_fixture.weft_count_change();


--
-- Name: usage_policies usage_policies_dialogues; Type: TRIGGER; Schema: weft_upgrade_fixture; Owner: -
--

CREATE TRIGGER usage_policies_dialogues AFTER DELETE ON weft_upgrade_fixture.usage_policies FOR EACH ROW EXECUTE FUNCTION weft_upgrade_fixture.weft_drop_policy_dialogues();


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
-- Name: recipe_cursors recipe_cursors_recipe_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_cursors
    ADD CONSTRAINT recipe_cursors_recipe_id_fkey FOREIGN KEY (recipe_id) REFERENCES weft_upgrade_fixture.recipes(id) ON DELETE CASCADE;


--
-- Name: recipe_hooks recipe_hooks_recipe_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_hooks
    ADD CONSTRAINT recipe_hooks_recipe_id_fkey FOREIGN KEY (recipe_id) REFERENCES weft_upgrade_fixture.recipes(id) ON DELETE CASCADE;


--
-- Name: recipe_run_steps recipe_run_steps_run_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_run_steps
    ADD CONSTRAINT recipe_run_steps_run_id_fkey FOREIGN KEY (run_id) REFERENCES weft_upgrade_fixture.recipe_runs(id) ON DELETE CASCADE;


--
-- Name: recipe_runs recipe_runs_recipe_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_runs
    ADD CONSTRAINT recipe_runs_recipe_id_fkey FOREIGN KEY (recipe_id) REFERENCES weft_upgrade_fixture.recipes(id) ON DELETE CASCADE;


--
-- Name: recipe_versions recipe_versions_recipe_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.recipe_versions
    ADD CONSTRAINT recipe_versions_recipe_id_fkey FOREIGN KEY (recipe_id) REFERENCES weft_upgrade_fixture.recipes(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES weft_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: usage_days usage_days_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_days
    ADD CONSTRAINT usage_days_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_digest_subscriptions usage_digest_subscriptions_user_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_digest_subscriptions
    ADD CONSTRAINT usage_digest_subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES weft_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: usage_digests_sent usage_digests_sent_user_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_digests_sent
    ADD CONSTRAINT usage_digests_sent_user_id_fkey FOREIGN KEY (user_id) REFERENCES weft_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: usage_period_counts usage_period_counts_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_period_counts
    ADD CONSTRAINT usage_period_counts_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_period_state usage_period_state_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_period_state
    ADD CONSTRAINT usage_period_state_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_policies usage_policies_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_policies
    ADD CONSTRAINT usage_policies_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_reclaims usage_reclaims_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_reclaims
    ADD CONSTRAINT usage_reclaims_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_renewal_reminders usage_renewal_reminders_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_renewal_reminders
    ADD CONSTRAINT usage_renewal_reminders_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_renewals usage_renewals_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_renewals
    ADD CONSTRAINT usage_renewals_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_savings usage_savings_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_savings
    ADD CONSTRAINT usage_savings_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_seat_counts usage_seat_counts_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_seat_counts
    ADD CONSTRAINT usage_seat_counts_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_snapshots usage_snapshots_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_snapshots
    ADD CONSTRAINT usage_snapshots_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_sources usage_sources_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_sources
    ADD CONSTRAINT usage_sources_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: usage_syncs usage_syncs_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.usage_syncs
    ADD CONSTRAINT usage_syncs_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: wrike_accounts wrike_accounts_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_accounts
    ADD CONSTRAINT wrike_accounts_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: wrike_audit_records wrike_audit_records_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_audit_records
    ADD CONSTRAINT wrike_audit_records_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: wrike_user_types wrike_user_types_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_user_types
    ADD CONSTRAINT wrike_user_types_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- Name: wrike_users wrike_users_connection_id_fkey; Type: FK CONSTRAINT; Schema: weft_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY weft_upgrade_fixture.wrike_users
    ADD CONSTRAINT wrike_users_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES weft_upgrade_fixture.connections(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict o4QZxSmwl7Tiizaj8nWdDcPm31jfW193bitJ1766ucdA7txVPoMCRgzZ37ff3O8

