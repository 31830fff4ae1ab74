-- A counter every change to who may call the hub (users, sessions, API tokens) or to the
-- connections moves, whoever makes it (any hub instance, a person with psql). Hubs poll it
-- to know when their in-memory read caches are stale.
CREATE TABLE change_counter (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

CREATE FUNCTION weft_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET seq = seq + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_counted AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION weft_count_change();
CREATE TRIGGER sessions_counted AFTER UPDATE OR DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION weft_count_change();
CREATE TRIGGER api_tokens_counted AFTER UPDATE OR DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION weft_count_change();
CREATE TRIGGER connections_counted AFTER INSERT OR UPDATE OR DELETE ON connections FOR EACH STATEMENT EXECUTE FUNCTION weft_count_change();
