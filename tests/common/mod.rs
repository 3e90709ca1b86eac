//! Helpers shared by the integration tests: a temp home and an `itam` command bound to it.
#![allow(dead_code)]

pub mod lock;
pub mod pg;

use assert_cmd::Command;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The test's own database when the suite runs on PostgreSQL (`ITAM_TEST_PG`), else none.
    pub pg: Option<pg::TempDb>,
}

impl Env {
    /// A temp home; on PostgreSQL also a fresh, empty database of its own (dropped on drop).
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            // Its URL logs in as the role named after the OS user, as peer authentication maps
            // each OS user to their own role in a real deployment (the actor is then the same
            // name on both backends).
            pg: pg::base_url().map(|base| {
                let mut db = pg::TempDb::create(&base);
                db.url = db.url_as(&pg::os_role());
                db
            }),
        }
    }

    /// The SQLite file's path (tests use it as a path, so it stays one on PostgreSQL too,
    /// where nothing is written there: see [`Env::target`]).
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("itam.db")
    }

    /// What `--db` gets: the test database's URL on PostgreSQL, else the SQLite path.
    pub fn target(&self) -> OsString {
        match &self.pg {
            Some(db) => db.url.clone().into(),
            None => self.db().into(),
        }
    }

    /// The store behind [`Env::target`], opened (and migrated) with default options.
    pub fn store(&self) -> itam::store::Store {
        self.store_with(&itam::store::OpenOptions::default())
    }

    /// The store behind [`Env::target`] with `opts`.
    pub fn store_with(&self, opts: &itam::store::OpenOptions) -> itam::store::Store {
        itam::store::Store::open(Path::new(&self.target()), opts).expect("open the test store")
    }

    /// `itam` with its config and data folders inside the temp dir and `--db` set.
    pub fn itam(&self) -> Command {
        let mut c = self.bare();
        c.arg("--db").arg(self.target());
        c
    }

    /// One SQL statement on the test's own database, behind itam's back (to read what a
    /// command left, or plant a change for `itam check` to find): psql on PostgreSQL, rusqlite
    /// on SQLite. Returns each row's first column as text, one row a line. Write it in SQL
    /// both dialects accept, values inline.
    pub fn sql(&self, sql: &str) -> String {
        if let Some(db) = &self.pg {
            return pg::psql_ok(&db.url, sql);
        }
        let c = rusqlite::Connection::open(self.db()).expect("open the SQLite file");
        let mut st = c.prepare(sql).expect("prepare");
        if st.column_count() == 0 {
            st.execute([]).expect("execute");
            return String::new();
        }
        let rows: Vec<String> = st
            .query_map([], |r| {
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Null => String::new(),
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    rusqlite::types::ValueRef::Real(f) => f.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
                })
            })
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        rows.join("\n")
    }

    /// [`Env::sql`] expecting the statement to be refused; returns the error message.
    pub fn sql_err(&self, sql: &str) -> String {
        if let Some(db) = &self.pg {
            return pg::psql_err(&db.url, sql);
        }
        let c = rusqlite::Connection::open(self.db()).expect("open the SQLite file");
        c.execute_batch(sql)
            .expect_err("the statement should have been refused")
            .to_string()
    }

    /// `itam` with the temp dir as XDG home but no `--db`.
    pub fn bare(&self) -> Command {
        let mut c = Command::cargo_bin("itam").expect("binary");
        c.env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env_remove("ITAM_DB")
            .env("NO_COLOR", "1");
        c
    }

    /// Run and return stdout, asserting success.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.itam().args(args).output().expect("run itam");
        assert!(
            out.status.success(),
            "itam {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Run expecting exit code `code`; return stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.itam().args(args).output().expect("run itam");
        assert_eq!(
            out.status.code(),
            Some(code),
            "itam {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8")
    }

    /// JSON printed by a command that exits with `code`.
    pub fn json_code(&self, args: &[&str], code: i32) -> serde_json::Value {
        let out = self.itam().args(args).output().expect("run itam");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("json output")
    }

    /// A small register: two locations, two people, one asset in stock.
    pub fn seeded() -> Env {
        let e = Env::new();
        e.ok(&["location", "add", "HQ-101", "--name", "IT Depot"]);
        e.ok(&[
            "location", "add", "HQ-201", "--name", "Floor 2", "--parent", "HQ-101",
        ]);
        e.ok(&[
            "person", "add", "jdoe", "--name", "Jane Doe", "--badge", "B1001", "--team", "IT",
        ]);
        e.ok(&[
            "person",
            "add",
            "asmith",
            "--name",
            "Ann Smith",
            "--email",
            "ann@example.com",
        ]);
        e.ok(&[
            "add",
            "--tag",
            "IT-0001",
            "--serial",
            "SN-AAA",
            "--model",
            "Latitude 7440",
            "--manufacturer",
            "Dell",
            "--category",
            "Laptop",
            "--cost",
            "1649",
            "--location",
            "HQ-101",
            "--owner",
            "IT",
            "--purchased",
            "2025-01-15",
            "--warranty-until",
            "2028-01-15",
        ]);
        e
    }
}

/// Whether the suite runs on PostgreSQL (`ITAM_TEST_PG` holds a base connection string).
pub fn on_postgres() -> bool {
    pg::base_url().is_some()
}

/// For a test that only makes sense on SQLite (it reads or damages the file itself): on
/// PostgreSQL it says why it is skipped and returns.
#[macro_export]
macro_rules! sqlite_only {
    ($why:expr) => {
        if $crate::common::on_postgres() {
            // Straight to stderr: eprintln! is captured, and hidden, for a test that passes.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("skipped on PostgreSQL: {}\n", $why),
            );
            return;
        }
    };
}

pub fn samples_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared/samples is absent on this machine");
        None
    }
}

/// A tiny seeded xorshift64* generator: reproducible random tests without another crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // Zero is xorshift's one fixed point; mix the seed so small seeds differ a lot.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The seed for a randomized test: `ITAM_TEST_SEED` when set (to replay a failure), else the
/// clock. Printed so a failing run can be repeated.
pub fn seed(test: &str) -> u64 {
    // CI replays one fixed seed (a landing must not depend on a lucky draw); elsewhere the clock.
    let fixed_in_ci = std::env::var_os("CI").map(|_| 0x5EED_u64);
    let seed = std::env::var("ITAM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .or(fixed_in_ci)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("{test}: ITAM_TEST_SEED={seed}");
    seed
}
