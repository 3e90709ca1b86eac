//! Hardening, round two (issue 15): outputs that must not destroy the ledger, a folder others
//! can write to, configs that fail closed, absurd values that must not panic, and the small
//! wrong answers. Each test failed before its fix.

mod common;

use common::Env;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn export_and_label_never_write_over_the_database_or_an_existing_file() {
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
    // Unknown kinds fail before anything is opened; a missing folder fails at create.
    let dest = dir.join("no-such-folder").join("x.csv");
    e.fails(&["export", "--out", dest.to_str().unwrap()], 1);
    assert!(!dest.exists());
    let partials: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partials.is_empty());
}

#[test]
fn a_database_in_a_folder_anyone_can_write_is_refused() {
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
