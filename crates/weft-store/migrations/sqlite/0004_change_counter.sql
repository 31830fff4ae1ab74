-- A counter every change to who may call the hub (users, sessions, API tokens) or to the
-- connections moves, whoever makes it (this hub, another process on the same file, a person
-- with the sqlite3 shell). Hubs poll it to know when their in-memory read caches are stale.
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

CREATE TRIGGER users_insert_counted AFTER INSERT ON users BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER users_update_counted AFTER UPDATE ON users BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER users_delete_counted AFTER DELETE ON users BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER sessions_update_counted AFTER UPDATE ON sessions BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER sessions_delete_counted AFTER DELETE ON sessions BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER api_tokens_update_counted AFTER UPDATE ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER api_tokens_delete_counted AFTER DELETE ON api_tokens BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_insert_counted AFTER INSERT ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_update_counted AFTER UPDATE ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
CREATE TRIGGER connections_delete_counted AFTER DELETE ON connections BEGIN UPDATE change_counter SET seq = seq + 1; END;
