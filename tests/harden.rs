//! Hardening, round two (issue 15): outputs that must not destroy the ledger, a folder others
//! can write to, configs that fail closed, absurd values that must not panic, and the small
//! wrong answers. Each test failed before its fix.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::Env;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn export_and_label_never_write_over_the_database_or_an_existing_file() {
    sqlite_only!("it aims exports at the SQLite file and its -wal/-shm");
    let e = Env::seeded();
    let db = e.db();
    let before = std::fs::read(&db).unwrap();
    let dir = e.dir.path();
    let link = dir.join("planted.csv");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let wal_link = dir.join("planted-wal.csv");
    std::os::unix::fs::symlink(dir.join("itam.db-wal"), &wal_link).unwrap();
    for dest in [
        db.clone(),
        link.clone(),
        wal_link.clone(),
        dir.join("itam.db-shm"),
        dir.join("itam.db-journal"),
    ] {
        let d = dest.to_str().unwrap();
        for extra in [&[][..], &["--force"][..]] {
            let mut args = vec!["export", "--out", d];
            args.extend_from_slice(extra);
            let err = e.fails(&args, 1);
            assert!(err.contains("is the database"), "export --out {d}: {err}");
            let mut args = vec!["label", "IT-0001", "--out", d];
            args.extend_from_slice(extra);
            let err = e.fails(&args, 1);
            assert!(err.contains("is the database"), "label --out {d}: {err}");
        }
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database was written to"
    );
    e.ok(&["check"]);

    // An existing file needs --force; the new file is not world-readable.
    let out = dir.join("assets.csv");
    std::fs::write(&out, "keep me").unwrap();
    let err = e.fails(&["export", "--out", out.to_str().unwrap()], 1);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    e.ok(&["export", "--out", out.to_str().unwrap(), "--force"]);
    assert!(std::fs::read_to_string(&out).unwrap().contains("IT-0001"));
    let labels = dir.join("labels.zpl");
    e.ok(&["label", "IT-0001", "--out", labels.to_str().unwrap()]);
    let err = e.fails(&["label", "IT-0001", "--out", labels.to_str().unwrap()], 1);
    assert!(err.contains("already exists"), "{err}");
    for p in [&out, &labels] {
        assert_eq!(mode(p) & 0o007, 0, "{} is {:o}", p.display(), mode(p));
        assert!(!dir.join(format!("{}.partial", p.display())).exists());
    }
}

#[test]
fn a_failed_export_leaves_no_file() {
    let e = Env::seeded();
    let dir = e.dir.path();
    let csv = dir.join("many.csv");
    let rows: String = (0..3000)
        .map(|i| format!("BULK-{i:05},Bulk asset number {i}\n"))
        .collect();
    std::fs::write(&csv, format!("Asset Tag,Asset Name\n{rows}")).unwrap();
    e.ok(&["import", csv.to_str().unwrap()]);
    e.ok(&["check"]);
    // The export dies half-way: no file may grow past 96 KiB (as on a full disk).
    let dest = dir.join("export.csv");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("itam"));
    cmd.args([
        "--db",
        e.db().to_str().unwrap(),
        "export",
        "--out",
        dest.to_str().unwrap(),
    ])
    .env("XDG_CONFIG_HOME", dir.join("config"))
    .env("XDG_DATA_HOME", dir.join("data"));
    // SAFETY: setrlimit and signal are async-signal-safe; SIGXFSZ ignored so a write past the
    // limit fails with EFBIG instead of killing the process.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: 96 * 1024,
                rlim_max: 96 * 1024,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dest.exists(), "a truncated export was left behind");
    let partials: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partials.is_empty());
}

#[test]
fn a_database_in_a_folder_anyone_can_write_is_refused() {
    sqlite_only!("it is about the SQLite file's folder");
    let e = Env::seeded();
    let shared = e.dir.path().join("tmp");
    std::fs::create_dir(&shared).unwrap();
    let db = shared.join("itam.db");
    std::fs::copy(e.db(), &db).unwrap();
    for m in [0o1777, 0o777] {
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(m)).unwrap();
        let out = e
            .bare()
            .args(["--db", db.to_str().unwrap(), "show", "IT-0001"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "mode {m:o}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("writable by everyone"), "{err}");
    }
}

#[test]
fn a_wal_planted_by_an_outsider_is_refused() {
    sqlite_only!("it plants a SQLite -wal file");
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        eprintln!("SKIPPED: needs root to make a file owned by another user");
        return;
    }
    let outsider = Env::new();
    outsider.ok(&["add", "--tag", "MINE-1"]);
    let victim = Env::seeded();
    for i in 0..20 {
        victim.ok(&["add", "--tag", &format!("V-{i}")]);
    }
    // The outsider's own WAL, with his data, next to the victim's database.
    let src = rusqlite::Connection::open(outsider.db()).unwrap();
    src.execute_batch("PRAGMA wal_autocheckpoint = 0; INSERT INTO teams(name) VALUES ('evil');")
        .unwrap();
    let planted = victim.dir.path().join("itam.db-wal");
    std::fs::copy(outsider.dir.path().join("itam.db-wal"), &planted).unwrap();
    drop(src);
    std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
    let err = victim.fails(&["show", "V-3"], 1);
    assert!(
        err.contains("itam.db-wal") && err.contains("neither"),
        "{err}"
    );
    std::fs::remove_file(&planted).unwrap();
    assert!(victim.ok(&["show", "V-3"]).contains("V-3"));
    assert_eq!(victim.json(&["check", "--json"])["assets"], 21);
}

#[test]
fn absurd_day_counts_are_refused_not_panicked_on() {
    let e = Env::seeded();
    for days in ["100000000", "36501", "-1", "9223372036854775807"] {
        let err = e.fails(&["report", "ghosts", &format!("--days={days}")], 2);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("--days"), "{err}");
    }
    e.ok(&["report", "ghosts", "--days", "36500"]);
    let s = e.store();
    let err = s
        .ghosts(i64::MAX / 2, "2026-11-30T00:00:00.000Z")
        .unwrap_err();
    assert!(err.to_string().contains("not a date"), "{err}");
}

#[test]
fn one_absurd_cost_is_refused_at_the_door_and_never_breaks_a_money_report() {
    let e = Env::seeded();
    let huge = "79228162514264337593543950335";
    let err = e.fails(&["add", "--tag", "HUGE-1", "--cost", huge], 1);
    assert!(err.contains("limit of 1000000000000"), "{err}");
    let err = e.fails(&["edit", "IT-0001", "--cost", huge], 1);
    assert!(err.contains("limit"), "{err}");
    let csv = e.dir.path().join("huge.csv");
    std::fs::write(&csv, format!("Asset Tag,Purchase Cost\nHUGE-2,{huge}\n")).unwrap();
    let err = String::from_utf8_lossy(
        &e.itam()
            .args(["import", csv.to_str().unwrap()])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    assert!(err.contains("limit"), "{err}");
    // Written anyway by an older itam or the sqlite3 shell: the reports still run for everyone.
    e.ok(&[
        "add",
        "--tag",
        "HUGE-3",
        "--cost",
        "10",
        "--purchased",
        "2025-01-01",
    ]);
    e.ok(&[
        "add",
        "--tag",
        "HUGE-4",
        "--cost",
        "10",
        "--purchased",
        "2025-01-01",
    ]);
    e.sql(&format!(
        "UPDATE assets SET purchase_cost = '{huge}' WHERE tag IN ('HUGE-3', 'HUGE-4')"
    ));
    for args in [
        &["report", "depreciation"][..],
        &["report", "depreciation", "--group-by", "category"],
        &["report", "tco"],
        &["report", "tco", "--group-by", "model"],
        &["report", "eol", "--within", "100y"],
        &["report", "licences"],
    ] {
        let out = e.itam().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {err}");
    }
}

#[test]
fn costs_are_rounded_to_the_minor_unit_and_odd_numbers_refused() {
    let e = Env::seeded();
    e.ok(&["add", "--tag", "R-1", "--cost", "12.345"]);
    assert_eq!(e.json(&["show", "R-1", "--json"])["purchase_cost"], "12.34");
    e.ok(&["add", "--tag", "R-2", "--cost", "12.5", "--currency", "JPY"]);
    assert_eq!(e.json(&["show", "R-2", "--json"])["purchase_cost"], "12");
    e.ok(&["edit", "R-1", "--cost", "0.125"]);
    assert_eq!(e.json(&["show", "R-1", "--json"])["purchase_cost"], "0.12");
    for bad in ["1_000", "1e3", "1,000"] {
        let err = e.fails(&["add", "--tag", "R-3", "--cost", bad], 1);
        assert!(err.contains("not an amount"), "{bad}: {err}");
    }
}

#[test]
fn a_bad_config_never_drops_read_only_or_db() {
    let e = Env::seeded();
    let cfg = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&cfg).unwrap();
    let elsewhere = e.dir.path().join("configured.db");
    std::fs::write(
        cfg.join("config.toml"),
        format!("db = {elsewhere:?}\nread_only = true\n\n[labels]\ndpi = \"300\"\n"),
    )
    .unwrap();
    // No --db: the write must not land in the default database (nor anywhere).
    let out = e.bare().args(["add", "--tag", "LEAK-1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 5") && err.contains("config.toml"),
        "{err}"
    );
    assert!(!e.dir.path().join("data/itam/itam.db").exists());
    assert!(!elsewhere.exists());
    // Not even with --db: the config's read_only is part of what could not be read.
    let err = e.fails(&["add", "--tag", "LEAK-2"], 1);
    assert!(err.contains("line 5"), "{err}");
    assert!(e.fails(&["show", "LEAK-2"], 1).contains("line 5"));
}

#[test]
fn a_tag_pattern_that_cannot_expand_is_refused_when_the_config_loads() {
    let e = Env::seeded();
    let cfg = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        "[receiving]\ntag_pattern = \"IT-{seq:70000}\"\n",
    )
    .unwrap();
    let err = e.fails(&["show", "IT-0001"], 1);
    assert!(
        err.contains("tag_pattern") && err.contains("at most 20"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn one_invalid_utf8_byte_is_shown_escaped_and_reported_by_check() {
    sqlite_only!("PostgreSQL refuses invalid UTF-8 itself; only a SQLite file can hold it");
    let e = Env::seeded();
    let c = rusqlite::Connection::open(e.db()).unwrap();
    c.execute(
        "UPDATE assets SET name = CAST(X'4C6170FF746F70' AS TEXT) WHERE tag = 'IT-0001'",
        [],
    )
    .unwrap();
    drop(c);
    let shown = e.ok(&["show", "IT-0001"]);
    assert!(shown.contains("Lap\\xFFtop"), "{shown}");
    assert_eq!(
        e.json(&["show", "IT-0001", "--json"])["name"],
        "Lap\\xFFtop"
    );
    assert!(e.ok(&["find", "Lap"]).contains("IT-0001"));
    let csv = e.ok(&["export"]);
    assert!(csv.contains("Lap\\xFFtop"), "{csv}");
    e.ok(&["history", "IT-0001"]);
    let r = e.json_code(&["check", "--json"], 1);
    let msgs: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("not valid UTF-8") && m.contains("IT-0001")),
        "{msgs:?}"
    );
}

#[test]
fn a_backup_killed_half_way_leaves_nothing_the_next_run_does_not_clear() {
    sqlite_only!("itam backup copies the SQLite file");
    let e = Env::seeded();
    let dest = e.dir.path().join("nightly.db");
    for ext in [
        ".partial",
        ".partial-wal",
        ".partial-shm",
        ".partial-journal",
    ] {
        std::fs::write(
            e.dir.path().join(format!("nightly.db{ext}")),
            "left by a kill",
        )
        .unwrap();
    }
    e.ok(&["backup", dest.to_str().unwrap()]);
    let left: Vec<String> = std::fs::read_dir(e.dir.path())
        .unwrap()
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("nightly.db") && n != "nightly.db")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let out = e
        .bare()
        .args(["--db", dest.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn a_location_cannot_become_its_own_ancestor() {
    let e = Env::seeded();
    e.ok(&[
        "location", "add", "HQ-301", "--name", "Shelf", "--parent", "HQ-201",
    ]);
    // HQ-101 > HQ-201 > HQ-301: HQ-101 under HQ-301 would be a loop.
    let err = e.fails(&["location", "edit", "HQ-101", "--parent", "HQ-301"], 1);
    assert!(err.contains("inside itself"), "{err}");
    let err = e.fails(&["location", "edit", "HQ-101", "--parent", "HQ-201"], 1);
    assert!(err.contains("inside itself"), "{err}");
    e.ok(&["location", "edit", "HQ-301", "--parent", "HQ-101"]);
    e.ok(&["check"]);
}

#[test]
fn an_owner_typo_is_not_a_new_team() {
    let e = Env::seeded();
    let err = e.fails(&["add", "--tag", "O-1", "--owner", "jdeo"], 1);
    assert!(
        err.contains("did you mean 'jdoe'") && err.contains("--new-team"),
        "{err}"
    );
    let err = e.fails(&["edit", "IT-0001", "--owner", "Facilites-typo-x"], 1);
    assert!(err.contains("--new-team"), "{err}");
    e.ok(&["add", "--tag", "O-2", "--owner", "it"]);
    e.ok(&["add", "--tag", "O-3", "--owner", "Facilities", "--new-team"]);
    e.ok(&["add", "--tag", "O-4", "--owner", "Facilities"]);
    assert_eq!(e.json(&["show", "O-4", "--json"])["owner"], "Facilities");
}

#[test]
fn find_with_limit_zero_is_refused_not_an_empty_answer() {
    let e = Env::seeded();
    let err = e.fails(&["find", "IT", "--limit", "0"], 2);
    assert!(err.contains("--limit"), "{err}");
    assert!(!err.contains("no asset matches"), "{err}");
    assert!(e.ok(&["find", "IT", "--limit", "1"]).contains("IT-0001"));
}

#[test]
fn restore_says_when_the_backup_is_the_database_through_another_name() {
    sqlite_only!("itam restore copies onto the SQLite file");
    let e = Env::seeded();
    let alias = e.dir.path().join("alias.db");
    std::os::unix::fs::symlink(e.db(), &alias).unwrap();
    let err = e.fails(&["restore", alias.to_str().unwrap()], 1);
    assert!(err.contains("is the database itself"), "{err}");
}

/// Run itam as nobody (uid 65534) when we are root and setpriv exists (root ignores modes).
fn as_nobody(e: &Env, db: &std::path::Path, args: &[&str]) -> Option<std::process::Output> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("SKIPPED: needs root and setpriv to run as another user");
        return None;
    }
    Some(
        std::process::Command::new("/usr/bin/setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("itam"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env("XDG_CONFIG_HOME", e.dir.path().join("config"))
            .env("XDG_DATA_HOME", e.dir.path().join("data"))
            .env("NO_COLOR", "1")
            .env_remove("ITAM_DB")
            .output()
            .unwrap(),
    )
}

#[test]
fn a_read_only_folder_is_named_as_the_folder_not_the_file() {
    sqlite_only!("it is about the SQLite file's folder permissions");
    let e = Env::seeded();
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("itam.db");
    std::fs::copy(e.db(), &db).unwrap();
    // The file is the user's to write; the folder is not.
    std::os::unix::fs::chown(&db, Some(65534), Some(65534)).unwrap_or(());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(out) = as_nobody(&e, &db, &["move", "IT-0001", "--to", "HQ-201"]) else {
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("folder") && err.contains("write access to the folder"),
        "{err}"
    );
    assert!(!err.contains("file is read-only"), "{err}");
}

#[test]
fn a_refused_import_reports_nothing_created() {
    let e = Env::seeded();
    let csv = e.dir.path().join("mixed.csv");
    std::fs::write(
        &csv,
        "Asset Tag,Purchase Cost\nGOOD-1,10\nBAD-1,not money\n",
    )
    .unwrap();
    let out = e
        .itam()
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("refused, nothing written"), "{text}");
    for line in text.lines() {
        let t = line.trim_start();
        assert!(
            !(t.starts_with("created") || t.starts_with("updated")),
            "a refused import says '{line}'"
        );
    }
    e.fails(&["show", "GOOD-1"], 1);
}

#[test]
fn the_busy_message_says_the_real_wait_and_who_holds_the_lock() {
    sqlite_only!("it holds SQLite's write lock (tests/pg_store waits on PostgreSQL's chain lock)");
    let e = Env::seeded();
    let holder = rusqlite::Connection::open(e.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let err = e.fails(&["add", "--tag", "WAIT-1"], 1);
    let waited = started.elapsed().as_secs_f64();
    holder.execute_batch("ROLLBACK").unwrap();
    assert!(!err.contains("5 s"), "{err}");
    let said: f64 = err
        .split("waited ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'waited N s' in {err}"));
    assert!(
        said >= 9.5 && said <= waited + 0.5,
        "said {said} s, waited {waited:.1} s"
    );
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "names the holder: {err}"
    );
}

/// Text a terminal acts on: OSC 52 (clipboard write), CR, the one-character CSI U+009B and the
/// bidi override U+202E.
const ACTIVE: &str = "a\x1b]52;c;ZXZpbA==\x07b\rc\u{9b}31md\u{202E}e";

#[test]
fn json_escapes_c1_and_bidi_controls() {
    let e = Env::seeded();
    e.ok(&["edit", "IT-0001", "--name", ACTIVE]);
    let out = e
        .itam()
        .args(["show", "IT-0001", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for raw in ['\u{1b}', '\u{9b}', '\u{202E}', '\r', '\u{7}'] {
        assert!(!text.contains(raw), "raw {:?} in {text}", raw);
    }
    assert!(
        text.contains("\\u009b") && text.contains("\\u202e"),
        "{text}"
    );
    // Still the same JSON to a parser.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["name"], ACTIVE);
    // Files keep the bytes.
    let f = e.dir.path().join("a.csv");
    e.ok(&["export", "--out", f.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&f).unwrap().contains(ACTIVE));
}

#[test]
fn csv_to_a_terminal_shows_controls_visibly_but_a_pipe_gets_the_bytes() {
    let e = Env::seeded();
    e.ok(&["edit", "IT-0001", "--name", ACTIVE]);
    let piped = e.ok(&["export"]);
    assert!(piped.contains(ACTIVE), "a pipe gets the bytes");
    let bin = assert_cmd::cargo::cargo_bin("itam");
    let db = e.target();
    let mut p = pty::Pty::spawn(
        &bin,
        &["--db", db.to_str().unwrap(), "export"],
        e.dir.path(),
        &[],
    );
    assert!(p.wait_exit(20).is_some_and(|s| s.success()));
    assert!(p.wait_raw("IT-0001", 5));
    std::thread::sleep(std::time::Duration::from_millis(200));
    let raw = p.text();
    assert!(
        raw.contains("a^[]52;c;ZXZpbA==^Gb^Mc<U+009B>31md<U+202E>e"),
        "{raw}"
    );
    for c in ['\u{1b}', '\u{9b}', '\u{202E}', '\u{7}'] {
        assert!(!raw.contains(c), "raw {c:?} reached the terminal");
    }
}

#[test]
fn only_init_and_the_default_location_create() {
    let e = Env::new();
    let dir = e.dir.path();
    // A typo'd folder is not created.
    let missing = dir.join("no/such/dir/x.db");
    let out = e
        .bare()
        .args(["--db", missing.to_str().unwrap(), "show", "X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    assert!(!dir.join("no").exists(), "show created folders");
    // An empty file is not silently made a database...
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let out = e
        .bare()
        .args(["--db", empty.to_str().unwrap(), "add", "--tag", "E-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("empty file") && err.contains("itam init"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // ...unless asked: init makes it one, and creates folders too.
    for p in [&empty, &missing] {
        let out = e
            .bare()
            .args(["--db", p.to_str().unwrap(), "init"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The default location is made on first use.
    let out = e.bare().args(["add", "--tag", "D-1"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("data/itam/itam.db").exists());
}
