//! The tamper-evident history. Every event gets a SHA-256 hash over the previous event's hash
//! and its own content, computed here and only here, in the transaction that wrote the events
//! (`Store::write` seals what its closure appended, whichever path appended it). `itam check`
//! recomputes the chain; `itam check`, backups and audit reports print its head.
//!
//! What it does and does not prove: anyone who can write the file can also recompute the whole
//! chain after a rewrite; what he cannot do is make the new head equal a head recorded earlier
//! somewhere he cannot write (a backup log, a ticket, a printed audit). Events slipped in with
//! the sqlite3 shell are never sealed by a later itam write: they stay unhashed and `check`
//! names them.

use super::check::Finding;
use super::sql::ValueRef;
use super::sql::{params, Conn, OptionalExtension, Row};
use super::{Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The schema version that introduced the chain (migration 0004).
pub(super) const SINCE_VERSION: i64 = 4;

/// The "previous hash" of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event's hash covers, in this order.
const COLUMNS: &str =
    "e.id, e.asset_id, e.subject, e.kind, e.actor, e.at, e.before, e.after, e.note";

/// The newest link of the chain: how many events, the last one chained and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub events: i64,
    pub last_event: i64,
    pub hash: String,
}

impl std::fmt::Display for ChainHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "history chain head {} (through event {}; {} events in all)",
            self.hash, self.last_event, self.events
        )
    }
}

/// One value, typed and length-prefixed so that no two different rows encode alike.
fn feed(h: &mut Sha256, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => h.update([0u8]),
        ValueRef::Integer(i) => {
            h.update([1u8]);
            h.update(i.to_be_bytes());
        }
        ValueRef::Real(x) => {
            h.update([2u8]);
            h.update(x.to_bits().to_be_bytes());
        }
        ValueRef::Text(b) | ValueRef::Blob(b) => {
            h.update([3u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The hash of the event in `r` (columns as [`COLUMNS`]) chained after `prev`.
fn hash_row(prev: &str, r: &Row<'_>) -> super::sql::Result<String> {
    let mut h = Sha256::new();
    h.update(b"itam event v1\0");
    h.update(prev.as_bytes());
    for i in 0..9 {
        feed(&mut h, r.get_ref(i)?);
    }
    Ok(hex(&h.finalize()))
}

/// The highest event id (0 when there are none).
pub(super) fn max_event_id(conn: &Conn) -> Result<i64> {
    conn.prepare_cached("SELECT COALESCE(max(id), 0) FROM events")
        .ctx("reading the history")?
        .query_row([], |r| r.get(0))
        .ctx("reading the history")
}

fn last_link(conn: &Conn) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT event_id, hash FROM event_chain ORDER BY event_id DESC LIMIT 1")
        .ctx("reading the history chain")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("reading the history chain")?
        .unwrap_or((0, GENESIS.to_string())))
}

/// Chain every event after id `floor` (and after the chain's head), in id order. `Store::write`
/// passes the highest id from before its closure ran, so only what it wrote gets sealed.
/// Returns how many events were sealed.
pub(super) fn seal_after(conn: &Conn, floor: i64) -> Result<usize> {
    let (head, mut prev) = last_link(conn)?;
    let mut read = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events e WHERE e.id > ?1 ORDER BY e.id"
        ))
        .ctx("sealing the history")?;
    let mut insert = conn
        .prepare_cached("INSERT INTO event_chain(event_id, hash) VALUES (?1, ?2)")
        .ctx("sealing the history")?;
    let mut rows = read.query([floor.max(head)]).ctx("sealing the history")?;
    let mut n = 0;
    // PostgreSQL: one COPY for all the links instead of a round trip per event (an import's
    // 100,000 events took seconds that way).
    let mut links: Vec<(i64, String)> = Vec::new();
    while let Some(r) = rows.next().ctx("sealing the history")? {
        let id: i64 = r.get(0).ctx("sealing the history")?;
        let hash = hash_row(&prev, r).ctx("sealing the history")?;
        if conn.is_postgres() {
            links.push((id, hash.clone()));
        } else {
            insert
                .execute(params![id, hash])
                .ctx("sealing the history")?;
        }
        prev = hash;
        n += 1;
    }
    if !links.is_empty() {
        copy_links(conn, &links)?;
    }
    Ok(n)
}

/// `COPY event_chain FROM STDIN` of `links` (ids and hex hashes: nothing to escape).
fn copy_links(conn: &Conn, links: &[(i64, String)]) -> Result<()> {
    use std::io::Write as _;
    let mut send = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(256 * 1024);
        for (id, hash) in links {
            writeln!(buf, "{id}\t{hash}")?;
            if buf.len() >= 256 * 1024 {
                w.write_all(&buf)?;
                buf.clear();
            }
        }
        w.write_all(&buf)
    };
    match conn.copy_in("COPY event_chain (event_id, hash) FROM STDIN", &mut send) {
        Some(sent) => sent.map(|_| ()).ctx("sealing the history"),
        // Links are only gathered on PostgreSQL.
        None => Err(super::StoreError::Invalid(
            "the history chain is sealed by COPY on PostgreSQL only".to_string(),
        )),
    }
}

/// The chain's head as stored (not verified: `verify` does that).
pub fn head(conn: &Conn) -> Result<ChainHead> {
    let (last_event, hash) = last_link(conn)?;
    let events = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .ctx("reading the history")?;
    Ok(ChainHead {
        events,
        last_event,
        hash,
    })
}

/// At most this many findings of one kind are listed; the rest are counted.
const LIST: usize = 10;

/// Recompute the chain and report every event that breaks it; returns the verified head.
pub(super) fn verify(conn: &Conn, findings: &mut Vec<Finding>) -> Result<ChainHead> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS}, c.hash FROM events e LEFT JOIN event_chain c ON c.event_id = e.id ORDER BY e.id"
        ))
        .ctx("verifying the history chain")?;
    let mut rows = stmt.query([]).ctx("verifying the history chain")?;
    let (mut prev, mut last_event, mut events) = (GENESIS.to_string(), 0i64, 0i64);
    let (mut unsealed, mut broken) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next().ctx("verifying the history chain")? {
        events += 1;
        let id: i64 = r.get(0).ctx("verifying the history chain")?;
        let stored: Option<String> = r.get(9).ctx("verifying the history chain")?;
        let Some(stored) = stored else {
            unsealed.push(id);
            continue;
        };
        if hash_row(&prev, r).ctx("verifying the history chain")? != stored {
            broken.push(id);
        }
        prev = stored;
        last_event = id;
    }
    let list = |ids: &[i64]| {
        let shown: Vec<String> = ids.iter().take(LIST).map(|i| i.to_string()).collect();
        let more = ids.len().saturating_sub(LIST);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !broken.is_empty() {
        findings.push(Finding {
            check: "chain",
            message: format!(
                "{} event(s) do not match their hash (changed, or an event before them removed): event {}",
                broken.len(),
                list(&broken)
            ),
        });
    }
    if !unsealed.is_empty() {
        findings.push(Finding {
            check: "chain",
            message: format!(
                "{} event(s) have no hash, so itam did not write them: event {}",
                unsealed.len(),
                list(&unsealed)
            ),
        });
    }
    let orphans: Vec<i64> = conn
        .prepare(
            "SELECT c.event_id FROM event_chain c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.event_id) ORDER BY 1",
        )
        .ctx("verifying the history chain")?
        .query_map([], |r| r.get(0))
        .ctx("verifying the history chain")?
        .collect::<std::result::Result<_, _>>()
        .ctx("verifying the history chain")?;
    if !orphans.is_empty() {
        findings.push(Finding {
            check: "chain",
            message: format!(
                "{} hashed event(s) are gone from the history (deleted): event {}",
                orphans.len(),
                list(&orphans)
            ),
        });
    }
    Ok(ChainHead {
        events,
        last_event,
        hash: prev,
    })
}

/// The triggers as the migrations ship them, (name, SQL): read back from a scratch in-memory
/// database the migrations are applied to, so the text compares exactly as SQLite stores it.
fn shipped_triggers() -> Result<Vec<(String, String)>> {
    let scratch = Conn::open_in_memory().ctx("reading the shipped schema")?;
    for sql in super::migrate::MIGRATIONS {
        scratch
            .execute_batch(sql)
            .ctx("reading the shipped schema")?;
    }
    let rows = scratch
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .ctx("reading the shipped schema")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("reading the shipped schema")?
        .collect::<std::result::Result<_, _>>()
        .ctx("reading the shipped schema");
    rows
}

fn normalize(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every trigger the migrations ship exists with the text they ship, and no other exists (one
/// added by hand could quietly rewrite what itam writes).
pub(super) fn verify_triggers(conn: &Conn, findings: &mut Vec<Finding>) -> Result<()> {
    let shipped = shipped_triggers()?;
    let present: Vec<(String, String)> = conn
        .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .ctx("reading the schema")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("reading the schema")?
        .collect::<std::result::Result<_, _>>()
        .ctx("reading the schema")?;
    for (name, table) in present {
        if !shipped.iter().any(|(n, _)| *n == name) {
            findings.push(Finding {
                check: "triggers",
                message: format!(
                    "trigger {} on {} is not one itam ships: someone added it",
                    crate::domain::text::visible(&name),
                    crate::domain::text::visible(&table)
                ),
            });
        }
    }
    for (name, sql) in shipped {
        let found: Option<Option<String>> = conn
            .prepare_cached("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1")
            .ctx("reading the schema")?
            .query_row([&name], |r| r.get(0))
            .optional()
            .ctx("reading the schema")?;
        match found {
            None => findings.push(Finding {
                check: "triggers",
                message: format!(
                    "trigger {name} is missing: someone dropped it, and the rows it guards may have been changed"
                ),
            }),
            Some(have) if normalize(have.as_deref().unwrap_or_default()) != normalize(&sql) => {
                findings.push(Finding {
                    check: "triggers",
                    message: format!("trigger {name} is not as shipped: someone replaced it"),
                })
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_triggers_are_found_in_the_migrations() {
        let names: Vec<String> = shipped_triggers()
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        for want in [
            "events_no_update",
            "events_no_delete",
            "event_chain_no_update",
            "event_chain_no_delete",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
    }
}
