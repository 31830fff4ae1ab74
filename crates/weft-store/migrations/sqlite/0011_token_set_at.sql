-- When a connection's token was last given to weft (added, replaced by hand, or consented to
-- again), so its page can show the token's age; an OAuth refresh does not change it.
ALTER TABLE connections ADD COLUMN token_set_at BIGINT;
UPDATE connections SET token_set_at = created_at;
