//! The real binary in a pseudo-terminal, measured from each input's arrival to the end of the
//! frame that shows its effect (ITAM_LATENCY_LOG): `cargo bench --bench tui_latency`.
//!
//! ITAM_BENCH_DB=PATH uses a copy of an existing database (written to: condition scans and an
//! import); ITAM_BENCH_DB=postgresql://… a copy of that PostgreSQL database (`CREATE DATABASE
//! … TEMPLATE`, dropped at the end; nobody may be connected to it); otherwise
//! ITAM_BENCH_ASSETS (default 100000) demo assets are generated in a temp folder. Reports the
//! first frame, typing a search query (keystroke to results drawn), 1,000 scans fired as wand
//! bursts (code + Enter, 30 ms apart) in the scan view's condition mode (scan → committed and
//! redrawn), then:
//! - another session holds the write lock for 3 s (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
//!   chain_lock row FOR UPDATE) while keys are typed and 20 scans are made: keystroke → frame
//!   drawn during the lock, and when the 20 scans commit after its release (and whether in the
//!   order made);
//! - live refresh: a second TUI shows an asset's detail view while this process renames the
//!   asset ITAM_BENCH_LIVE times (default 20): commit → the new name on the second TUI's screen
//!   (SQLite: its `data_version` poll; PostgreSQL: LISTEN/NOTIFY);
//! - a Snipe-IT import of ITAM_BENCH_IMPORT_ROWS (default 100000; 0 skips it) rows through the
//!   TUI's form: the longest gap between frames while it is checked and written, and keystroke
//!   → frame.

mod common;
#[path = "../tests/common/lock.rs"]
mod lock;
#[path = "../tests/common/pty.rs"]
mod pty;

use itam::store::{AssetEdit, OpenOptions, Store};
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (db, _copy) = common::writable_bench_target(tmp.path(), 100_000);
    let open =
        |read_only: bool| Store::open(Path::new(&db), &OpenOptions { read_only }).expect("open");
    let tags: Vec<String> = {
        let s = open(true);
        let mut st = s
            .conn()
            .prepare("SELECT tag FROM assets WHERE status <> 'disposed' ORDER BY id LIMIT 1020")
            .expect("query");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    let log = tmp.path().join("latency.log");
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_itam"));
    let mut t = pty::Pty::spawn(
        &bin,
        &["--db", db.to_str().unwrap_or_default()],
        tmp.path(),
        &[("ITAM_LATENCY_LOG", log.to_str().unwrap_or_default())],
    );
    let started = Instant::now();
    assert!(t.wait_for("assets", 30), "the list appears");
    // Wait until the background load (list + search index) is done.
    let end = Instant::now() + Duration::from_secs(120);
    while t.screen().contains("indexing") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let loaded = started.elapsed();
    let rss = std::fs::read_to_string(format!("/proc/{}/status", t.child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .unwrap_or_default();

    // Typing a query like a person: 150 ms between keys, for several queries.
    for q in ["lat74", "okafor", "thinkpad hq", "c02"] {
        t.send(b"/");
        std::thread::sleep(Duration::from_millis(200));
        for c in q.bytes() {
            t.send(&[c]);
            std::thread::sleep(Duration::from_millis(150));
        }
        std::thread::sleep(Duration::from_millis(500));
        t.send(b"\x1b");
        std::thread::sleep(Duration::from_millis(300));
    }
    // Scan view, condition mode: every scan is a committed write with its event.
    t.send(b"s");
    std::thread::sleep(Duration::from_millis(300));
    t.send(b"\x1b[17~"); // F6
    std::thread::sleep(Duration::from_millis(300));
    let before = std::fs::read_to_string(&log).unwrap_or_default();
    let field = |kind: &str| -> Vec<f64> {
        before
            .lines()
            .filter_map(|l| l.strip_prefix(kind))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .map(|us| us / 1000.0)
            .collect()
    };
    let first_frame = field("first-frame ");
    let searches = field("search ");
    let computed = field("search-compute ");
    let typing = field("input ");
    let (tags, lock_tags) = tags.split_at(tags.len().saturating_sub(20));
    let _ = std::fs::write(&log, ""); // only the scans from here on
    for tag in tags {
        t.send(format!("{tag}\r").as_bytes());
        std::thread::sleep(Duration::from_millis(30));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let read = |kind: &str| -> Vec<f64> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.strip_prefix(kind))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .map(|us| us / 1000.0)
            .collect()
    };
    let scans = read("scan ");
    let scan_frames = read("input ");

    // Another session holds the write lock for 3 s: keys keep drawing, scans pend.
    let _ = std::fs::write(&log, "");
    // Opened before: the wait after the release counts commits, not this connection. Events
    // after `floor` are the lock's scans (a bound id: PostgreSQL planned `max(id) - 200` as a
    // third of the table and took 250 ms a poll at 1M).
    let reader = open(true);
    let floor: i64 = reader
        .conn()
        .query_row("SELECT COALESCE(max(id), 0) FROM events", [], |r| r.get(0))
        .expect("query");
    let holder = lock::WriteLock::take(&db);
    let locked = Instant::now();
    let mut made = Vec::new();
    let mut i = 0;
    while locked.elapsed() < Duration::from_millis(3000) {
        if let Some(tag) = lock_tags.get(i) {
            t.send(format!("{tag}\r").as_bytes());
            made.push(tag.clone());
        }
        i += 1;
        std::thread::sleep(Duration::from_millis(40));
        t.send(b"x");
        std::thread::sleep(Duration::from_millis(40));
        t.send(b"\x7f");
        std::thread::sleep(Duration::from_millis(40));
    }
    let during = read("input ");
    holder.release();
    let released = Instant::now();
    let committed_order = |reader: &Store| -> Vec<String> {
        let mut st = reader
            .conn()
            .prepare_cached(
                "SELECT a.tag FROM events e JOIN assets a ON a.id = e.asset_id
                 WHERE e.id > ?1 AND e.kind = 'condition' ORDER BY e.id",
            )
            .expect("query");
        st.query_map([floor], |r| r.get::<_, String>(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .filter(|t| made.contains(t))
            .collect()
    };
    let mut all_in = None;
    while released.elapsed() < Duration::from_secs(10) {
        if committed_order(&reader).len() >= made.len() {
            all_in = Some(released.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let in_order = committed_order(&reader) == made;
    std::thread::sleep(Duration::from_millis(300));
    let lock_scans = read("scan ");
    drop(reader);

    // Live refresh: a second TUI on the same database shows one asset's detail view (a scan
    // in its list jumps there) while this process renames that asset: commit → new name drawn.
    let live = live_refresh(&bin, &db, tmp.path(), &tags[0], open(false));

    // A 100,000-row import through the form: frames keep coming, keys keep answering.
    let rows = common::env_u64("ITAM_BENCH_IMPORT_ROWS", 100_000);
    let (mut checked, mut written) = (None, None);
    if rows > 0 {
        let csv = common::snipeit_csv(tmp.path(), rows);
        let text = std::fs::read_to_string(&csv).expect("read csv");
        // New tags (IM-…; seed 2 serials differ from seed 1), so every row is a create.
        let text = text.replace("IT-0", "IM-0");
        std::fs::write(&csv, text).expect("write csv");
        t.send(b"\x1b"); // back to the list
        std::thread::sleep(Duration::from_millis(300));
        t.send(b"I");
        std::thread::sleep(Duration::from_millis(300));
        t.send(csv.to_str().unwrap_or_default().as_bytes());
        t.send(b"\t\t\t\t\x7f\x7fyes");
        std::thread::sleep(Duration::from_millis(200));
        let _ = std::fs::write(&log, "");
        let import_started = Instant::now();
        t.send(b"\x13"); // ctrl-s: check the file
        let mut applied = false;
        while import_started.elapsed() < Duration::from_secs(120) {
            let screen = t.screen();
            if checked.is_none() && screen.contains("Dry run of") {
                checked = Some(import_started.elapsed());
            }
            if checked.is_some() && !applied {
                t.send(b"\x13"); // ctrl-s: write it
                applied = true;
            }
            if applied && screen.contains("imported ") {
                written = Some(import_started.elapsed());
                break;
            }
            // Keys during the import: move in the review (or the form).
            t.send(b"\x1b[B");
            std::thread::sleep(Duration::from_millis(40));
        }
    }
    let frames = read("frame ");
    // What held the UI thread (over 50 ms), if anything: `slow-KIND micros` lines.
    let slow: Vec<String> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("slow-"))
        .map(str::to_string)
        .collect();
    let gaps: Vec<f64> = frames.windows(2).map(|w| w[1] - w[0]).collect();
    let import_keys = read("input ");

    t.send(b"\x03");
    let _ = t.wait_exit(10);
    println!("database: {} ({} scans)", db.to_string_lossy(), tags.len());
    println!(
        "first frame: {:.1} ms after start",
        first_frame.first().copied().unwrap_or(f64::NAN)
    );
    println!(
        "list and search index loaded after {:.2} s; resident memory {rss} kB",
        loaded.as_secs_f64()
    );
    println!(
        "keystroke → frame drawn (typing): {}",
        common::percentiles_ms(typing)
    );
    // In typing order, so that a slow keystroke can be told apart (first letter, narrowing).
    let each: Vec<String> = searches.iter().map(|v| format!("{v:.1}")).collect();
    let compute: Vec<String> = computed.iter().map(|v| format!("{v:.1}")).collect();
    println!(
        "keystroke → search results drawn: {}\n  each, in order (ms): {}\n  the search alone (ms): {}",
        common::percentiles_ms(searches.clone()),
        each.join(" "),
        compute.join(" ")
    );
    println!(
        "scan → committed and redrawn: {}",
        common::percentiles_ms(scans)
    );
    println!(
        "scan → pending line drawn: {}",
        common::percentiles_ms(scan_frames)
    );
    println!(
        "write lock held 3 s by another process: keystroke → frame drawn {}",
        common::percentiles_ms(during)
    );
    println!(
        "  {} scans made during the lock: all committed {} after release, in order: {in_order}; scan → committed and redrawn {}",
        made.len(),
        all_in.map_or("NOT within 10 s".to_string(), |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0)),
        common::percentiles_ms(lock_scans)
    );
    println!(
        "live refresh, a second TUI: commit → the change drawn there {}",
        common::percentiles_ms(live)
    );
    if rows == 0 {
        println!("import in the TUI: skipped (ITAM_BENCH_IMPORT_ROWS=0)");
        return;
    }
    println!(
        "import of {rows} rows in the TUI: checked after {}, written after {}; longest gap between frames {:.1} ms ({} frames); keystroke → frame {}",
        checked.map_or("-".into(), |d| format!("{:.2} s", d.as_secs_f64())),
        written.map_or("NOT within 120 s".into(), |d| format!("{:.2} s", d.as_secs_f64())),
        gaps.iter().copied().fold(0.0, f64::max),
        frames.len(),
        common::percentiles_ms(import_keys)
    );
    if !slow.is_empty() {
        println!(
            "  held the UI thread during the import (µs): {}",
            slow.join(", ")
        );
    }
}

/// ITAM_BENCH_LIVE renames of `tag` made by `store`, each timed from its commit to the new name
/// on a second TUI's screen (read through the terminal emulator every millisecond).
fn live_refresh(
    bin: &Path,
    db: &std::ffi::OsStr,
    tmp: &Path,
    tag: &str,
    mut store: Store,
) -> Vec<f64> {
    let n = common::env_u64("ITAM_BENCH_LIVE", 20);
    let home = tmp.join("second");
    let mut t2 = pty::Pty::spawn(bin, &["--db", db.to_str().unwrap_or_default()], &home, &[]);
    assert!(t2.wait_for("assets", 30), "the second TUI's list appears");
    let end = Instant::now() + Duration::from_secs(120);
    while t2.screen().contains("indexing") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    t2.send(format!("{tag}\r").as_bytes());
    std::thread::sleep(Duration::from_millis(500));
    let mut seen = Vec::new();
    for i in 0..n {
        let name = format!("Live rename {i:03}");
        std::thread::sleep(Duration::from_millis(300));
        let edit = AssetEdit {
            name: Some(name.clone()),
            ..AssetEdit::default()
        };
        store.edit_asset(tag, &edit, None).expect("rename");
        let committed = Instant::now();
        while !t2.screen().contains(&name) && committed.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        if t2.screen().contains(&name) {
            seen.push(committed.elapsed().as_secs_f64() * 1000.0);
        } else {
            eprintln!(
                "live refresh: {name:?} not drawn within 5 s: {}",
                t2.screen()
            );
        }
    }
    t2.send(b"\x03");
    let _ = t2.wait_exit(10);
    seen
}
