//! Shared by the benchmarks: percentiles of a set of samples.
#![allow(dead_code)]

use std::time::Duration;

/// `n=… p50 … ms, p99 … ms, max … ms` of samples in milliseconds.
pub fn percentiles_ms(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "no samples".into();
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    format!(
        "n={} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        v.len(),
        at(0.5),
        at(0.99),
        v[v.len() - 1]
    )
}

pub fn durations(v: Vec<Duration>) -> String {
    percentiles_ms(v.into_iter().map(|d| d.as_secs_f64() * 1000.0).collect())
}

/// (p50, p99, max) in milliseconds, for tables.
pub fn triple(v: &[Duration]) -> (f64, f64, f64) {
    let mut ms: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| {
        ms.get(((ms.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (at(0.5), at(0.99), ms.last().copied().unwrap_or(0.0))
}

/// The database a benchmark runs on: ITAM_BENCH_DB if set, else ITAM_BENCH_ASSETS (default
/// `default_n`) demo assets generated into `dir`.
pub fn bench_db(dir: &std::path::Path, default_n: u64) -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("ITAM_BENCH_DB") {
        return std::path::PathBuf::from(p);
    }
    let n: u64 = std::env::var("ITAM_BENCH_ASSETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_n);
    let p = dir.join("bench.db");
    let mut s = itam::store::Store::open(&p, &itam::store::OpenOptions::default()).expect("open");
    let t = std::time::Instant::now();
    itam::demo::generate(&mut s, n, 1).expect("demo");
    eprintln!(
        "generated {n} demo assets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    p
}
