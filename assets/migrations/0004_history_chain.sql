-- The history made tamper-evident (issue 15). Every event gets a SHA-256 hash over the previous
-- event's hash and its own content (id, asset, subject, kind, actor, time, before, after, note),
-- so changing, removing or slipping in an event breaks the chain from there on; `itam check`
-- verifies it and prints the head, which backups and reports record so that a chain rewritten
-- from scratch no longer matches a head kept elsewhere.
--
-- The hashes live beside the events (one row per event) rather than in a new column, so the
-- events table and its append-only triggers stay exactly as shipped. itam computes the hashes
-- in Rust, in the transaction that wrote the events (store/chain.rs); the migration chains the
-- events that exist already.

CREATE TABLE event_chain (
    event_id INTEGER PRIMARY KEY REFERENCES events(id),
    hash     TEXT NOT NULL               -- hex SHA-256, see store/chain.rs for what it covers
);

CREATE TRIGGER event_chain_no_update BEFORE UPDATE ON event_chain
BEGIN
    SELECT RAISE(ABORT, 'the history chain is append-only');
END;
CREATE TRIGGER event_chain_no_delete BEFORE DELETE ON event_chain
BEGIN
    SELECT RAISE(ABORT, 'the history chain is append-only');
END;
