//! A streaming replica: a primary and a hot standby of it (`.ci/pg-cluster.sh start` and
//! `replica` in a folder of the test's own), so what is written on the primary shows up on the
//! standby and a write on the standby is refused. Needs PostgreSQL's server binaries; runs when
//! a cluster is configured (`ITAM_TEST_PG`, which says they are there) and says why it is
//! skipped otherwise.

mod common;

use common::pg;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a write may take to reach the standby (it is usually a few milliseconds).
const LAG: Duration = Duration::from_secs(10);

/// A primary and its standby in a temp folder, stopped and removed on drop.
struct Pair {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    primary: String,
    standby: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/pg-cluster.sh")
}

fn cluster(cmd: &str, dir: &Path) -> String {
    let out = Command::new("bash")
        .arg(script())
        .arg(cmd)
        .arg(dir)
        .output()
        .expect("run .ci/pg-cluster.sh");
    assert!(
        out.status.success(),
        "pg-cluster.sh {cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Pair {
    fn start() -> Pair {
        // Under /tmp and open to others: as root the servers run as the postgres OS user.
        let tmp = tempfile::Builder::new()
            .prefix("itam-pgr")
            .tempdir_in("/tmp")
            .expect("temp dir");
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let dir = tmp.path().join("c");
        let t = Instant::now();
        let primary = cluster("start", &dir);
        let started = t.elapsed();
        let standby = cluster("replica", &dir);
        let _ = writeln!(
            std::io::stderr(),
            "pg_replica: primary started in {:.2} s, standby in {:.2} s",
            started.as_secs_f64(),
            (t.elapsed() - started).as_secs_f64()
        );
        Pair {
            _tmp: tmp,
            dir,
            primary,
            standby,
        }
    }

    /// Wait until `sql` on the standby prints `want`; how long it took.
    fn seen_on_standby(&self, sql: &str, want: &str) -> Duration {
        let t = Instant::now();
        loop {
            let out = pg::psql(&self.standby, sql);
            if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == want {
                return t.elapsed();
            }
            assert!(
                t.elapsed() < LAG,
                "the standby did not show {want:?} for {sql:?} within {LAG:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

#[test]
fn writes_on_the_primary_reach_the_standby_which_refuses_writes() {
    if pg::base_or_skip("writes_on_the_primary_reach_the_standby_which_refuses_writes").is_none() {
        return;
    }
    let pair = Pair::start();
    assert_eq!(
        pg::psql_ok(&pair.standby, "SELECT pg_is_in_recovery()"),
        "t"
    );
    assert_eq!(
        pg::psql_ok(&pair.primary, "SELECT pg_is_in_recovery()"),
        "f"
    );
    // The schema itself replicates: migrate the primary, find the tables on the standby.
    pg::migrate(&pair.primary);
    pair.seen_on_standby("SELECT count(*) FROM chain_lock", "1");
    pg::psql_ok(
        &pair.primary,
        "INSERT INTO locations(code, name, created_at) VALUES ('HQ-101', 'Depot', 'now');
         INSERT INTO assets(tag, status, location_id, created_at, updated_at)
             VALUES ('IT-0001', 'in_stock', 1, 'now', 'now')",
    );
    let lag = pair.seen_on_standby(
        "SELECT tag || ' ' || status FROM assets WHERE lower(tag) = 'it-0001'",
        "IT-0001 in_stock",
    );
    pg::psql_ok(
        &pair.primary,
        "UPDATE assets SET status = 'in_repair' WHERE tag = 'IT-0001'",
    );
    let lag2 = pair.seen_on_standby("SELECT status FROM assets", "in_repair");
    let _ = writeln!(
        std::io::stderr(),
        "pg_replica: an insert was on the standby after {} ms, an update after {} ms",
        lag.as_millis(),
        lag2.as_millis()
    );
    // The standby refuses every write itself, whoever asks (here the superuser).
    for sql in [
        "INSERT INTO locations(code, name, created_at) VALUES ('X', 'x', 'now')",
        "UPDATE assets SET status = 'lost'",
        "SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE",
    ] {
        let err = pg::psql_err(&pair.standby, sql);
        assert!(
            err.contains("read-only transaction") || err.contains("during recovery"),
            "{sql}: {err}"
        );
    }
    assert_eq!(
        pg::psql_ok(&pair.primary, "SELECT status FROM assets"),
        "in_repair"
    );
}

/// itam itself on the standby: look-ups work, writes are refused with itam's own message.
#[test]
fn itam_on_the_standby_reads_and_refuses_writes() {
    if pg::base_or_skip("itam_on_the_standby_reads_and_refuses_writes").is_none() {
        return;
    }
    let pair = Pair::start();
    let env = common::Env::new();
    let itam = |url: &str, args: &[&str]| {
        env.bare()
            .arg("--db")
            .arg(url)
            .args(args)
            .output()
            .expect("run itam")
    };
    let out = itam(&pair.primary, &["add", "--tag", "IT-0001"]);
    assert!(
        out.status.success(),
        "add on the primary: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pair.seen_on_standby("SELECT count(*) FROM assets WHERE tag = 'IT-0001'", "1");
    let out = itam(&pair.standby, &["show", "IT-0001"]);
    assert!(
        out.status.success(),
        "show on the standby: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("IT-0001"));
    let out = itam(&pair.standby, &["add", "--tag", "IT-0002"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "add on the standby succeeded");
    assert!(err.contains("read replica"), "{err}");
    assert_eq!(
        pg::psql_ok(&pair.primary, "SELECT count(*) FROM assets"),
        "1"
    );
}
