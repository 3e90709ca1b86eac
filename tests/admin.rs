//! `itam check`, `itam backup`, `itam restore`, and the warnings that protect a shared ledger.

mod common;
use common::Env;

fn demo() -> Env {
    let e = Env::new();
    e.ok(&["demo", "--assets", "200", "--seed", "3"]);
    e
}

#[test]
fn check_passes_on_a_healthy_database_and_finds_tampering() {
    let e = demo();
    let r = e.json(&["check", "--json"]);
    assert_eq!(r["findings"].as_array().unwrap().len(), 0, "{r}");
    assert_eq!(r["assets"], 200);
    // Someone edits a row behind the ledger's back (no event): check says so and exits 1.
    e.sql("UPDATE assets SET location_id = (SELECT id FROM locations WHERE code = 'REPAIR') WHERE tag = 'IT-000010' AND location_id <> (SELECT id FROM locations WHERE code = 'REPAIR')");
    e.sql("UPDATE assets SET status = 'in_stock', assignee_id = NULL WHERE id = (SELECT id FROM assets WHERE status = 'deployed' LIMIT 1)");
    let out = e.itam().args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[replay]") && text.contains("history says status deployed"),
        "{text}"
    );
}

/// What `itam check --json` found, asserting it exits 1 for it.
fn finding_messages(e: &Env) -> Vec<String> {
    let r = e.json_code(&["check", "--json"], 1);
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_disposed_asset_changed_afterwards_is_found() {
    let e = Env::seeded();
    e.ok(&["status", "IT-0001", "retired"]);
    e.ok(&["dispose", "IT-0001", "--method", "recycle"]);
    // Forge an event after disposal (the store itself refuses such a change).
    e.sql("INSERT INTO events(asset_id, kind, actor, at, after) SELECT id, 'move', 'x', '2030-01-01T00:00:00Z', '{\"location\":\"HQ-101\"}' FROM assets WHERE tag = 'IT-0001'");
    let msgs = finding_messages(&e);
    assert!(
        msgs.iter()
            .any(|m| m.contains("changed after it was disposed")),
        "{msgs:?}"
    );
}

#[test]
fn an_asset_imported_as_disposed_needs_no_disposal_record_but_one_disposed_here_does() {
    let e = Env::seeded();
    let csv = e.dir.path().join("gone.csv");
    std::fs::write(&csv, "Asset Tag,Status\nOLD-1,Disposed\n").unwrap();
    e.ok(&["import", csv.to_str().unwrap()]);
    let r = e.json(&["check", "--json"]);
    assert_eq!(r["findings"].as_array().unwrap().len(), 0, "{r}");
    // A disposal done in itam without its record (forged: the store writes both together).
    e.sql("UPDATE assets SET status = 'disposed' WHERE tag = 'IT-0001'");
    e.sql("INSERT INTO events(asset_id, kind, actor, at, after) SELECT id, 'status', 'x', '2030-01-01T00:00:00Z', '{\"status\":\"disposed\"}' FROM assets WHERE tag = 'IT-0001'");
    // The forged event is also unhashed (see a_rewritten_history_is_evident); this test is
    // about the disposal rule.
    let msgs: Vec<String> = finding_messages(&e)
        .into_iter()
        .filter(|m| !m.contains("have no hash"))
        .collect();
    assert_eq!(
        msgs,
        vec!["IT-0001 is disposed without a disposal record".to_string()],
        "only the asset disposed here is missing its record"
    );
}

#[test]
fn backup_while_another_process_writes_then_restore() {
    sqlite_only!("itam backup and restore copy the SQLite file (on PostgreSQL, pg_dump does)");
    let e = demo();
    let db = e.db();
    // A writer flips one asset in and out while the backup runs.
    let tag: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT tag FROM assets WHERE status = 'in_stock' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let user: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT username FROM people WHERE active = 1 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut s = itam::store::Store::open(&db, &Default::default()).unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                s.checkout(&tag, &user, None, None).unwrap();
                s.checkin(&tag, None, None, None).unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let dest = e.dir.path().join("backup.db");
    e.ok(&["backup", dest.to_str().unwrap()]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(writer.join().unwrap() > 0, "the writer kept writing");
    // The copy is consistent on its own.
    let copy = e
        .bare()
        .args(["--db", dest.to_str().unwrap(), "check", "--json"])
        .output()
        .unwrap();
    assert!(
        copy.status.success(),
        "{}",
        String::from_utf8_lossy(&copy.stdout)
    );
    // Never overwritten.
    assert!(e
        .fails(&["backup", dest.to_str().unwrap()], 1)
        .contains("already exists"));
    // Change the live database, then restore the backup over it.
    e.ok(&["add", "--tag", "AFTER-BACKUP"]);
    let out = e
        .itam()
        .args(["restore", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(e.fails(&["show", "AFTER-BACKUP"], 1).contains("no asset"));
    assert_eq!(e.json(&["check", "--json"])["assets"], 200);
}

#[test]
fn restore_works_while_the_database_is_open_and_refuses_a_bad_backup() {
    sqlite_only!("itam backup and restore copy the SQLite file (on PostgreSQL, pg_dump does)");
    let e = demo();
    let dest = e.dir.path().join("b.db");
    e.ok(&["backup", dest.to_str().unwrap()]);
    e.ok(&["add", "--tag", "AFTER-BACKUP"]);
    let holder = e.store();
    assert!(holder.find_code("AFTER-BACKUP").unwrap().is_some());
    e.ok(&["restore", dest.to_str().unwrap()]);
    // The process that had it open all along sees the restored ledger, not a stale file.
    assert!(holder.find_code("AFTER-BACKUP").unwrap().is_none());
    drop(holder);
    let junk = e.dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database at all, not even close....").unwrap();
    let err = e.fails(&["restore", junk.to_str().unwrap()], 1);
    assert!(
        err.contains("not an itam") || err.contains("not a database"),
        "{err}"
    );
    e.ok(&["restore", dest.to_str().unwrap()]);
    assert_eq!(e.json(&["check", "--json"])["assets"], 200);
}

#[test]
fn restore_keeps_the_targets_mode_and_leaves_nothing_beside_the_backup() {
    sqlite_only!("itam backup and restore copy the SQLite file (on PostgreSQL, pg_dump does)");
    use std::os::unix::fs::PermissionsExt;
    let e = demo();
    let dest = e.dir.path().join("b.db");
    e.ok(&["backup", dest.to_str().unwrap()]);
    std::fs::set_permissions(e.db(), std::fs::Permissions::from_mode(0o660)).unwrap();
    e.ok(&["restore", dest.to_str().unwrap()]);
    let mode = std::fs::metadata(e.db()).unwrap().permissions().mode() & 0o7777;
    assert_eq!(
        mode, 0o660,
        "restore changed the shared database's mode to {mode:o}"
    );
    for ext in ["-wal", "-shm", ".partial"] {
        let p = e.dir.path().join(format!("b.db{ext}"));
        assert!(!p.exists(), "restore left {}", p.display());
    }
    let leftovers: Vec<_> = std::fs::read_dir(e.dir.path())
        .unwrap()
        .filter_map(|d| d.ok())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restore") || n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn restore_of_the_database_onto_itself_says_so() {
    sqlite_only!("itam backup and restore copy the SQLite file (on PostgreSQL, pg_dump does)");
    let e = demo();
    let err = e.fails(&["restore", e.db().to_str().unwrap()], 1);
    assert!(err.contains("is the database itself"), "{err}");
    assert!(!err.contains("in use"), "{err}");
}

#[test]
fn backups_are_not_world_readable() {
    sqlite_only!("itam backup and restore copy the SQLite file (on PostgreSQL, pg_dump does)");
    use std::os::unix::fs::PermissionsExt;
    let e = demo();
    let dest = e.dir.path().join("b.db");
    e.ok(&["backup", dest.to_str().unwrap()]);
    let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode & 0o007,
        0,
        "a backup carries licence keys but is {mode:o}"
    );
    assert!(!e.dir.path().join("b.db.partial").exists());
}

#[test]
fn a_world_writable_database_is_warned_about() {
    sqlite_only!("it is about the SQLite file's mode");
    let e = Env::seeded();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(e.db(), std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = e.itam().args(["show", "IT-0001"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("world-writable"));
}

/// The kinds of quiet rewrite a group member could do with the sqlite3 shell (issue 15, item 6);
/// before the hash chain, `itam check` said ok to each.
#[test]
fn a_rewritten_history_is_evident() {
    sqlite_only!("its tampering is written in SQLite's trigger syntax (tests/pg_schema and pg_roles try PostgreSQL's guards)");
    let trials: &[(&str, &str, &str)] = &[
        (
            "a cost changed on the row",
            "UPDATE assets SET purchase_cost = '1.00' WHERE tag = 'IT-0001'",
            "history says purchase_cost 1649.00",
        ),
        (
            "a serial and a name changed on the row",
            "UPDATE assets SET serial = 'SN-FAKE', name = 'Other' WHERE tag = 'IT-0001'",
            "history says serial SN-AAA",
        ),
        (
            "an actor rewritten after dropping the trigger",
            "DROP TRIGGER events_no_update; UPDATE events SET actor = 'mallory' WHERE id = (SELECT min(id) FROM events)",
            "do not match their hash",
        ),
        (
            "the trigger dropped and put back different",
            "DROP TRIGGER events_no_delete; CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT 1; END",
            "trigger events_no_delete is not as shipped",
        ),
        (
            "a note rewritten, trigger restored as shipped",
            "DROP TRIGGER events_no_update; UPDATE events SET note = 'approved' WHERE id = (SELECT max(id) FROM events); \
             CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the events table is append-only: history cannot be changed'); END",
            "do not match their hash",
        ),
        (
            "a fake event with the matching row change",
            "INSERT INTO events(asset_id, kind, actor, at, before, after) SELECT id, 'move', 'root', '2026-01-01T00:00:00.000Z', '{}', '{\"location\":\"HQ-201\"}' FROM assets WHERE tag = 'IT-0001'; \
             UPDATE assets SET location_id = (SELECT id FROM locations WHERE code = 'HQ-201') WHERE tag = 'IT-0001'",
            "have no hash",
        ),
        (
            "a trigger added that rewrites what itam writes",
            "CREATE TRIGGER quiet AFTER INSERT ON assets BEGIN UPDATE assets SET notes = 'x' WHERE id = NEW.id; END",
            "trigger quiet on assets is not one itam ships",
        ),
        (
            "an event deleted",
            "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = (SELECT min(id) FROM events)",
            "gone from the history",
        ),
    ];
    for (what, sql, says) in trials {
        let e = Env::seeded();
        e.ok(&[
            "checkout",
            "IT-0001",
            "--to",
            "jdoe",
            "--note",
            "for travel",
        ]);
        e.ok(&["checkin", "IT-0001"]);
        let ok = e.ok(&["check"]);
        assert!(ok.contains("history chain head"), "{ok}");
        let c = rusqlite::Connection::open(e.db()).unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        c.execute_batch(sql).unwrap();
        drop(c);
        let found = finding_messages(&e);
        assert!(
            found.iter().any(|m| m.contains(says)),
            "{what}: wanted '{says}' in {found:?}"
        );
        // The next itam write does not bless what came in from outside.
        if *what == "a fake event with the matching row change" {
            e.ok(&["move", "IT-0001", "--to", "HQ-101"]);
            let found = finding_messages(&e);
            assert!(
                found.iter().any(|m| m.contains("have no hash")),
                "{found:?}"
            );
        }
    }
}

#[test]
fn the_chain_head_is_printed_by_check_backup_and_reports_and_moves_with_each_write() {
    sqlite_only!("half of it is the head itam backup records and restore verifies, SQLite-only");
    let e = Env::seeded();
    let head = |e: &Env| {
        e.json(&["check", "--json"])["head"]["hash"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = head(&e);
    assert_eq!(first.len(), 64);
    let text = e.ok(&["check"]);
    assert!(text.contains(&first), "{text}");
    let dest = e.dir.path().join("b.db");
    let said = e.ok(&["backup", dest.to_str().unwrap()]);
    assert!(said.contains(&first), "backup records the head: {said}");
    e.ok(&["move", "IT-0001", "--to", "HQ-201"]);
    let second = head(&e);
    assert_ne!(first, second);
    let audit = e.json(&["audit", "start", "HQ-101", "--json"]);
    let id = audit["id"].as_i64().unwrap().to_string();
    let r = e.json(&["report", "audit", &id, "--json"]);
    assert_eq!(r["history_head"]["hash"].as_str().unwrap().len(), 64);
    assert!(e
        .ok(&["report", "audit", &id])
        .contains("history chain head"));
    let r = e.json(&["report", "licences", "--json"]);
    assert_eq!(r["history_head"]["hash"].as_str().unwrap().len(), 64);
    // The backup verifies on its own, with the head it was made at.
    let out = e
        .bare()
        .args(["--db", dest.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    let restored = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && restored.contains(&first),
        "{restored}"
    );
}

#[test]
fn a_version_3_database_gets_its_history_chained_at_migration() {
    sqlite_only!("it upgrades a version-3 SQLite file written by the old SQLite migrations");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        for sql in [
            include_str!("../assets/migrations/0001_init.sql"),
            include_str!("../assets/migrations/0002_workflows.sql"),
            include_str!("../assets/migrations/0003_licences_money.sql"),
        ] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO assets(tag, status, created_at, updated_at) VALUES ('OLD-1', 'in_stock', 'x', 'x');
             INSERT INTO events(asset_id, kind, actor, at, after) VALUES (1, 'create', 'alice', '2025-01-01T00:00:00.000Z', '{\"tag\":\"OLD-1\",\"status\":\"in_stock\"}');",
        )
        .unwrap();
    }
    let s = itam::store::Store::open(&db, &Default::default()).unwrap();
    let r = s.check().unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!((r.head.events, r.head.last_event), (1, 1));
}
