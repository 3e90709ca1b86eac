//! Opening the store on PostgreSQL: which `--db` values mean PostgreSQL, the connection
//! settings (libpq-style, with the PG* variables libpq reads), the migrations, a hot standby as
//! a read-only seat, and the actor the server records.

use super::sql::{Conn, OptionalExtension};
use super::{migrate, Context, OpenOptions, Result, Store, StoreError};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where the ledger lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    /// A libpq-style connection string: `postgresql://...`, `postgres://...` or `key=value ...`.
    Postgres(String),
}

/// The keys that make a `key=value` string a PostgreSQL connection string, not a file name.
const KEYS: &[&str] = &[
    "host=",
    "hostaddr=",
    "port=",
    "dbname=",
    "user=",
    "password=",
    "sslmode=",
    "service=",
    "application_name=",
    "connect_timeout=",
    "options=",
];

impl DbTarget {
    /// `--db` (or ITAM_DB, or `db =` in config.toml) as given: a PostgreSQL URL or key=value
    /// string selects PostgreSQL; anything else is an SQLite file.
    pub fn parse(db: &Path) -> DbTarget {
        let s = db.to_string_lossy();
        let t = s.trim();
        if t.starts_with("postgresql://")
            || t.starts_with("postgres://")
            || KEYS.iter().any(|k| t.starts_with(k))
        {
            DbTarget::Postgres(t.to_string())
        } else {
            DbTarget::Sqlite(db.to_path_buf())
        }
    }
}

/// The connection string with any password hidden, for messages.
pub fn redacted(conn: &str) -> String {
    if let Some(rest) = conn
        .strip_prefix("postgresql://")
        .or_else(|| conn.strip_prefix("postgres://"))
    {
        let scheme = &conn[..conn.len() - rest.len()];
        let (auth_host, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let auth_host = match auth_host.rsplit_once('@') {
            Some((auth, host)) => match auth.split_once(':') {
                Some((user, _)) => format!("{user}:***@{host}"),
                None => format!("{auth}@{host}"),
            },
            None => auth_host.to_string(),
        };
        let tail = tail
            .split('&')
            .map(|p| {
                let (k, _) = p.split_once('=').unwrap_or((p, ""));
                if k.rsplit('?').next() == Some("password") {
                    format!("{k}=***")
                } else {
                    p.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        return format!("{scheme}{auth_host}{tail}");
    }
    conn.split_whitespace()
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=***".to_string()
            } else {
                kv.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The client's settings: the string, then the PG* variables for what it leaves out (as libpq
/// does: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD), then libpq's defaults (the Unix
/// socket folder, port 5432, the OS user, a database named after the user).
pub fn config(conn: &str) -> Result<postgres::Config> {
    let mut c = postgres::Config::from_str(conn).map_err(|e| {
        StoreError::Invalid(format!(
            "{} is not a PostgreSQL connection string: {e}",
            redacted(conn)
        ))
    })?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if c.get_hosts().is_empty() {
        let hosts = env("PGHOST").unwrap_or_else(|| {
            ["/var/run/postgresql", "/tmp"]
                .into_iter()
                .find(|d| Path::new(d).is_dir())
                .unwrap_or("localhost")
                .to_string()
        });
        for h in hosts.split(',') {
            if h.starts_with('/') {
                c.host_path(h);
            } else {
                c.host(h);
            }
        }
    }
    if c.get_ports().is_empty() {
        if let Some(p) = env("PGPORT").and_then(|p| p.parse().ok()) {
            c.port(p);
        }
    }
    if c.get_user().is_none() {
        c.user(&env("PGUSER").unwrap_or_else(super::os_user));
    }
    if c.get_dbname().is_none() {
        if let Some(d) = env("PGDATABASE") {
            c.dbname(&d);
        }
    }
    if c.get_password().is_none() {
        if let Some(p) = env("PGPASSWORD") {
            c.password(p);
        }
    }
    if c.get_application_name().is_none() {
        c.application_name("itam");
    }
    Ok(c)
}

/// The PostgreSQL migrations, one per SQLite migration and with the same numbers.
const MIGRATIONS: &[&str] = &[
    include_str!("../../assets/migrations/postgres/0001_init.sql"),
    include_str!("../../assets/migrations/postgres/0002_workflows.sql"),
    include_str!("../../assets/migrations/postgres/0003_licences_money.sql"),
    include_str!("../../assets/migrations/postgres/0004_history_chain.sql"),
    include_str!("../../assets/migrations/postgres/0005_snipeit.sql"),
    include_str!("../../assets/migrations/postgres/0006_api_tokens.sql"),
    include_str!("../../assets/migrations/postgres/0007_sync.sql"),
    include_str!("../../assets/migrations/postgres/0008_people_details.sql"),
    include_str!("../../assets/migrations/postgres/0009_roles.sql"),
    include_str!("../../assets/migrations/postgres/0010_actor_trigger_when.sql"),
];

// Both backends are at the same schema version in every build.
const _: () = assert!(MIGRATIONS.len() as i64 == migrate::LATEST);

/// The schema's version: a one-row table (SQLite keeps it in PRAGMA user_version).
fn version(conn: &Conn) -> Result<i64> {
    let exists: bool = conn
        .query_row(
            "SELECT to_regclass('schema_version') IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .ctx("reading the schema version")?;
    if !exists {
        return Ok(0);
    }
    Ok(conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()
        .ctx("reading the schema version")?
        .unwrap_or(0))
}

/// Apply every migration after `from`, each with its version bump in one transaction; an
/// advisory lock makes a second itam opening at the same time wait, then find it done.
fn run_migrations(conn: &Conn, from: i64) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let v = i as i64 + 1;
        conn.execute_batch(
            "BEGIN; SELECT pg_advisory_xact_lock(7432001);
             CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);",
        )
        .ctx("starting a migration")?;
        let step = || -> Result<()> {
            if version(conn)? >= v {
                return Ok(());
            }
            conn.execute_batch_native(sql)
                .ctx(&format!("applying migration {v}"))?;
            if v >= super::chain::SINCE_VERSION {
                super::chain::seal_after(conn, 0)?;
            }
            conn.execute("DELETE FROM schema_version", [])
                .ctx("setting the schema version")?;
            conn.execute("INSERT INTO schema_version(version) VALUES (?1)", [v])
                .ctx("setting the schema version")?;
            Ok(())
        };
        match step() {
            Ok(()) => conn.execute_batch("COMMIT").ctx("committing a migration")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}

impl Store {
    pub(super) fn open_postgres(url: &str, opts: &OpenOptions) -> Result<Store> {
        let config = config(url)?;
        let shown = redacted(url);
        let conn = Conn::connect_postgres(&config).ctx(&format!("connecting to {shown}"))?;
        let (standby, actor): (bool, String) = conn
            .query_row("SELECT pg_is_in_recovery(), session_user::text", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx(&format!("connecting to {shown}"))?;
        let mut read_only = None;
        if opts.read_only {
            read_only = Some(
                "the database is open read-only (--read-only); nothing was changed".to_string(),
            );
        } else if standby {
            read_only = Some(format!(
                "this is a read replica (hot standby) of {shown}; writes go to the primary; nothing was changed"
            ));
        }
        let version = version(&conn)?;
        if version > migrate::LATEST {
            return Err(StoreError::TooNew {
                path: shown,
                found: version,
                supported: migrate::LATEST,
            });
        }
        if version < migrate::LATEST {
            if let Some(reason) = &read_only {
                return Err(StoreError::ReadOnly(format!(
                    "the database needs its schema brought up to version {} but {reason}",
                    migrate::LATEST
                )));
            }
            run_migrations(&conn, version)?;
        }
        if read_only.is_none() {
            read_only = super::roles::pg_write_refusal(&conn, &actor)?;
        }
        Ok(Store {
            conn,
            path: PathBuf::from(url),
            // The server records session_user as every event's actor (a trigger); the chain
            // itam seals hashes what the row holds, and this is what it will hold.
            actor,
            read_only,
            warnings: Vec::new(),
            fixed_now: None,
        })
    }

    /// Who holds the write lock (the history chain's head) on PostgreSQL, for a lost wait.
    pub(super) fn pg_lock_holders(&self) -> Vec<String> {
        let rows = self
            .conn
            .prepare(
                "SELECT a.pid, a.usename::text, COALESCE(a.application_name, '')
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.relation = to_regclass('chain_lock') AND l.mode = 'RowShareLock'
                   AND l.granted AND a.pid <> pg_backend_pid() ORDER BY a.pid",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(format!(
                        "pid {} ({}, user {})",
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(1)?
                    ))
                })
                .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            });
        rows.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_is_chosen_by_url_or_key_value() {
        for s in [
            "postgresql:///itam?host=/tmp/x",
            "postgres://alice@db.example/itam",
            "host=/var/run/postgresql dbname=itam",
            "dbname=itam",
        ] {
            assert_eq!(
                DbTarget::parse(Path::new(s)),
                DbTarget::Postgres(s.into()),
                "{s}"
            );
        }
        for s in ["/srv/itam.db", "itam.db", "./postgres.db", "hostname.db"] {
            assert_eq!(
                DbTarget::parse(Path::new(s)),
                DbTarget::Sqlite(s.into()),
                "{s}"
            );
        }
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redacted("postgresql://alice:s3cret@db.example:5432/itam?sslmode=require&password=x"),
            "postgresql://alice:***@db.example:5432/itam?sslmode=require&password=***"
        );
        assert_eq!(
            redacted("host=db dbname=itam password=s3cret"),
            "host=db dbname=itam password=***"
        );
    }

    #[test]
    fn the_environment_fills_what_the_string_leaves_out() {
        let c = config("postgresql:///itam?host=/tmp/sock&user=bob").unwrap();
        assert_eq!(c.get_user(), Some("bob"));
        assert_eq!(c.get_dbname(), Some("itam"));
        assert!(config("postgresql://[bad").is_err());
    }
}
