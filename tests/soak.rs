//! Many writers on one database: 8 workers, each a loop of separate `itam` processes doing
//! random check-outs, check-ins, moves, condition changes, audit scans and small imports for a
//! bounded time (`ITAM_SOAK_SECS`, default 10 s so CI stays quick; set 30 or more for a real
//! soak). Afterwards `itam check` passes, every acknowledged operation (exit 0) is in the
//! history exactly once, every refused one is absent, and no process saw "database is locked".

mod common;

use assert_cmd::cargo::cargo_bin;
use common::Rng;
use itam::store::{NewAsset, NewLocation, NewPerson, OpenOptions, Store};
use rusqlite::params;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WORKERS: usize = 8;
const ASSETS: usize = 40;
const PEOPLE: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Checkout,
    Checkin,
    Move,
    Condition,
    Audit,
    Import,
}

struct Done {
    op: Op,
    /// `soak-<worker>-<n>`: the note (or code, or tag prefix) that identifies it in the database.
    id: String,
    acked: bool,
    stderr: String,
}

fn tag(i: u64) -> String {
    format!("S-{i:02}")
}

fn setup(db: &Path) {
    let mut s = Store::open(db, &OpenOptions::default()).unwrap();
    for code in ["DEPOT", "SHELF", "BENCH"]
        .into_iter()
        .map(String::from)
        .chain((0..WORKERS).map(|w| format!("ROOM-{w}")))
    {
        s.add_location(&NewLocation {
            code: code.clone(),
            name: code,
            parent: None,
        })
        .unwrap();
    }
    for p in 0..PEOPLE {
        s.add_person(&NewPerson {
            username: format!("user{p}"),
            full_name: format!("User {p}"),
            ..Default::default()
        })
        .unwrap();
    }
    for i in 0..ASSETS as u64 {
        s.add_asset(&NewAsset {
            tag: tag(i),
            model: Some("Latitude 7440".into()),
            location: Some("DEPOT".into()),
            ..Default::default()
        })
        .unwrap();
    }
}

fn itam(db: &Path, home: &Path) -> Command {
    let mut c = Command::new(cargo_bin("itam"));
    c.arg("--db")
        .arg(db)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("ITAM_DB")
        .env("NO_COLOR", "1");
    c
}

fn worker(w: usize, seed: u64, db: PathBuf, home: PathBuf, until: Instant) -> Vec<Done> {
    let mut rng = Rng::new(seed ^ (w as u64 + 1).wrapping_mul(0x1000_0001));
    let mut done = Vec::new();
    // Each worker audits its own room, so audit scans from all workers interleave with the rest.
    let out = itam(&db, &home)
        .args(["audit", "start", &format!("ROOM-{w}"), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "audit start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let audit = audit["id"].as_i64().unwrap().to_string();
    let csv = home.join(format!("import-{w}.csv"));
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        let id = format!("soak-{w}-{n}");
        let t = tag(rng.below(ASSETS as u64));
        let mut cmd = itam(&db, &home);
        let op = match rng.below(12) {
            0..=2 => {
                let to = format!("user{}", rng.below(PEOPLE as u64));
                cmd.args(["checkout", &t, "--to", &to, "--note", &id]);
                Op::Checkout
            }
            3..=5 => {
                cmd.args(["checkin", &t, "--note", &id]);
                Op::Checkin
            }
            6..=7 => {
                let to = ["DEPOT", "SHELF", "BENCH"][rng.below(3) as usize];
                cmd.args(["move", &t, "--to", to, "--note", &id]);
                Op::Move
            }
            8..=9 => {
                let grade = ["new", "good", "fair", "poor"][rng.below(4) as usize];
                cmd.args(["condition", &t, grade, "--note", &id]);
                Op::Condition
            }
            10 => {
                // A unique unknown code is recorded once per audit: it identifies this scan.
                cmd.args(["audit", "scan", &audit, &id, &t]);
                Op::Audit
            }
            _ => {
                let rows: String = (0..3).map(|k| format!("{id}-{k},Soak import\n")).collect();
                std::fs::write(&csv, format!("Asset Tag,Model\n{rows}")).unwrap();
                cmd.arg("import").arg(&csv);
                Op::Import
            }
        };
        let out = cmd.output().unwrap();
        done.push(Done {
            op,
            id,
            acked: out.status.success(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    done
}

fn count(s: &Store, sql: &str, p: &str) -> i64 {
    s.conn().query_row(sql, params![p], |r| r.get(0)).unwrap()
}

#[test]
fn eight_writers_lose_nothing_and_never_see_locked() {
    let secs: u64 = std::env::var("ITAM_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let seed = common::seed("soak");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("itam.db");
    setup(&db);
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let handles: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (db, home) = (db.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || worker(w, seed, db, home, until))
        })
        .collect();
    let all: Vec<Done> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let acked = all.iter().filter(|d| d.acked).count();
    eprintln!(
        "soak: {} ops in {elapsed:.1} s ({:.0} ops/s), {acked} acknowledged, {} refused",
        all.len(),
        all.len() as f64 / elapsed,
        all.len() - acked
    );

    for d in &all {
        let e = d.stderr.to_lowercase();
        assert!(
            !e.contains("locked") && !e.contains("busy"),
            "{} ({:?}) met lock contention: {}",
            d.id,
            d.op,
            d.stderr
        );
        // A refusal must be a rule speaking (deployed already, in stock already), never a crash.
        assert!(
            !e.contains("panicked"),
            "{} ({:?}) panicked: {}",
            d.id,
            d.op,
            d.stderr
        );
    }
    // Every kind of operation was tried and most kinds got through.
    for op in [
        Op::Checkout,
        Op::Checkin,
        Op::Move,
        Op::Condition,
        Op::Audit,
        Op::Import,
    ] {
        assert!(
            all.iter().any(|d| d.op == op && d.acked),
            "no acknowledged {op:?} in {} ops",
            all.len()
        );
    }

    let s = Store::open(&db, &OpenOptions::default()).unwrap();
    for d in &all {
        let want = i64::from(d.acked);
        let (what, got) = match d.op {
            Op::Checkout | Op::Checkin | Op::Move | Op::Condition => {
                let kind = match d.op {
                    Op::Checkout => "checkout",
                    Op::Checkin => "checkin",
                    Op::Move => "move",
                    _ => "condition",
                };
                let n = s
                    .conn()
                    .query_row(
                        "SELECT count(*) FROM events WHERE note = ?1 AND kind = ?2",
                        params![d.id, kind],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap();
                // A refused operation leaves no event of any kind.
                if !d.acked {
                    assert_eq!(
                        count(&s, "SELECT count(*) FROM events WHERE note = ?1", &d.id),
                        0,
                        "{} was refused but left history: {}",
                        d.id,
                        d.stderr
                    );
                }
                (kind, n)
            }
            Op::Audit => (
                "audit scan",
                count(
                    &s,
                    "SELECT count(*) FROM audit_scans WHERE code = ?1",
                    &d.id,
                ),
            ),
            Op::Import => {
                let assets = count(
                    &s,
                    "SELECT count(*) FROM assets WHERE tag LIKE ?1 || '-_'",
                    &d.id,
                );
                let creates = count(
                    &s,
                    "SELECT count(*) FROM events e JOIN assets a ON a.id = e.asset_id \
                     WHERE e.kind = 'create' AND a.tag LIKE ?1 || '-_'",
                    &d.id,
                );
                assert_eq!(assets, creates, "{}: one create event per asset", d.id);
                // All three rows or none.
                assert!(assets == 0 || assets == 3, "{}: {assets} of 3 rows", d.id);
                ("import", assets / 3)
            }
        };
        assert_eq!(
            got, want,
            "{} ({what}) acknowledged={} is in the history {got} times; stderr: {}",
            d.id, d.acked, d.stderr
        );
    }
    drop(s);

    let out = itam(&db, dir.path()).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "itam check after the soak: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
