//! PostgreSQL for the tests: the cluster named by `ITAM_TEST_PG` (a base connection string, as
//! `.ci/pg-cluster.sh start DIR` prints), a fresh database per test, and psql to talk to it.
//! psql (not a Rust client) so that these helpers need no crate of their own and test the SQL
//! files exactly as an operator would apply them.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The base connection string, when the tests are to use PostgreSQL.
pub fn base_url() -> Option<String> {
    std::env::var("ITAM_TEST_PG")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// The base connection string, or None after printing why the calling test is skipped (never
/// silently: a run without a cluster says so for each test it did not really run).
pub fn base_or_skip(test: &str) -> Option<String> {
    let base = base_url();
    if base.is_none() {
        // Straight to stderr: eprintln! is captured, and hidden, for a test that passes.
        let _ = writeln!(
            std::io::stderr(),
            "{test}: SKIPPED: no PostgreSQL cluster configured (set ITAM_TEST_PG, e.g. to what `.ci/pg-cluster.sh start /tmp/itam-pg` prints)"
        );
    }
    base
}

/// `conn` with its database (and, when given, its user) replaced. Handles libpq URLs
/// (`postgresql://[auth]/db?params`) and key=value strings, where later keys win.
pub fn with_db(conn: &str, db: &str, user: Option<&str>) -> String {
    let conn = conn.trim();
    let Some(rest) = conn
        .strip_prefix("postgresql://")
        .or_else(|| conn.strip_prefix("postgres://"))
    else {
        let mut s = format!("{conn} dbname={db}");
        if let Some(u) = user {
            s.push_str(&format!(" user={u}"));
        }
        return s;
    };
    let scheme = &conn[..conn.len() - rest.len()];
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or("");
    let mut params: Vec<String> = query
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .filter(|p| {
                    !(user.is_some() && (p.starts_with("user=") || p.starts_with("dbname=")))
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    // A user in the authority (user@host) would beat nothing in the query; move it out.
    let authority = match (user, authority.rsplit_once('@')) {
        (Some(_), Some((_, host))) => host,
        _ => authority,
    };
    if let Some(u) = user {
        params.push(format!("user={u}"));
    }
    let mut s = format!("{scheme}{authority}/{db}");
    if !params.is_empty() {
        s.push('?');
        s.push_str(&params.join("&"));
    }
    s
}

/// psql on `url` running `sql` (several statements run as one transaction, as `psql -c` does,
/// unless the SQL says BEGIN/COMMIT itself). Output unaligned, tuples only.
pub fn psql(url: &str, sql: &str) -> Output {
    Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .env_remove("PGDATABASE")
        .env_remove("PGUSER")
        .output()
        .expect("run psql (is the PostgreSQL client installed?)")
}

/// psql, asserting success; returns stdout trimmed.
pub fn psql_ok(url: &str, sql: &str) -> String {
    let out = psql(url, sql);
    assert!(
        out.status.success(),
        "psql failed on {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// psql, asserting failure; returns stderr.
pub fn psql_err(url: &str, sql: &str) -> String {
    let out = psql(url, sql);
    assert!(
        !out.status.success(),
        "psql should have failed on {sql:?}, printed {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The PostgreSQL migrations, in order.
pub fn migrations() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/migrations/postgres");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("assets/migrations/postgres")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

/// Apply every PostgreSQL migration to `url` with psql (one process, one transaction: the
/// files' order and content are what is tested, not the step-by-step upgrade itam does).
pub fn migrate(url: &str) {
    let mut cmd = Command::new("psql");
    cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url]);
    for file in migrations() {
        cmd.arg("-f").arg(file);
    }
    let out = cmd.output().expect("run psql");
    assert!(
        out.status.success(),
        "applying assets/migrations/postgres: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The login role named after the OS user, created (a superuser, as the harness's own role)
/// on the test cluster when missing: in a real deployment peer authentication maps each OS
/// user to a role of the same name, which is what itam records as the actor.
pub fn os_role() -> String {
    static DONE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let role = itam::store::os_user();
        assert!(
            role.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "OS user {role:?}: not usable as a role name in these tests"
        );
        superuser_role(&role);
        role
    })
    .clone()
}

/// A login superuser role named `role` on the test cluster, created when missing (tests that
/// need the history's actor to be a fixed name connect as it: the server records the session's
/// role, whatever the client claims).
pub fn superuser_role(role: &str) {
    if let Some(base) = base_url() {
        // Several test processes may race to create it: a duplicate is fine.
        let out = psql(
            &base,
            &format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') \
                 THEN CREATE ROLE \"{role}\" LOGIN SUPERUSER; END IF; END $$"
            ),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || err.contains("already exists"),
            "creating role {role}: {err}"
        );
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A unique name for this process: `PREFIX_<pid>_<n>`.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, empty database on the test cluster, dropped (with whoever is still connected to
/// it) on drop.
pub struct TempDb {
    pub name: String,
    /// Its connection string: the base with the database replaced.
    pub url: String,
    base: String,
}

impl TempDb {
    pub fn create(base: &str) -> TempDb {
        TempDb::create_with(base, "")
    }

    /// With `options` for CREATE DATABASE (e.g. `TEMPLATE template0 LOCALE 'C.UTF-8'`).
    pub fn create_with(base: &str, options: &str) -> TempDb {
        let name = unique("itam_t");
        psql_ok(base, &format!("CREATE DATABASE {name} {options}"));
        TempDb {
            url: with_db(base, &name, None),
            name,
            base: base.to_string(),
        }
    }

    /// Its URL for another login role.
    pub fn url_as(&self, user: &str) -> String {
        with_db(&self.base, &self.name, Some(user))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        // Not asserted: a failed drop must not turn a passing test into a panic in a panic.
        let _ = psql(
            &self.base,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}
