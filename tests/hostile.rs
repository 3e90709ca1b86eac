//! Hostile and broken input: text fields full of escape sequences, bells, bidi overrides,
//! 10,000-character strings and emoji, shown safely by every output path; a full disk and a
//! read-only file give a clear error, write nothing half-way, and reads still work.

mod common;

use common::Env;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use itam::store::{NewAsset, NewLocation, NewPerson, OpenOptions, Store};
use itam::tui::app::{Action, App};
use itam::tui::keymap::Keymap;
use itam::tui::views;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const ESC: &str = "esc\x1b[31mRED\x1b[0m";
const BEL: &str = "bell\x07\x07";
const BIDI: &str = "invoice\u{202E}fdp.exe";
const EMOJI: &str = "laptop 💻🔥 👩‍💻 ok";
const CR: &str = "over\rwrite\nnext";

fn long() -> String {
    // 10,000 characters, some of them wide, so truncation has to respect character widths.
    "x".repeat(9_000) + &"界".repeat(1_000)
}

fn hostile() -> Vec<String> {
    vec![
        ESC.into(),
        BEL.into(),
        BIDI.into(),
        EMOJI.into(),
        CR.into(),
        long(),
    ]
}

/// The raw bytes a terminal would act on: ESC, BEL, CR, other C0/C1 controls, bidi controls.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .collect()
}

fn assert_safe(what: &str, out: &str) {
    let bad = raw_controls(out);
    assert!(
        bad.is_empty(),
        "{what} printed raw control characters {bad:?}"
    );
}

/// A register whose every free-text field is hostile, entered through the command line.
fn hostile_env() -> Env {
    let e = Env::new();
    for (i, h) in hostile().iter().enumerate() {
        e.ok(&["location", "add", &format!("LOC-{i}"), "--name", h]);
        e.ok(&[
            "person",
            "add",
            &format!("user{i}"),
            "--name",
            h,
            "--team",
            h,
        ]);
        e.ok(&[
            "add",
            "--tag",
            &format!("H-{i}"),
            "--name",
            h,
            "--model",
            h,
            "--manufacturer",
            h,
            "--category",
            h,
            "--owner",
            h,
            "--new-team",
            "--notes",
            h,
            "--location",
            &format!("LOC-{i}"),
        ]);
        e.ok(&[
            "checkout",
            &format!("H-{i}"),
            "--to",
            &format!("user{i}"),
            "--note",
            h,
        ]);
    }
    e
}

#[test]
fn every_cli_output_path_shows_hostile_text_safely() {
    let e = hostile_env();
    let mut outputs = Vec::new();
    for i in 0..hostile().len() {
        let tag = format!("H-{i}");
        outputs.push((format!("show {tag}"), e.ok(&["show", &tag])));
        outputs.push((format!("history {tag}"), e.ok(&["history", &tag])));
    }
    for (name, args) in [
        ("find", vec!["find", "esc"]),
        ("find bidi", vec!["find", "invoice"]),
        ("person list", vec!["person", "list"]),
        ("location list", vec!["location", "list"]),
        ("report ghosts", vec!["report", "ghosts", "--days", "0"]),
        ("audit list", vec!["audit", "list"]),
    ] {
        outputs.push((name.to_string(), e.ok(&args)));
    }
    for (what, out) in &outputs {
        assert_safe(what, out);
    }
    let all: String = outputs.iter().map(|(_, o)| o.as_str()).collect();
    // The characters are shown, not dropped: a reader can see something odd is there.
    for shown in [
        "^[[31mRED",
        "bell^G^G",
        "invoice<U+202E>fdp.exe",
        "over^Mwrite^Jnext",
        "💻🔥",
    ] {
        assert!(all.contains(shown), "{shown} shown visibly");
    }
    assert!(
        all.contains(&long()),
        "a 10,000-character name is kept whole in show"
    );

    // Errors that echo the input: the store's and the argument parser's.
    let err = e.fails(&["show", ESC], 1);
    assert_safe("show error", &err);
    assert!(err.contains("^[[31m"), "{err}");
    // clap strips ANSI sequences itself but passes a bidi override through; main escapes it.
    let err = e.fails(&["condition", "H-0", BIDI], 2);
    assert_safe("argument error", &err);
    assert!(err.contains("invoice<U+202E>fdp.exe"), "{err}");
    let err = e.fails(&["audit", "start", BIDI], 1);
    assert_safe("audit error", &err);
}

#[test]
fn export_keeps_hostile_text_exactly_because_it_is_data() {
    // CSV and JSON are data for other programs, not terminal output: the exact text must round
    // trip (a spreadsheet or script escapes on display). They go to files, or through a pipe.
    let e = hostile_env();
    let csv = e.ok(&["export", "--format", "csv"]);
    for h in hostile() {
        let quoted = h.replace('"', "\"\"");
        assert!(
            csv.contains(&quoted),
            "csv keeps {:?}",
            &h[..h.len().min(20)]
        );
    }
    let json = e.json(&["export", "--format", "json"]);
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    for h in hostile() {
        assert!(names.contains(&h.as_str()));
    }
}

fn key(app: &mut App, c: char) {
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )));
}

/// Render and check every cell: no raw control or bidi character, and each row's cells add up
/// to exactly the terminal's width (a wide emoji must not push the border off the line).
fn render_safe(app: &mut App, what: &str, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..h {
        let mut width = 0usize;
        let mut x = 0u16;
        while x < w {
            let cell = &buf[(x, y)];
            let sym = cell.symbol();
            assert_safe(&format!("{what} at ({x},{y})"), sym);
            let cw = unicode_width::UnicodeWidthStr::width(sym).max(1);
            width += cw;
            text.push_str(sym);
            x += cw as u16;
        }
        text.push('\n');
        assert_eq!(
            width, w as usize,
            "{what}: row {y} is {width} wide, not {w}"
        );
    }
    text
}

#[test]
fn every_tui_view_shows_hostile_text_safely() {
    let e = Env::new();
    let mut store = e.store();
    for (i, h) in hostile().iter().enumerate() {
        store
            .add_location(&NewLocation {
                code: format!("LOC-{i}"),
                name: h.clone(),
                parent: None,
            })
            .unwrap();
        store
            .add_person(&NewPerson {
                username: format!("user{i}"),
                full_name: h.clone(),
                team: Some(h.clone()),
                ..Default::default()
            })
            .unwrap();
        store
            .add_asset(&NewAsset {
                tag: format!("H-{i}"),
                name: Some(h.clone()),
                model: Some(h.clone()),
                notes: Some(h.clone()),
                location: Some(format!("LOC-{i}")),
                ..Default::default()
            })
            .unwrap();
        store
            .checkout(&format!("H-{i}"), &format!("user{i}"), None, Some(h))
            .unwrap();
    }
    let mut app = App::new(store, Keymap::defaults(), true);
    app.load_now().unwrap();
    for (w, h) in [(80, 24), (120, 40)] {
        let list = render_safe(&mut app, "list", w, h);
        assert!(list.contains("^[[31mRED") || list.contains("H-0"), "{list}");
    }
    for i in 0..hostile().len() {
        app.update(Action::Scan(format!("H-{i}")));
        for (w, h) in [(80, 24), (120, 40)] {
            render_safe(&mut app, &format!("detail H-{i}"), w, h);
        }
        key(&mut app, 'p');
        for (w, h) in [(80, 24), (120, 40)] {
            render_safe(&mut app, &format!("person of H-{i}"), w, h);
        }
        // Back to the list for the next one.
        for _ in 0..3 {
            app.update(Action::Key(KeyEvent::new(
                KeyCode::Char('q'),
                KeyModifiers::NONE,
            )));
            if app.screen().keymap_view() == "list" {
                break;
            }
        }
    }
    // The scan view logs the codes it is given, hostile ones included.
    key(&mut app, 's');
    for h in hostile() {
        app.update(Action::Scan(h));
    }
    render_safe(&mut app, "scan log", 80, 24);
}

fn count(s: &Store, sql: &str) -> i64 {
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_full_disk_is_a_clear_error_and_writes_nothing() {
    sqlite_only!("it caps the SQLite file's size with PRAGMA max_page_count");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("itam.db");
    let mut store = Store::open(&db, &OpenOptions::default()).unwrap();
    itam::demo::generate(&mut store, 50, 1).unwrap();
    // Cap the file a few pages above its size: the next big write runs out of room, as on a
    // full disk (SQLite reports both as SQLITE_FULL).
    let pages = count(&store, "PRAGMA page_count");
    store
        .conn()
        .execute_batch(&format!("PRAGMA max_page_count = {}", pages + 4))
        .unwrap();
    let (assets, events) = (
        count(&store, "SELECT count(*) FROM assets"),
        count(&store, "SELECT count(*) FROM events"),
    );
    let mut err = None;
    for i in 0..2000 {
        let r = store.add_asset(&NewAsset {
            tag: format!("FULL-{i:05}"),
            name: Some("y".repeat(2000)),
            notes: Some("z".repeat(2000)),
            ..Default::default()
        });
        if let Err(e) = r {
            err = Some((i, e.to_string()));
            break;
        }
    }
    let (written, msg) = err.expect("the size cap was reached");
    assert!(msg.contains("full"), "a clear message: {msg}");
    assert!(!msg.contains("locked"), "{msg}");
    // Everything before the failing write is there; nothing of the failing write is.
    assert_eq!(
        count(&store, "SELECT count(*) FROM assets"),
        assets + written as i64
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM events"),
        events + written as i64
    );
    assert!(store
        .find_code(&format!("FULL-{written:05}"))
        .unwrap()
        .is_none());

    // An import that does not fit is refused whole.
    let before = count(&store, "SELECT count(*) FROM assets");
    let csv = dir.path().join("big.csv");
    let mut text = String::from("Asset Tag,Asset Name,Notes\n");
    for i in 0..500 {
        text.push_str(&format!(
            "IMP-{i:04},{},{}\n",
            "n".repeat(500),
            "m".repeat(500)
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let plan = itam::interop::import::plan(&store, &csv, &Default::default()).unwrap();
    let e = itam::interop::import::apply(&mut store, &plan, &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("full"), "{e}");
    assert_eq!(count(&store, "SELECT count(*) FROM assets"), before);

    // Reads still work, and the ledger is consistent.
    assert!(store.find_code("FULL-00000").unwrap().is_some());
    assert!(store.asset_count().unwrap() > 0);
    assert!(store.history("FULL-00000").is_ok());
    let report = store.check().unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn the_cli_on_a_full_disk_says_so_and_keeps_reading() {
    // The same through the binary: a database whose size cap is persisted cannot be set
    // from outside, so fill it with a cap set on this connection, then check the CLI still
    // reads it and `itam check` passes.
    sqlite_only!("it caps the SQLite file's size with PRAGMA max_page_count");
    let e = Env::seeded();
    let before = e.ok(&["show", "IT-0001"]);
    {
        let s = e.store();
        let pages = count(&s, "PRAGMA page_count");
        s.conn()
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        let mut s = s;
        let err = s
            .add_asset(&NewAsset {
                tag: "NOPE".into(),
                notes: Some("n".repeat(20_000)),
                ..Default::default()
            })
            .unwrap_err();
        assert!(err.to_string().contains("full"), "{err}");
    }
    assert_eq!(e.ok(&["show", "IT-0001"]), before);
    e.fails(&["show", "NOPE"], 1);
    e.ok(&["check"]);
}

/// Run the binary as nobody (uid 65534) when we are root and `setpriv` exists: root ignores
/// file modes, so only a real unprivileged user shows what a read-only file does.
fn as_nobody(e: &Env, db: &std::path::Path, args: &[&str]) -> Option<std::process::Output> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: not root, cannot switch to nobody");
        return None;
    }
    if !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("SKIPPED: setpriv is not installed");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("itam");
    Some(
        std::process::Command::new("/usr/bin/setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(bin)
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
fn a_read_only_file_refuses_writes_clearly_and_still_reads() {
    use std::os::unix::fs::PermissionsExt;
    let e = Env::seeded();
    // Through the option, as any user: writes refused, reads fine.
    let err = e.fails(&["--read-only", "checkout", "IT-0001", "--to", "jdoe"], 1);
    assert!(err.contains("read-only"), "{err}");
    e.ok(&["--read-only", "show", "IT-0001"]);

    sqlite_only!("the rest makes the SQLite file itself read-only for another user");
    // A real read-only file, as an unprivileged user: the file 0444 in a folder its group may
    // write (so SQLite can make the -shm file readers need), writes refused, reads fine. (A
    // folder anyone may write is refused outright: see harden.rs.)
    let events = e.ok(&["history", "IT-0001"]);
    let folder = tempfile::tempdir().unwrap();
    std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o2770)).unwrap();
    let db = folder.path().join("itam.db");
    std::fs::copy(e.db(), &db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(folder.path(), None, Some(65534)).unwrap();
        std::os::unix::fs::chown(&db, None, Some(65534)).unwrap();
    }
    let Some(out) = as_nobody(&e, &db, &["checkout", "IT-0001", "--to", "jdoe"]) else {
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not writable by"), "a clear reason: {err}");
    assert!(!err.contains("locked"), "{err}");
    let out = as_nobody(&e, &db, &["show", "IT-0001"]).unwrap();
    assert!(
        out.status.success(),
        "reads still work: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("in_stock"));
    let out = as_nobody(&e, &db, &["history", "IT-0001"]).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        events,
        "nothing was written"
    );

    // A folder the user cannot write either: SQLite cannot make the -shm file, so even a read
    // fails; the message says why and what to change.
    let closed = tempfile::tempdir().unwrap();
    std::fs::set_permissions(closed.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = closed.path().join("itam.db");
    std::fs::copy(e.db(), &db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = as_nobody(&e, &db, &["show", "IT-0001"]).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("-shm") && err.contains("group"), "{err}");
}
