//! The server enforces the audit trail (postgres/0009_roles.sql), tested by connecting as
//! technician, auditor and admin login roles with psql, as a person with psql in hand would:
//! whatever itam does, the database itself refuses. Needs a cluster (`ITAM_TEST_PG`); each test
//! says it is skipped, and why, without one.

mod common;

use common::pg;

/// A migrated database and login roles made with itam_grant, dropped afterwards (roles are
/// cluster-wide, so each test's names are its own).
struct Fixture {
    db: Option<pg::TempDb>,
    base: String,
    users: Vec<String>,
}

impl Fixture {
    fn new(test: &str) -> Option<Fixture> {
        let base = pg::base_or_skip(test)?;
        let db = pg::TempDb::create(&base);
        pg::migrate(&db.url);
        Some(Fixture {
            db: Some(db),
            base,
            users: Vec::new(),
        })
    }

    fn db(&self) -> &pg::TempDb {
        self.db.as_ref().expect("database")
    }

    /// The owner's (superuser's) connection.
    fn owner(&self) -> String {
        self.db().url.clone()
    }

    /// A new login role in `role` (technician, auditor, admin), granted by the owner; its URL.
    fn user(&mut self, role: &str) -> (String, String) {
        let name = pg::unique(&format!("u_{role}"));
        let said = pg::psql_ok(
            &self.owner(),
            &format!("SELECT itam_grant('{name}', '{role}')"),
        );
        assert_eq!(
            said,
            format!("created login role {name}; {name} is itam_{role}")
        );
        self.users.push(name.clone());
        let url = self.db().url_as(&name);
        (name, url)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        drop(self.db.take());
        for u in &self.users {
            let _ = pg::psql(&self.base, &format!("DROP ROLE IF EXISTS {u}"));
        }
    }
}

const EVENT: &str = "INSERT INTO events(kind, actor, at) VALUES ('create', 'postgres', '2026-01-01T00:00:00Z') RETURNING id";

fn denied(url: &str, sql: &str, table: &str) {
    let err = pg::psql_err(url, sql);
    assert!(
        err.contains(&format!("permission denied for table {table}")),
        "{sql}: {err}"
    );
}

fn history_counts(f: &Fixture) -> String {
    pg::psql_ok(
        &f.owner(),
        "SELECT (SELECT count(*) FROM events) || ',' || (SELECT count(*) FROM event_chain)",
    )
}

#[test]
fn a_technician_cannot_update_delete_or_truncate_the_history() {
    let Some(mut f) = Fixture::new("a_technician_cannot_update_delete_or_truncate_the_history")
    else {
        return;
    };
    let (_, tech) = f.user("technician");
    // Appending is allowed: the event and its hash, under the write lock.
    let out = pg::psql_ok(
        &tech,
        &format!(
            "BEGIN; SELECT 'locked' FROM chain_lock WHERE id = 1 FOR UPDATE; {EVENT};
             INSERT INTO event_chain(event_id, hash) SELECT max(id), 'h' FROM events;
             COMMIT;"
        ),
    );
    assert_eq!(out, "locked\n1");
    for (sql, table) in [
        ("UPDATE events SET note = 'changed'", "events"),
        ("UPDATE events SET actor = 'someone'", "events"),
        ("DELETE FROM events", "events"),
        ("TRUNCATE events CASCADE", "events"),
        ("UPDATE event_chain SET hash = 'forged'", "event_chain"),
        ("DELETE FROM event_chain", "event_chain"),
        ("TRUNCATE event_chain", "event_chain"),
    ] {
        denied(&tech, sql, table);
    }
    // Nor switch the guards off, or replace them: only the owner may touch triggers.
    for sql in [
        "ALTER TABLE events DISABLE TRIGGER events_no_update",
        "DROP TRIGGER events_actor ON events",
    ] {
        let err = pg::psql_err(&tech, sql);
        // "must be owner of table events" (or "relation", depending on the statement)
        assert!(
            err.contains("must be owner of") && err.contains(" events"),
            "{sql}: {err}"
        );
    }
    assert_eq!(history_counts(&f), "1,1");
}

#[test]
fn a_technician_cannot_forge_the_actor() {
    let Some(mut f) = Fixture::new("a_technician_cannot_forge_the_actor") else {
        return;
    };
    let (tech_name, tech) = f.user("technician");
    let (other, _) = f.user("technician");
    // Another person's name, the superuser's, the server's own: the row says who connected.
    for claimed in [other.as_str(), "postgres", "itam_admin", ""] {
        let actor = pg::psql_ok(
            &tech,
            &format!(
                "INSERT INTO events(kind, actor, at) VALUES ('checkout', '{claimed}', '2026-01-01T00:00:00Z') RETURNING actor"
            ),
        );
        assert_eq!(actor, tech_name, "claimed {claimed:?}");
    }
    // SET ROLE changes current_user, not session_user: the actor still names who logged in.
    let actor = pg::psql_ok(
        &tech,
        &format!(
            "SET ROLE itam_technician; {EVENT}; SELECT actor FROM events ORDER BY id DESC LIMIT 1"
        ),
    );
    assert_eq!(actor.lines().last(), Some(tech_name.as_str()));
    // The owner's own inserts are stamped the same way.
    let actor = pg::psql_ok(
        &f.owner(),
        "INSERT INTO events(kind, actor, at) VALUES ('x', 'someone', 'now') RETURNING actor",
    );
    assert_eq!(actor, "postgres");
}

/// The event `url` records when it claims `actor`: what the row says.
fn recorded_actor(url: &str, actor: &str) -> String {
    pg::psql_ok(
        url,
        &format!(
            "INSERT INTO events(kind, actor, at) VALUES ('checkout', '{actor}', '2026-01-01T00:00:00Z') RETURNING actor"
        ),
    )
}

#[test]
fn a_service_role_records_whom_it_writes_for_and_nobody_else() {
    let Some(mut f) = Fixture::new("a_service_role_records_whom_it_writes_for_and_nobody_else")
    else {
        return;
    };
    let (svc_name, svc) = f.user("service");
    let (tech_name, tech) = f.user("technician");
    // What `itam serve` and `itam sync` write on someone's behalf is kept.
    for claimed in ["api:alice", "sync:intune", "sync:jamf"] {
        assert_eq!(recorded_actor(&svc, claimed), claimed);
    }
    // Anything else is recorded as the service itself: a person, the owner, a group, the bare
    // prefixes, another case.
    for claimed in [
        "bob",
        "postgres",
        tech_name.as_str(),
        "itam_admin",
        "api:",
        "sync:",
        "API:alice",
        " api:alice",
        "",
    ] {
        assert_eq!(
            recorded_actor(&svc, claimed),
            svc_name,
            "claimed {claimed:?}"
        );
    }
    // A technician (or anyone not in itam_service) cannot pass as the API or a feed.
    for claimed in ["api:x", "sync:intune"] {
        assert_eq!(
            recorded_actor(&tech, claimed),
            tech_name,
            "claimed {claimed:?}"
        );
    }
    // Otherwise a technician: writes the register, appends history, changes none of it.
    pg::psql_ok(
        &svc,
        "BEGIN;
         SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE;
         INSERT INTO locations(code, name, created_at) VALUES ('HQ-101', 'Depot', 'now');
         COMMIT;",
    );
    denied(&svc, "UPDATE events SET note = 'changed'", "events");
    denied(&svc, "DELETE FROM events", "events");
    denied(
        &svc,
        "INSERT INTO api_tokens(username, hash, created_at, created_by) VALUES ('a', 'b', 'now', 'c')",
        "api_tokens",
    );
    let err = pg::psql_err(&svc, &format!("SELECT itam_grant('{svc_name}', 'admin')"));
    assert!(
        err.contains("permission denied for function itam_grant"),
        "{err}"
    );
    // Made a technician, it loses the exception.
    pg::psql_ok(
        &f.owner(),
        &format!("SELECT itam_grant('{svc_name}', 'technician')"),
    );
    assert_eq!(recorded_actor(&svc, "api:alice"), svc_name);
}

/// An audit started by `url` claiming `started_by`, scanned claiming `scan_actor`, then closed
/// claiming `closed_by`; returns what was recorded: `started_by|actor|closed_by`.
fn audit_as(url: &str, started_by: &str, scan_actor: &str, closed_by: &str) -> String {
    pg::psql_ok(
        url,
        &format!(
            "BEGIN;
             SELECT FROM chain_lock WHERE id = 1 FOR UPDATE;
             INSERT INTO audits(location_id, started_at, started_by) VALUES (1, 'now', '{started_by}');
             INSERT INTO audit_scans(audit_id, code, result, at, actor)
                 SELECT max(id), 'X-1', 'unknown', 'now', '{scan_actor}' FROM audits;
             UPDATE audits SET closed_at = 'now', closed_by = '{closed_by}'
                 WHERE id = (SELECT max(id) FROM audits) AND closed_at IS NULL;
             COMMIT;
             SELECT a.started_by || '|' || s.actor || '|' || a.closed_by
                 FROM audits a JOIN audit_scans s ON s.audit_id = a.id
                 ORDER BY a.id DESC LIMIT 1"
        ),
    )
}

#[test]
fn who_started_scanned_and_closed_an_audit_is_the_servers_word() {
    let Some(mut f) = Fixture::new("who_started_scanned_and_closed_an_audit_is_the_servers_word")
    else {
        return;
    };
    let (tech_name, tech) = f.user("technician");
    let (svc_name, svc) = f.user("service");
    pg::psql_ok(
        &f.owner(),
        "INSERT INTO locations(code, name, created_at) VALUES ('HQ-101', 'Depot', 'now')",
    );
    assert_eq!(
        audit_as(&tech, "bob", "postgres", "api:alice"),
        format!("{tech_name}|{tech_name}|{tech_name}")
    );
    // The service keeps whom it audits for, as in the history, and nothing else.
    assert_eq!(
        audit_as(&svc, "api:alice", "sync:intune", "bob"),
        format!("api:alice|sync:intune|{svc_name}")
    );
    // Once recorded, nobody (not even the owner) rewrites it: the UPDATE leaves them as they were.
    for url in [&tech, &f.owner()] {
        let after = pg::psql_ok(
            url,
            "UPDATE audits SET started_by = 'x', closed_by = 'y', note = 'edited';
             UPDATE audit_scans SET actor = 'z';
             SELECT string_agg(a.started_by || '|' || s.actor || '|' || a.closed_by || '|' || a.note, ' ' ORDER BY a.id)
                 FROM audits a JOIN audit_scans s ON s.audit_id = a.id",
        );
        assert_eq!(
            after,
            format!("{tech_name}|{tech_name}|{tech_name}|edited api:alice|sync:intune|{svc_name}|edited")
        );
    }
    // An audit inserted already closed (an import, say) is stamped all the same.
    let row = pg::psql_ok(
        &tech,
        "INSERT INTO audits(location_id, started_at, started_by, closed_at, closed_by)
             VALUES (1, 'then', 'bob', 'now', 'carol') RETURNING started_by || '|' || closed_by",
    );
    assert_eq!(row, format!("{tech_name}|{tech_name}"));
}

#[test]
fn an_api_token_names_the_person_who_made_it() {
    let Some(mut f) = Fixture::new("an_api_token_names_the_person_who_made_it") else {
        return;
    };
    let (admin_name, admin) = f.user("admin");
    // Not even as `api:` or `sync:`, and not even for a superuser: tokens are made at a terminal.
    let mut n = 0;
    for (url, claimed, recorded) in [
        (&admin, "bob", admin_name.as_str()),
        (&admin, "api:alice", admin_name.as_str()),
        (&f.owner(), "api:alice", "postgres"),
        (&f.owner(), "sync:intune", "postgres"),
    ] {
        n += 1;
        let by = pg::psql_ok(
            url,
            &format!(
                "INSERT INTO api_tokens(username, hash, created_at, created_by)
                     VALUES ('svc', 'h{n}', 'now', '{claimed}') RETURNING created_by"
            ),
        );
        assert_eq!(by, recorded, "claimed {claimed:?}");
    }
    // Revoking (an UPDATE) keeps it; so does an attempt to rewrite it.
    let by = pg::psql_ok(
        &admin,
        "UPDATE api_tokens SET revoked_at = 'now', created_by = 'mallory' WHERE hash = 'h1';
         SELECT created_by || '|' || revoked_at FROM api_tokens WHERE hash = 'h1'",
    );
    assert_eq!(by, format!("{admin_name}|now"));
}

#[test]
fn a_technician_writes_the_register_but_not_tokens_or_grants() {
    let Some(mut f) = Fixture::new("a_technician_writes_the_register_but_not_tokens_or_grants")
    else {
        return;
    };
    let (_, tech) = f.user("technician");
    pg::psql_ok(
        &tech,
        "BEGIN;
         SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE;
         INSERT INTO locations(code, name, created_at) VALUES ('HQ-101', 'Depot', 'now');
         INSERT INTO assets(tag, status, location_id, created_at, updated_at)
             VALUES ('IT-1', 'in_stock', 1, 'now', 'now');
         UPDATE assets SET condition = 'fair', version = version + 1 WHERE tag = 'IT-1';
         INSERT INTO custom_fields(name, kind, created_at) VALUES ('RAM', 'number', 'now');
         INSERT INTO asset_field_values VALUES (1, 1, '16');
         DELETE FROM asset_field_values;
         COMMIT;",
    );
    denied(
        &tech,
        "INSERT INTO api_tokens(username, hash, created_at, created_by) VALUES ('a', 'b', 'now', 'c')",
        "api_tokens",
    );
    denied(&tech, "TRUNCATE assets", "assets");
    denied(&tech, "DELETE FROM chain_lock", "chain_lock");
    let err = pg::psql_err(&tech, "SELECT itam_grant('mallory', 'admin')");
    assert!(
        err.contains("permission denied for function itam_grant"),
        "{err}"
    );
    let exists = pg::psql_ok(
        &f.owner(),
        "SELECT count(*) FROM pg_roles WHERE rolname = 'mallory'",
    );
    assert_eq!(exists, "0");
}

#[test]
fn an_auditor_reads_everything_and_writes_nothing() {
    let Some(mut f) = Fixture::new("an_auditor_reads_everything_and_writes_nothing") else {
        return;
    };
    let (_, aud) = f.user("auditor");
    pg::psql_ok(
        &f.owner(),
        "INSERT INTO locations(code, name, created_at) VALUES ('HQ-101', 'Depot', 'now');
         INSERT INTO assets(tag, status, location_id, created_at, updated_at)
             VALUES ('IT-1', 'in_stock', 1, 'now', 'now')",
    );
    let tables = pg::psql_ok(
        &f.owner(),
        "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    let tables: Vec<&str> = tables.split(' ').collect();
    assert!(tables.len() >= 30, "{tables:?}");
    for t in &tables {
        pg::psql_ok(&aud, &format!("SELECT count(*) FROM {t}"));
        denied(&aud, &format!("DELETE FROM {t}"), t);
        denied(&aud, &format!("TRUNCATE {t}"), t);
    }
    denied(
        &aud,
        "INSERT INTO locations(code, name, created_at) VALUES ('X', 'x', 'now')",
        "locations",
    );
    denied(&aud, "UPDATE assets SET condition = 'poor'", "assets");
    denied(&aud, EVENT, "events");
    denied(
        &aud,
        "INSERT INTO event_chain(event_id, hash) VALUES (1, 'h')",
        "event_chain",
    );
    // Not even a write's first step: the lock.
    denied(
        &aud,
        "SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE",
        "chain_lock",
    );
    assert_eq!(
        pg::psql_ok(&f.owner(), "SELECT condition FROM assets"),
        "good"
    );
}

#[test]
fn itam_grant_keeps_a_person_in_exactly_one_group_and_only_admins_call_it() {
    let Some(mut f) =
        Fixture::new("itam_grant_keeps_a_person_in_exactly_one_group_and_only_admins_call_it")
    else {
        return;
    };
    let (_, admin) = f.user("admin");
    // An admin (not a superuser) creates a technician, then makes them an auditor.
    let name = pg::unique("u_person");
    f.users.push(name.clone());
    let said = pg::psql_ok(
        &admin,
        &format!("SELECT itam_grant('{name}', 'technician')"),
    );
    assert_eq!(
        said,
        format!("created login role {name}; {name} is itam_technician")
    );
    let said = pg::psql_ok(&admin, &format!("SELECT itam_grant('{name}', 'Auditor')"));
    assert_eq!(
        said,
        format!("{name} is itam_auditor (was itam_technician)")
    );
    let groups = pg::psql_ok(
        &f.owner(),
        &format!(
            "SELECT string_agg(g.rolname, ',') FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
             WHERE u.rolname = '{name}'"
        ),
    );
    assert_eq!(groups, "itam_auditor");
    // Now read-only for real.
    denied(
        &f.db().url_as(&name),
        "INSERT INTO locations(code, name, created_at) VALUES ('X', 'x', 'now')",
        "locations",
    );
    // The admin writes everything (the history still only by appending).
    pg::psql_ok(
        &admin,
        "INSERT INTO api_tokens(username, hash, created_at, created_by) VALUES ('a', 'b', 'now', 'c')",
    );
    for (sql, message) in [
        (
            format!("SELECT itam_grant('{name}', 'root')"),
            "unknown itam role 'root': use technician, auditor, admin or service",
        ),
        (
            "SELECT itam_grant('itam_auditor', 'admin')".to_string(),
            "itam_auditor is a group or reserved role",
        ),
        (
            "SELECT itam_grant('', 'admin')".to_string(),
            "a user name is required",
        ),
    ] {
        let err = pg::psql_err(&admin, &sql);
        assert!(err.contains(message), "{sql}: {err}");
    }
    // The auditor it made cannot call it.
    let err = pg::psql_err(
        &f.db().url_as(&name),
        &format!("SELECT itam_grant('{name}', 'admin')"),
    );
    assert!(
        err.contains("permission denied for function itam_grant"),
        "{err}"
    );
}

#[test]
fn the_roles_migration_can_run_again_in_another_database() {
    let Some(f) = Fixture::new("the_roles_migration_can_run_again_in_another_database") else {
        return;
    };
    // The group roles exist already (cluster-wide): a second database migrates all the same.
    let second = pg::TempDb::create(&f.base);
    pg::migrate(&second.url);
    assert_eq!(
        pg::psql_ok(
            &second.url,
            "SELECT count(*) FROM pg_roles WHERE rolname IN ('itam_technician', 'itam_auditor', 'itam_admin', 'itam_service')"
        ),
        "4"
    );
}

/// No cluster needed: the test databases' URLs are the base URL with the database (and user)
/// replaced.
#[test]
fn connection_strings_get_their_database_and_user_replaced() {
    assert_eq!(
        pg::with_db(
            "postgresql:///postgres?host=/tmp/x/sock&user=postgres",
            "t1",
            None
        ),
        "postgresql:///t1?host=/tmp/x/sock&user=postgres"
    );
    assert_eq!(
        pg::with_db(
            "postgresql:///postgres?host=/tmp/x/sock&user=postgres",
            "t1",
            Some("bob")
        ),
        "postgresql:///t1?host=/tmp/x/sock&user=bob"
    );
    assert_eq!(
        pg::with_db("postgres://me:pw@db.example:5433/x", "t1", Some("bob")),
        "postgres://db.example:5433/t1?user=bob"
    );
    assert_eq!(
        pg::with_db("postgresql://db.example", "t1", None),
        "postgresql://db.example/t1"
    );
    assert_eq!(
        pg::with_db("host=/tmp/s user=postgres", "t1", Some("bob")),
        "host=/tmp/s user=postgres dbname=t1 user=bob"
    );
}
