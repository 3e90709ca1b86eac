//! Search and scan look-up speed on a demo database: `cargo bench --bench search`.
//!
//! ITAM_BENCH_DB=PATH uses an existing database (e.g. a 1,000,000-asset `itam demo`);
//! otherwise ITAM_BENCH_ASSETS (default 100000) demo assets are generated in a temp folder.
//! Prints, per query typed one keystroke at a time (as the TUI does, narrowing on each), the
//! latency of every keystroke: p50, p99 and max; then fuzzy-matcher against nucleo-matcher
//! scoring every line once; then exact code resolution.
//!
//! Beside wall time it prints the CPU time of each keystroke (all threads of the process), so
//! that a figure taken on a busy shared machine still says what the search costs: on an idle
//! machine with two cores a keystroke's wall time is about half its CPU time, plus the serial
//! part (the precise scoring of a few hundred rows).

mod common;

// The binary's allocator, so that in-process figures match what itam itself does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use itam::search::Index;
use itam::store::{OpenOptions, Store};
use std::time::{Duration, Instant};

/// CPU time used so far by every thread of this process.
fn cpu_now() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// ITAM_BENCH_KEYS=1 (or a comma-separated list of queries): only type each query once, keystroke by keystroke, from the cached index
/// (`Index::load_or_build`, so a second run starts in a second), printing each keystroke's CPU
/// time: small and repeatable enough to run under `valgrind --tool=callgrind` and compare
/// instruction counts between designs, which a shared machine's load does not disturb.
fn keys_only(store: &Store) {
    let idx = Index::load_or_build(store).expect("index");
    let given = std::env::var("ITAM_BENCH_KEYS").unwrap_or_default();
    let queries: Vec<&str> = match given.as_str() {
        "" | "1" => vec!["thinkpad hq", "lat74", "c02", "okafor"],
        list => list.split(',').collect(),
    };
    for q in queries {
        let mut prev = None;
        for end in 1..=q.len() {
            let (t, c, f) = (Instant::now(), cpu_now(), faults_now());
            let mut m = idx.search(&q[..end], 300, prev.as_ref());
            let wall = t.elapsed().as_secs_f64() * 1000.0;
            let ms = cpu_now().saturating_sub(c).as_secs_f64() * 1000.0;
            let faults = faults_now() - f;
            // What the TUI's search thread does after drawing, before the next key.
            let t = Instant::now();
            idx.prepare(&mut m, &|| false);
            let ready = t.elapsed().as_secs_f64() * 1000.0;
            println!(
                "{:>12} {:>8} matches {:>6} faults {wall:6.2} ms wall {ms:6.2} ms CPU, then {ready:6.2} ms preparing",
                &q[..end],
                m.all.len(),
                faults
            );
            prev = Some(m);
        }
    }
}

/// Page faults so far (minor: fresh pages the allocator asked the kernel for).
fn faults_now() -> i64 {
    // SAFETY: getrusage writes one rusage we own.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    u.ru_minflt
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = common::bench_db(tmp.path(), 100_000);
    let store = Store::open(&path, &OpenOptions { read_only: true }).expect("open");
    if std::env::var_os("ITAM_BENCH_KEYS").is_some() {
        return keys_only(&store);
    }
    let t = Instant::now();
    let idx = Index::build(&store).expect("index");
    println!(
        "index: {} rows built in {:.0} ms",
        idx.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );

    // A serial fragment and a surname that exist in the seed-1 demo data.
    let serial: String = store
        .asset("IT-000777")
        .ok()
        .and_then(|a| a.serial)
        .unwrap_or_else(|| "D0".into());
    let fragment = serial[serial.len().saturating_sub(5)..].to_lowercase();
    let queries = [
        "lat74".to_string(),
        fragment,
        "okafor".to_string(),
        "thinkpad hq-301".to_string(),
    ];
    println!(
        "\n| query | keystrokes | p50 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms | matches |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let rounds = 20;
    let (mut every, mut every_cpu) = (Vec::new(), Vec::new());
    for q in &queries {
        let (mut times, mut cpu) = (Vec::new(), Vec::new());
        let mut total = 0;
        for _ in 0..rounds {
            let mut prev = None;
            for end in 1..=q.len() {
                let (t, c) = (Instant::now(), cpu_now());
                let mut m = idx.search(&q[..end], 300, prev.as_ref());
                times.push(t.elapsed());
                cpu.push(cpu_now().saturating_sub(c));
                total = m.all.len();
                // As the TUI's search thread does between keystrokes (not timed here).
                idx.prepare(&mut m, &|| false);
                prev = Some(m);
            }
        }
        let (p50, p99, max) = common::triple(&times);
        let (c50, c99, _) = common::triple(&cpu);
        every.extend(times);
        every_cpu.extend(cpu);
        println!(
            "| `{q}` | {} | {p50:.2} | {p99:.2} | {max:.2} | {c50:.2} | {c99:.2} | {total} |",
            q.len()
        );
    }
    let (p50, p99, max) = common::triple(&every);
    let (c50, c99, _) = common::triple(&every_cpu);
    println!("| all | | {p50:.2} | {p99:.2} | {max:.2} | {c50:.2} | {c99:.2} | |");

    // Taking a query back one key at a time (backspace): each answer narrows from the kept
    // answer to the prefix it returns to.
    println!("\n| typed, then erased key by key | erasures | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms |");
    println!("|---|---|---|---|---|---|");
    for q in &queries {
        let (mut times, mut cpu) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let mut prev = None;
            for end in 1..=q.len() {
                prev = Some(idx.search(&q[..end], 300, prev.as_ref()));
            }
            for end in (1..q.len()).rev() {
                let (t, c) = (Instant::now(), cpu_now());
                let m = idx.search(&q[..end], 300, prev.as_ref());
                times.push(t.elapsed());
                cpu.push(cpu_now().saturating_sub(c));
                prev = Some(m);
            }
        }
        let (p50, p99, _) = common::triple(&times);
        let (c50, c99, _) = common::triple(&cpu);
        println!(
            "| `{q}` | {} | {p50:.2} | {p99:.2} | {c50:.2} | {c99:.2} |",
            q.len() - 1
        );
    }

    // Which keystroke costs what: the first letters match most rows, later ones narrow.
    println!("\n| query so far | p50 ms | max ms | CPU p50 ms | matches |");
    println!("|---|---|---|---|---|");
    for q in ["thinkpad hq", "lat74", "c02"] {
        let mut prev = None;
        for end in 1..=q.len() {
            let (mut times, mut cpu) = (Vec::new(), Vec::new());
            let mut m = None;
            for _ in 0..rounds {
                let (t, c) = (Instant::now(), cpu_now());
                m = Some(idx.search(&q[..end], 300, prev.as_ref()));
                times.push(t.elapsed());
                cpu.push(cpu_now().saturating_sub(c));
            }
            let (p50, _, max) = common::triple(&times);
            let (c50, _, _) = common::triple(&cpu);
            let mut m = m.unwrap_or_default();
            idx.prepare(&mut m, &|| false);
            println!(
                "| `{}` | {p50:.2} | {max:.2} | {c50:.2} | {} |",
                &q[..end],
                m.all.len()
            );
            prev = Some(m);
        }
    }

    // Precise scoring of every line once: the matcher choice.
    let lines: Vec<&str> = idx.lines().collect();
    let skim = SkimMatcherV2::default().respect_case();
    let t = Instant::now();
    let hits = lines
        .iter()
        .filter(|l| skim.fuzzy_match(l, "lat74").is_some())
        .count();
    let skim_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut nucleo = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
    let pattern = nucleo_matcher::pattern::Pattern::parse(
        "lat74",
        nucleo_matcher::pattern::CaseMatching::Ignore,
        nucleo_matcher::pattern::Normalization::Never,
    );
    let mut buf = Vec::new();
    let t = Instant::now();
    let nhits = lines
        .iter()
        .filter(|l| {
            pattern
                .score(nucleo_matcher::Utf32Str::new(l, &mut buf), &mut nucleo)
                .is_some()
        })
        .count();
    let nucleo_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("\nscore all {} lines for `lat74`: fuzzy-matcher (skim v2) {skim_ms:.0} ms ({hits} hits), nucleo-matcher {nucleo_ms:.0} ms ({nhits} hits)", lines.len());

    // Resolving a scanned code: exact indexed look-ups.
    let n = 2000;
    let mut times = Vec::new();
    for i in 0..n {
        let code = format!("IT-{:06}", 1 + (i * 7919) % idx.len().max(1));
        let t = Instant::now();
        let _ = store.find_code(&code).expect("lookup");
        times.push(t.elapsed());
    }
    let (p50, p99, max) = common::triple(&times);
    println!(
        "\nresolve a scanned tag ({n} codes): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        p50, p99, max
    );
}
