//! Numbered schema migrations under assets/migrations, tracked with `PRAGMA user_version`.

use super::sql::Conn;
use super::{Context, Result};

/// Every migration's SQL, in order (also read by `check` for the triggers as shipped).
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("../../assets/migrations/0001_init.sql"),
    include_str!("../../assets/migrations/0002_workflows.sql"),
    include_str!("../../assets/migrations/0003_licences_money.sql"),
    include_str!("../../assets/migrations/0004_history_chain.sql"),
    include_str!("../../assets/migrations/0005_snipeit.sql"),
    include_str!("../../assets/migrations/0006_api_tokens.sql"),
    include_str!("../../assets/migrations/0007_sync.sql"),
    include_str!("../../assets/migrations/0008_people_details.sql"),
    include_str!("../../assets/migrations/0009_roles.sql"),
    include_str!("../../assets/migrations/0010_actor_trigger_when.sql"),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Apply every migration after `from`, each with its version bump in one transaction.
pub(super) fn run(conn: &Conn, from: i64) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let version = i as i64 + 1;
        let tx = conn.transaction_immediate().ctx("starting a migration")?;
        // Another process may have migrated while we waited for the lock.
        let current: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("reading user_version")?;
        if current >= version {
            continue;
        }
        tx.execute_batch(sql)
            .ctx(&format!("applying migration {version}"))?;
        // From the history chain's migration on, events that exist (or a migration wrote) are
        // chained in the same transaction.
        if version >= super::chain::SINCE_VERSION {
            super::chain::seal_after(&tx, 0)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))
            .ctx("setting user_version")?;
        tx.commit().ctx("committing a migration")?;
    }
    Ok(())
}
