//! The durable operations, in process: `cargo bench --bench ops`.
//!
//! ITAM_BENCH_ASSETS (default 10000; the documented runs use 100000 and 1000000) demo assets
//! are generated in a temp folder (or ITAM_BENCH_DB=PATH is copied and used). Reports:
//! a scan commit (check-in, then check-out: each its own durable BEGIN IMMEDIATE transaction
//! with synchronous=FULL) as p50/p99/max; the depreciation report over every asset; exporting
//! every asset as CSV; importing 100,000 Snipe-IT rows into a fresh database.
//! Percentiles are the targets (a wand fires one scan a second), which is why this harness
//! records every sample rather than a mean.

mod common;

// The binary's allocator, so that in-process figures match what itam itself does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use itam::interop::{export, import, Format, Kind};
use itam::store::{OpenOptions, Store};
use std::time::Instant;

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = common::writable_bench_db(tmp.path(), 10_000);
    let mut store = Store::open(&db, &OpenOptions::default()).expect("open");
    let assets = store.asset_count().expect("count");
    println!("database: {assets} assets");

    // Scan commits: check-in then check-out of deployed assets, 500 pairs.
    let pairs = common::deployed_pairs(&store, 500);
    let (mut ins, mut outs) = (Vec::new(), Vec::new());
    for (tag, user) in &pairs {
        let t = Instant::now();
        store
            .checkin(tag, None, None, Some("bench"))
            .expect("checkin");
        ins.push(t.elapsed());
        let t = Instant::now();
        store
            .checkout(tag, user, None, Some("bench"))
            .expect("checkout");
        outs.push(t.elapsed());
    }
    println!("scan commit, check-in:  {}", common::durations(ins));
    println!("scan commit, check-out: {}", common::durations(outs));

    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let (rows, secs) = timed(|| {
        let mut rows = 0u64;
        store
            .depreciation_report(today, None, |_| {
                rows += 1;
                Ok(())
            })
            .expect("report");
        rows
    });
    println!("depreciation report: {rows} assets in {secs:.2} s");

    let (exported, secs) = timed(|| {
        export::export(&store, Kind::Assets, Format::Csv, &mut std::io::sink()).expect("export")
    });
    println!("export CSV: {exported} assets in {secs:.2} s");

    // Import 100,000 Snipe-IT rows: the file is an export of a 100k demo database.
    let csv = common::snipeit_csv(tmp.path(), 100_000);
    let mut fresh =
        Store::open(&tmp.path().join("fresh.db"), &OpenOptions::default()).expect("open");
    let (plan, plan_secs) =
        timed(|| import::plan(&fresh, &csv, &import::Options::default()).expect("plan"));
    let (applied, apply_secs) =
        timed(|| import::apply(&mut fresh, &plan, &mut |_| {}).expect("apply"));
    println!(
        "import 100k Snipe-IT rows: {} created; check {plan_secs:.2} s + write {apply_secs:.2} s = {:.2} s (write lock held {} ms)",
        applied.created,
        plan_secs + apply_secs,
        applied.write_ms
    );
}
