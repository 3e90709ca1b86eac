//! Room audits ("know what you have") and ghosts (assets nobody has seen for months).

use super::assets::{resolve, view_by_id, SELECT_VIEW};
use super::ops::{location_id, touch};
use super::sql::{params, OptionalExtension};
use super::{Context, Result, Store, StoreError};
use crate::domain::text::{normalize_code, visible};
use crate::domain::AssetView;
use serde::Serialize;
use serde_json::json;

/// What one audit scan turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanResult {
    /// Expected here and now seen.
    Found,
    /// Recorded at another location (or none).
    Unexpected,
    /// Unexpected, then moved here.
    Moved,
    /// No asset has this code.
    Unknown,
    /// Already scanned in this audit: warned, not counted twice.
    Duplicate,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditScan {
    pub code: String,
    pub result: ScanResult,
    pub asset: Option<AssetView>,
    /// Where the asset was recorded, for unexpected ones.
    pub recorded_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditHeader {
    pub id: i64,
    pub location: String,
    pub location_name: String,
    pub started_at: crate::domain::time::Timestamp,
    pub started_by: String,
    pub closed_at: Option<crate::domain::time::Timestamp>,
    pub closed_by: Option<String>,
}

/// The reconciliation: expected, found, missing, unexpected, unknown.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub audit: AuditHeader,
    pub expected: usize,
    pub found: Vec<AssetView>,
    pub missing: Vec<AssetView>,
    /// Seen here but recorded elsewhere (and not moved), with where they were recorded.
    pub unexpected: Vec<AssetView>,
    pub moved: Vec<AssetView>,
    pub unknown: Vec<String>,
}

/// A ghost: an active asset nobody has scanned, audited, checked in or out for a long time.
#[derive(Debug, Clone, Serialize)]
pub struct Ghost {
    #[serde(flatten)]
    pub asset: AssetView,
    /// The last time anything showed it physically exists (or when it was created).
    pub last_seen: crate::domain::time::Timestamp,
    pub days_unseen: i64,
}

impl Store {
    /// Start an audit of a location: its current assets (not disposed) become the expected list.
    pub fn audit_start(&mut self, location: &str) -> Result<AuditHeader> {
        let id = self.write(|tx| {
            let lid = location_id(tx, location)?;
            let id: i64 = tx.conn
                .prepare_cached(
                    "INSERT INTO audits(location_id, started_at, started_by) VALUES (?1, ?2, ?3) RETURNING id",
                )
                .ctx("starting an audit")?
                .insert(params![lid, tx.now, tx.actor])
                .ctx("starting an audit")?;
            tx.conn
                .prepare_cached(
                    "INSERT INTO audit_expected(audit_id, asset_id)
                     SELECT ?1, id FROM assets WHERE location_id = ?2 AND status <> 'disposed'",
                )
                .ctx("starting an audit")?
                .execute(params![id, lid])
                .ctx("starting an audit")?;
            tx.subject_event(
                &format!("audit:{id}"),
                "audit_start",
                json!({"audit": id, "location": location.trim()}),
            )?;
            Ok(id)
        })?;
        self.audit_header(id)
    }

    pub fn audit_header(&self, id: i64) -> Result<AuditHeader> {
        self.conn
            .prepare_cached(
                "SELECT a.id, l.code, l.name, a.started_at, a.started_by, a.closed_at, a.closed_by
                 FROM audits a JOIN locations l ON l.id = a.location_id WHERE a.id = ?1",
            )
            .ctx("reading an audit")?
            .query_row([id], |r| {
                Ok(AuditHeader {
                    id: r.get(0)?,
                    location: r.get(1)?,
                    location_name: r.get(2)?,
                    started_at: super::values::stamp(r, 3)?,
                    started_by: r.get(4)?,
                    closed_at: super::values::opt_stamp(r, 5)?,
                    closed_by: r.get(6)?,
                })
            })
            .optional()
            .ctx("reading an audit")?
            .ok_or_else(|| StoreError::NotFound(format!("no audit has the id {id}")))
    }

    /// The open audit of a location, if there is one (the TUI resumes it).
    pub fn open_audit_at(&self, location: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached(
                "SELECT a.id FROM audits a JOIN locations l ON l.id = a.location_id
                 WHERE l.code = ?1 AND a.closed_at IS NULL ORDER BY a.id DESC LIMIT 1",
            )
            .ctx("reading audits")?
            .query_row([location.trim()], |r| r.get(0))
            .optional()
            .ctx("reading audits")
    }

    pub fn audits(&self) -> Result<Vec<AuditHeader>> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM audits ORDER BY id")
                .ctx("listing audits")?;
            let rows = stmt.query_map([], |r| r.get(0)).ctx("listing audits")?;
            rows.collect::<std::result::Result<_, _>>()
                .ctx("listing audits")?
        };
        ids.into_iter().map(|id| self.audit_header(id)).collect()
    }

    /// Record one scan in an open audit. `move_here` moves an asset recorded elsewhere to the
    /// audited location (with a move event). Found assets get `last_seen_at` and an `audited`
    /// event; a repeated code is reported as a duplicate and changes nothing.
    pub fn audit_scan(&mut self, audit: i64, raw: &str, move_here: bool) -> Result<AuditScan> {
        let header = self.audit_header(audit)?;
        if let Some(closed) = header.closed_at {
            return Err(StoreError::Refused(format!(
                "audit {audit} is closed ({closed})"
            )));
        }
        let code = normalize_code(raw).to_string();
        if code.is_empty() {
            return Err(StoreError::Invalid("an empty code".into()));
        }
        self.write(|tx| {
            let Some(asset_id) = resolve(tx.conn, &code)? else {
                let seen: bool = tx
                    .conn
                    .prepare_cached("SELECT 1 FROM audit_scans WHERE audit_id = ?1 AND asset_id IS NULL AND code = ?2")
                    .ctx("reading an audit")?
                    .query_row(params![audit, code], |_| Ok(()))
                    .optional()
                    .ctx("reading an audit")?
                    .is_some();
                if !seen {
                    record(tx, audit, &code, None, "unknown")?;
                }
                let result = if seen { ScanResult::Duplicate } else { ScanResult::Unknown };
                return Ok(AuditScan { code, result, asset: None, recorded_at: None });
            };
            let before = view_by_id(tx.conn, asset_id)?;
            let previous: Option<String> = tx
                .conn
                .prepare_cached("SELECT result FROM audit_scans WHERE audit_id = ?1 AND asset_id = ?2 ORDER BY id DESC LIMIT 1")
                .ctx("reading an audit")?
                .query_row(params![audit, asset_id], |r| r.get(0))
                .optional()
                .ctx("reading an audit")?;
            let here = before.location.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(&header.location));
            // A second scan counts only when it moves an unexpected asset here.
            if previous.is_some() && !(move_here && previous.as_deref() == Some("unexpected") && !here) {
                return Ok(AuditScan { code, result: ScanResult::Duplicate, asset: Some(before), recorded_at: None });
            }
            if before.status == crate::domain::Status::Disposed {
                return Err(StoreError::Refused(format!(
                    "{} is disposed: it should not exist any more (check the disposal record)",
                    visible(&before.tag)
                )));
            }
            let (result, recorded_at) = if here {
                ("found", None)
            } else if move_here {
                let lid = location_id(tx, &header.location)?;
                tx.conn
                    .prepare_cached("UPDATE assets SET location_id = ?2 WHERE id = ?1")
                    .ctx("moving an asset")?
                    .execute(params![asset_id, lid])
                    .ctx("moving an asset")?;
                tx.asset_event(
                    asset_id,
                    "move",
                    json!({"location": before.location}),
                    json!({"location": header.location}),
                    Some(&format!("found during audit {audit}")),
                )?;
                ("moved", before.location.clone())
            } else {
                ("unexpected", before.location.clone())
            };
            tx.conn
                .prepare_cached("UPDATE assets SET last_seen_at = ?2 WHERE id = ?1")
                .ctx("recording a sighting")?
                .execute(params![asset_id, tx.now])
                .ctx("recording a sighting")?;
            touch(tx, asset_id)?;
            record(tx, audit, &code, Some(asset_id), result)?;
            tx.asset_event(
                asset_id,
                "audited",
                json!({"last_seen_at": before.last_seen_at}),
                json!({"audit": audit, "at": header.location, "result": result}),
                None,
            )?;
            let result = match result {
                "found" => ScanResult::Found,
                "moved" => ScanResult::Moved,
                _ => ScanResult::Unexpected,
            };
            Ok(AuditScan { code, result, asset: Some(view_by_id(tx.conn, asset_id)?), recorded_at })
        })
    }

    pub fn audit_close(&mut self, audit: i64) -> Result<AuditReport> {
        self.write(|tx| {
            let n = tx
                .conn
                .prepare_cached("UPDATE audits SET closed_at = ?2, closed_by = ?3 WHERE id = ?1 AND closed_at IS NULL")
                .ctx("closing an audit")?
                .execute(params![audit, tx.now, tx.actor])
                .ctx("closing an audit")?;
            if n == 0 {
                return Err(StoreError::Refused(format!("audit {audit} does not exist or is already closed")));
            }
            tx.subject_event(&format!("audit:{audit}"), "audit_close", json!({"audit": audit}))?;
            Ok(())
        })?;
        self.audit_report(audit)
    }

    /// (expected, found incl. moved here, missing, unexpected, unknown) without loading assets.
    pub fn audit_counts(&self, audit: i64) -> Result<(usize, usize, usize, usize, usize)> {
        self.conn
            .prepare_cached(
                "SELECT
                   (SELECT count(*) FROM audit_expected WHERE audit_id = ?1),
                   (SELECT count(DISTINCT asset_id) FROM audit_scans WHERE audit_id = ?1 AND result IN ('found', 'moved')),
                   (SELECT count(*) FROM (SELECT asset_id FROM audit_expected WHERE audit_id = ?1
                      EXCEPT SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND asset_id IS NOT NULL) AS missing),
                   (SELECT count(*) FROM (SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND result = 'unexpected'
                      EXCEPT SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND result = 'moved') AS unexpected),
                   (SELECT count(*) FROM audit_scans WHERE audit_id = ?1 AND result = 'unknown')",
            )
            .ctx("counting an audit")?
            .query_row([audit], |r| {
                let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as usize);
                Ok((n(0)?, n(1)?, n(2)?, n(3)?, n(4)?))
            })
            .ctx("counting an audit")
    }

    pub fn audit_report(&self, audit: i64) -> Result<AuditReport> {
        let header = self.audit_header(audit)?;
        let views = |sql: &str| -> Result<Vec<AssetView>> {
            let mut stmt = self
                .conn
                .prepare_cached(&format!("{SELECT_VIEW} {sql} ORDER BY a.tag"))
                .ctx("reading an audit")?;
            let rows = stmt
                .query_map([audit], super::assets::view_from_row)
                .ctx("reading an audit")?;
            rows.collect::<std::result::Result<_, _>>()
                .ctx("reading an audit")
        };
        let expected: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM audit_expected WHERE audit_id = ?1",
                [audit],
                |r| r.get(0),
            )
            .ctx("reading an audit")?;
        let found = views("WHERE a.id IN (SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND result = 'found')")?;
        let missing = views(
            "WHERE a.id IN (SELECT asset_id FROM audit_expected WHERE audit_id = ?1
               EXCEPT SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND asset_id IS NOT NULL)",
        )?;
        let unexpected = views(
            "WHERE a.id IN (SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND result = 'unexpected'
               EXCEPT SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND result = 'moved')",
        )?;
        let moved = views("WHERE a.id IN (SELECT asset_id FROM audit_scans WHERE audit_id = ?1 AND result = 'moved')")?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT code FROM audit_scans WHERE audit_id = ?1 AND result = 'unknown' ORDER BY id")
            .ctx("reading an audit")?;
        let unknown = stmt
            .query_map([audit], |r| r.get(0))
            .ctx("reading an audit")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading an audit")?;
        Ok(AuditReport {
            audit: header,
            expected: expected as usize,
            found,
            missing,
            unexpected,
            moved,
            unknown,
        })
    }

    /// Active assets (in stock, deployed, in repair) unseen for at least `days` days as of
    /// `now` (UTC, ISO-8601), oldest first.
    pub fn ghosts(&self, days: i64, now: &str) -> Result<Vec<Ghost>> {
        let now_t = chrono::DateTime::parse_from_rfc3339(now)
            .map_err(|_| StoreError::Invalid(format!("'{}' is not a time", visible(now))))?
            .with_timezone(&chrono::Utc);
        let cutoff = chrono::Duration::try_days(days)
            .and_then(|d| now_t.checked_sub_signed(d))
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "{days} days before {now} is not a date itam can use"
                ))
            })?
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_VIEW} WHERE a.status IN ('in_stock', 'deployed', 'in_repair')
                   AND COALESCE(a.last_seen_at, a.created_at) <= ?1
                 ORDER BY COALESCE(a.last_seen_at, a.created_at), a.tag"
            ))
            .ctx("finding ghosts")?;
        let rows = stmt
            .query_map([&cutoff], super::assets::view_from_row)
            .ctx("finding ghosts")?;
        let mut out = Vec::new();
        for r in rows {
            let asset = r.ctx("finding ghosts")?;
            let last_seen = asset.last_seen_at.unwrap_or(asset.created_at);
            out.push(Ghost {
                days_unseen: (now_t - last_seen.as_utc()).num_days(),
                last_seen,
                asset,
            });
        }
        Ok(out)
    }
}

fn record(tx: &super::Tx, audit: i64, code: &str, asset: Option<i64>, result: &str) -> Result<()> {
    tx.conn
        .prepare_cached("INSERT INTO audit_scans(audit_id, code, asset_id, result, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .ctx("recording an audit scan")?
        .execute(params![audit, code, asset, result, tx.now, tx.actor])
        .ctx("recording an audit scan")?;
    Ok(())
}

impl AuditReport {
    pub fn counts(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.expected,
            self.found.len(),
            self.missing.len(),
            self.unexpected.len(),
            self.unknown.len(),
        )
    }
}
