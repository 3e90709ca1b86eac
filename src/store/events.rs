//! The append-only history. Events are written by the same transaction as the change they record.

use super::assets::opt_text;
use super::sql::{params, Conn};
use super::{Context, Result, Tx};
use crate::domain::HistoryEntry;
use serde_json::Value;

fn json_text(v: &Value) -> Option<String> {
    (!v.is_null()).then(|| v.to_string())
}

impl Tx<'_> {
    /// Append one event about an asset.
    pub fn asset_event(
        &self,
        asset_id: i64,
        kind: &str,
        before: Value,
        after: Value,
        note: Option<&str>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events(asset_id, kind, actor, at, before, after, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .ctx("recording history")?
            .execute(params![
                asset_id,
                kind,
                self.actor,
                self.now,
                json_text(&before),
                json_text(&after),
                note.filter(|n| !n.trim().is_empty())
            ])
            .ctx("recording history")?;
        Ok(())
    }

    /// Append one event about something other than an asset (`subject` like `person:jdoe`).
    pub fn subject_event(&self, subject: &str, kind: &str, after: Value) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events(subject, kind, actor, at, after) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .ctx("recording history")?
            .execute(params![
                subject,
                kind,
                self.actor,
                self.now,
                json_text(&after)
            ])
            .ctx("recording history")?;
        Ok(())
    }
}

/// An asset's history, oldest first.
pub(super) fn history(conn: &Conn, asset_id: i64) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT at, actor, kind, note, before, after FROM events
             WHERE asset_id = ?1 ORDER BY id",
        )
        .ctx("reading history")?;
    let rows = stmt
        .query_map([asset_id], |r| {
            let parse = |s: Option<String>| {
                s.and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null)
            };
            Ok(HistoryEntry {
                at: opt_text(r, 0)?.unwrap_or_default(),
                actor: opt_text(r, 1)?.unwrap_or_default(),
                kind: opt_text(r, 2)?.unwrap_or_default(),
                note: opt_text(r, 3)?,
                before: parse(opt_text(r, 4)?),
                after: parse(opt_text(r, 5)?),
            })
        })
        .ctx("reading history")?;
    rows.collect::<std::result::Result<_, _>>()
        .ctx("reading history")
}
