-- Renewal reminders and the weekly digest. A reminder is claimed (its row written) before it
-- goes out, once per connection, renewal date and mark (days before); one that reached no
-- channel is given back, so the next round tries again.
CREATE TABLE usage_renewal_reminders (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    renewal_date TEXT NOT NULL,
    days_before BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    channels TEXT NOT NULL,
    PRIMARY KEY (connection_id, renewal_date, days_before)
);

-- Team members (Admins and Analysts) who asked for the weekly digest, and where to.
CREATE TABLE usage_digest_subscriptions (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    subscribed_at BIGINT NOT NULL
);

-- The digests claimed, one per person and week (`YYYY-Www`, ISO weeks).
CREATE TABLE usage_digests_sent (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    week TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, week)
);
