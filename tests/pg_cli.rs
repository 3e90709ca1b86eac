//! `itam db grant` and what the roles it grants may do, through itam itself: a technician adds
//! and is the history's actor, an auditor is a read-only seat, only an admin grants. Needs a
//! cluster (`ITAM_TEST_PG`); each test says it is skipped, and why, without one. SQLite's
//! refusal is tested everywhere.

mod common;

use common::{pg, Env};

/// A migrated database of its own (created by itam as the cluster's superuser) and the login
/// roles a test granted, dropped afterwards (roles are cluster-wide).
struct Seat {
    env: Env,
    base: String,
    users: Vec<String>,
}

impl Seat {
    fn new(test: &str) -> Option<Seat> {
        let base = pg::base_or_skip(test)?;
        let env = Env::new();
        env.ok(&["init"]);
        Some(Seat {
            env,
            base,
            users: Vec::new(),
        })
    }

    fn db(&self) -> &pg::TempDb {
        self.env.pg.as_ref().expect("a PostgreSQL database")
    }

    /// `itam db grant NEW_USER --role ROLE` as the owner; the new user's name and URL.
    fn grant(&mut self, role: &str) -> (String, String) {
        let name = pg::unique(&format!("c_{role}"));
        self.users.push(name.clone());
        let said = self.env.ok(&["db", "grant", &name, "--role", role]);
        assert_eq!(
            said.trim(),
            format!("created login role {name}; {name} is itam_{role}")
        );
        let url = self.db().url_as(&name);
        (name, url)
    }

    /// `itam --db URL ARGS`.
    fn run_as(&self, url: &str, args: &[&str]) -> std::process::Output {
        self.env
            .bare()
            .arg("--db")
            .arg(url)
            .args(args)
            .output()
            .expect("run itam")
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        drop(self.env.pg.take());
        for u in &self.users {
            let _ = pg::psql(&self.base, &format!("DROP ROLE IF EXISTS {u}"));
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_technician_adds_and_is_the_historys_actor() {
    let Some(mut s) = Seat::new("a_technician_adds_and_is_the_historys_actor") else {
        return;
    };
    let (tech, url) = s.grant("technician");
    let out = s.run_as(&url, &["add", "--tag", "PG-0001", "--name", "Probook"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.run_as(&url, &["history", "PG-0001", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let actors: Vec<&str> = events
        .as_array()
        .expect("an array of events")
        .iter()
        .map(|e| e["actor"].as_str().expect("actor"))
        .collect();
    assert_eq!(actors, vec![tech.as_str()]);
}

#[test]
fn an_auditor_reads_but_its_add_is_refused_as_read_only() {
    let Some(mut s) = Seat::new("an_auditor_reads_but_its_add_is_refused_as_read_only") else {
        return;
    };
    s.env
        .ok(&["add", "--tag", "PG-0002", "--name", "Elitebook"]);
    let (auditor, url) = s.grant("auditor");
    let out = s.run_as(&url, &["add", "--tag", "PG-0003", "--name", "Nope"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "the database role {auditor} may only read this database"
        )) && err.contains("nothing was changed"),
        "{err}"
    );
    let shown = s.run_as(&url, &["show", "PG-0002"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(text(&shown.stdout).contains("Elitebook"));
    // Nothing written: the owner does not find it either.
    let owner = s.run_as(&s.db().url, &["show", "PG-0003"]);
    assert!(!owner.status.success(), "{}", text(&owner.stdout));
}

#[test]
fn only_an_admin_grants_and_a_grant_moves_a_person_between_groups() {
    let Some(mut s) = Seat::new("only_an_admin_grants_and_a_grant_moves_a_person_between_groups")
    else {
        return;
    };
    let (tech, tech_url) = s.grant("technician");
    let out = s.run_as(&tech_url, &["db", "grant", &tech, "--role", "admin"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the server refuses it to this database role"),
        "{}",
        text(&out.stderr)
    );
    let (_, admin_url) = s.grant("admin");
    let out = s.run_as(&admin_url, &["db", "grant", &tech, "--role", "auditor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("{tech} is itam_auditor (was itam_technician)")
    );
    let out = s.run_as(&tech_url, &["add", "--tag", "PG-0004"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("may only read"));
}

#[test]
fn grant_is_refused_on_sqlite() {
    let e = Env::new();
    let db = e.db();
    let sqlite = |args: &[&str]| e.bare().arg("--db").arg(&db).args(args).output();
    assert!(sqlite(&["init"]).expect("run itam").status.success());
    let out = sqlite(&["db", "grant", "alice", "--role", "technician"]).expect("run itam");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "roles are PostgreSQL's; on SQLite access is the file's permissions: see README"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_names_a_guard_the_superuser_dropped_or_disabled() {
    let Some(s) = Seat::new("check_names_a_guard_the_superuser_dropped_or_disabled") else {
        return;
    };
    s.env.ok(&["add", "--tag", "PG-0005"]);
    let clean = s.env.json(&["check", "--json"]);
    assert_eq!(clean["findings"], serde_json::json!([]), "{clean}");
    pg::psql_ok(
        &s.db().url,
        "DROP TRIGGER events_no_delete ON events; ALTER TABLE event_chain DISABLE TRIGGER event_chain_no_update",
    );
    let r = s.env.json_code(&["check", "--json"], 1);
    let found: Vec<(String, String)> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["check"].as_str().expect("check").to_string(),
                f["message"].as_str().expect("message").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "triggers".to_string(),
                "trigger event_chain_no_update: disabled".to_string()
            ),
            (
                "triggers".to_string(),
                "trigger events_no_delete: missing".to_string()
            ),
        ]
    );
    // The words for people, and the hash chain still replayed.
    let out = s.env.itam().arg("check").output().expect("run itam");
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(
        said.contains("[triggers] trigger events_no_delete: missing"),
        "{said}"
    );
    assert!(said.contains("history chain head"), "{said}");
}

#[test]
fn check_says_so_when_the_function_that_looks_is_gone() {
    let Some(s) = Seat::new("check_says_so_when_the_function_that_looks_is_gone") else {
        return;
    };
    pg::psql_ok(&s.db().url, "DROP FUNCTION itam_missing_triggers()");
    let out = s.env.itam().arg("check").output().expect("run itam");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("[triggers] function itam_missing_triggers is missing"),
        "{}",
        text(&out.stdout)
    );
}

/// A CSV file in the seat's temp dir.
fn csv(s: &Seat, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = s.env.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write csv");
    path
}

#[test]
fn an_import_is_copied_with_its_text_intact() {
    let Some(s) = Seat::new("an_import_is_copied_with_its_text_intact") else {
        return;
    };
    let f = csv(
        &s,
        "esc.csv",
        b"Asset Tag,Name,Notes,Checked Out To\nCP-1,tab\there,\"two\nlines\\ and \\N\",\nCP-2,,\\N,\n",
    );
    s.env.ok(&["import", f.to_str().expect("utf-8")]);
    let a = s.env.json(&["show", "CP-1", "--json"]);
    assert_eq!(a["name"], "tab\there");
    assert_eq!(a["notes"], "two\nlines\\ and \\N");
    let b = s.env.json(&["show", "CP-2", "--json"]);
    assert_eq!(b["name"], serde_json::Value::Null);
    assert_eq!(b["notes"], "\\N");
    // Each asset's create event points at it, in file order.
    let h = s.env.json(&["history", "CP-2", "--json"]);
    assert_eq!(h[0]["kind"], "create");
    let ids = pg::psql_ok(
        &s.db().url,
        "SELECT string_agg(tag, ',' ORDER BY id) FROM assets",
    );
    assert_eq!(ids, "CP-1,CP-2");
}

#[test]
fn a_row_postgresql_cannot_store_leaves_nothing_written() {
    let Some(s) = Seat::new("a_row_postgresql_cannot_store_leaves_nothing_written") else {
        return;
    };
    let f = csv(
        &s,
        "nul.csv",
        b"Asset Tag,Name\nNU-1,fine\nNU-2,nul\0byte\nNU-3,fine too\n",
    );
    let out = s
        .env
        .itam()
        .args(["import", f.to_str().expect("utf-8")])
        .output()
        .expect("run itam");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("asset NU-2: name holds a NUL byte") && err.contains("nothing was imported"),
        "{err}"
    );
    let counts = pg::psql_ok(
        &s.db().url,
        "SELECT (SELECT count(*) FROM assets) || ',' || (SELECT count(*) FROM events WHERE asset_id IS NOT NULL)",
    );
    assert_eq!(counts, "0,0");
}
