//! `itam check`: does the database hold together? SQLite's own checks, the history chain and the
//! append-only triggers as shipped, then the ledger's rules: the history replayed gives every
//! field of every asset it records, and a disposed asset has nothing after its disposal. All of
//! it reads one snapshot, so writers committing meanwhile cannot look like damage.

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
    /// Events about assets (the replayed ones).
    pub events: i64,
    /// The verified history chain's head: keep it somewhere else to detect a rewrite later.
    pub head: super::chain::ChainHead,
    pub findings: Vec<Finding>,
}

/// The asset fields the history records, as `SELECT_VIEW` column and whether names compare
/// case-insensitively (the name tables and codes are `COLLATE NOCASE`).
const FIELDS: &[(&str, usize, bool)] = &[
    ("tag", 1, true),
    ("serial", 2, true),
    ("name", 3, false),
    ("model", 4, true),
    ("manufacturer", 5, true),
    ("category", 6, true),
    ("status", 7, false),
    ("condition", 8, false),
    ("location", 9, true),
    ("assignee", 11, true),
    ("due_date", 14, false),
    ("owner", 15, true),
    ("supplier", 16, true),
    ("order_number", 17, false),
    ("purchase_date", 18, false),
    ("purchase_cost", 19, false),
    ("currency", 20, false),
    ("warranty_until", 21, false),
    ("eol_date", 22, false),
    ("notes", 23, false),
];

/// What replaying an asset's history says it should look like now.
#[derive(Debug, Default, Clone, PartialEq)]
struct Replayed {
    /// The last value the history gave each field it mentions (None: cleared).
    fields: std::collections::BTreeMap<String, Option<String>>,
    last_kind: String,
    disposed_then_changed: bool,
    /// Entered the ledger already disposed (an import from another system): itam never
    /// disposed of it, so there is no disposal record to expect.
    created_disposed: bool,
}

impl Replayed {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(|v| v.as_deref())
    }
}

fn apply(state: &mut Replayed, kind: &str, after: &Value) {
    if state.get("status") == Some("disposed") {
        state.disposed_then_changed = true;
    }
    if let Value::Object(m) = after {
        for (k, v) in m {
            let text = match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            };
            state.fields.insert(k.clone(), text);
        }
        // A due date belongs to an assignment: ending the assignment (check-in, lost, repair)
        // clears it in the row, and older events never said so.
        if m.get("assignee").is_some_and(Value::is_null) && !m.contains_key("due_date") {
            state.fields.insert("due_date".to_string(), None);
        }
        if m.contains_key("status") {
            // Only the status it was created with counts: disposed again later, it needs a record.
            state.created_disposed = kind == "create" && state.get("status") == Some("disposed");
        }
    }
    state.last_kind = kind.to_string();
}

/// A text column read as stored: invalid UTF-8 is shown lossily (and reported) instead of
/// aborting the whole check.
fn lossy(
    r: &super::sql::Row<'_>,
    i: usize,
    bad_utf8: &mut bool,
) -> super::sql::Result<Option<String>> {
    use super::sql::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Text(b) | ValueRef::Blob(b) => match std::str::from_utf8(b) {
            Ok(s) => Some(s.to_string()),
            Err(_) => {
                *bad_utf8 = true;
                Some(String::from_utf8_lossy(b).into_owned())
            }
        },
    })
}

fn shown(v: Option<&str>) -> String {
    v.map(|s| crate::domain::text::visible(s).into_owned())
        .unwrap_or_else(|| "(none)".into())
}

impl Store {
    /// The history chain's head as stored (cheap; `check` verifies it).
    pub fn chain_head(&self) -> Result<super::chain::ChainHead> {
        super::chain::head(&self.conn)
    }

    pub fn check(&self) -> Result<CheckReport> {
        let mut findings = Vec::new();
        // One read transaction: every query below sees the same snapshot, so writers committing
        // meanwhile (an asset row here, its create event there) cannot look like damage.
        let snapshot = self.conn.read_transaction().ctx("starting a read")?;
        let c = &*snapshot;
        // SQLite's own checks of its file and schema; PostgreSQL checks its pages itself,
        // enforces foreign keys always and keeps its triggers from the roles that write.
        let sqlite = c.sqlite().is_some();
        if sqlite {
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
        if sqlite {
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
        if sqlite {
            super::chain::verify_triggers(c, &mut findings)?;
        } else {
            super::roles::pg_guards(c, &mut findings)?;
        }
        let head = super::chain::verify(c, &mut findings)?;

        let disposals: std::collections::HashSet<i64> = c
            .prepare("SELECT asset_id FROM disposals")
            .ctx("reading disposals")?
            .query_map([], |r| r.get(0))
            .ctx("reading disposals")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading disposals")?;
        // Replay: events in (asset, id) order merged with assets in id order, one asset at a
        // time, so memory stays flat however large the ledger.
        let mut bad_utf8_events = false;
        let mut events = 0i64;
        let mut orphan_ids: Vec<i64> = Vec::new();
        let mut assets = 0i64;
        let mut bad_utf8_assets: Vec<String> = Vec::new();
        {
            let mut ev_stmt = c
            .prepare("SELECT asset_id, kind, after FROM events WHERE asset_id IS NOT NULL ORDER BY asset_id, id")
            .ctx("reading the history")?;
            let mut ev_rows = ev_stmt.query([]).ctx("reading the history")?;
            let mut pending: Option<(i64, String, Value)> = None;
            let mut next_event = |bad: &mut bool| -> Result<Option<(i64, String, Value)>> {
                let Some(r) = ev_rows.next().ctx("reading the history")? else {
                    return Ok(None);
                };
                let id: i64 = r.get(0).ctx("reading the history")?;
                let kind = lossy(r, 1, bad)
                    .ctx("reading the history")?
                    .unwrap_or_default();
                let after = lossy(r, 2, bad)
                    .ctx("reading the history")?
                    .and_then(|a| serde_json::from_str(&a).ok())
                    .unwrap_or(Value::Null);
                Ok(Some((id, kind, after)))
            };
            let mut stmt = c
                .prepare(&format!("{} ORDER BY a.id", super::assets::SELECT_VIEW))
                .ctx("reading assets")?;
            let mut rows = stmt.query([]).ctx("reading assets")?;
            while let Some(r) = rows.next().ctx("reading assets")? {
                assets += 1;
                let id: i64 = r.get(0).ctx("reading assets")?;
                let mut bad = false;
                let row: Vec<Option<String>> = FIELDS
                    .iter()
                    .map(|(_, col, _)| lossy(r, *col, &mut bad))
                    .collect::<super::sql::Result<_>>()
                    .ctx("reading assets")?;
                let value = |key: &str| {
                    FIELDS
                        .iter()
                        .position(|(k, _, _)| *k == key)
                        .and_then(|i| row[i].as_deref())
                };
                let tag = shown(value("tag"));
                if bad {
                    bad_utf8_assets.push(tag.clone());
                }
                let mut h: Option<Replayed> = None;
                loop {
                    if pending.is_none() {
                        pending = next_event(&mut bad_utf8_events)?;
                    }
                    match pending.take() {
                        Some((aid, kind, after)) if aid == id => {
                            events += 1;
                            apply(h.get_or_insert_with(Replayed::default), &kind, &after);
                        }
                        Some((aid, _, _)) if aid < id => {
                            events += 1;
                            if orphan_ids.last() != Some(&aid) {
                                orphan_ids.push(aid);
                            }
                        }
                        other => {
                            pending = other;
                            break;
                        }
                    }
                }
                let Some(h) = h else {
                    findings.push(Finding {
                        check: "replay",
                        message: format!("{tag} has no history at all"),
                    });
                    continue;
                };
                let status = value("status").unwrap_or_default();
                for (i, (key, _, nocase)) in FIELDS.iter().enumerate() {
                    // Fields the history never mentions (older imports, demo data) are not judged.
                    let Some(said) = h.fields.get(*key) else {
                        continue;
                    };
                    let is = row[i].as_deref().filter(|v| !v.is_empty());
                    let said = said.as_deref().filter(|v| !v.is_empty());
                    let same = if *nocase {
                        said.map(str::to_lowercase) == is.map(str::to_lowercase)
                    } else {
                        said == is
                    };
                    if !same {
                        findings.push(Finding {
                            check: "replay",
                            message: format!(
                                "{tag}: history says {key} {}, the row says {}",
                                shown(said),
                                shown(is)
                            ),
                        });
                    }
                }
                if h.get("status").is_none() {
                    findings.push(Finding {
                        check: "replay",
                        message: format!(
                            "{tag}: history says status (none), the row says {status}"
                        ),
                    });
                }
                let assignee = value("assignee");
                if (status == "deployed") != assignee.is_some() {
                    findings.push(Finding {
                        check: "assignment",
                        message: format!(
                            "{tag} is {status} but its assignee is {}",
                            assignee
                                .map(|a| shown(Some(a)))
                                .unwrap_or_else(|| "nobody".into())
                        ),
                    });
                }
                if status == "disposed" {
                    if !disposals.contains(&id) && !h.created_disposed {
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
            loop {
                if pending.is_none() {
                    pending = next_event(&mut bad_utf8_events)?;
                }
                let Some((aid, _, _)) = pending.take() else {
                    break;
                };
                events += 1;
                if orphan_ids.last() != Some(&aid) {
                    orphan_ids.push(aid);
                }
            }
        }
        for id in orphan_ids {
            findings.push(Finding {
                check: "replay",
                message: format!("history mentions asset id {id}, which does not exist"),
            });
        }
        if !bad_utf8_assets.is_empty() {
            findings.push(Finding {
                check: "text",
                message: format!(
                    "{} asset(s) hold text that is not valid UTF-8 (shown with \u{FFFD}): {}",
                    bad_utf8_assets.len(),
                    bad_utf8_assets
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        if bad_utf8_events {
            findings.push(Finding {
                check: "text",
                message: "the history holds text that is not valid UTF-8".into(),
            });
        }
        // Licence seats: assignments minus unassignments and releases in the history must equal
        // the seat rows.
        {
            let mut stmt = c
                .prepare(
                    "SELECT l.id, l.product, (SELECT count(*) FROM licence_seats s WHERE s.licence_id = l.id),
                            COALESCE(h.net, 0)
                     FROM licences l LEFT JOIN (
                         SELECT subject, sum(CASE WHEN kind = 'seat_assign' THEN 1 WHEN kind IN ('seat_unassign', 'seat_release') THEN -1 ELSE 0 END) AS net
                         FROM events WHERE subject LIKE 'licence:%' GROUP BY subject
                     ) h ON h.subject = 'licence:' || l.id",
                )
                .ctx("checking licence seats")?;
            let mut bad = false;
            let rows: Vec<(i64, String, i64, i64)> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        lossy(r, 1, &mut bad)?.unwrap_or_default(),
                        r.get(2)?,
                        r.get(3)?,
                    ))
                })
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
        drop(snapshot);
        Ok(CheckReport {
            assets,
            events,
            head,
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
            (s.get("status"), s.get("assignee"), s.get("location")),
            (Some("in_stock"), None, Some("B"))
        );
        apply(
            &mut s,
            "checkout",
            &json!({"status": "deployed", "assignee": "jdoe", "due_date": "2027-01-01"}),
        );
        apply(
            &mut s,
            "checkin",
            &json!({"status": "in_stock", "assignee": null}),
        );
        assert_eq!(s.get("due_date"), None, "a check-in ends the due date");
        assert!(!s.disposed_then_changed);
        apply(&mut s, "dispose", &json!({"status": "disposed"}));
        apply(&mut s, "move", &json!({"location": "C"}));
        assert!(s.disposed_then_changed);
    }
}
