//! The store on temp databases: transactions, races, rollback, migrations, pragmas.

mod common;
use common::Env;
use itam::domain::{Condition, Status};
use itam::store::{AssetEdit, NewAsset, NewLocation, NewPerson, OpenOptions, Store, StoreError};

/// A small store on the test's database (a temp SQLite file, or its own PostgreSQL database).
fn store() -> (Env, Store) {
    let dir = Env::new();
    let mut s = dir.store();
    s.add_location(&NewLocation {
        code: "A".into(),
        name: "Room A".into(),
        parent: None,
    })
    .unwrap();
    s.add_person(&NewPerson {
        username: "jdoe".into(),
        full_name: "Jane Doe".into(),
        badge: Some("B1".into()),
        ..Default::default()
    })
    .unwrap();
    s.add_asset(&NewAsset {
        tag: "T1".into(),
        serial: Some("S1".into()),
        model: Some("ThinkPad T14".into()),
        manufacturer: Some("Lenovo".into()),
        ..Default::default()
    })
    .unwrap();
    (dir, s)
}

#[test]
fn pragmas_are_set_for_a_ledger() {
    sqlite_only!("it reads SQLite's PRAGMAs");
    let (_d, s) = store();
    let c = s.conn();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "FULL");
    let busy: i64 = c
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert!(busy >= 5000);
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    // SQLite's are the .sql files at the top; postgres/ holds PostgreSQL's.
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert_eq!(v, migrations as i64, "every migration applied");
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let (_d, mut s) = store();
    let events_before: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    // The model and manufacturer would be created, then the bad currency fails the whole add.
    let err = s
        .add_asset(&NewAsset {
            tag: "T2".into(),
            model: Some("Brand New Model".into()),
            manufacturer: Some("NewCo".into()),
            currency: Some("EURO".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    let c = s.conn();
    let models: i64 = c
        .query_row(
            "SELECT count(*) FROM models WHERE name = 'Brand New Model'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let makers: i64 = c
        .query_row(
            "SELECT count(*) FROM manufacturers WHERE name = 'NewCo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let events: i64 = c
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!((models, makers, events), (0, 0, events_before));
}

#[test]
fn model_supplies_manufacturer_and_category() {
    let (_d, mut s) = store();
    let v = s
        .add_asset(&NewAsset {
            tag: "T2".into(),
            model: Some("  thinkpad   t14 ".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(v.model.as_deref(), Some("ThinkPad T14"));
    assert_eq!(v.manufacturer.as_deref(), Some("Lenovo"));
    assert_eq!(v.condition, Condition::New);
    assert_eq!(v.status, Status::InStock);
}

#[test]
fn a_stale_edit_is_refused_not_overwritten() {
    let (_d, mut s) = store();
    let seen = s.asset("T1").unwrap();
    s.edit_asset(
        "T1",
        &AssetEdit {
            name: Some("first".into()),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let err = s
        .edit_asset(
            "T1",
            &AssetEdit {
                name: Some("second".into()),
                expected_version: Some(seen.version),
                ..Default::default()
            },
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("changed by someone else"), "{err}");
    assert_eq!(s.asset("T1").unwrap().name.as_deref(), Some("first"));
}

#[test]
fn two_connections_see_each_others_commits_via_data_version() {
    let (d, mut a) = store();
    let b = d.store();
    let v0 = b.data_version().unwrap();
    a.checkout("T1", "jdoe", None, None).unwrap();
    assert_ne!(b.data_version().unwrap(), v0);
    assert_eq!(b.asset("T1").unwrap().assignee.as_deref(), Some("jdoe"));
}

#[test]
fn repair_from_deployed_ends_the_assignment() {
    let (_d, mut s) = store();
    s.checkout("T1", "B1", None, None).unwrap();
    let v = s
        .set_status("T1", Status::InRepair, Some("screen"))
        .unwrap();
    assert_eq!(v.assignee, None);
    let h = s.history("T1").unwrap();
    assert_eq!(h.last().unwrap().before["assignee"], "jdoe");
    assert_eq!(
        s.set_status("T1", Status::InStock, None).unwrap().status,
        Status::InStock
    );
}

#[test]
fn inactive_people_cannot_receive_assets() {
    let (_d, mut s) = store();
    s.conn()
        .execute("UPDATE people SET active = 0 WHERE username = 'jdoe'", [])
        .unwrap();
    let err = s.checkout("T1", "jdoe", None, None).unwrap_err();
    assert!(err.to_string().contains("inactive"), "{err}");
}

#[test]
fn the_schema_forbids_a_deployed_asset_without_assignee() {
    let (_d, s) = store();
    let err = s
        .conn()
        .execute("UPDATE assets SET status = 'deployed' WHERE tag = 'T1'", [])
        .unwrap_err();
    // SQLite says "CHECK constraint failed", PostgreSQL "violates check constraint".
    assert!(
        err.to_string().to_lowercase().contains("check constraint"),
        "{err}"
    );
}

#[test]
fn read_only_store_refuses_writes() {
    let (d, _s) = store();
    let mut ro = d.store_with(&OpenOptions { read_only: true });
    assert!(ro.is_read_only());
    assert_eq!(ro.asset("s1").unwrap().tag, "T1");
    let err = ro.move_asset("T1", "A", None).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err}");
}

#[test]
fn badges_that_look_like_assets_are_refused() {
    let (_d, mut s) = store();
    let err = s
        .add_person(&NewPerson {
            username: "x".into(),
            full_name: "X".into(),
            badge: Some("s1".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("ambiguous"), "{err}");
}

#[test]
fn typed_dates_and_costs_are_stored_and_recorded_as_the_same_text() {
    let (_d, mut s) = store();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let v = s
        .add_asset(&NewAsset {
            tag: "T9".into(),
            purchase_cost: "12.345".parse().ok(),
            purchase_date: day(2026, 1, 31),
            eol_date: day(2030, 1, 31),
            ..Default::default()
        })
        .unwrap();
    let stored: (String, String, String, String) = s
        .conn()
        .query_row(
            "SELECT purchase_cost, currency, purchase_date, eol_date FROM assets WHERE tag = 'T9'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    // Rounded half-even to the currency's minor unit (USD when none is given).
    assert_eq!(
        stored,
        (
            "12.34".into(),
            "USD".into(),
            "2026-01-31".into(),
            "2030-01-31".into()
        )
    );
    assert_eq!(v.purchase_cost.unwrap().to_string(), "12.34");
    // `Some(None)` clears; `None` leaves alone; the event holds the same text as the column.
    let v = s
        .edit_asset(
            "T9",
            &AssetEdit {
                eol_date: Some(None),
                purchase_cost: Some("7.5".parse().ok()),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert_eq!((v.eol_date, v.purchase_date), (None, day(2026, 1, 31)));
    assert_eq!(v.purchase_cost.unwrap().to_string(), "7.50");
    let h = s.history("T9").unwrap();
    let edit = h.iter().find(|e| e.kind == "edit").unwrap();
    assert_eq!(
        edit.before,
        serde_json::json!({"eol_date": "2030-01-31", "purchase_cost": "12.34"})
    );
    assert_eq!(
        edit.after,
        serde_json::json!({"eol_date": null, "purchase_cost": "7.50"})
    );
}

#[test]
fn a_stored_date_that_is_not_one_fails_the_read_naming_the_column() {
    let (_d, s) = store();
    s.conn()
        .execute(
            "UPDATE assets SET purchase_date = '31/12/2025' WHERE tag = 'T1'",
            [],
        )
        .unwrap();
    let e = s.asset("T1").unwrap_err().to_string();
    assert!(
        e.contains("stored purchase_date '31/12/2025' is not a date"),
        "{e}"
    );
}
