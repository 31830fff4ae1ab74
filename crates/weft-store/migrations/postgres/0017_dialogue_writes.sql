-- A policy's first dialogue round writes tens of thousands of rows at once, and PostgreSQL's
-- per-row foreign-key checks were half of that (BENCHMARKS.md, policy-eval). The store now
-- locks the policy once per batch (FOR KEY SHARE, as each check did), and a trigger removes
-- a policy's dialogues with it (removing a connection removes its policies, so theirs too).
ALTER TABLE usage_dialogues DROP CONSTRAINT usage_dialogues_policy_fkey;
ALTER TABLE usage_dialogues DROP CONSTRAINT usage_dialogues_connection_id_fkey;

CREATE FUNCTION weft_drop_policy_dialogues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM usage_dialogues WHERE policy = OLD.name;
    RETURN OLD;
END;
$$;

CREATE TRIGGER usage_policies_dialogues AFTER DELETE ON usage_policies
    FOR EACH ROW EXECUTE FUNCTION weft_drop_policy_dialogues();

-- A new dialogue has no reclaim plan yet: the index holds only those that have one.
DROP INDEX usage_dialogues_by_plan;
CREATE INDEX usage_dialogues_by_plan ON usage_dialogues (plan_id) WHERE plan_id IS NOT NULL;
