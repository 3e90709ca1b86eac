//! Kill -9 a writer at random moments, 52 trials in all: during a 2,000-row import, during an
//! audit scan stream on the command line, and during a scan stream in the full-screen app.
//! After each: `itam check` passes, the import is all or nothing, and every scan acknowledged
//! on stdout or on screen is in the database. The delays come from a seeded generator
//! (`ITAM_TEST_SEED` replays a run).

mod common;
#[path = "common/pty.rs"]
mod pty;

use assert_cmd::cargo::cargo_bin;
use common::{Env, Rng};
use itam::store::sql::params;
use itam::store::{NewAsset, NewLocation, NewPerson, OpenOptions, Store};
use pty::Pty;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const IMPORT_TRIALS: usize = 20;
const IMPORT_ROWS: usize = 2000;
const AUDIT_TRIALS: usize = 20;
const AUDIT_CODES: usize = 400;
const TUI_TRIALS: usize = 12;

// `db` is what `--db` gets: an SQLite file, or the test's PostgreSQL database under
// ITAM_TEST_PG (`Env::target`), where a kill -9 is the server rolling back a dropped session.
fn itam(db: &OsStr, home: &Path) -> Command {
    let mut c = Command::new(cargo_bin("itam"));
    c.arg("--db")
        .arg(db)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("ITAM_DB")
        .env("NO_COLOR", "1");
    c
}

fn check_passes(db: &OsStr, home: &Path, trial: &str) {
    let out = itam(db, home).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "{trial}: itam check failed after the kill: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sigkill(child: &std::process::Child) {
    // SAFETY: kill(2) on our own child, which has not been reaped yet.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
}

fn open(db: &OsStr, opts: &OpenOptions) -> Store {
    Store::open(Path::new(db), opts).unwrap()
}

fn count(db: &OsStr, sql: &str, p: &str) -> i64 {
    let s = Store::open(Path::new(db), &OpenOptions { read_only: true }).unwrap();
    s.conn().query_row(sql, params![p], |r| r.get(0)).unwrap()
}

fn setup(db: &OsStr) {
    let mut s = open(db, &OpenOptions::default());
    s.add_location(&NewLocation {
        code: "DEPOT".into(),
        name: "Depot".into(),
        parent: None,
    })
    .unwrap();
    s.add_person(&NewPerson {
        username: "jdoe".into(),
        full_name: "Jane Doe".into(),
        ..Default::default()
    })
    .unwrap();
}

#[test]
fn a_killed_import_is_all_or_nothing() {
    let mut rng = Rng::new(common::seed("crash import"));
    let e = Env::new();
    let (dir, db) = (&e.dir, e.target());
    let home = dir.path();
    setup(&db);
    // The first trial runs to the end and times the import; later kills land across that span.
    let mut span = Duration::from_millis(1500);
    let (mut whole, mut none) = (0, 0);
    for trial in 0..IMPORT_TRIALS {
        let prefix = format!("K{trial:02}");
        let csv = dir.path().join(format!("{prefix}.csv"));
        let mut text = String::from("Asset Tag,Asset Name,Model,Serial Number,Purchase Cost\n");
        for i in 0..IMPORT_ROWS {
            text.push_str(&format!(
                "{prefix}-{i:05},Crash {i},Latitude 7440,SN{prefix}{i:05},1299.00\n"
            ));
        }
        std::fs::write(&csv, text).unwrap();
        let started = Instant::now();
        let mut child = itam(&db, home)
            .arg("import")
            .arg(&csv)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let finished_ok = if trial == 0 {
            let s = child.wait().unwrap();
            span = started.elapsed();
            eprintln!("crash import: one {IMPORT_ROWS}-row import takes {span:?}");
            s.success()
        } else {
            let delay = rng.below(span.as_millis() as u64 * 6 / 5 + 1);
            std::thread::sleep(Duration::from_millis(delay));
            sigkill(&child);
            child.wait().unwrap().success()
        };
        let n = count(
            &db,
            "SELECT count(*) FROM assets WHERE tag LIKE ?1 || '-%'",
            &prefix,
        );
        assert!(
            n == 0 || n == IMPORT_ROWS as i64,
            "trial {trial}: import half-applied: {n} of {IMPORT_ROWS} rows"
        );
        if finished_ok {
            assert_eq!(n, IMPORT_ROWS as i64, "trial {trial}: acknowledged import");
        }
        if n == 0 {
            none += 1;
        } else {
            whole += 1;
        }
        check_passes(&db, home, &format!("import trial {trial}"));
    }
    eprintln!("crash import: {IMPORT_TRIALS} trials, {whole} whole, {none} rolled back");
}

#[test]
fn every_audit_scan_printed_before_a_kill_is_recorded() {
    let mut rng = Rng::new(common::seed("crash audit"));
    let e = Env::new();
    let (dir, db) = (&e.dir, e.target());
    let home = dir.path();
    setup(&db);
    {
        let mut s = open(&db, &OpenOptions::default());
        for i in 0..50 {
            s.add_asset(&NewAsset {
                tag: format!("AU-{i:02}"),
                location: Some("DEPOT".into()),
                ..Default::default()
            })
            .unwrap();
        }
    }
    let mut span = Duration::from_millis(1000);
    let mut acked_total = 0;
    for trial in 0..AUDIT_TRIALS {
        let audit = {
            let mut s = open(&db, &OpenOptions::default());
            // One audit per trial keeps "already scanned" out of the way.
            let id = s.audit_start("DEPOT").unwrap().id;
            id.to_string()
        };
        // Unknown codes unique to this trial, with the room's real assets mixed in.
        let codes: Vec<String> = (0..AUDIT_CODES)
            .map(|i| {
                if i % 8 == 0 && i / 8 < 50 {
                    format!("AU-{:02}", i / 8)
                } else {
                    format!("X{trial:02}-{i:04}")
                }
            })
            .collect();
        let started = Instant::now();
        let mut child = itam(&db, home)
            .args(["audit", "scan", &audit])
            .args(&codes)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read acknowledgements as they are printed, on another thread, until the pipe closes.
        let printed = Arc::new(Mutex::new(Vec::<String>::new()));
        let reader = {
            let out = child.stdout.take().unwrap();
            let printed = printed.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(code) = line.split_whitespace().next() {
                        printed.lock().unwrap().push(code.to_string());
                    }
                }
            })
        };
        if trial == 0 {
            assert!(child.wait().unwrap().success());
            span = started.elapsed();
            eprintln!("crash audit: {AUDIT_CODES} scans take {span:?}");
        } else {
            let delay = rng.below(span.as_millis() as u64 * 6 / 5 + 1);
            std::thread::sleep(Duration::from_millis(delay));
            sigkill(&child);
            child.wait().unwrap();
        }
        reader.join().unwrap();
        let printed = printed.lock().unwrap().clone();
        // What was printed is what was sent, in order: a prefix of the codes.
        assert_eq!(printed[..], codes[..printed.len()], "trial {trial}");
        let s = open(&db, &OpenOptions { read_only: true });
        let recorded: Vec<String> = s
            .conn()
            .prepare("SELECT code FROM audit_scans WHERE audit_id = ?1 ORDER BY id")
            .unwrap()
            .query_map(params![audit.parse::<i64>().unwrap()], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        drop(s);
        // Every acknowledged scan is there, in order; at most one more (committed, not yet
        // printed when the kill came).
        assert!(
            recorded.len() >= printed.len() && recorded.len() <= printed.len() + 1,
            "trial {trial}: printed {} recorded {}",
            printed.len(),
            recorded.len()
        );
        assert_eq!(recorded[..printed.len()], printed[..], "trial {trial}");
        acked_total += printed.len();
        check_passes(&db, home, &format!("audit trial {trial}"));
    }
    eprintln!("crash audit: {AUDIT_TRIALS} trials, {acked_total} acknowledged scans all recorded");
    assert!(acked_total > 0);
}

/// Tags acknowledged as checked in on screen, from every complete frame in `raw`. Frames end
/// with the synchronized-update close (`ESC [ ? 2026 l`); a frame cut by the kill is ignored,
/// as a terminal that honours the mode would never have shown it.
fn acknowledged_on_screen(raw: &[u8]) -> Vec<String> {
    const END: &[u8] = b"\x1b[?2026l";
    let mut p = vt100::Parser::new(24, 80, 0);
    let mut seen = Vec::new();
    let mut rest = raw;
    while let Some(i) = rest.windows(END.len()).position(|w| w == END) {
        p.process(&rest[..i + END.len()]);
        rest = &rest[i + END.len()..];
        for line in p.screen().contents().lines() {
            let Some(after) = line.split("OK   ").nth(1) else {
                continue;
            };
            let mut words = after.split_whitespace();
            if let (Some(tag), Some("checked"), Some("in")) =
                (words.next(), words.next(), words.next())
            {
                if !seen.iter().any(|t| t == tag) {
                    seen.push(tag.to_string());
                }
            }
        }
    }
    seen
}

#[test]
fn every_scan_acknowledged_on_screen_survives_a_kill() {
    let mut rng = Rng::new(common::seed("crash tui"));
    let e = Env::new();
    let (dir, db) = (&e.dir, e.target());
    let home = dir.path();
    setup(&db);
    let mut screened = 0;
    for trial in 0..TUI_TRIALS {
        let tags: Vec<String> = (0..60).map(|i| format!("T{trial:02}-{i:02}")).collect();
        {
            let mut s = open(&db, &OpenOptions::default());
            for t in &tags {
                s.add_asset(&NewAsset {
                    tag: t.clone(),
                    location: Some("DEPOT".into()),
                    ..Default::default()
                })
                .unwrap();
                s.checkout(t, "jdoe", None, None).unwrap();
            }
        }
        let mut pty = Pty::spawn(
            &cargo_bin("itam"),
            &["--db", db.to_str().unwrap()],
            home,
            &[],
        );
        assert!(pty.wait_for("T", 10), "list shown: {}", pty.screen());
        pty.send(b"s");
        assert!(pty.wait_for("scan or type a code", 5), "{}", pty.screen());
        pty.send(b"\x1bOS"); // F4: check-in mode
        assert!(pty.wait_for("grade: as is", 5), "{}", pty.screen());
        let burst: String = tags.iter().map(|t| format!("{t}\r")).collect();
        pty.send(burst.as_bytes());
        std::thread::sleep(Duration::from_millis(rng.below(1200)));
        sigkill(&pty.child);
        let _ = pty.child.wait();
        // Let the reader thread drain what the tty still holds.
        std::thread::sleep(Duration::from_millis(100));
        let acked = acknowledged_on_screen(pty.text().as_bytes());
        for t in &acked {
            let n = count(
                &db,
                "SELECT count(*) FROM events e JOIN assets a ON a.id = e.asset_id \
                 WHERE e.kind = 'checkin' AND a.tag = ?1",
                t,
            );
            assert_eq!(
                n, 1,
                "trial {trial}: {t} was shown checked in but has {n} check-ins"
            );
        }
        screened += acked.len();
        check_passes(&db, home, &format!("tui trial {trial}"));
    }
    eprintln!("crash tui: {TUI_TRIALS} trials, {screened} on-screen acknowledgements all recorded");
    assert!(
        screened > 0,
        "no trial got as far as an acknowledgement on screen"
    );
}

/// Kill -9 a restore at random moments while a writer keeps adding assets: afterwards the
/// database is the backup or the old ledger plus writes, never a mixture; `itam check` passes;
/// nothing is left beside the backup; and the next restore (no kill) goes through.
#[test]
fn a_killed_restore_under_a_writer_leaves_old_or_new() {
    const TRIALS: usize = 8;
    sqlite_only!("backup and restore copy SQLite files (pg_dump/pg_restore on PostgreSQL)");
    let mut rng = Rng::new(common::seed("crash restore"));
    let e = Env::new();
    let (dir, db) = (&e.dir, e.target());
    let home = dir.path();
    setup(&db);
    {
        let mut s = open(&db, &OpenOptions::default());
        for i in 0..300 {
            s.add_asset(&NewAsset {
                tag: format!("BASE-{i:04}"),
                location: Some("DEPOT".into()),
                ..Default::default()
            })
            .unwrap();
        }
    }
    let backup = dir.path().join("backup.db");
    assert!(itam(&db, home)
        .arg("backup")
        .arg(&backup)
        .status()
        .unwrap()
        .success());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, home, stop) = (db.clone(), home.to_path_buf(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let out = itam(&db, &home)
                    .args(["add", "--tag", &format!("W-{n:05}")])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            n
        })
    };
    let mut span = Duration::from_millis(300);
    for trial in 0..TRIALS {
        let started = Instant::now();
        let mut child = itam(&db, home)
            .arg("restore")
            .arg(&backup)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if trial == 0 {
            assert!(child.wait().unwrap().success());
            span = started.elapsed();
        } else {
            std::thread::sleep(Duration::from_millis(
                rng.below(span.as_millis() as u64 + 1),
            ));
            sigkill(&child);
            let _ = child.wait();
        }
        check_passes(&db, home, &format!("restore trial {trial}"));
        let base = count(
            &db,
            "SELECT count(*) FROM assets WHERE tag LIKE ?1 || '-%'",
            "BASE",
        );
        assert_eq!(base, 300, "restore trial {trial}: the ledger lost rows");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(itam(&db, home)
        .arg("restore")
        .arg(&backup)
        .status()
        .unwrap()
        .success());
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM assets WHERE tag LIKE ?1 || '-%'",
            "W"
        ),
        0
    );
    check_passes(&db, home, "the last restore");
    for ext in ["-wal", "-shm"] {
        assert!(!dir.path().join(format!("backup.db{ext}")).exists());
    }
    // The staging folders of killed restores were cleared by the next one.
    let stale: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restore-") || n.ends_with(".partial"))
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    eprintln!("crash restore: {TRIALS} trials, {writes} writes alongside");
}
