//! Shared by the benchmarks: percentiles of a set of samples.
#![allow(dead_code)]

use std::time::Duration;

#[path = "../../tests/common/pg.rs"]
pub mod pg;

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

/// An environment variable as a number, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The database a benchmark runs on: ITAM_BENCH_DB if set, else ITAM_BENCH_ASSETS (default
/// `default_n`) demo assets generated into `dir`.
pub fn bench_db(dir: &std::path::Path, default_n: u64) -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("ITAM_BENCH_DB") {
        return std::path::PathBuf::from(p);
    }
    generated_db(dir, default_n)
}

/// As [`bench_db`], but ITAM_BENCH_DB is copied into `dir` first (for benchmarks that write),
/// through SQLite's backup so that an un-checkpointed WAL is copied too.
pub fn writable_bench_db(dir: &std::path::Path, default_n: u64) -> std::path::PathBuf {
    let Some(src) = std::env::var_os("ITAM_BENCH_DB") else {
        return generated_db(dir, default_n);
    };
    let src = itam::store::Store::open(
        std::path::Path::new(&src),
        &itam::store::OpenOptions { read_only: true },
    )
    .expect("open ITAM_BENCH_DB");
    let p = dir.join("bench.db");
    src.backup_to(&p).expect("copy the database");
    p
}

/// A copy of a PostgreSQL database for a benchmark that writes, dropped (with anyone still
/// connected) when this is dropped.
pub struct PgCopy {
    pub url: String,
    name: String,
    admin: String,
}

impl Drop for PgCopy {
    fn drop(&mut self) {
        let _ = pg::psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// As [`writable_bench_db`], and ITAM_BENCH_DB may also be a PostgreSQL URL: the benchmark
/// then runs on a copy made with `CREATE DATABASE … TEMPLATE` (a file-level copy, seconds even
/// at 1M; nobody may be connected to the source meanwhile), so every run starts from the same
/// data and the source is never written. Returns what `--db` gets and the copy's guard.
pub fn writable_bench_target(
    dir: &std::path::Path,
    default_n: u64,
) -> (std::ffi::OsString, Option<PgCopy>) {
    let src = std::env::var("ITAM_BENCH_DB").unwrap_or_default();
    let itam::store::DbTarget::Postgres(url) =
        itam::store::DbTarget::parse(std::path::Path::new(&src))
    else {
        return (writable_bench_db(dir, default_n).into(), None);
    };
    let config: postgres::Config = url.parse().expect("ITAM_BENCH_DB: a PostgreSQL URL");
    let source = config
        .get_dbname()
        .expect("ITAM_BENCH_DB names its database")
        .to_string();
    // CREATE DATABASE runs from another database: the source must have no sessions.
    let admin = pg::with_db(&url, "postgres", None);
    let name = format!("itam_bench_copy_{}", std::process::id());
    let t = std::time::Instant::now();
    pg::psql_ok(
        &admin,
        &format!("CREATE DATABASE {name} TEMPLATE \"{source}\""),
    );
    eprintln!(
        "copied {source} to {name} in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let copy = PgCopy {
        url: pg::with_db(&url, &name, None),
        name,
        admin,
    };
    (copy.url.clone().into(), Some(copy))
}

/// Up to `n` deployed assets and their assignees: check-in/check-out pairs for scan commits.
pub fn deployed_pairs(store: &itam::store::Store, n: i64) -> Vec<(String, String)> {
    let mut st = store
        .conn()
        .prepare(
            "SELECT a.tag, p.username FROM assets a JOIN people p ON p.id = a.assignee_id
             WHERE a.status = 'deployed' ORDER BY a.id LIMIT ?1",
        )
        .expect("query");
    st.query_map([n], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

/// A Snipe-IT CSV of `rows` assets in `dir`: an export of a separate demo database (seed 2).
pub fn snipeit_csv(dir: &std::path::Path, rows: u64) -> std::path::PathBuf {
    use itam::interop::{export, Format, Kind};
    let mut s = itam::store::Store::open(
        &dir.join("import-src.db"),
        &itam::store::OpenOptions::default(),
    )
    .expect("open");
    itam::demo::generate(&mut s, rows, 2).expect("demo");
    let csv = dir.join("snipeit.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("create"));
    export::export(&s, Kind::Assets, Format::Snipeit, &mut f).expect("export");
    csv
}

fn generated_db(dir: &std::path::Path, default_n: u64) -> std::path::PathBuf {
    let n = env_u64("ITAM_BENCH_ASSETS", default_n);
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
