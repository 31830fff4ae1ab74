-- Usage analytics: what weft read from each connection's Wrike account (the account and its
-- subscription, user types, people, the admin audit log) and what it derived from it (each
-- person's last activity per signal, and which days they were active). Everything belongs to
-- one connection and goes with it. Times are Unix seconds; days count from 1970-01-01 (UTC).
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

CREATE TABLE wrike_user_types (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    license_type TEXT,
    raw TEXT NOT NULL,
    PRIMARY KEY (connection_id, id)
);

-- People (and groups and robots, kept apart by `kind`), with every field reports filter on.
-- An actor seen only in activity (not, or not yet, among the contacts) has kind 'Unknown'
-- and is never counted as a seat; its last_* columns wait for the contact to arrive.
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

CREATE INDEX wrike_users_seats ON wrike_users (connection_id, kind, seated, paid, last_active_at, user_type_id);
CREATE INDEX wrike_users_work_seats ON wrike_users (connection_id, kind, seated, paid, last_work_at, user_type_id);
-- The seat counts per user type: each type's idle seats are one range.
CREATE INDEX wrike_users_seat_types ON wrike_users (connection_id, kind, seated, paid, user_type_id, last_active_at);
CREATE INDEX wrike_users_work_seat_types ON wrike_users (connection_id, kind, seated, paid, user_type_id, last_work_at);

-- How many people of each kind hold a seat, paid or not: kept with every change to the
-- seat columns (in the same transaction), so seat reports do not count 100,000 rows.
-- Rows of kind 'Unknown' (actors seen only in activity) are not counted here.
CREATE TABLE usage_seat_counts (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    seated BOOLEAN NOT NULL,
    paid BOOLEAN NOT NULL,
    people INTEGER NOT NULL,
    typed INTEGER NOT NULL,
    PRIMARY KEY (connection_id, kind, seated, paid)
) WITHOUT ROWID;

-- Wrike's admin audit log, every record whole: `details` keeps Wrike's own keys. Rows are
-- appended in arrival order (a rowid table): Wrike sends each window newest first, and a
-- table keyed by time would take every page in front of the last one, splitting pages
-- half full, which doubled the file and halved the write rate. The unique key keeps each
-- record once (an id has one event date) and serves time ranges.
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
CREATE UNIQUE INDEX wrike_audit_records_key ON wrike_audit_records (connection_id, event_at, id);

-- Who was active on which day, by which signals (a bit set: 1 login, 2 change in the audit
-- log, 4 task authored, 8 comment, 16 time logged). Trends count these rows.
CREATE TABLE usage_days (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    signals INTEGER NOT NULL,
    PRIMARY KEY (connection_id, day, user_id)
) WITHOUT ROWID;

-- One sync per connection at a time, across instances (a lease), and how the last one went.
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

-- Each source of a sync (users, audit_log, tasks, ...): whether it is available, what is
-- missing if not, the high-water mark below which everything is stored, and the window
-- being read with the page token to go on from. A page and its checkpoint are written in
-- one transaction.
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

-- What a seat costs and when the subscription renews, entered per connection.
CREATE TABLE usage_renewals (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    seat_cost_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    type_costs TEXT NOT NULL,
    renewal_date TEXT,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);

-- Reclaiming seats: a plan made by a dry run, then applied on an Admin's confirmation, with
-- Wrike's answer per user.
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
CREATE INDEX usage_reclaims_by_connection ON usage_reclaims (connection_id, created_at);
