//! `itam demo`: real proportions (people per asset, a tree of sites, floors and rooms), and
//! all or nothing (a kill -9 or a full disk part-way leaves the database as it was).

mod common;

use assert_cmd::cargo::cargo_bin;
use common::Rng;
use itam::store::{OpenOptions, Store};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn count(db: &Path, sql: &str) -> i64 {
    // Read-write, as the next itam run would open it: a kill during `itam demo`'s own
    // migrations leaves an older schema (each migration whole), which that run brings up.
    let s = Store::open(db, &OpenOptions { read_only: false }).unwrap();
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn itam(db: &Path, home: &Path) -> Command {
    let mut c = Command::new(cargo_bin("itam"));
    c.arg("--db")
        .arg(db)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("ITAM_DB")
        .env("NO_COLOR", "1");
    c
}

#[test]
fn demo_data_has_real_proportions() {
    let e = common::Env::new();
    let db = std::path::PathBuf::from(e.target());
    let n = 6000;
    let summary = {
        let mut s = Store::open(&db, &OpenOptions::default()).unwrap();
        itam::demo::generate(&mut s, n, 4).unwrap()
    };
    let people = count(&db, "SELECT count(*) FROM people");
    assert_eq!(people as u64, summary.people);
    assert!(
        (n as i64 / 3 - 1..=n as i64 / 3 + 1).contains(&people),
        "about one person per three assets: {people} for {n}"
    );
    let badges = count(&db, "SELECT count(DISTINCT badge) FROM people");
    assert_eq!(badges, people, "everyone has their own badge");
    // The tree: sites (no parent), floors (a site's children), rooms (a floor's children).
    let depth = |d: i64| {
        count(
            &db,
            &format!(
                "WITH RECURSIVE t(id, depth) AS (
                   SELECT id, 1 FROM locations WHERE parent_id IS NULL
                   UNION ALL SELECT l.id, t.depth + 1 FROM locations l JOIN t ON l.parent_id = t.id)
                 SELECT count(*) FROM t WHERE depth = {d}"
            ),
        )
    };
    let (sites, floors, rooms) = (depth(1), depth(2), depth(3));
    assert_eq!(depth(4), 0, "rooms are the leaves");
    assert_eq!(
        (sites + floors + rooms) as u64,
        summary.locations,
        "every location is in the tree"
    );
    assert!(
        sites >= 5,
        "head office, warehouse, repair and branches: {sites}"
    );
    let flat_sites = count(
        &db,
        "SELECT count(*) FROM locations s WHERE parent_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM locations f WHERE f.parent_id = s.id)",
    );
    assert_eq!(
        flat_sites, 2,
        "only the warehouse and repair centre have no floors"
    );
    assert!(
        floors >= sites - 2,
        "sites have floors: {floors} for {sites} sites"
    );
    assert!(
        rooms >= 3 * floors,
        "floors have rooms: {rooms} for {floors} floors"
    );
    // Assets sit in rooms (or the warehouse and repair centre), never on a floor or a site
    // that has floors.
    let on_inner = count(
        &db,
        "SELECT count(*) FROM assets a WHERE EXISTS
           (SELECT 1 FROM locations c WHERE c.parent_id = a.location_id)",
    );
    assert_eq!(on_inner, 0, "assets are in rooms");
    let busiest = count(
        &db,
        "SELECT max(c) FROM (SELECT count(*) AS c FROM assets GROUP BY location_id) AS per_location",
    );
    assert!(
        busiest < n as i64 / 4,
        "assets spread over the rooms: {busiest} in one place"
    );
}

/// One demo's size in a killed trial: big enough that a kill lands mid-write.
const KILL_ASSETS: &str = "12000";
const KILL_TRIALS: usize = 6;

#[test]
fn a_killed_demo_leaves_nothing_behind() {
    let mut rng = Rng::new(common::seed("kill demo"));
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let mut span = Duration::from_millis(2000);
    let (mut whole, mut none) = (0, 0);
    for trial in 0..KILL_TRIALS {
        // A database of its own per trial (on PostgreSQL too).
        let trial_env = common::Env::new();
        let db = match &trial_env.pg {
            Some(_) => std::path::PathBuf::from(trial_env.target()),
            None => dir.path().join(format!("k{trial}.db")),
        };
        let started = Instant::now();
        let mut child = itam(&db, home)
            .args(["demo", "--assets", KILL_ASSETS])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let finished_ok = if trial == 0 {
            let ok = child.wait().unwrap().success();
            span = started.elapsed();
            eprintln!("kill demo: one {KILL_ASSETS}-asset demo takes {span:?}");
            ok
        } else {
            // Kills land across the first half of the run, past its start-up: the first run
            // (timed) may be twice as slow as the next ones on a busy machine, and kills after
            // the end would test nothing.
            let ms = span.as_millis() as u64;
            std::thread::sleep(Duration::from_millis(ms / 20 + rng.below(ms / 2)));
            // SAFETY: kill(2) on our own child, which has not been reaped yet.
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            child.wait().unwrap().success()
        };
        // A SQLite file a kill left uncreated is "nothing"; a PostgreSQL database always exists.
        if trial_env.pg.is_none() && !db.exists() {
            none += 1;
            continue;
        }
        let assets = count(&db, "SELECT count(*) FROM assets");
        let people = count(&db, "SELECT count(*) FROM people");
        let places = count(&db, "SELECT count(*) FROM locations");
        let events = count(&db, "SELECT count(*) FROM events");
        if assets == 0 {
            assert_eq!(
                (people, places, events),
                (0, 0, 0),
                "trial {trial}: a killed demo left people, places or history"
            );
            assert!(!finished_ok, "trial {trial}: an acknowledged demo is there");
            none += 1;
        } else {
            assert_eq!(
                assets.to_string(),
                KILL_ASSETS,
                "trial {trial}: demo half-written"
            );
            whole += 1;
        }
        let out = itam(&db, home).arg("check").output().unwrap();
        assert!(
            out.status.success(),
            "trial {trial}: itam check after the kill: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if assets == 0 {
            // Nothing stands in the way of running it again.
            let again = itam(&db, home)
                .args(["demo", "--assets", "30"])
                .output()
                .unwrap();
            assert!(again.status.success(), "trial {trial}: demo again");
        }
    }
    eprintln!("kill demo: {KILL_TRIALS} trials, {whole} whole, {none} left nothing");
    assert!(none > 0, "no kill landed mid-write");
}

#[test]
fn a_full_disk_during_demo_changes_nothing_and_says_so() {
    sqlite_only!("it caps the SQLite file's size with PRAGMA max_page_count");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.db");
    let mut s = Store::open(&db, &OpenOptions::default()).unwrap();
    let pages: i64 = s
        .conn()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    // A size limit a little above the empty schema: SQLite's own "disk full".
    s.conn()
        .query_row(
            &format!("PRAGMA max_page_count = {}", pages + 40),
            [],
            |_| Ok(()),
        )
        .unwrap();
    let err = itam::demo::generate(&mut s, 3000, 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("full"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    drop(s);
    for table in ["assets", "people", "locations", "events", "models", "teams"] {
        assert_eq!(
            count(&db, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table} after a failed demo"
        );
    }
}
