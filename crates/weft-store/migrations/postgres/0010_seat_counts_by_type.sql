-- Seat counts kept per user type as well, so that the renewal plan and the seat counts by
-- type read a few rows instead of working out every person's seat at each request. Kept
-- as before: recounted for a connection in the same transaction as every change to its
-- people's seat columns. Actors seen only in activity (kind 'Unknown') are not counted.
DROP TABLE usage_seat_counts;
CREATE TABLE usage_seat_counts (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    seated BOOLEAN NOT NULL,
    paid BOOLEAN NOT NULL,
    user_type_id TEXT,
    people BIGINT NOT NULL
);
CREATE INDEX usage_seat_counts_by_connection ON usage_seat_counts (connection_id, kind);
INSERT INTO usage_seat_counts (connection_id, kind, seated, paid, user_type_id, people)
    SELECT connection_id, kind, seated, paid, user_type_id, COUNT(*)
    FROM wrike_users WHERE kind <> 'Unknown'
    GROUP BY connection_id, kind, seated, paid, user_type_id;

-- The people report's usual question (paid seats, active or not, idle since a date, in
-- order of latest activity): one range of this index, in order, for the page and the count.
CREATE INDEX wrike_users_paid_activity ON wrike_users (connection_id, paid, active, last_active_at, kind, deleted);

-- Active people per day, week and month, by the set of signals they were active by in the
-- period (a bit set, as in usage_days), so trends read a few rows (see usage/periods.rs).
CREATE TABLE usage_period_counts (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    start_day BIGINT NOT NULL,
    signals BIGINT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (connection_id, period, start_day, signals)
);
-- Whether a connection's period counts are current: no row, none kept; `stale_from`, the
-- earliest day whose periods must be recounted (NULL: all current). Marked in the same
-- transaction as every write to usage_days.
CREATE TABLE usage_period_state (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    stale_from BIGINT
);

-- The seats report groups active people by user type and role: read in this index's
-- order, the groups need no sort of every person.
CREATE INDEX wrike_users_type_role ON wrike_users (connection_id, user_type_id, role, active, deleted, kind, paid, last_active_at);

-- Statistics for the new indexes at once, so reports plan with them before the next sync.
ANALYZE wrike_users;
