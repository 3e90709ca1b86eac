//! The in-process suite under divan: `cargo bench --bench suite`.
//!
//! One statistically-run benchmark per operation the issue names: typing a search query one
//! keystroke at a time (each prefix narrowing the last, as the TUI does), resolving a scanned
//! code, a scan commit (check-in then check-out, each its own durable transaction), the
//! depreciation report over every asset, exporting every asset, importing 100,000 Snipe-IT
//! rows into a fresh database. divan prints fastest/slowest/median/mean per benchmark; the
//! percentile programs (`--bench search`, `--bench ops`, `--bench tui_latency`) stay for the
//! p99 targets, which a mean cannot show.
//!
//! Size: ITAM_BENCH_ASSETS demo assets (default 10,000; the documented runs use 100,000 and
//! 1,000,000), or a copy of ITAM_BENCH_DB=PATH. ITAM_BENCH_IMPORT_ROWS (default 100,000) sets
//! the import file's size. Filter as usual: `cargo bench --bench suite -- search`.

mod common;

// The binary's allocator, so that in-process figures match what itam itself does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use divan::counter::ItemsCount;
use divan::Bencher;
use itam::interop::{export, import, Format, Kind};
use itam::search::Index;
use itam::store::{OpenOptions, Store};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// Built once for every benchmark: the database, its search index, codes to scan, and the
/// Snipe-IT file to import.
struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    index: Index,
    /// The last characters of a real serial: what a technician types from a sticker.
    serial_fragment: String,
    codes: Vec<String>,
    /// Deployed assets and their assignees, for check-in/check-out pairs.
    pairs: Vec<(String, String)>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}

fn build() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    // A copy: the scan-commit benchmark writes.
    let db = common::writable_bench_db(dir.path(), 10_000);
    let store = Store::open(&db, &OpenOptions::default()).expect("open");
    let index = Index::build(&store).expect("index");
    // Real tags and a real serial, read from the database, so that every look-up is a hit.
    let codes: Vec<String> = {
        let mut st = store
            .conn()
            .prepare("SELECT tag FROM assets ORDER BY (id * 7919) % 1000003 LIMIT 1000")
            .expect("query");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    assert!(!codes.is_empty(), "the benchmark database has no assets");
    let serial: String = store
        .conn()
        .query_row(
            "SELECT serial FROM assets WHERE serial IS NOT NULL ORDER BY id LIMIT 1
             OFFSET (SELECT count(*) / 2 FROM assets WHERE serial IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .expect("a serial");
    let chars: Vec<char> = serial.to_lowercase().chars().collect();
    let serial_fragment: String = chars[chars.len().saturating_sub(5)..].iter().collect();
    let pairs = common::deployed_pairs(&store, 500);
    Fixture {
        _dir: dir,
        db,
        index,
        serial_fragment,
        codes,
        pairs,
    }
}

/// The import file: a Snipe-IT export of a separate demo database of ITAM_BENCH_IMPORT_ROWS
/// rows, made only when the import benchmark runs.
struct ImportFile {
    _dir: tempfile::TempDir,
    csv: PathBuf,
    rows: u64,
}

fn import_file() -> &'static ImportFile {
    static F: OnceLock<ImportFile> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let rows = common::env_u64("ITAM_BENCH_IMPORT_ROWS", 100_000);
        let csv = common::snipeit_csv(dir.path(), rows);
        ImportFile {
            _dir: dir,
            csv,
            rows,
        }
    })
}

/// Every prefix of `q`, each narrowing the previous answer; returns the last match count.
fn type_query(index: &Index, q: &str) -> usize {
    let mut prev = None;
    for end in 1..=q.len() {
        prev = Some(index.search(&q[..end], 300, prev.as_ref()));
    }
    prev.map_or(0, |m| m.all.len())
}

/// A model and a surname from the demo data, and a two-word query.
const QUERIES: &[&str] = &["lat74", "okafor", "thinkpad hq"];

/// Counted in keystrokes: divan's throughput line is keystrokes per second.
#[divan::bench(args = QUERIES)]
fn search_typing(b: Bencher, q: &str) {
    let f = fixture();
    b.counter(ItemsCount::new(q.len()))
        .bench(|| type_query(&f.index, divan::black_box(q)));
}

#[divan::bench]
fn search_typing_serial_fragment(b: Bencher) {
    let f = fixture();
    let q = f.serial_fragment.as_str();
    b.counter(ItemsCount::new(q.len()))
        .bench(|| type_query(&f.index, divan::black_box(q)));
}

/// Exact look-up of a scanned tag (what every wand burst does first).
#[divan::bench]
fn resolve_scanned_code(b: Bencher) {
    let f = fixture();
    let store = Store::open(&f.db, &OpenOptions { read_only: true }).expect("open");
    let at = Cell::new(0usize);
    b.bench_local(|| {
        let i = at.get();
        at.set(i + 1);
        store
            .find_code(&f.codes[i % f.codes.len()])
            .expect("lookup")
    });
}

/// Check-in then check-out of one deployed asset: two durable BEGIN IMMEDIATE transactions
/// with synchronous=FULL, as two scans at the bench would commit them.
#[divan::bench(sample_count = 50, sample_size = 4)]
fn scan_commit_checkin_checkout(b: Bencher) {
    let f = fixture();
    if f.pairs.is_empty() {
        return;
    }
    let mut store = Store::open(&f.db, &OpenOptions::default()).expect("open");
    let at = Cell::new(0usize);
    b.bench_local(|| {
        let i = at.get();
        at.set(i + 1);
        let (tag, user) = &f.pairs[i % f.pairs.len()];
        store
            .checkin(tag, None, None, Some("bench"))
            .expect("checkin");
        store
            .checkout(tag, user, None, Some("bench"))
            .expect("checkout");
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn depreciation_report_all_assets(b: Bencher) {
    let f = fixture();
    let store = Store::open(&f.db, &OpenOptions { read_only: true }).expect("open");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    b.bench_local(|| {
        let mut rows = 0u64;
        store
            .depreciation_report(today, None, |_| {
                rows += 1;
                Ok(())
            })
            .expect("report");
        rows
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn export_all_assets_csv(b: Bencher) {
    let f = fixture();
    let store = Store::open(&f.db, &OpenOptions { read_only: true }).expect("open");
    b.bench_local(|| {
        export::export(&store, Kind::Assets, Format::Csv, &mut std::io::sink()).expect("export")
    });
}

/// Check then write, into a fresh database each time (made outside the timing).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn import_snipeit_rows(b: Bencher) {
    let f = import_file();
    b.counter(ItemsCount::new(f.rows))
        .with_inputs(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let store =
                Store::open(&dir.path().join("fresh.db"), &OpenOptions::default()).expect("open");
            (dir, store)
        })
        .bench_local_values(|(dir, mut store)| {
            let plan = import::plan(&store, &f.csv, &import::Options::default()).expect("plan");
            let applied = import::apply(&mut store, &plan, &mut |_| {}).expect("apply");
            // Returned, so that closing and deleting the database happen outside the timing.
            (applied.created, store, dir)
        });
}
