//! Writing a checked plan: one `BEGIN IMMEDIATE` transaction, all or nothing.

use super::super::InteropError;
use super::{Applied, Ops, Plan};
use crate::store::{
    define_field_tx, import_field_value_tx, import_home_tx, set_fields_tx, set_home_location_tx,
    BulkWriter, NewPerson, StagedAssets, Store,
};

/// Write a plan: everything in one `BEGIN IMMEDIATE` transaction, so an error or a kill
/// leaves the database as it was. Refused when the plan has errors, unless it was made with
/// `skip_bad_rows` (then the bad rows are left out). `progress` is called with rows written.
///
/// New assets are first staged in memory without any lock (see [`StagedAssets::stage`]); the
/// write transaction then only resolves names and copies them in with two set-based inserts,
/// which keeps the write lock that other processes wait for short.
pub fn apply(
    store: &mut Store,
    plan: &Plan,
    progress: &mut dyn FnMut(u64),
) -> Result<Applied, InteropError> {
    if plan.file_errors > 0 || (plan.summary.errors > 0 && !plan.skip_bad_rows) {
        return Err(InteropError::HasErrors {
            errors: plan.summary.errors,
        });
    }
    // About 1 KiB of pages per row written (row, event, index entries), at least the default.
    let rows = plan.summary.create + plan.summary.update;
    store.set_cache_mib((rows as i64 / 1024 * 2).max(8))?;
    let started = std::time::Instant::now();
    let staged = match &plan.ops {
        Ops::Assets { creates, .. } if !creates.is_empty() => {
            Some(StagedAssets::stage(creates, progress))
        }
        _ => None,
    };
    let stage_ms = started.elapsed().as_millis() as u64;
    // The checkpoint that copies the WAL into the database runs after the commit, without the
    // write lock, but on this thread: postpone it so the lock time measured is the lock's.
    let autocheckpoint = store.set_wal_autocheckpoint(0);
    // SQLite's foreign-key checks stay on here too (DESIGN.md's storage rule): turning them off
    // for the import's one transaction saved ~15% of its lock time, not worth a ledger exception.
    let written = write_plan(store, plan, staged.as_ref(), progress);
    if let Ok(pages) = autocheckpoint {
        // Restoring a setting and an optional checkpoint: the import is already committed
        // (or already refused), and a skipped checkpoint is redone by the next writer.
        let _ = store.set_wal_autocheckpoint(pages);
        let _ = store.checkpoint_passive();
    }
    let mut applied = written?;
    applied.stage_ms = stage_ms;
    Ok(applied)
}

fn write_plan(
    store: &mut Store,
    plan: &Plan,
    staged: Option<&StagedAssets>,
    progress: &mut dyn FnMut(u64),
) -> Result<Applied, InteropError> {
    let note = Some(format!("imported from {}", plan.source));
    let locked_at = std::cell::Cell::new(None);
    let mut applied = store.write(|tx| {
        locked_at.set(Some(std::time::Instant::now()));
        let mut w = BulkWriter::new(tx, note);
        let mut out = Applied::default();
        let mut n = 0u64;
        let mut tick = |n: &mut u64| {
            *n += 1;
            if (*n).is_multiple_of(1000) {
                progress(*n);
            }
        };
        match &plan.ops {
            Ops::Assets {
                creates,
                updates,
                extras,
                custom,
                home_only,
                people_details,
            } => {
                let mut field_ids = Vec::with_capacity(custom.len());
                for c in custom {
                    field_ids.push(define_field_tx(tx, &c.name, c.kind, c.format.as_deref())?.id);
                }
                for l in home_only {
                    w.location(&l.code, &l.name, None)?;
                }
                if let Some(s) = staged {
                    w.insert_staged(s)?;
                    out.created += s.rows as usize;
                    n += s.rows;
                }
                // A new asset's home is its location (set by the bulk insert); the few whose
                // home is elsewhere, or none, get it a row each.
                for ((a, _), x) in creates.iter().zip(extras) {
                    if x.home != a.location {
                        import_home_tx(tx, &a.tag, x.home.as_deref())?;
                    }
                    for (i, v) in &x.fields {
                        if let Some(id) = field_ids.get(*i) {
                            import_field_value_tx(tx, &a.tag, *id, v)?;
                        }
                    }
                }
                for u in updates {
                    if !u.changes.is_empty() {
                        w.update_asset(u.id, &u.changes, &u.before, &u.after)?;
                    }
                    let values: Vec<(String, String)> = u
                        .fields
                        .iter()
                        .filter_map(|(i, v)| custom.get(*i).map(|c| (c.name.clone(), v.clone())))
                        .collect();
                    let note = Some(format!("imported from {}", plan.source));
                    out.events += set_fields_tx(tx, u.id, &values, note.as_deref())?.len() as u64;
                    if let Some(h) = &u.home {
                        out.events +=
                            u64::from(set_home_location_tx(tx, u.id, Some(h), note.as_deref())?);
                    }
                    out.updated += 1;
                    tick(&mut n);
                }
                // Last, so a location the assets brought in exists for the person's.
                for (p, d, before, after) in people_details {
                    w.update_person(p, d, before.clone(), after.clone())?;
                }
            }
            Ops::People { creates, updates } => {
                for (p, d) in creates {
                    w.person(p)?;
                    if !d.is_empty() {
                        // The add event predates title, phone and location: an edit follows it.
                        let after: serde_json::Map<String, serde_json::Value> = [
                            ("title", &d.title),
                            ("phone", &d.phone),
                            ("location", &d.location),
                        ]
                        .into_iter()
                        .filter(|(_, v)| v.is_some())
                        .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                        .chain(
                            d.active
                                .map(|a| ("active".to_string(), serde_json::json!(a))),
                        )
                        .collect();
                        let before = after
                            .keys()
                            .map(|k| (k.clone(), serde_json::Value::Null))
                            .collect();
                        let who = NewPerson {
                            username: p.username.clone(),
                            ..Default::default()
                        };
                        w.update_person(
                            &who,
                            d,
                            serde_json::Value::Object(before),
                            serde_json::Value::Object(after),
                        )?;
                    }
                    out.created += 1;
                    tick(&mut n);
                }
                for (p, d, before, after) in updates {
                    w.update_person(p, d, before.clone(), after.clone())?;
                    out.updated += 1;
                    tick(&mut n);
                }
            }
            Ops::Locations { creates } => {
                for (code, name, parent) in creates {
                    w.location(code, name, parent.as_deref())?;
                    out.created += 1;
                    tick(&mut n);
                }
            }
            Ops::Models { creates } => {
                for (name, mf, cat, number) in creates {
                    w.add_model(name, mf.as_deref(), cat.as_deref(), number.as_deref())?;
                    out.created += 1;
                    tick(&mut n);
                }
            }
        }
        progress(n);
        out.events += w.events;
        Ok(out)
    })?;
    applied.write_ms = locked_at
        .get()
        .map(|t| t.elapsed().as_millis() as u64)
        .unwrap_or_default();
    Ok(applied)
}
#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::domain::Status;
    use crate::store::sql::OptionalExtension;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        (dir, s)
    }

    #[test]
    fn a_plan_writes_nothing_and_apply_writes_all() {
        let (_d, mut s) = store();
        let csv = "Asset Tag,Model,Purchase Cost,Checked Out To: Username,Location\nA1,X1,$10,jdoe,Depot\nA2,X1,\"1,000.50\",,depot\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        assert_eq!(p.summary.create, 2, "{:?}", p.issues);
        assert_eq!(s.asset_count().unwrap(), 0);
        let a = apply(&mut s, &p, &mut |_| {}).unwrap();
        assert_eq!(a.created, 2);
        let v = s.asset("A1").unwrap();
        assert_eq!(v.status, Status::Deployed);
        assert_eq!(v.assignee.as_deref(), Some("jdoe"));
        assert_eq!(
            v.purchase_cost.map(|c| c.to_string()).as_deref(),
            Some("10.00")
        );
        assert_eq!(s.asset("A2").unwrap().location.as_deref(), Some("Depot"));
        assert_eq!(s.locations().unwrap().len(), 1);
    }
    #[test]
    fn a_tag_taken_after_the_plan_is_refused_and_nothing_is_written() {
        let (_d, mut s) = store();
        let csv =
            "Asset Tag,Model,Checked Out To: Username,Location\nA1,X1,jdoe,Depot\nA2,X2,,Depot\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        assert_eq!(p.summary.create, 2, "{:?}", p.issues);
        // Another writer takes A2 between the plan and the apply.
        s.add_asset(&crate::store::NewAsset {
            tag: "a2".into(),
            ..Default::default()
        })
        .unwrap();
        let count = |s: &Store, t: &str| -> i64 {
            s.conn()
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        };
        let before: Vec<i64> = ["assets", "events", "people", "locations", "models"]
            .iter()
            .map(|t| count(&s, t))
            .collect();
        let e = apply(&mut s, &p, &mut |_| {}).unwrap_err().to_string();
        assert!(
            e.contains("'A2'") && e.contains("nothing was imported"),
            "{e}"
        );
        let after: Vec<i64> = ["assets", "events", "people", "locations", "models"]
            .iter()
            .map(|t| count(&s, t))
            .collect();
        assert_eq!(before, after);
        // The staging tables are gone and the connection writes as usual afterwards.
        let staged: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'import_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(staged, 0);
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        assert_eq!((p.summary.create, p.summary.skip), (1, 1));
        apply(&mut s, &p, &mut |_| {}).unwrap();
        assert_eq!(s.asset("A1").unwrap().assignee.as_deref(), Some("jdoe"));
    }

    #[test]
    fn ids_and_history_follow_the_file_after_existing_rows() {
        let (_d, mut s) = store();
        s.add_asset(&crate::store::NewAsset {
            tag: "OLD-1".into(),
            ..Default::default()
        })
        .unwrap();
        let csv = "Asset Tag,Model,Manufacturer,Checked Out To: Username,Owner\nB1,X1,Dell,amy,Ops\nB2,X1,,,amy\nB3,X2,HP,bob,\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        let a = apply(&mut s, &p, &mut |_| {}).unwrap();
        assert_eq!(a.created, 3);
        // (id, tag, manufacturer, owner person, owner team)
        type Row = (i64, String, Option<i64>, Option<i64>, Option<i64>);
        let rows: Vec<Row> = s
            .conn()
            .prepare(
                "SELECT id, tag, manufacturer_id, owner_person_id, owner_team_id FROM assets ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let tags: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(tags, ["OLD-1", "B1", "B2", "B3"]);
        assert!(rows.windows(2).all(|w| w[1].0 == w[0].0 + 1));
        // B2 gives no manufacturer: it takes its model's (Dell, from B1). Its owner amy is a
        // person (created for B1's checkout); B1's owner Ops is a team.
        assert_eq!(rows[2].2, rows[1].2);
        assert!(rows[1].4.is_some() && rows[1].3.is_none());
        assert!(rows[2].3.is_some() && rows[2].4.is_none());
        // History: every event after the existing ones, ids increasing, in file order.
        let kinds: Vec<(String, Option<String>)> = s
            .conn()
            .prepare("SELECT e.kind, a.tag FROM events e LEFT JOIN assets a ON a.id = e.asset_id WHERE e.id > 1 AND e.asset_id IS NOT NULL ORDER BY e.id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let k: Vec<String> = kinds
            .iter()
            .map(|(k, t)| format!("{k} {}", t.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            k,
            [
                "create B1",
                "checkout B1",
                "create B2",
                "create B3",
                "checkout B3"
            ]
        );
        assert_eq!(a.events as usize, 5 + 2, "two person_add events");
        // The import checked references itself; SQLite agrees, and checks them again after.
        let broken: Option<String> = s
            .conn()
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .unwrap();
        assert_eq!(broken, None);
        let fk: i64 = s
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn names_added_between_staging_and_the_write_are_resolved_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = Store::open(&path, &Default::default()).unwrap();
        let csv = "Asset Tag,Model,Manufacturer,Location,Checked Out To: Username,Owner\nC1,X1,Dell,Depot,amy,Ops\nC2,X2,HP,Attic,,amy\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        let Ops::Assets { creates, .. } = &p.ops else {
            panic!("an asset plan")
        };
        let staged = StagedAssets::stage(creates, &mut |_| {});
        // Another process takes the next free ids after staging, and creates one of the names.
        let mut other = Store::open(&path, &Default::default()).unwrap();
        other
            .write(|tx| {
                crate::store::lookup_id(tx, "manufacturers", "Zeta")?;
                crate::store::lookup_id(tx, "manufacturers", "hp")?;
                crate::store::lookup_id(tx, "teams", "Other")?;
                Ok(())
            })
            .unwrap();
        other
            .add_location(&crate::store::NewLocation {
                code: "Q".into(),
                name: "Q".into(),
                ..Default::default()
            })
            .unwrap();
        other
            .add_person(&NewPerson {
                username: "zed".into(),
                full_name: "Zed".into(),
                ..Default::default()
            })
            .unwrap();
        let a = write_plan(&mut s, &p, Some(&staged), &mut |_| {}).unwrap();
        assert_eq!(a.created, 2);
        let c1 = s.asset("C1").unwrap();
        let c2 = s.asset("C2").unwrap();
        assert_eq!(c1.manufacturer.as_deref(), Some("Dell"));
        assert_eq!(
            c2.manufacturer.as_deref(),
            Some("hp"),
            "found by name, not made twice"
        );
        assert_eq!(c1.location.as_deref(), Some("Depot"));
        assert_eq!(c2.location.as_deref(), Some("Attic"));
        assert_eq!(c1.assignee.as_deref(), Some("amy"));
        assert_eq!(c1.owner.as_deref(), Some("Ops"));
        assert_eq!(c2.owner.as_deref(), Some("amy"));
        let n: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM manufacturers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }
}
