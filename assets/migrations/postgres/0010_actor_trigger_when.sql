-- itam schema, version 10, PostgreSQL only (SQLite's 0010 is empty): the history's actor trigger
-- (0009_roles.sql) runs only when it has something to change.
--
-- events_actor sets NEW.actor := itam_actor(NEW.actor). When the client already sent the
-- session's own name that is a no-op in every case: itam_actor(session_user) is session_user
-- (a name that is not `api:`/`sync:` gives session_user; one that is, gives itself to a service
-- role and session_user to anyone else, and both are session_user here). So the WHEN condition
-- skips only calls that would change nothing, and the rule stands as it was: any other actor
-- sent (another person's name, `postgres`, empty, NULL, `api:x`) still goes through
-- itam_actor(). itam always sends its own name, which on PostgreSQL is the session's role, so
-- the plpgsql call per row (about a tenth of a 100,000-row import's history insert) is skipped
-- for what itam writes. The trigger keeps its name, table, timing and function, so
-- itam_missing_triggers() checks it as before.
DROP TRIGGER events_actor ON events;
CREATE TRIGGER events_actor BEFORE INSERT ON events
    FOR EACH ROW WHEN (NEW.actor IS DISTINCT FROM session_user)
    EXECUTE FUNCTION events_actor();
