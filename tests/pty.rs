//! End to end through a pseudo-terminal: the real binary, a real tty, keys as bytes.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::Env;
use itam::store::{NewAsset, NewLocation, NewPerson, Store};
use pty::Pty;
use std::process::Command;
use std::time::{Duration, Instant};

fn spawn(args: &[&str], home: &std::path::Path) -> Pty {
    Pty::spawn(&assert_cmd::cargo::cargo_bin("itam"), args, home, &[])
}

/// The test's database (an SQLite file, or its own PostgreSQL database under `ITAM_TEST_PG`)
/// with a depot, one person and `tags`; `--db` for the TUI is `e.target()`.
fn setup(e: &Env, tags: &[String], deploy: bool) -> Store {
    let mut s = e.store();
    s.add_location(&NewLocation {
        code: "DEPOT".into(),
        name: "Depot".into(),
        parent: None,
    })
    .unwrap();
    s.add_person(&NewPerson {
        username: "jdoe".into(),
        full_name: "Jane Doe".into(),
        badge: Some("B-JDOE".into()),
        ..Default::default()
    })
    .unwrap();
    for t in tags {
        s.add_asset(&NewAsset {
            tag: t.clone(),
            model: Some("Latitude 7440".into()),
            location: Some("DEPOT".into()),
            ..Default::default()
        })
        .unwrap();
        if deploy {
            s.checkout(t, "jdoe", None, None).unwrap();
        }
    }
    s
}

#[test]
fn a_burst_of_100_scans_checks_in_all_100_in_order() {
    let e = Env::new();
    let tags: Vec<String> = (1..=100).map(|i| format!("PT-{i:03}")).collect();
    let store = setup(&e, &tags, true);
    let db = e.target();
    let mut pty = spawn(&["--db", db.to_str().unwrap()], e.dir.path());
    assert!(pty.wait_for("PT-001", 10), "list shown: {}", pty.screen());
    pty.send(b"s");
    assert!(
        pty.wait_for("scan or type a code", 5),
        "scan view: {}",
        pty.screen()
    );
    pty.send(b"\x1bOS"); // F4: check-in mode
    assert!(
        pty.wait_for("grade: as is", 5),
        "check-in mode: {}",
        pty.screen()
    );
    // One write: 100 codes, each with Enter, no delay at all.
    let burst: String = tags.iter().map(|t| format!("{t}\r")).collect();
    pty.send(burst.as_bytes());
    let end = Instant::now() + Duration::from_secs(20);
    let count = || -> i64 {
        store
            .conn()
            .query_row(
                "SELECT count(*) FROM events WHERE kind = 'checkin'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    while count() < 100 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    pty.send(b"\x03");
    let status = pty.wait_exit(10);
    assert!(
        status.is_some_and(|s| s.success()),
        "exited cleanly: {status:?}"
    );
    // All 100, in the order scanned, nothing merged or lost.
    let mut stmt = store
        .conn()
        .prepare("SELECT a.tag FROM events e JOIN assets a ON a.id = e.asset_id WHERE e.kind = 'checkin' ORDER BY e.id")
        .unwrap();
    let order: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(order, tags);
    let still_out: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM assets WHERE status = 'deployed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(still_out, 0);
    // The terminal was restored: alternate screen left, bracketed paste off.
    assert!(
        pty.wait_raw("\x1b[?1049l", 3) && pty.wait_raw("\x1b[?2004l", 3),
        "terminal restored"
    );
}

#[test]
fn a_change_in_another_process_shows_without_a_key_press() {
    let e = Env::new();
    let tags = vec!["LR-1".to_string()];
    setup(&e, &tags, false);
    let db = e.target();
    let pty = spawn(&["--db", db.to_str().unwrap()], e.dir.path());
    assert!(pty.wait_for("LR-1", 10), "{}", pty.screen());
    assert!(!pty.screen().contains("jdoe"));
    let t0 = Instant::now();
    let out = Command::new(assert_cmd::cargo::cargo_bin("itam"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "checkout",
            "LR-1",
            "--to",
            "jdoe",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(pty.wait_for("jdoe", 3), "refresh shown: {}", pty.screen());
    assert!(
        t0.elapsed() < Duration::from_millis(1500),
        "within a second or so: {:?}",
        t0.elapsed()
    );
    let mut pty = pty;
    pty.send(b"q");
    assert!(pty.wait_exit(5).is_some());
}

#[test]
fn sighup_restores_the_terminal_and_leaves_the_database_consistent() {
    let e = Env::new();
    let tags: Vec<String> = (1..=5).map(|i| format!("HU-{i}")).collect();
    let store = setup(&e, &tags, true);
    let db = e.target();
    let mut pty = spawn(&["--db", db.to_str().unwrap()], e.dir.path());
    assert!(pty.wait_for("HU-1", 10));
    pty.send(b"s");
    assert!(pty.wait_for("scan or type", 5));
    pty.send(b"\x1bOSHU-1\rHU-2\r");
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(pty.child.id() as i32, libc::SIGHUP) };
    assert!(pty.wait_exit(5).is_some(), "exits on SIGHUP");
    assert!(pty.wait_raw("\x1b[?1049l", 3));
    if !common::on_postgres() {
        let ok: String = store
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
    // The history replays to the same state (what `itam check` verifies).
    let report = store.check().unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let n: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'checkin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}
