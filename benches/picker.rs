//! Typing in a person picker, the real binary in a pseudo-terminal: `cargo bench --bench picker`.
//!
//! ITAM_BENCH_DB=PATH uses an existing database (read only: the picker is closed without a
//! choice); otherwise ITAM_BENCH_ASSETS (default 100000) demo assets are generated in a temp
//! folder (one person per three assets). In the scan view's check-out mode, F7 opens the people
//! picker; once its items are read, names are typed like a person (150 ms between keys).
//! Reports keystroke → frame drawn (the typed text shown) and keystroke → narrowed list drawn,
//! from the latency log (ITAM_LATENCY_LOG). ITAM_BENCH_BIN=PATH measures another build.

mod common;
#[path = "../tests/common/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = common::bench_db(tmp.path(), 100_000);
    let log = tmp.path().join("latency.log");
    // ITAM_BENCH_BIN: another build of itam to measure (an older commit, for comparison).
    let bin = std::env::var_os("ITAM_BENCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_BIN_EXE_itam")));
    let mut t = pty::Pty::spawn(
        &bin,
        &["--db", db.to_str().unwrap_or_default()],
        tmp.path(),
        &[("ITAM_LATENCY_LOG", log.to_str().unwrap_or_default())],
    );
    assert!(t.wait_for("assets", 30), "the list appears");
    let end = Instant::now() + Duration::from_secs(120);
    while t.screen().contains("indexing") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let read = |kind: &str| -> Vec<f64> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.strip_prefix(kind))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .map(|us| us / 1000.0)
            .collect()
    };
    t.send(b"s");
    std::thread::sleep(Duration::from_millis(300));
    t.send(b"\x1bOR"); // F3: check-out mode
    std::thread::sleep(Duration::from_millis(300));
    let (mut typing, mut narrowed, mut opened) = (Vec::new(), Vec::new(), Vec::new());
    for q in ["okafor", "garcia", "jn", "priya", "mens"] {
        t.send(b"\x1b[18~"); // F7: pick the person
        let asked = Instant::now();
        assert!(t.wait_for("check out to whom?", 10), "the picker opens");
        let end = Instant::now() + Duration::from_secs(60);
        while t.screen().contains("loading…") && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(20));
        }
        opened.push(asked.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(300));
        let _ = std::fs::write(&log, "");
        for c in q.bytes() {
            t.send(&[c]);
            std::thread::sleep(Duration::from_millis(150));
        }
        std::thread::sleep(Duration::from_millis(1500));
        typing.extend(read("input "));
        narrowed.extend(read("picker "));
        t.send(b"\x1b");
        std::thread::sleep(Duration::from_millis(300));
    }
    t.send(b"\x03");
    let _ = t.wait_exit(10);
    println!("database: {}", db.display());
    println!(
        "people picker items read (F7 → list shown): {}",
        common::percentiles_ms(opened)
    );
    // In typing order, so that a slow keystroke can be told apart (first letter, narrowing).
    let each = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "picker: keystroke → frame drawn: {}\n  each, in order (ms): {}",
        common::percentiles_ms(typing.clone()),
        each(&typing)
    );
    println!(
        "picker: keystroke → narrowed list drawn: {}\n  each, in order (ms): {}",
        common::percentiles_ms(narrowed.clone()),
        each(&narrowed)
    );
}
