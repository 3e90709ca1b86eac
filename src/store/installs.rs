//! Installed software, as the feeds report it: per device, matched to licences by rules
//! (`Adobe Acrobat*`), and the compliance report that sets installs against seats.

use super::licences::licence_id;
use super::sql::params;
use super::values;
use super::{Context, Result, Store, StoreError};
use crate::domain::currency;
use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::str::FromStr;

/// One installed title on one device.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InstallView {
    pub product: String,
    pub publisher: Option<String>,
    pub version: String,
    pub source: String,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// When a feed stopped reporting it; `None` while installed.
    pub removed_at: Option<Timestamp>,
}

/// A licence's match rule.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MatchRule {
    pub product: String,
    pub publisher: Option<String>,
}

/// A title a licence's rules match, with the devices it is installed on now.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MatchedTitle {
    pub product: String,
    pub publisher: Option<String>,
    pub devices: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LicenceMatches {
    pub licence_id: i64,
    pub licence: String,
    pub rules: Vec<MatchRule>,
    pub titles: Vec<MatchedTitle>,
}

/// An install no seat covers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Exposure {
    pub tag: String,
    pub assignee: Option<String>,
    pub product: String,
    pub version: String,
}

/// A seat whose holder has had no matching install for the reclaim period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reclaimable {
    /// `person:jdoe` or `asset:LAP-0001`.
    pub holder: String,
    pub assigned_at: Timestamp,
    /// The last time a matching install was seen on the holder's devices, if ever.
    pub last_install: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComplianceRow {
    pub licence_id: i64,
    pub product: String,
    pub kind: String,
    pub rules: Vec<MatchRule>,
    /// `None`: unlimited.
    pub seats_owned: Option<i64>,
    pub seats_assigned: i64,
    /// Devices where a matching title is installed now; `None` without match rules.
    pub devices_installed: Option<i64>,
    pub exposure: Vec<Exposure>,
    pub reclaimable: Vec<Reclaimable>,
    /// What the reclaimable seats cost per `cost_period`, in `currency`.
    pub reclaimable_cost: Option<Decimal>,
    pub currency: Option<String>,
    pub cost_period: String,
    /// Per-user licences: people using it (installed on a device they hold) without a seat.
    pub users_without_seat: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComplianceReport {
    pub as_of: String,
    pub reclaim_days: i64,
    pub licences: Vec<ComplianceRow>,
}

/// The titles a licence's rules match, as a CTE `sw(id, product)` over `?1` = the licence id.
const MATCHED: &str = "sw AS (SELECT DISTINCT s.id, s.product FROM software s
    JOIN licence_matches m ON m.licence_id = ?1
    WHERE lower(s.product) GLOB lower(m.product_glob)
      AND (m.publisher_glob IS NULL OR lower(s.publisher) GLOB lower(m.publisher_glob)))";

fn clean_glob(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "{field}: '{}' is not a pattern (e.g. \"Adobe Acrobat*\")",
            visible(s)
        )));
    }
    Ok(t.to_string())
}

impl Store {
    /// A device's installs, those present first, then by title.
    pub fn installs(&self, asset_id: i64) -> Result<Vec<InstallView>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.product, s.publisher, i.version, i.source, i.first_seen, i.last_seen, i.removed_at
                 FROM installs i JOIN software s ON s.id = i.software_id
                 WHERE i.asset_id = ?1
                 ORDER BY i.removed_at IS NOT NULL, s.product COLLATE NOCASE, i.version, i.source",
            )
            .ctx("reading installs")?;
        let rows = stmt
            .query_map([asset_id], |r| {
                Ok(InstallView {
                    product: r.get(0)?,
                    publisher: r
                        .get::<_, String>(1)
                        .map(|p| (!p.is_empty()).then_some(p))?,
                    version: r.get(2)?,
                    source: r.get(3)?,
                    first_seen: values::stamp(r, 4)?,
                    last_seen: values::stamp(r, 5)?,
                    removed_at: values::opt_stamp(r, 6)?,
                })
            })
            .ctx("reading installs")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading installs")
    }

    /// Add a match rule to a licence (recorded in its history) and say what it matches now.
    pub fn add_licence_match(
        &mut self,
        reference: &str,
        product: &str,
        publisher: Option<&str>,
    ) -> Result<LicenceMatches> {
        let product = clean_glob("--product", product)?;
        let publisher = publisher
            .map(|p| clean_glob("--publisher", p))
            .transpose()?;
        let id = self.write(|tx| {
            let id = licence_id(tx.conn, reference)?;
            let added = tx
                .conn
                .prepare_cached(
                    "INSERT INTO licence_matches(licence_id, product_glob, publisher_glob, created_at)
                     SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM licence_matches
                       WHERE licence_id = ?1 AND product_glob = ?2 AND publisher_glob IS ?3)",
                )
                .ctx("adding a match rule")?
                .execute(params![id, product, publisher, tx.now])
                .ctx("adding a match rule")?;
            if added > 0 {
                tx.subject_event(
                    &format!("licence:{id}"),
                    "licence_match",
                    json!({"product": product, "publisher": publisher}),
                )?;
            }
            Ok(id)
        })?;
        self.licence_matches_by_id(id)
    }

    /// A licence's rules and the titles they match.
    pub fn licence_matches(&self, reference: &str) -> Result<LicenceMatches> {
        let id = licence_id(&self.conn, reference)?;
        self.licence_matches_by_id(id)
    }

    fn licence_matches_by_id(&self, id: i64) -> Result<LicenceMatches> {
        let c = &self.conn;
        let licence: String = c
            .query_row("SELECT product FROM licences WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .ctx("reading a licence")?;
        let rules = rules(c, id)?;
        let mut stmt = c
            .prepare(&format!(
                "WITH {MATCHED},
                 n AS (SELECT software_id, count(DISTINCT asset_id) AS devices FROM installs
                       WHERE removed_at IS NULL AND software_id IN (SELECT id FROM sw)
                       GROUP BY software_id)
                 SELECT s.product, s.publisher, COALESCE(n.devices, 0)
                 FROM software s JOIN sw ON sw.id = s.id LEFT JOIN n ON n.software_id = s.id
                 ORDER BY s.product COLLATE NOCASE, s.publisher"
            ))
            .ctx("matching titles")?;
        let titles = stmt
            .query_map([id], |r| {
                Ok(MatchedTitle {
                    product: r.get(0)?,
                    publisher: r
                        .get::<_, String>(1)
                        .map(|p| (!p.is_empty()).then_some(p))?,
                    devices: r.get(2)?,
                })
            })
            .ctx("matching titles")?
            .collect::<std::result::Result<_, _>>()
            .ctx("matching titles")?;
        Ok(LicenceMatches {
            licence_id: id,
            licence,
            rules,
            titles,
        })
    }

    /// Per licence: seats owned and assigned, devices where it is installed, installs no seat
    /// covers, seats with no install for `reclaim_days` (and their cost), and per-user licences
    /// in use by people without a seat. `as_of` is a stored-format time.
    ///
    /// The installs are read in one pass (there is no index by title: keeping one would double
    /// what a sync writes), matched to licences through their rules in memory.
    pub fn compliance(&self, as_of: &str, reclaim_days: i64) -> Result<ComplianceReport> {
        let c = &self.conn;
        let _snap = self.read_snapshot()?;
        let cutoff = chrono::DateTime::parse_from_rfc3339(as_of)
            .map_err(|_| StoreError::Invalid(format!("'{}' is not a time", visible(as_of))))?
            .with_timezone(&chrono::Utc)
            - chrono::Duration::days(reclaim_days);
        let cutoff = Timestamp::from_utc(cutoff);
        let mut stmt = c
            .prepare(
                "SELECT l.id, l.product, l.kind, l.seats, l.cost, l.currency, l.cost_basis, l.cost_period,
                        (SELECT count(*) FROM licence_seats s WHERE s.licence_id = l.id)
                 FROM licences l ORDER BY l.product COLLATE NOCASE, l.id",
            )
            .ctx("reading licences")?;
        type L = (
            i64,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            String,
            String,
            i64,
        );
        let licences: Vec<L> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })
            .ctx("reading licences")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading licences")?;
        // Which licences each title counts for.
        let mut by_title: HashMap<i64, Vec<i64>> = HashMap::new();
        {
            let mut stmt = c
                .prepare(
                    "SELECT DISTINCT s.id, m.licence_id FROM software s JOIN licence_matches m
                     ON lower(s.product) GLOB lower(m.product_glob)
                      AND (m.publisher_glob IS NULL OR lower(s.publisher) GLOB lower(m.publisher_glob))",
                )
                .ctx("matching titles")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .ctx("matching titles")?;
            for r in rows {
                let (sid, lid) = r.ctx("matching titles")?;
                by_title.entry(sid).or_default().push(lid);
            }
        }
        // Per licence and asset: installed now (with one title and version to show), and the
        // last time a matching title was seen there.
        #[derive(Default)]
        struct Seen {
            current: Option<(i64, String)>,
            last: String,
        }
        let mut seen: HashMap<(i64, i64), Seen> = HashMap::new();
        if !by_title.is_empty() {
            let mut stmt = c
                .prepare("SELECT asset_id, software_id, version, last_seen, removed_at IS NULL FROM installs")
                .ctx("reading installs")?;
            let mut rows = stmt.query([]).ctx("reading installs")?;
            while let Some(r) = rows.next().ctx("reading installs")? {
                let sid: i64 = r.get(1).ctx("reading installs")?;
                let Some(lids) = by_title.get(&sid) else {
                    continue;
                };
                let asset: i64 = r.get(0).ctx("reading installs")?;
                let last: String = r.get(3).ctx("reading installs")?;
                let current: bool = r.get(4).ctx("reading installs")?;
                for &lid in lids {
                    let e = seen.entry((lid, asset)).or_default();
                    if e.last < last {
                        e.last = last.clone();
                    }
                    if current && e.current.is_none() {
                        e.current = Some((sid, r.get(2).ctx("reading installs")?));
                    }
                }
            }
        }
        let mut per_licence: HashMap<i64, Vec<(i64, Seen)>> = HashMap::new();
        for ((lid, asset), s) in seen {
            per_licence.entry(lid).or_default().push((asset, s));
        }
        let mut out = Vec::new();
        for (id, product, kind, seats, cost, cur, basis, period, assigned) in licences {
            let rules = rules(c, id)?;
            let mut row = ComplianceRow {
                licence_id: id,
                product,
                kind: kind.clone(),
                rules,
                seats_owned: seats,
                seats_assigned: assigned,
                devices_installed: None,
                exposure: Vec::new(),
                reclaimable: Vec::new(),
                reclaimable_cost: None,
                currency: cur.clone(),
                cost_period: period,
                users_without_seat: Vec::new(),
            };
            if row.rules.is_empty() {
                out.push(row);
                continue;
            }
            let assets = per_licence.remove(&id).unwrap_or_default();
            let last_by_asset: HashMap<i64, &str> =
                assets.iter().map(|(a, s)| (*a, s.last.as_str())).collect();
            let per_user = matches!(kind.as_str(), "per_user" | "subscription");
            let mut installed = 0;
            for (asset, s) in &assets {
                let Some((sid, version)) = &s.current else {
                    continue;
                };
                let (tag, status, assignee, device_seat, user_seat): (String, String, Option<String>, bool, bool) = c
                    .prepare_cached(
                        "SELECT a.tag, a.status, p.username,
                           EXISTS(SELECT 1 FROM licence_seats ls WHERE ls.licence_id = ?2 AND ls.asset_id = a.id),
                           EXISTS(SELECT 1 FROM licence_seats ls WHERE ls.licence_id = ?2 AND ls.person_id = a.assignee_id)
                         FROM assets a LEFT JOIN people p ON p.id = a.assignee_id WHERE a.id = ?1",
                    )
                    .ctx("reading an asset")?
                    .query_row(params![asset, id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })
                    .ctx("reading an asset")?;
                if status == "disposed" {
                    continue;
                }
                installed += 1;
                if kind == "site" || device_seat || (per_user && user_seat) {
                    continue;
                }
                if per_user {
                    if let Some(u) = &assignee {
                        if !row.users_without_seat.contains(u) {
                            row.users_without_seat.push(u.clone());
                        }
                    }
                }
                let title: String = c
                    .prepare_cached("SELECT product FROM software WHERE id = ?1")
                    .ctx("reading a title")?
                    .query_row([sid], |r| r.get(0))
                    .ctx("reading a title")?;
                row.exposure.push(Exposure {
                    tag,
                    assignee,
                    product: title,
                    version: version.clone(),
                });
            }
            row.exposure.sort_by(|a, b| a.tag.cmp(&b.tag));
            row.users_without_seat.sort();
            row.devices_installed = Some(installed);
            // Seats whose holder has had no matching install seen within the period: an asset
            // seat looks at that asset, a person's seat at the assets they hold now.
            let mut stmt = c
                .prepare_cached(
                    "SELECT CASE WHEN ls.asset_id IS NOT NULL THEN 'asset:' || a.tag ELSE 'person:' || p.username END,
                       ls.assigned_at, ls.asset_id, ls.person_id
                     FROM licence_seats ls
                     LEFT JOIN assets a ON a.id = ls.asset_id
                     LEFT JOIN people p ON p.id = ls.person_id
                     WHERE ls.licence_id = ?1 ORDER BY 1",
                )
                .ctx("reading seats")?;
            type Seat = (String, Timestamp, Option<i64>, Option<i64>);
            let seats_rows: Vec<Seat> = stmt
                .query_map([id], |r| {
                    Ok((r.get(0)?, values::stamp(r, 1)?, r.get(2)?, r.get(3)?))
                })
                .ctx("reading seats")?
                .collect::<std::result::Result<_, _>>()
                .ctx("reading seats")?;
            for (holder, assigned_at, asset, person) in seats_rows {
                let held: Vec<i64> = match (asset, person) {
                    (Some(a), _) => vec![a],
                    (None, Some(p)) => c
                        .prepare_cached("SELECT id FROM assets WHERE assignee_id = ?1")
                        .ctx("reading held assets")?
                        .query_map([p], |r| r.get(0))
                        .ctx("reading held assets")?
                        .collect::<std::result::Result<_, _>>()
                        .ctx("reading held assets")?,
                    _ => Vec::new(),
                };
                let last = held
                    .iter()
                    .filter_map(|a| last_by_asset.get(a).copied())
                    .max()
                    .map(|t| {
                        Timestamp::parse(t)
                            .map_err(|e| StoreError::Invalid(format!("reading installs: {e}")))
                    })
                    .transpose()?;
                let used = last.is_some_and(|l| l >= cutoff);
                if assigned_at < cutoff && !used {
                    row.reclaimable.push(Reclaimable {
                        holder,
                        assigned_at,
                        last_install: last,
                    });
                }
            }
            let n = Decimal::from(row.reclaimable.len() as i64);
            let per_seat = match (
                cost.as_deref().map(Decimal::from_str),
                basis.as_str(),
                seats,
            ) {
                (Some(Ok(c)), "per_seat", _) => Some(c),
                (Some(Ok(c)), _, Some(owned)) if owned > 0 => Some(c / Decimal::from(owned)),
                _ => None,
            };
            if let (Some(p), Some(cu)) = (per_seat, cur.as_deref()) {
                row.reclaimable_cost = Some(currency::round(p * n, cu));
            }
            out.push(row);
        }
        Ok(ComplianceReport {
            as_of: as_of.to_string(),
            reclaim_days,
            licences: out,
        })
    }
}

fn rules(c: &super::sql::Conn, id: i64) -> Result<Vec<MatchRule>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT product_glob, publisher_glob FROM licence_matches WHERE licence_id = ?1 ORDER BY id",
        )
        .ctx("reading match rules")?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(MatchRule {
                product: r.get(0)?,
                publisher: r.get(1)?,
            })
        })
        .ctx("reading match rules")?;
    rows.collect::<std::result::Result<_, _>>()
        .ctx("reading match rules")
}
