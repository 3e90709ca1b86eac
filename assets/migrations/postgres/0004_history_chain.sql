-- itam schema, version 4, for PostgreSQL: the tamper-evident history (see ../0004_history_chain.sql
-- and src/store/chain.rs: itam hashes each event in Rust and INSERTs the hash into event_chain in
-- the transaction that wrote the event; nothing is ever updated).
--
-- THE WRITE LOCK: chain_lock, one row (id = 1). Every write transaction on PostgreSQL starts with
--     SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE
-- before it reads or writes anything else. Every write appends to the one hash chain, whose
-- head (the last event_chain row) the next writer chains after, so writers must take turns
-- exactly as SQLite's BEGIN IMMEDIATE makes them; this row lock is that turn. Readers never
-- take it. Row locks need UPDATE privilege, so a role without UPDATE on chain_lock (the auditor,
-- 0009_roles.sql) cannot start a write at all.

CREATE TABLE event_chain (
    event_id BIGINT PRIMARY KEY REFERENCES events(id),
    hash     TEXT COLLATE "C" NOT NULL   -- hex SHA-256, see store/chain.rs for what it covers
);

CREATE FUNCTION event_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the history chain is append-only';
END
$$;
CREATE TRIGGER event_chain_no_update BEFORE UPDATE ON event_chain
    FOR EACH ROW EXECUTE FUNCTION event_chain_append_only();
CREATE TRIGGER event_chain_no_delete BEFORE DELETE ON event_chain
    FOR EACH ROW EXECUTE FUNCTION event_chain_append_only();
CREATE TRIGGER event_chain_no_truncate BEFORE TRUNCATE ON event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION event_chain_append_only();

CREATE TABLE chain_lock (
    id BIGINT PRIMARY KEY CHECK (id = 1)
);
INSERT INTO chain_lock (id) VALUES (1);

-- Without its row every writer would lock nothing and the chain could fork: keep it.
CREATE FUNCTION chain_lock_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'chain_lock must keep its one row: every write locks it';
END
$$;
CREATE TRIGGER chain_lock_no_delete BEFORE DELETE ON chain_lock
    FOR EACH ROW EXECUTE FUNCTION chain_lock_keep();
CREATE TRIGGER chain_lock_no_truncate BEFORE TRUNCATE ON chain_lock
    FOR EACH STATEMENT EXECUTE FUNCTION chain_lock_keep();
