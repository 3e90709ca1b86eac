-- itam schema, version 9, PostgreSQL only (SQLite's 0009 is empty: there the file's permissions
-- are the access control): the server enforces the audit trail.
--
-- Each person connects as their own login role, a member of one of four group roles (cluster-
-- wide, created here when missing):
--   itam_technician  reads everything; writes the register; appends to the history (events,
--                    event_chain) but can never UPDATE, DELETE or TRUNCATE it; takes the write
--                    lock (UPDATE on chain_lock, for SELECT ... FOR UPDATE); no API tokens.
--   itam_auditor     reads everything, writes nothing (not even the lock, so no write starts).
--   itam_admin       everything, with the right to grant it on; runs itam_grant().
--   itam_service     the account `itam serve` and `itam sync` run as: a technician (it is a
--                    member of itam_technician) that may also record who it writes for.
-- The history's actor is the server's session_user, set by a trigger on insert: whatever the
-- client sends is overwritten, so nobody can write history in another person's name. The one
-- exception is itam_actor() below: a service role's `api:<user>` / `sync:<source>` is kept.
-- The same goes for who started, scanned and closed a room audit, and (with no exception) who
-- made an API token: stamped on insert, never changed afterwards.
-- Each INSERT into events also notifies listeners of the channel itam_events (events_notify).
-- itam_missing_triggers() names the guards that are not in place, for `itam check`.
-- itam_grant(username, role) creates a login role when missing and makes it a member of exactly
-- one group (`itam db grant USER --role technician|auditor|admin|service` calls it).
--
-- Tables a later migration adds are readable by every group (default privileges below);
-- that migration grants technicians' writes itself, as this one does, table by table.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['itam_technician', 'itam_auditor', 'itam_admin', 'itam_service'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION
                -- Another database of the cluster migrating at the same moment created it.
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'creating the group role % needs the CREATEROLE privilege', r
                        USING HINT = 'open the database with itam once as a superuser (or a role with CREATEROLE), or have one create the roles itam_technician, itam_auditor, itam_admin and itam_service first';
            END;
        END IF;
    END LOOP;
    -- The service has the technician's rights, now and as later migrations grant them.
    IF NOT pg_has_role('itam_service', 'itam_technician', 'MEMBER') THEN
        GRANT itam_technician TO itam_service;
    END IF;
END
$$;

-- Who a write is recorded as: who the server says is connected (session_user: SET ROLE does not
-- change it), never what the client sent. Except that a service role (a member of itam_service:
-- the account `itam serve` and `itam sync` run as) writes on behalf of others and says so, as
-- `api:<user>` (a REST client's token) or `sync:<source>` (an MDM feed): those two forms, and only
-- those, are kept from it, so a service can name whom it writes for but never pass as a person
-- (`bob`) or the owner (`postgres`). Anyone else's `api:x` is recorded as themselves.
-- (A superuser counts as a member of every role, itam_service included; it could switch these
-- triggers off anyway.)
-- Plain SQL with no SET clause, so the planner inlines it into the triggers' expressions: as a
-- plpgsql function with SET search_path it doubled the cost of a 100k-row INSERT into events.
-- (It is not SECURITY DEFINER: search_path can only mislead the caller about itself.)
CREATE FUNCTION itam_actor(claimed text) RETURNS text LANGUAGE sql STABLE AS $$
    -- The cheap test first: pg_has_role reads the catalogue.
    SELECT CASE
        WHEN claimed LIKE 'api:_%' OR claimed LIKE 'sync:_%' THEN
            CASE WHEN pg_has_role(session_user, 'itam_service', 'MEMBER')
                THEN claimed ELSE session_user END
        ELSE session_user
    END
$$;

CREATE FUNCTION events_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor := itam_actor(NEW.actor);
    RETURN NEW;
END
$$;
CREATE TRIGGER events_actor BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_actor();

-- Every other itam connected to the database learns of a committed write without polling:
-- LISTEN itam_events; the payload is the highest event id the statement inserted, as text.
-- pg_notify is transactional: nothing is sent for a rolled-back write, and what a transaction
-- sent is delivered once, at its commit, after its rows are visible. One notification per INSERT
-- statement that added events (none for one that added none): a write that inserts several
-- events one statement at a time sends several, delivered together, so a listener should drain
-- all that are pending and then read the events after the last id it has seen. Statement-level,
-- with the inserted rows as a transition table, so a 100k-row INSERT ... SELECT costs one
-- notification, not 100k. (A hot standby cannot LISTEN: a client there must poll.)
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    top bigint;
BEGIN
    SELECT max(id) INTO top FROM inserted;
    IF top IS NOT NULL THEN
        PERFORM pg_notify('itam_events', top::text);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

-- The other columns that say who did something are the server's too: set on insert, never
-- changed afterwards (an UPDATE keeps what is there; closed_by is set once, when the audit is
-- closed). Room audits take itam_actor() as the history does, with its service exception: today
-- they are started, scanned and closed only at a terminal, where it changes nothing, and should
-- `itam serve` ever record audits for a REST client, the audit must name the same actor as its
-- audit_start event. API tokens do not: a token is made only by `itam token create` at a
-- terminal, never on someone's behalf through the API or a feed (a service role cannot write
-- api_tokens at all), and an `api:`/`sync:` name there would only hide which person made a
-- credential; so created_by is always session_user, a superuser's included.
CREATE FUNCTION audits_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.started_by := itam_actor(NEW.started_by);
        IF NEW.closed_by IS NOT NULL THEN
            NEW.closed_by := itam_actor(NEW.closed_by);
        END IF;
    ELSE
        NEW.started_by := OLD.started_by;
        IF OLD.closed_by IS NOT NULL THEN
            NEW.closed_by := OLD.closed_by;
        ELSIF NEW.closed_by IS NOT NULL THEN
            NEW.closed_by := itam_actor(NEW.closed_by);
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audits_actor BEFORE INSERT OR UPDATE ON audits
    FOR EACH ROW EXECUTE FUNCTION audits_actor();

CREATE FUNCTION audit_scans_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.actor := itam_actor(NEW.actor);
    ELSE
        NEW.actor := OLD.actor;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_scans_actor BEFORE INSERT OR UPDATE ON audit_scans
    FOR EACH ROW EXECUTE FUNCTION audit_scans_actor();

CREATE FUNCTION api_tokens_creator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := session_user;
    ELSE
        NEW.created_by := OLD.created_by;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER api_tokens_creator BEFORE INSERT OR UPDATE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION api_tokens_creator();

DO $$
DECLARE
    s text := current_schema();
    t text;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO itam_technician, itam_auditor, itam_admin', s);

    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO itam_technician, itam_auditor', s);
    EXECUTE format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA %I TO itam_technician, itam_auditor', s);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO itam_technician', s);
    -- The register, table by table (not "ALL TABLES": the history, the lock, the tokens and the
    -- schema's version are not the technician's to change). No TRUNCATE anywhere.
    FOREACH t IN ARRAY ARRAY[
        'manufacturers', 'categories', 'suppliers', 'teams', 'models', 'locations', 'people',
        'assets', 'disposals', 'audits', 'audit_expected', 'audit_scans', 'purchase_orders',
        'po_lines', 'sequences', 'licences', 'licence_seats', 'depreciation_rules', 'maintenance',
        'custom_fields', 'asset_field_values', 'sync_devices', 'sync_unknown', 'software',
        'installs', 'licence_matches'
    ] LOOP
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I.%I TO itam_technician', s, t);
    END LOOP;
    -- The history: append only.
    EXECUTE format('GRANT INSERT ON %I.events, %I.event_chain TO itam_technician', s, s);
    -- The write lock: FOR UPDATE needs UPDATE (its one column is CHECKed to stay 1).
    EXECUTE format('GRANT UPDATE ON %I.chain_lock TO itam_technician', s);

    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO itam_admin WITH GRANT OPTION', s);
    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA %I TO itam_admin WITH GRANT OPTION', s);

    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO itam_technician, itam_auditor', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO itam_technician', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON TABLES TO itam_admin WITH GRANT OPTION', s);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON SEQUENCES TO itam_admin WITH GRANT OPTION', s);
END
$$;

-- Runs with its owner's rights (whoever migrated: they created the groups, so they may grant
-- them); only itam admins may call it.
CREATE FUNCTION itam_grant(username text, role text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    grp text;
    other text;
    created boolean := false;
    was text := NULL;
BEGIN
    IF NOT (pg_has_role(session_user, 'itam_admin', 'MEMBER')
            OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'only an itam admin can grant itam roles, and % is not one', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    grp := CASE lower(role)
        WHEN 'technician' THEN 'itam_technician'
        WHEN 'auditor' THEN 'itam_auditor'
        WHEN 'admin' THEN 'itam_admin'
        WHEN 'service' THEN 'itam_service'
    END;
    IF grp IS NULL THEN
        RAISE EXCEPTION 'unknown itam role %: use technician, auditor, admin or service', quote_literal(coalesce(role, ''))
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF username IS NULL OR username = '' THEN
        RAISE EXCEPTION 'a user name is required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF username IN ('itam_technician', 'itam_auditor', 'itam_admin', 'itam_service') OR username LIKE 'pg\_%' THEN
        RAISE EXCEPTION '% is a group or reserved role, not a person: grant to a login role', username
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = username) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', username);
        created := true;
    END IF;
    -- Exactly one itam group: a technician made auditor stops being a technician.
    FOREACH other IN ARRAY ARRAY['itam_technician', 'itam_auditor', 'itam_admin', 'itam_service'] LOOP
        IF other <> grp AND EXISTS (
            SELECT 1 FROM pg_auth_members m
            JOIN pg_roles g ON g.oid = m.roleid
            JOIN pg_roles u ON u.oid = m.member
            WHERE g.rolname = other AND u.rolname = username
        ) THEN
            EXECUTE format('REVOKE %I FROM %I', other, username);
            was := other;
        END IF;
    END LOOP;
    EXECUTE format('GRANT %I TO %I', grp, username);
    RETURN format('%s%s is %s%s',
        CASE WHEN created THEN 'created login role ' || username || '; ' ELSE '' END,
        username, grp,
        CASE WHEN was IS NOT NULL THEN ' (was ' || was || ')' ELSE '' END);
END
$$;
REVOKE ALL ON FUNCTION itam_grant(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION itam_grant(text, text) TO itam_admin;

-- What `itam check` verifies on PostgreSQL beyond the hash chain: the triggers and functions that
-- enforce the rules above and in earlier migrations, each on its table and calling its function,
-- and the group roles. (`calls`: for a trigger its function; for a role a group it must be in.)
-- The owner (or a superuser) can drop or disable any of them; nobody else can. A migration that
-- adds a trigger or function replaces this list (tests/pg_schema.rs fails when it is not the
-- full set a fresh database has).
CREATE FUNCTION itam_expected_triggers()
RETURNS TABLE (kind text, name text, on_table text, calls text)
LANGUAGE sql IMMUTABLE AS $$
    VALUES
        ('trigger', 'events_no_update', 'events', 'events_append_only'),
        ('trigger', 'events_no_delete', 'events', 'events_append_only'),
        ('trigger', 'events_no_truncate', 'events', 'events_append_only'),
        ('trigger', 'events_actor', 'events', 'events_actor'),
        ('trigger', 'events_notify', 'events', 'events_notify'),
        ('trigger', 'event_chain_no_update', 'event_chain', 'event_chain_append_only'),
        ('trigger', 'event_chain_no_delete', 'event_chain', 'event_chain_append_only'),
        ('trigger', 'event_chain_no_truncate', 'event_chain', 'event_chain_append_only'),
        ('trigger', 'chain_lock_no_delete', 'chain_lock', 'chain_lock_keep'),
        ('trigger', 'chain_lock_no_truncate', 'chain_lock', 'chain_lock_keep'),
        ('trigger', 'audits_actor', 'audits', 'audits_actor'),
        ('trigger', 'audit_scans_actor', 'audit_scans', 'audit_scans_actor'),
        ('trigger', 'api_tokens_creator', 'api_tokens', 'api_tokens_creator'),
        ('function', 'events_append_only', NULL, NULL),
        ('function', 'event_chain_append_only', NULL, NULL),
        ('function', 'chain_lock_keep', NULL, NULL),
        ('function', 'itam_actor', NULL, NULL),
        ('function', 'events_actor', NULL, NULL),
        ('function', 'events_notify', NULL, NULL),
        ('function', 'audits_actor', NULL, NULL),
        ('function', 'audit_scans_actor', NULL, NULL),
        ('function', 'api_tokens_creator', NULL, NULL),
        ('function', 'itam_grant', NULL, NULL),
        ('function', 'itam_expected_triggers', NULL, NULL),
        ('function', 'itam_missing_triggers', NULL, NULL),
        -- The groups are cluster-wide: dropping one elsewhere drops it here too.
        ('role', 'itam_technician', NULL, NULL),
        ('role', 'itam_auditor', NULL, NULL),
        ('role', 'itam_admin', NULL, NULL),
        ('role', 'itam_service', NULL, 'itam_technician')
$$;

-- The expected ones that are not as they should be, by name, with what is wrong:
--   SELECT kind, name, problem FROM itam_missing_triggers();
-- problem: 'missing'; 'disabled' (ALTER TABLE ... DISABLE TRIGGER, or enabled only for
-- replication sessions); 'calls f() instead of g()'; for a group role, 'missing' or 'not a member
-- of itam_technician' (itam_service). No rows: all in place. Any role may call
-- it (it reads the catalogue only); tables and functions are looked up as the migrations made
-- them, in the current schema.
CREATE FUNCTION itam_missing_triggers()
RETURNS TABLE (kind text, name text, problem text)
LANGUAGE sql STABLE AS $$
    SELECT * FROM (
        SELECT e.kind, e.name,
            CASE
                WHEN e.kind = 'function' THEN
                    CASE WHEN p.oid IS NULL THEN 'missing' END
                WHEN e.kind = 'role' THEN
                    CASE
                        WHEN r.oid IS NULL THEN 'missing'
                        WHEN e.calls IS NOT NULL AND NOT pg_has_role(r.oid, e.calls, 'MEMBER') THEN
                            format('not a member of %s', e.calls)
                    END
                WHEN t.oid IS NULL THEN 'missing'
                WHEN t.tgenabled NOT IN ('O', 'A') THEN 'disabled'
                WHEN f.proname <> e.calls OR f.pronamespace <> s.oid THEN
                    format('calls %s() instead of %s()',
                        CASE WHEN f.pronamespace = s.oid THEN f.proname::text
                             ELSE f.pronamespace::regnamespace || '.' || f.proname END,
                        e.calls)
            END AS problem
        FROM itam_expected_triggers() e
        CROSS JOIN (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) s
        LEFT JOIN pg_proc p
            ON e.kind = 'function' AND p.proname = e.name AND p.pronamespace = s.oid
        LEFT JOIN pg_class c
            ON e.kind = 'trigger' AND c.relname = e.on_table AND c.relnamespace = s.oid
        LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = e.name AND NOT t.tgisinternal
        LEFT JOIN pg_proc f ON f.oid = t.tgfoid
        LEFT JOIN pg_roles r ON e.kind = 'role' AND r.rolname = e.name
    ) checked
    WHERE problem IS NOT NULL
    ORDER BY kind DESC, name
$$;
