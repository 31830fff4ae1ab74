-- A new dialogue has no reclaim plan yet: the index holds only those that have one.
-- (PostgreSQL's migration of the same number also trades the dialogues' per-row
-- foreign-key checks for one lock per batch; SQLite's checks cost little and stay.)
DROP INDEX usage_dialogues_by_plan;
CREATE INDEX usage_dialogues_by_plan ON usage_dialogues (plan_id) WHERE plan_id IS NOT NULL;
