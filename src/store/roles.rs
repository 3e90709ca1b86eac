//! Who may do what on PostgreSQL: `itam db grant` (the server's `itam_grant()`, from
//! postgres/0009_roles.sql) and, at open, whether the connected role may write at all. On SQLite
//! there are no roles: the file's permissions are the access control.

use super::sql::Conn;
use super::{Context, Result, Store, StoreError};

/// The itam groups a login role can be made a member of (`itam db grant USER --role ROLE`).
pub const ROLES: &[&str] = &["technician", "auditor", "admin", "service"];

impl Store {
    /// Make `user` a member of exactly one itam group (`role`: technician, auditor, admin or
    /// service), creating the login role when missing; the server's own words on what it did.
    /// Only an itam admin (or the database's owner) may; the server checks, not itam.
    pub fn grant(&self, user: &str, role: &str) -> Result<String> {
        if !self.conn.is_postgres() {
            return Err(StoreError::Refused(
                "roles are PostgreSQL's; on SQLite access is the file's permissions: see README"
                    .to_string(),
            ));
        }
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        if !ROLES.contains(&role) {
            return Err(StoreError::Invalid(format!(
                "unknown itam role '{role}': use {}",
                ROLES.join(", ")
            )));
        }
        // itam_grant refuses a non-admin with insufficient_privilege, which the store's error
        // words already turn into "the server refuses it to this database role".
        self.conn
            .query_row(
                "SELECT itam_grant(?1, ?2)",
                super::sql::params![user, role],
                |r| r.get(0),
            )
            .ctx(&format!("granting {role} to {user}"))
    }
}

/// Why this connection's role may not write the register, when it may not: a write needs the
/// history chain's lock (UPDATE on chain_lock), which only technicians, services and admins
/// hold. Said at open, so an auditor is a read-only seat with itam's own message instead of
/// meeting the server's refusal half-way into a write.
pub(super) fn pg_write_refusal(conn: &Conn, actor: &str) -> Result<Option<String>> {
    let may_write: bool = conn
        .query_row(
            "SELECT to_regclass('chain_lock') IS NULL
                 OR has_table_privilege('chain_lock', 'UPDATE')",
            [],
            |r| r.get(0),
        )
        .ctx("reading this role's privileges")?;
    Ok((!may_write).then(|| {
        format!(
            "the database role {actor} may only read this database (an itam auditor); \
             nothing was changed (an itam admin grants writes with itam db grant {actor} --role technician)"
        )
    }))
}

/// The server's guards (postgres/0009_roles.sql's `itam_missing_triggers()`): each trigger,
/// function or group role that is missing, disabled or not as shipped is a finding. A superuser
/// or the owner can drop any of them, which is what `itam check` is there to notice; the
/// functions that do the looking are themselves looked for first, since calling a dropped one
/// would end the check's read transaction.
pub(super) fn pg_guards(conn: &Conn, findings: &mut Vec<super::Finding>) -> Result<()> {
    let mut callable = true;
    for f in ["itam_missing_triggers", "itam_expected_triggers"] {
        let present: bool = conn
            .query_row(
                "SELECT to_regprocedure(?1) IS NOT NULL",
                super::sql::params![format!("{f}()")],
                |r| r.get(0),
            )
            .ctx("reading the schema's guards")?;
        if !present {
            callable = false;
            findings.push(super::Finding {
                check: "triggers",
                message: format!(
                    "function {f} is missing: the server's guards cannot be checked (migration 9 made it; someone dropped it)"
                ),
            });
        }
    }
    if !callable {
        return Ok(());
    }
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT kind, name, problem FROM itam_missing_triggers() ORDER BY kind, name")
        .ctx("reading the schema's guards")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .ctx("reading the schema's guards")?
        .collect::<std::result::Result<_, _>>()
        .ctx("reading the schema's guards")?;
    for (kind, name, problem) in rows {
        use crate::domain::text::visible;
        findings.push(super::Finding {
            check: if kind == "role" { "roles" } else { "triggers" },
            message: format!("{kind} {}: {}", visible(&name), visible(&problem)),
        });
    }
    Ok(())
}
