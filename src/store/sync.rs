//! Applying an inventory feed, and the drift report that compares the feeds with the register.
//!
//! A sync matches each device by serial (case-insensitive, spaces ignored) and records what the
//! feed says in `sync_devices`, one `sync` event per changed field under the actor
//! `sync:SOURCE`; it moves `last_seen_at` forward and keeps the device's installed software.
//! It never changes status, assignee or location: where the feed and the register disagree,
//! that is drift, reported and resolved by a person.
//!
//! Batches: each batch of devices is one short `BEGIN IMMEDIATE` transaction, and the sync
//! pauses between batches so other writers (a check-out at the bench) get the lock. A sync is
//! therefore not all-or-nothing; a kill loses at most the batch in flight, and running the same
//! file again completes it (nothing that was applied changes a second time).

use super::ops::{insert_asset, set_status_tx, NewAsset};
use super::sql::{params, Conn, OptionalExtension};
use super::{Context, Result, Store, StoreError, Tx};
use crate::domain::feed::{normalize_serial, Device, Feed};
use crate::domain::text::visible;
use crate::domain::Status;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Read and compare only; nothing is written.
    pub dry_run: bool,
    /// Register serials no asset has, in stock (else they are listed as drift).
    pub create_unknown: bool,
    /// Most devices in one transaction.
    pub batch_devices: usize,
    /// Longest a batch holds the write lock before it commits.
    pub batch_time: Duration,
    /// How long the sync leaves the lock free after each batch.
    pub pause: Duration,
    /// At most this many field changes are listed in the summary (all are counted).
    pub list_changes: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            dry_run: false,
            create_unknown: false,
            batch_devices: 5_000,
            // A writer waiting for the lock polls it with growing sleeps: 1, 2, 5, 10 ... 50 ms
            // apart for its first 228 ms, then every 100 ms (SQLite's busy handler). A batch
            // of at most 150 ms followed by a 50 ms pause is always caught by one of its early
            // polls, so a check-out waits at most about 200 ms for a sync.
            batch_time: Duration::from_millis(150),
            pause: Duration::from_millis(50),
            list_changes: 200,
        }
    }
}

/// One field a sync changed (or, in a dry run, would change).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub tag: String,
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// A device whose serial no asset has.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnknownDevice {
    pub serial: String,
    pub hostname: Option<String>,
    pub user: Option<String>,
    pub seen_at: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncSummary {
    pub source: String,
    pub dry_run: bool,
    pub devices: usize,
    pub matched: usize,
    /// Tags of the assets created for unknown serials (`--create-unknown`).
    pub created: Vec<String>,
    pub unknown: Vec<UnknownDevice>,
    /// Devices with at least one field changed.
    pub devices_changed: usize,
    pub field_changes: usize,
    pub changes: Vec<FieldChange>,
    pub last_seen_moved: usize,
    pub installs_added: usize,
    pub installs_seen_again: usize,
    pub installs_removed: usize,
    pub batches: usize,
    pub skipped: Vec<String>,
}

impl SyncSummary {
    /// True when the sync changed (or would change) nothing at all.
    pub fn unchanged(&self) -> bool {
        self.created.is_empty()
            && self.field_changes == 0
            && self.last_seen_moved == 0
            && self.installs_added == 0
            && self.installs_seen_again == 0
            && self.installs_removed == 0
    }
}

/// What a batch needs across devices: serial look-ups for serials stored with spaces, and
/// software ids by (product, publisher) string index.
struct Run<'f> {
    feed: &'f Feed,
    source: &'static str,
    dry_run: bool,
    create_unknown: bool,
    note: String,
    spaced: HashMap<String, i64>,
    software: HashMap<(u32, u32), Option<i64>>,
    list_changes: usize,
}

/// The fields a feed reports, as (event key, stored value, reported value).
fn fields(d: &Device, source: &str) -> [(String, Option<String>); 6] {
    [
        (format!("{source}_id"), d.source_id.clone()),
        ("hostname".into(), d.hostname.clone()),
        ("os".into(), d.os.clone()),
        ("os_version".into(), d.os_version.clone()),
        (
            "mdm_enrolled".into(),
            d.enrolled.map(|b| if b { "1" } else { "0" }.to_string()),
        ),
        ("mdm_user".into(), d.user.clone()),
    ]
}

fn event_value(field: &str, v: &Option<String>) -> Value {
    match (field, v.as_deref()) {
        (_, None) => Value::Null,
        ("mdm_enrolled", Some(b)) => Value::Bool(b == "1"),
        (_, Some(s)) => Value::String(s.to_string()),
    }
}

impl Store {
    /// Apply `feed` in batches. Returns what changed (or would, with `dry_run`).
    pub fn sync_feed(
        &mut self,
        feed: &Feed,
        opts: &SyncOptions,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<SyncSummary> {
        let source = feed.source.as_str();
        let actor = feed.source.actor();
        let mut run = Run {
            feed,
            source,
            dry_run: opts.dry_run,
            create_unknown: opts.create_unknown,
            note: format!("run by {}", self.actor),
            spaced: spaced_serials(&self.conn)?,
            software: HashMap::new(),
            list_changes: opts.list_changes,
        };
        let mut summary = SyncSummary {
            source: source.to_string(),
            dry_run: opts.dry_run,
            devices: feed.devices.len(),
            skipped: feed.skipped.clone(),
            ..SyncSummary::default()
        };
        let total = feed.devices.len();
        // Apply in asset-id order: the rows a batch writes (sync_devices, installs, the
        // assets' last_seen_at) then sit on neighbouring pages, so a batch dirties a few
        // hundred pages instead of several per device, and commits and checkpoints stay small.
        let order: Vec<usize> = {
            let _snap = self.read_snapshot()?;
            let tx = Tx {
                conn: &self.conn,
                actor: &actor,
                now: String::new(),
            };
            let mut keyed = Vec::with_capacity(total);
            for (i, d) in feed.devices.iter().enumerate() {
                let id = find_asset(&tx, &run, &normalize_serial(&d.serial))?.map(|(id, _)| id);
                keyed.push((id.unwrap_or(i64::MAX), i));
            }
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, i)| i).collect()
        };
        let mut done = 0;
        while done < total {
            let start = Instant::now();
            let batch_end = (done + opts.batch_devices.max(1)).min(total);
            let step = |tx: &Tx<'_>, run: &mut Run<'_>, summary: &mut SyncSummary| {
                let mut i = done;
                while i < batch_end {
                    apply_device(tx, run, &feed.devices[order[i]], summary)?;
                    i += 1;
                    // Commit early when the batch has held the lock long enough.
                    if start.elapsed() >= opts.batch_time {
                        break;
                    }
                }
                Ok(i)
            };
            let next = if opts.dry_run {
                let _snap = self.read_snapshot()?;
                let tx = Tx {
                    conn: &self.conn,
                    actor: &actor,
                    now: self.fixed_now.clone().unwrap_or_else(super::now_utc),
                };
                step(&tx, &mut run, &mut summary)?
            } else {
                let next = self.write_as(&actor, |tx| step(tx, &mut run, &mut summary))?;
                // (Software ids cached by a batch that rolled back would be stale; an error
                // ends the sync before the next batch, so the cache only holds committed ids.)
                if next < total {
                    std::thread::sleep(opts.pause);
                }
                next
            };
            summary.batches += 1;
            done = next;
            progress(done, total);
        }
        Ok(summary)
    }
}

/// Assets whose stored serial has spaces (rare): matched through their normalised form, since
/// the serial index compares only case.
fn spaced_serials(conn: &super::sql::Conn) -> Result<HashMap<String, i64>> {
    let mut stmt = conn
        .prepare(
            "SELECT id, serial FROM assets WHERE instr(serial, ' ') > 0 OR instr(serial, ?1) > 0",
        )
        .ctx("reading serials")?;
    let rows = stmt
        .query_map(["\t"], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .ctx("reading serials")?;
    let mut out = HashMap::new();
    for r in rows {
        let (id, s) = r.ctx("reading serials")?;
        out.insert(normalize_serial(&s), id);
    }
    Ok(out)
}

fn find_asset(tx: &Tx<'_>, run: &Run<'_>, serial: &str) -> Result<Option<(i64, String)>> {
    let by_serial = tx
        .conn
        .prepare_cached("SELECT id, tag FROM assets WHERE serial = ?1")
        .ctx("matching a serial")?
        .query_row([serial], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("matching a serial")?;
    if by_serial.is_some() {
        return Ok(by_serial);
    }
    match run.spaced.get(serial) {
        Some(&id) => {
            let tag: String = tx
                .conn
                .query_row("SELECT tag FROM assets WHERE id = ?1", [id], |r| r.get(0))
                .ctx("matching a serial")?;
            Ok(Some((id, tag)))
        }
        None => Ok(None),
    }
}

/// A tag for an asset created from a feed: its serial, unless some asset already has that tag.
fn new_tag(tx: &Tx<'_>, serial: &str) -> Result<String> {
    let taken: bool = tx
        .conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM assets WHERE tag = ?1)")
        .ctx("choosing a tag")?
        .query_row([serial], |r| r.get(0))
        .ctx("choosing a tag")?;
    Ok(if taken {
        format!("SYNC-{serial}")
    } else {
        serial.to_string()
    })
}

fn apply_device(
    tx: &Tx<'_>,
    run: &mut Run<'_>,
    d: &Device,
    summary: &mut SyncSummary,
) -> Result<()> {
    let serial = normalize_serial(&d.serial);
    let (id, tag) = match find_asset(tx, run, &serial)? {
        Some(found) => {
            summary.matched += 1;
            found
        }
        None if run.create_unknown => {
            let tag = new_tag(tx, &serial)?;
            summary.created.push(tag.clone());
            if run.dry_run {
                return Ok(());
            }
            let asset = NewAsset {
                tag: tag.clone(),
                serial: Some(serial.clone()),
                name: d.hostname.clone(),
                status: Some(Status::InStock),
                notes: Some(format!("registered by a sync from {}", run.source)),
                ..NewAsset::default()
            };
            let v = insert_asset(tx, &asset, Some(&run.note))?;
            tx.conn
                .prepare_cached("DELETE FROM sync_unknown WHERE serial = ?1")
                .ctx("clearing an unknown serial")?
                .execute([&serial])
                .ctx("clearing an unknown serial")?;
            (v.id, tag)
        }
        None => {
            summary.unknown.push(UnknownDevice {
                serial: serial.clone(),
                hostname: d.hostname.clone(),
                user: d.user.clone(),
                seen_at: d.seen_at.clone(),
            });
            if !run.dry_run {
                tx.conn
                    .prepare_cached(
                        "INSERT INTO sync_unknown(source, serial, hostname, mdm_user, seen_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT(source, serial) DO UPDATE SET hostname = excluded.hostname,
                           mdm_user = excluded.mdm_user, seen_at = max(sync_unknown.seen_at, excluded.seen_at)",
                    )
                    .ctx("listing an unknown serial")?
                    .execute(params![run.source, serial, d.hostname, d.user, d.seen_at])
                    .ctx("listing an unknown serial")?;
            }
            return Ok(());
        }
    };
    apply_fields(tx, run, id, &tag, d, summary)?;
    let moved = if run.dry_run {
        tx.conn
            .prepare_cached(
                "SELECT count(*) FROM assets WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?2)",
            )
            .ctx("reading last seen")?
            .query_row(params![id, d.seen_at], |r| r.get::<_, i64>(0))
            .ctx("reading last seen")?
            > 0
    } else {
        // Not an event: check-ins move it every day; the feed's own row keeps the time.
        tx.conn
            .prepare_cached(
                "UPDATE assets SET last_seen_at = ?2
                 WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?2)",
            )
            .ctx("recording last seen")?
            .execute(params![id, d.seen_at])
            .ctx("recording last seen")?
            > 0
    };
    summary.last_seen_moved += usize::from(moved);
    if let Some(installs) = &d.installs {
        apply_installs(tx, run, id, d, installs, summary)?;
    }
    Ok(())
}

type Stored = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
);

fn apply_fields(
    tx: &Tx<'_>,
    run: &Run<'_>,
    id: i64,
    tag: &str,
    d: &Device,
    summary: &mut SyncSummary,
) -> Result<()> {
    let stored: Option<Stored> = tx
        .conn
        .prepare_cached(
            "SELECT source_id, hostname, os, os_version, mdm_enrolled, mdm_user, seen_at
             FROM sync_devices WHERE asset_id = ?1 AND source = ?2",
        )
        .ctx("reading a device")?
        .query_row(params![id, run.source], super::sql::FromRow::from_row)
        .optional()
        .ctx("reading a device")?;
    let old: [Option<String>; 6] = match &stored {
        Some((a, b, c, e, f, g, _)) => [
            a.clone(),
            b.clone(),
            c.clone(),
            e.clone(),
            f.map(|x| x.to_string()),
            g.clone(),
        ],
        None => Default::default(),
    };
    let new = fields(d, run.source);
    let mut merged = old.clone();
    let mut changed = false;
    for (i, (field, value)) in new.iter().enumerate() {
        if value.is_none() || *value == old[i] {
            continue;
        }
        changed = true;
        merged[i] = value.clone();
        summary.field_changes += 1;
        let before = event_value(field, &old[i]);
        let after = event_value(field, value);
        if summary.changes.len() < run.list_changes {
            summary.changes.push(FieldChange {
                tag: tag.to_string(),
                field: field.clone(),
                before: before.clone(),
                after: after.clone(),
            });
        }
        if !run.dry_run {
            tx.asset_event(
                id,
                "sync",
                json!({ field.as_str(): before }),
                json!({ field.as_str(): after }),
                Some(&run.note),
            )?;
        }
    }
    summary.devices_changed += usize::from(changed);
    let seen_moves = stored.as_ref().is_none_or(|s| s.6 < d.seen_at);
    if run.dry_run || !(changed || seen_moves) {
        return Ok(());
    }
    let seen = match &stored {
        Some(s) if s.6 > d.seen_at => s.6.clone(),
        _ => d.seen_at.clone(),
    };
    let enrolled: Option<i64> = merged[4].as_deref().map(|b| i64::from(b == "1"));
    tx.conn
        .prepare_cached(
            "INSERT INTO sync_devices(asset_id, source, source_id, hostname, os, os_version,
                                      mdm_enrolled, mdm_user, seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(asset_id, source) DO UPDATE SET source_id = excluded.source_id,
               hostname = excluded.hostname, os = excluded.os, os_version = excluded.os_version,
               mdm_enrolled = excluded.mdm_enrolled, mdm_user = excluded.mdm_user,
               seen_at = excluded.seen_at",
        )
        .ctx("recording a device")?
        .execute(params![
            id, run.source, merged[0], merged[1], merged[2], merged[3], enrolled, merged[5], seen
        ])
        .ctx("recording a device")?;
    Ok(())
}

fn software_id(
    tx: &Tx<'_>,
    run: &mut Run<'_>,
    product: u32,
    publisher: u32,
) -> Result<Option<i64>> {
    if let Some(&id) = run.software.get(&(product, publisher)) {
        return Ok(id);
    }
    let (p, pb) = (run.feed.text(product), run.feed.text(publisher));
    let mut id: Option<i64> = tx
        .conn
        .prepare_cached("SELECT id FROM software WHERE product = ?1 AND publisher = ?2")
        .ctx("looking up a title")?
        .query_row(params![p, pb], |r| r.get(0))
        .optional()
        .ctx("looking up a title")?;
    if id.is_none() && !run.dry_run {
        let new_id: i64 = tx
            .conn
            .prepare_cached("INSERT INTO software(product, publisher) VALUES (?1, ?2) RETURNING id")
            .ctx("adding a title")?
            .insert(params![p, pb])
            .ctx("adding a title")?;
        id = Some(new_id);
    }
    // A dry run caches nothing it did not find: the title may be added by the real run.
    if id.is_some() {
        run.software.insert((product, publisher), id);
    }
    Ok(id)
}

fn apply_installs(
    tx: &Tx<'_>,
    run: &mut Run<'_>,
    id: i64,
    d: &Device,
    installs: &[crate::domain::feed::Install],
    summary: &mut SyncSummary,
) -> Result<()> {
    // (software, version) -> (last_seen, removed_at) for this device and source.
    let mut existing: HashMap<(i64, String), (String, Option<String>)> = HashMap::new();
    {
        let mut stmt = tx
            .conn
            .prepare_cached(
                "SELECT software_id, version, last_seen, removed_at FROM installs
                 WHERE asset_id = ?1 AND source = ?2",
            )
            .ctx("reading installs")?;
        let rows = stmt
            .query_map(params![id, run.source], |r| {
                Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?)))
            })
            .ctx("reading installs")?;
        for r in rows {
            let (k, v) = r.ctx("reading installs")?;
            existing.insert(k, v);
        }
    }
    let seen = &d.seen_at;
    for i in installs {
        let version = run.feed.text(i.version).to_string();
        let Some(sid) = software_id(tx, run, i.product, i.publisher)? else {
            summary.installs_added += 1; // a dry run, a title itam has never seen
            continue;
        };
        match existing.remove(&(sid, version.clone())) {
            None => {
                summary.installs_added += 1;
                if !run.dry_run {
                    tx.conn
                        .prepare_cached(
                            "INSERT INTO installs(asset_id, software_id, source, version, first_seen, last_seen)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                        )
                        .ctx("recording an install")?
                        .execute(params![id, sid, run.source, version, seen])
                        .ctx("recording an install")?;
                }
            }
            Some((last, removed)) if last < *seen || (removed.is_some() && last <= *seen) => {
                if removed.is_some() {
                    summary.installs_added += 1;
                } else {
                    summary.installs_seen_again += 1;
                }
                if !run.dry_run {
                    tx.conn
                        .prepare_cached(
                            "UPDATE installs SET last_seen = ?5, removed_at = NULL
                             WHERE asset_id = ?1 AND source = ?2 AND software_id = ?3 AND version = ?4",
                        )
                        .ctx("recording an install")?
                        .execute(params![id, run.source, sid, version, seen])
                        .ctx("recording an install")?;
                }
            }
            Some(_) => {}
        }
    }
    // Reported before, not now: removed (unless this export is older than what was seen).
    for ((sid, version), (last, removed)) in existing {
        if removed.is_some() || last >= *seen {
            continue;
        }
        summary.installs_removed += 1;
        if !run.dry_run {
            tx.conn
                .prepare_cached(
                    "UPDATE installs SET removed_at = ?5
                     WHERE asset_id = ?1 AND source = ?2 AND software_id = ?3 AND version = ?4",
                )
                .ctx("recording a removal")?
                .execute(params![id, run.source, sid, version, seen])
                .ctx("recording a removal")?;
        }
    }
    Ok(())
}

/// What kind of disagreement a drift finding is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// A disposed device checked in: someone has a device itam says is gone (security).
    SeenWhileDisposed,
    /// A lost device checked in (security, and it can be marked found).
    SeenWhileLost,
    SeenWhileRetired,
    SeenWhileInStock,
    /// MDM's primary user is not the assignee.
    UserMismatch,
    /// A serial no asset has.
    UnknownSerial,
    /// Deployed, but no feed has seen it for the stale period.
    Stale,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::SeenWhileDisposed => "seen_while_disposed",
            DriftKind::SeenWhileLost => "seen_while_lost",
            DriftKind::SeenWhileRetired => "seen_while_retired",
            DriftKind::SeenWhileInStock => "seen_while_in_stock",
            DriftKind::UserMismatch => "user_mismatch",
            DriftKind::UnknownSerial => "unknown_serial",
            DriftKind::Stale => "stale",
        }
    }

    pub fn is_security(self) -> bool {
        matches!(
            self,
            DriftKind::SeenWhileDisposed | DriftKind::SeenWhileLost
        )
    }
}

/// One disagreement between a feed and the register, with how to resolve it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DriftFinding {
    pub kind: DriftKind,
    pub security: bool,
    /// The asset, when itam has one (not for an unknown serial).
    pub asset_id: Option<i64>,
    pub tag: Option<String>,
    pub serial: String,
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub source: String,
    pub mdm_user: Option<String>,
    pub hostname: Option<String>,
    pub seen_at: String,
    /// What happened, in words.
    pub detail: String,
    /// The command that resolves it, when one does.
    pub resolve: Option<String>,
}

/// The condition that the MDM user `u` (an SQL expression) names the person `p`: username,
/// email, the part of a UPN before `@`, or the full name (Jamf's Username often holds it).
fn names_person(u: &str) -> String {
    format!(
        "(lower({u}) = lower(p.username) OR lower({u}) = lower(COALESCE(p.email, ''))
          OR (instr({u}, '@') > 1 AND lower(substr({u}, 1, instr({u}, '@') - 1)) = lower(p.username))
          OR lower({u}) = lower(p.full_name))"
    )
}

/// Every row of a drift query, as a tuple of its columns.
fn drift_rows<T>(c: &Conn, sql: &str, params: impl super::sql::Params) -> Result<Vec<T>>
where
    T: super::sql::FromRow,
{
    c.prepare(sql)
        .ctx("reading drift")?
        .query_map(params, |r| T::from_row(r))
        .ctx("reading drift")?
        .collect::<std::result::Result<_, _>>()
        .ctx("reading drift")
}

impl Store {
    /// Every drift finding: security first, then by kind and tag. `as_of` is the time stale
    /// is counted from (`YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub fn drift(&self, as_of: &str, stale_days: u32) -> Result<Vec<DriftFinding>> {
        let c = &self.conn;
        let _snap = self.read_snapshot()?;
        let mut out = Vec::new();
        // Seen while itam says it is not in use: the check-in is later than the status change.
        let rows = drift_rows::<(
            String,
            Option<String>,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        )>(
            c,
            "SELECT a.tag, a.serial, a.status, d.source, d.mdm_user, d.hostname, d.seen_at
                 FROM sync_devices d JOIN assets a ON a.id = d.asset_id
                 WHERE a.status IN ('in_stock', 'lost', 'retired', 'disposed')
                   AND d.seen_at > COALESCE((SELECT max(e.at) FROM events e WHERE e.asset_id = a.id
                        AND json_extract(e.after, '$.status') IS NOT NULL), '')",
            [],
        )?;
        for (tag, serial, status, source, user, host, seen) in rows {
            let (kind, resolve) = match status.as_str() {
                "disposed" => (DriftKind::SeenWhileDisposed, None),
                "lost" => (
                    DriftKind::SeenWhileLost,
                    Some(format!("itam drift found {tag}")),
                ),
                "retired" => (DriftKind::SeenWhileRetired, None),
                _ => (
                    DriftKind::SeenWhileInStock,
                    user.as_ref().map(|_| format!("itam drift accept {tag}")),
                ),
            };
            let detail = format!(
                "{source} saw it on {}{} while itam says {status}",
                &seen[..10.min(seen.len())],
                user.as_deref()
                    .map(|u| format!(" (user {})", visible(u)))
                    .unwrap_or_default()
            );
            out.push(DriftFinding {
                kind,
                asset_id: None,
                security: kind.is_security(),
                tag: Some(tag),
                serial: serial.unwrap_or_default(),
                status: Some(status),
                assignee: None,
                source,
                mdm_user: user,
                hostname: host,
                seen_at: seen,
                detail,
                resolve,
            });
        }
        // MDM's user is not the assignee.
        let rows = drift_rows::<(
            String,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            String,
        )>(
            c,
            &format!(
                "SELECT a.tag, a.serial, p.username, d.source, d.mdm_user, d.hostname, d.seen_at
                 FROM sync_devices d JOIN assets a ON a.id = d.asset_id
                 JOIN people p ON p.id = a.assignee_id
                 WHERE a.status = 'deployed' AND COALESCE(d.mdm_user, '') <> ''
                   AND NOT {}",
                names_person("d.mdm_user")
            ),
            [],
        )?;
        for (tag, serial, assignee, source, user, host, seen) in rows {
            out.push(DriftFinding {
                asset_id: None,
                kind: DriftKind::UserMismatch,
                security: false,
                detail: format!(
                    "{source}'s primary user is {} but itam has it checked out to {}",
                    visible(&user),
                    visible(&assignee)
                ),
                resolve: Some(format!("itam drift accept {tag}")),
                tag: Some(tag),
                serial: serial.unwrap_or_default(),
                status: Some("deployed".into()),
                assignee: Some(assignee),
                source,
                mdm_user: Some(user),
                hostname: host,
                seen_at: seen,
            });
        }
        // Serials no asset has (any more: one added since is no longer unknown).
        let rows = drift_rows::<(String, String, Option<String>, Option<String>, String)>(
            c,
            "SELECT u.serial, u.source, u.mdm_user, u.hostname, u.seen_at FROM sync_unknown u
                 WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.serial = u.serial)
                 ORDER BY u.serial, u.source",
            [],
        )?;
        let spaced = spaced_serials(c)?;
        for (serial, source, user, host, seen) in rows {
            if spaced.contains_key(&serial) {
                continue;
            }
            out.push(DriftFinding {
                asset_id: None,
                kind: DriftKind::UnknownSerial,
                security: false,
                tag: None,
                detail: format!(
                    "{source} reports serial {} that itam does not know",
                    visible(&serial)
                ),
                resolve: Some(format!("itam sync FILE --source {source} --create-unknown")),
                serial,
                status: None,
                assignee: None,
                source,
                mdm_user: user,
                hostname: host,
                seen_at: seen,
            });
        }
        // Deployed but not seen by any feed for the stale period.
        let cutoff = chrono::DateTime::parse_from_rfc3339(as_of)
            .map_err(|_| StoreError::Invalid(format!("'{}' is not a time", visible(as_of))))?
            .with_timezone(&chrono::Utc)
            - chrono::Duration::days(i64::from(stale_days));
        let cutoff = cutoff.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let rows = drift_rows::<(
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            String,
        )>(
            c,
            // Each deployed asset's latest sighting, when it is older than the cutoff.
            "SELECT a.tag, a.serial, p.username, d.source, d.mdm_user, d.hostname, d.seen_at
                 FROM sync_devices d JOIN assets a ON a.id = d.asset_id
                 LEFT JOIN people p ON p.id = a.assignee_id
                 WHERE a.status = 'deployed' AND d.seen_at < ?1
                   AND NOT EXISTS (SELECT 1 FROM sync_devices n WHERE n.asset_id = d.asset_id
                       AND (n.seen_at > d.seen_at OR (n.seen_at = d.seen_at AND n.source > d.source)))",
            [&cutoff],
        )?;
        for (tag, serial, assignee, source, user, host, seen) in rows {
            out.push(DriftFinding {
                asset_id: None,
                kind: DriftKind::Stale,
                security: false,
                detail: format!(
                    "deployed{} but not seen since {} (more than {stale_days} days)",
                    assignee
                        .as_deref()
                        .map(|a| format!(" to {}", visible(a)))
                        .unwrap_or_default(),
                    &seen[..10.min(seen.len())]
                ),
                resolve: None,
                tag: Some(tag),
                serial: serial.unwrap_or_default(),
                status: Some("deployed".into()),
                assignee,
                source,
                mdm_user: user,
                hostname: host,
                seen_at: seen,
            });
        }
        for f in &mut out {
            if let Some(tag) = &f.tag {
                f.asset_id = c
                    .prepare_cached("SELECT id FROM assets WHERE tag = ?1")
                    .ctx("reading drift")?
                    .query_row([tag], |r| r.get(0))
                    .optional()
                    .ctx("reading drift")?;
            }
        }
        out.sort_by(|a, b| {
            (a.kind, &a.tag, &a.serial, &a.source).cmp(&(b.kind, &b.tag, &b.serial, &b.source))
        });
        Ok(out)
    }

    /// Resolve drift: make MDM's primary user the assignee (checking the asset in first when
    /// it is out to someone else), in one transaction under the OS user.
    pub fn accept_mdm_user(
        &mut self,
        code: &str,
        source: Option<&str>,
    ) -> Result<crate::domain::AssetView> {
        self.write(|tx| {
            let cur = super::ops::current(tx, code)?;
            let users: Vec<(String, String)> = {
                let mut stmt = tx
                    .conn
                    .prepare_cached(
                        "SELECT source, mdm_user FROM sync_devices
                         WHERE asset_id = ?1 AND COALESCE(mdm_user, '') <> ''
                           AND (?2 IS NULL OR source = ?2) ORDER BY seen_at DESC",
                    )
                    .ctx("reading a device")?;
                let rows = stmt
                    .query_map(params![cur.id, source], |r| Ok((r.get(0)?, r.get(1)?)))
                    .ctx("reading a device")?;
                rows.collect::<std::result::Result<_, _>>().ctx("reading a device")?
            };
            let Some((src, user)) = users.first().cloned() else {
                return Err(StoreError::NotFound(format!(
                    "no feed reports a primary user for {}",
                    visible(&cur.tag)
                )));
            };
            let people: Vec<String> = {
                let mut stmt = tx
                    .conn
                    .prepare_cached(&format!(
                        "SELECT p.username FROM people p WHERE p.active = 1 AND {}",
                        names_person("?1")
                    ))
                    .ctx("looking up a person")?;
                let rows = stmt
                    .query_map([&user], |r| r.get(0))
                    .ctx("looking up a person")?;
                rows.collect::<std::result::Result<_, _>>().ctx("looking up a person")?
            };
            let username = match people.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(StoreError::NotFound(format!(
                        "{src}'s primary user {} is not an active person in itam (add them with `itam person add`)",
                        visible(&user)
                    )))
                }
                _ => {
                    return Err(StoreError::Refused(format!(
                        "{src}'s primary user {} matches several people ({}); check it out by hand",
                        visible(&user),
                        visible(&people.join(", "))
                    )))
                }
            };
            if cur.assignee.as_deref() == Some(username.as_str()) {
                return Err(StoreError::Refused(format!(
                    "{} is already checked out to {}",
                    visible(&cur.tag),
                    visible(&username)
                )));
            }
            let note = format!("accepted {src}'s primary user");
            if cur.status == Status::Deployed {
                super::ops::checkin_tx(tx, &cur.tag, None, None, Some(&note))?;
            }
            super::ops::checkout_tx(tx, &cur.tag, &username, None, Some(&note))
        })
    }

    /// Resolve drift: a lost device that checked in is found (back in stock).
    pub fn mark_found(&mut self, code: &str) -> Result<crate::domain::AssetView> {
        self.write(|tx| {
            let cur = super::ops::current(tx, code)?;
            if cur.status != Status::Lost {
                return Err(StoreError::Refused(format!(
                    "{} is {}, not lost",
                    visible(&cur.tag),
                    cur.status
                )));
            }
            set_status_tx(
                tx,
                &cur.tag,
                Status::InStock,
                Some("found: a feed saw it check in"),
            )
        })
    }

    /// What each feed last said about an asset.
    pub fn sync_devices(&self, asset_id: i64) -> Result<Vec<Value>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source, source_id, hostname, os, os_version, mdm_enrolled, mdm_user, seen_at
                 FROM sync_devices WHERE asset_id = ?1 ORDER BY source",
            )
            .ctx("reading a device")?;
        let rows = stmt
            .query_map([asset_id], |r| {
                Ok(json!({
                    "source": r.get::<_, String>(0)?,
                    "source_id": r.get::<_, Option<String>>(1)?,
                    "hostname": r.get::<_, Option<String>>(2)?,
                    "os": r.get::<_, Option<String>>(3)?,
                    "os_version": r.get::<_, Option<String>>(4)?,
                    "mdm_enrolled": r.get::<_, Option<i64>>(5)?.map(|b| b == 1),
                    "mdm_user": r.get::<_, Option<String>>(6)?,
                    "seen_at": r.get::<_, String>(7)?,
                }))
            })
            .ctx("reading a device")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading a device")
    }
}
