//! The real binary in a pseudo-terminal, measured from each input's arrival to the end of the
//! frame that shows its effect (ITAM_LATENCY_LOG): `cargo bench --bench tui_latency`.
//!
//! ITAM_BENCH_DB=PATH uses an existing database (it is written to: 1,000 condition scans);
//! otherwise ITAM_BENCH_ASSETS (default 100000) demo assets are generated in a temp folder.
//! Reports the first frame, typing a search query (keystroke to results drawn), and 1,000
//! scans fired as wand bursts (code + Enter, 30 ms apart) in the scan view's condition mode.

mod common;
#[path = "../tests/common/pty.rs"]
mod pty;

use itam::store::{OpenOptions, Store};
use std::time::{Duration, Instant};

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = common::bench_db(tmp.path(), 100_000);
    let tags: Vec<String> = {
        let s = Store::open(&db, &OpenOptions { read_only: true }).expect("open");
        let mut st = s
            .conn()
            .prepare("SELECT tag FROM assets WHERE status <> 'disposed' ORDER BY id LIMIT 1000")
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
    let typing = field("input ");
    let _ = std::fs::write(&log, ""); // only the scans from here on
    for tag in &tags {
        t.send(format!("{tag}\r").as_bytes());
        std::thread::sleep(Duration::from_millis(30));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let scans: Vec<f64> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("input "))
        .filter_map(|v| v.parse::<f64>().ok())
        .map(|us| us / 1000.0)
        .collect();
    t.send(b"\x03");
    let _ = t.wait_exit(10);
    println!("database: {} ({} scans)", db.display(), tags.len());
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
    println!(
        "keystroke → search results drawn: {}\n  each, in order (ms): {}",
        common::percentiles_ms(searches.clone()),
        each.join(" ")
    );
    println!(
        "scan → committed and redrawn: {}",
        common::percentiles_ms(scans)
    );
}
