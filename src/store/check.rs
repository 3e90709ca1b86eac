//! `itam check`: does the database hold together? SQLite's own checks, then the ledger's rules:
//! the history replayed gives every asset's current status, assignee and location, and a
//! disposed asset has nothing after its disposal.

use super::{Context, Result, Store};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Which check found it: integrity, foreign_keys, replay, disposal, assignment, ...
    pub check: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub assets: i64,
    pub events: i64,
    pub findings: Vec<Finding>,
}

/// What replaying an asset's history says it should look like now.
#[derive(Debug, Default, Clone, PartialEq)]
struct Replayed {
    status: Option<String>,
    assignee: Option<String>,
    location: Option<String>,
    last_kind: String,
    disposed_then_changed: bool,
    /// Entered the ledger already disposed (an import from another system): itam never
    /// disposed of it, so there is no disposal record to expect.
    created_disposed: bool,
}

fn apply(state: &mut Replayed, kind: &str, after: &Value) {
    if state.status.as_deref() == Some("disposed") {
        state.disposed_then_changed = true;
    }
    if let Value::Object(m) = after {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        if let Some(v) = m.get("status") {
            state.status = text(v);
            // Only the status it was created with counts: disposed again later, it needs a record.
            state.created_disposed =
                kind == "create" && state.status.as_deref() == Some("disposed");
        }
        if let Some(v) = m.get("assignee") {
            state.assignee = text(v);
        }
        if let Some(v) = m.get("location") {
            state.location = text(v);
        }
    }
    state.last_kind = kind.to_string();
}

impl Store {
    pub fn check(&self) -> Result<CheckReport> {
        let mut findings = Vec::new();
        // One read transaction: every query below sees the same snapshot, so writers committing
        // meanwhile (an asset row here, its create event there) cannot look like damage.
        let snapshot = self.conn.unchecked_transaction().ctx("starting a read")?;
        let c = &*snapshot;
        {
            let mut stmt = c
                .prepare("PRAGMA integrity_check")
                .ctx("checking integrity")?;
            let rows: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .ctx("checking integrity")?
                .collect::<std::result::Result<_, _>>()
                .ctx("checking integrity")?;
            for r in rows.into_iter().filter(|r| r != "ok") {
                findings.push(Finding {
                    check: "integrity",
                    message: r,
                });
            }
        }
        {
            let mut stmt = c
                .prepare("PRAGMA foreign_key_check")
                .ctx("checking foreign keys")?;
            let rows: Vec<(String, i64, String)> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                        r.get(2)?,
                    ))
                })
                .ctx("checking foreign keys")?
                .collect::<std::result::Result<_, _>>()
                .ctx("checking foreign keys")?;
            for (table, rowid, parent) in rows {
                findings.push(Finding {
                    check: "foreign_keys",
                    message: format!("{table} row {rowid} points to a missing {parent} row"),
                });
            }
        }
        // Replay: events in (asset, id) order, merged with assets in id order.
        let mut replayed: std::collections::HashMap<i64, Replayed> =
            std::collections::HashMap::new();
        let mut events = 0i64;
        {
            let mut stmt = c
                .prepare("SELECT asset_id, kind, after FROM events WHERE asset_id IS NOT NULL ORDER BY asset_id, id")
                .ctx("reading the history")?;
            let mut rows = stmt.query([]).ctx("reading the history")?;
            while let Some(r) = rows.next().ctx("reading the history")? {
                events += 1;
                let id: i64 = r.get(0).ctx("reading the history")?;
                let kind: String = r.get(1).ctx("reading the history")?;
                let after: Option<String> = r.get(2).ctx("reading the history")?;
                let after: Value = after
                    .as_deref()
                    .and_then(|a| serde_json::from_str(a).ok())
                    .unwrap_or(Value::Null);
                apply(replayed.entry(id).or_default(), &kind, &after);
            }
        }
        let mut assets = 0i64;
        {
            let mut stmt = c
                .prepare(
                    "SELECT a.id, a.tag, a.status, p.username, l.code,
                            EXISTS (SELECT 1 FROM disposals d WHERE d.asset_id = a.id)
                     FROM assets a LEFT JOIN people p ON p.id = a.assignee_id
                     LEFT JOIN locations l ON l.id = a.location_id ORDER BY a.id",
                )
                .ctx("reading assets")?;
            let mut rows = stmt.query([]).ctx("reading assets")?;
            while let Some(r) = rows.next().ctx("reading assets")? {
                assets += 1;
                let id: i64 = r.get(0).ctx("reading assets")?;
                let tag: String = r.get(1).ctx("reading assets")?;
                let status: String = r.get(2).ctx("reading assets")?;
                let assignee: Option<String> = r.get(3).ctx("reading assets")?;
                let location: Option<String> = r.get(4).ctx("reading assets")?;
                let has_disposal: bool = r.get(5).ctx("reading assets")?;
                let tag = crate::domain::text::visible(&tag).into_owned();
                let Some(h) = replayed.remove(&id) else {
                    findings.push(Finding {
                        check: "replay",
                        message: format!("{tag} has no history at all"),
                    });
                    continue;
                };
                let same = |a: &Option<String>, b: &Option<String>| {
                    a.as_deref().map(str::to_lowercase) == b.as_deref().map(str::to_lowercase)
                };
                if h.status.as_deref() != Some(status.as_str()) {
                    findings.push(Finding {
                        check: "replay",
                        message: format!(
                            "{tag}: history says status {}, the row says {status}",
                            h.status.as_deref().unwrap_or("(none)")
                        ),
                    });
                }
                if !same(&h.assignee, &assignee) {
                    findings.push(Finding {
                        check: "replay",
                        message: format!(
                            "{tag}: history says assignee {}, the row says {}",
                            h.assignee.as_deref().unwrap_or("(none)"),
                            assignee.as_deref().unwrap_or("(none)")
                        ),
                    });
                }
                if !same(&h.location, &location) {
                    findings.push(Finding {
                        check: "replay",
                        message: format!(
                            "{tag}: history says location {}, the row says {}",
                            h.location.as_deref().unwrap_or("(none)"),
                            location.as_deref().unwrap_or("(none)")
                        ),
                    });
                }
                if (status == "deployed") != assignee.is_some() {
                    findings.push(Finding {
                        check: "assignment",
                        message: format!(
                            "{tag} is {status} but its assignee is {}",
                            assignee.as_deref().unwrap_or("nobody")
                        ),
                    });
                }
                if status == "disposed" {
                    if !has_disposal && !h.created_disposed {
                        findings.push(Finding {
                            check: "disposal",
                            message: format!("{tag} is disposed without a disposal record"),
                        });
                    }
                    if h.disposed_then_changed {
                        findings.push(Finding {
                            check: "disposal",
                            message: format!("{tag} changed after it was disposed"),
                        });
                    }
                }
            }
        }
        // Licence seats: assignments minus unassignments and releases in the history must equal
        // the seat rows.
        {
            let mut stmt = c
                .prepare(
                    "SELECT l.id, l.product, (SELECT count(*) FROM licence_seats s WHERE s.licence_id = l.id),
                            COALESCE(h.net, 0)
                     FROM licences l LEFT JOIN (
                         SELECT subject, sum(kind = 'seat_assign') - sum(kind IN ('seat_unassign', 'seat_release')) AS net
                         FROM events WHERE subject LIKE 'licence:%' GROUP BY subject
                     ) h ON h.subject = 'licence:' || l.id",
                )
                .ctx("checking licence seats")?;
            let rows: Vec<(i64, String, i64, i64)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .ctx("checking licence seats")?
                .collect::<std::result::Result<_, _>>()
                .ctx("checking licence seats")?;
            for (id, product, rows, net) in rows {
                if rows != net {
                    findings.push(Finding {
                        check: "licence_seats",
                        message: format!(
                            "licence {id} ({}) has {rows} seat rows but its history assigns {net}",
                            crate::domain::text::visible(&product)
                        ),
                    });
                }
            }
        }
        for id in replayed.keys() {
            findings.push(Finding {
                check: "replay",
                message: format!("history mentions asset id {id}, which does not exist"),
            });
        }
        drop(snapshot);
        Ok(CheckReport {
            assets,
            events,
            findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replay_follows_the_after_fields() {
        let mut s = Replayed::default();
        apply(
            &mut s,
            "create",
            &json!({"status": "in_stock", "location": "A"}),
        );
        apply(
            &mut s,
            "checkout",
            &json!({"status": "deployed", "assignee": "jdoe"}),
        );
        apply(&mut s, "move", &json!({"location": "B"}));
        apply(
            &mut s,
            "checkin",
            &json!({"status": "in_stock", "assignee": null}),
        );
        assert_eq!(
            (
                s.status.as_deref(),
                s.assignee.as_deref(),
                s.location.as_deref()
            ),
            (Some("in_stock"), None, Some("B"))
        );
        assert!(!s.disposed_then_changed);
        apply(&mut s, "dispose", &json!({"status": "disposed"}));
        apply(&mut s, "move", &json!({"location": "C"}));
        assert!(s.disposed_then_changed);
    }
}
