-- Who started a run by hand (run now, rerun), and whether a person wrote its trigger event
-- rather than a trigger making it.
ALTER TABLE recipe_runs ADD COLUMN started_by TEXT;
ALTER TABLE recipe_runs ADD COLUMN hand_made INTEGER NOT NULL DEFAULT 0;

-- How often a job's lease ran out while it ran (its process died or hung): a job that
-- keeps taking its process down is set aside instead of being claimed forever.
ALTER TABLE jobs ADD COLUMN lost_leases INTEGER NOT NULL DEFAULT 0;

-- Which route a hook answers on: 'wrike' (Wrike's deliveries and handshake) or 'http'
-- (other systems' calls). A token is looked up only by its own kind.
ALTER TABLE recipe_hooks ADD COLUMN kind TEXT NOT NULL DEFAULT 'wrike' CHECK (kind IN ('wrike', 'http'));
UPDATE recipe_hooks SET kind = 'http' WHERE connection_id = '';

-- Secrets recipes use (`{{ secrets.NAME }}`): an API key of another system, say. The value
-- is sealed with the hub's key ('recipe-secret:' || name as associated data) and never
-- shown again; `hosts` (a JSON list) are where a step may send it.
CREATE TABLE recipe_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    hosts TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
