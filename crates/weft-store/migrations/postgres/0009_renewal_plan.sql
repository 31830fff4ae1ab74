-- The renewal plan: the headroom kept above the active seats when recommending how many to
-- renew, and the seats bought per user type where the contract says (Wrike gives only the
-- account's total, userLimit). `type_seats` is a JSON object of user type id to seats.
ALTER TABLE usage_renewals ADD COLUMN headroom_pct BIGINT NOT NULL DEFAULT 10;
ALTER TABLE usage_renewals ADD COLUMN type_seats TEXT NOT NULL DEFAULT '{}';

-- What a connection's seats looked like at the end of each sync, so the renewal plan can
-- say what changed since the previous sync and over the last month. `figures` is JSON.
CREATE TABLE usage_snapshots (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    taken_at BIGINT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (connection_id, taken_at)
);

-- Past reclaim plans are listed newest first across connections.
CREATE INDEX usage_reclaims_by_time ON usage_reclaims (created_at);

-- The subscription's end, where Wrike gives it (`subscription.expiryDate`, not in every
-- account's answer): the renewal date when none is entered.
ALTER TABLE wrike_accounts ADD COLUMN expiry_date TEXT;

-- Who cancelled a reclaim plan, and when (the list of past plans shows it).
ALTER TABLE usage_reclaims ADD COLUMN cancelled_by TEXT;
ALTER TABLE usage_reclaims ADD COLUMN cancelled_at BIGINT;
