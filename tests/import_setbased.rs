//! The import's look-ups and name resolution are set-based: the statements an import sends do
//! not grow with its rows (over PostgreSQL each statement is a round trip, and a 100,000-row
//! file once cost 200,000 look-ups and 33,000 get-or-creates), and resolving names in sets
//! writes exactly what one at a time wrote. Both tests run on the backend the suite runs on
//! (`ITAM_TEST_PG`); the first asserts the counts on PostgreSQL only, the second compares
//! that backend with SQLite's one-at-a-time writer.

mod common;

use common::Env;
use itam::interop::import::{apply, plan_bytes, Options};
use itam::store::{OpenOptions, Store};

/// `rows` asset rows, each checked out to its own new person at one of `rows / 2` new
/// locations, with a handful of models, manufacturers and suppliers, and owners that are
/// people (made by an earlier row, or existing) or teams.
fn file(rows: usize) -> String {
    let mut s = String::from(
        "Asset Tag,Serial Number,Model Name,Manufacturer,Category,Supplier,Location,\
         Checked Out to: Username,Checked Out to: Full Name,Owner\n",
    );
    for i in 0..rows {
        let owner = match i % 4 {
            0 => "Ops Team".to_string(),
            1 => format!("user{}", i - 1),
            2 => "amy".to_string(),
            _ => String::new(),
        };
        s.push_str(&format!(
            "T-{i:05},SN{i:07},Model {m},Maker {mk},Cat {c},Supplier {sp},Room {loc},user{i},User {i},{owner}\n",
            m = i % 7,
            mk = i % 3,
            c = i % 2,
            sp = i % 5,
            loc = i / 2,
        ));
    }
    s
}

/// One existing person, `amy`, and with `room` an existing location `ROOM 3`.
fn seed(store: &mut Store, room: bool) {
    store
        .write(|tx| {
            let mut w = itam::store::BulkWriter::new(tx, None);
            w.person(&itam::store::NewPerson {
                username: "amy".into(),
                full_name: "Amy".into(),
                ..Default::default()
            })?;
            if room {
                w.location("ROOM 3", "Room three", None)?;
            }
            Ok(())
        })
        .expect("seed");
}

/// (statements the plan sent, statements the write sent) for an import of `rows` rows into a
/// fresh database (with one existing person, `amy`).
fn statements(rows: usize) -> (u64, u64) {
    let env = Env::new();
    let mut store = env.store();
    seed(&mut store, false);
    let csv = file(rows);
    let start = store.conn().statements();
    let plan =
        plan_bytes(&store, csv.as_bytes(), "t.csv", "csv", &Options::default()).expect("plan");
    assert_eq!(plan.summary.create, rows, "{:?}", plan.issues);
    let planned = store.conn().statements();
    apply(&mut store, &plan, &mut |_| {}).expect("apply");
    let written = store.conn().statements();
    (planned - start, written - planned)
}

#[test]
fn an_import_sends_the_same_number_of_statements_for_40_rows_as_for_400() {
    let (plan_small, write_small) = statements(40);
    let (plan_big, write_big) = statements(400);
    // SQLite looks up and resolves names one at a time on purpose (a look-up there is a
    // function call, not a round trip): the counts grow there, and only PostgreSQL's must not.
    assert!(plan_small > 0 && write_small > 0);
    if common::on_postgres() {
        assert_eq!(
            plan_small, plan_big,
            "the plan's look-ups went back to one per row"
        );
        assert_eq!(
            write_small, write_big,
            "the write's name resolution went back to one per row or name"
        );
    } else {
        assert!(plan_big > plan_small, "SQLite plans row by row");
    }
}

/// Everything an import wrote that does not depend on when it ran, one line per row.
fn dump(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for (table, cols) in [
        ("manufacturers", "id, name"),
        ("categories", "id, name"),
        ("suppliers", "id, name"),
        ("teams", "id, name"),
        (
            "models",
            "id, name, manufacturer_id, category_id, model_number",
        ),
        ("locations", "id, code, name, parent_id"),
        ("people", "id, username, full_name, email, badge, team_id"),
        (
            "assets",
            "id, tag, serial, model_id, manufacturer_id, category_id, status, location_id, \
             home_location_id, assignee_id, owner_person_id, owner_team_id, supplier_id",
        ),
        (
            "events",
            "id, asset_id, subject, kind, actor, before, after, note",
        ),
    ] {
        let row: Vec<String> = cols
            .split(", ")
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '-')"))
            .collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY id",
            row.join(" || '|' || ")
        );
        let mut stmt = store.conn().prepare(&sql).expect("dump");
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).expect("dump");
        for r in rows {
            out.push(format!("{table}: {}", r.expect("dump")));
        }
    }
    out
}

#[test]
fn names_resolved_in_sets_come_out_as_resolved_one_at_a_time() {
    let csv = file(60);
    let import = |store: &mut Store| {
        seed(store, true);
        let plan =
            plan_bytes(store, csv.as_bytes(), "t.csv", "csv", &Options::default()).expect("plan");
        assert_eq!(plan.summary.errors, 0, "{:?}", plan.issues);
        apply(store, &plan, &mut |_| {}).expect("apply");
    };
    let env = Env::new();
    let mut here = env.store();
    import(&mut here);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sqlite = Store::open(
        &dir.path().join("one-at-a-time.db"),
        &OpenOptions::default(),
    )
    .expect("open");
    import(&mut sqlite);
    let (a, b) = (dump(&here), dump(&sqlite));
    assert!(a
        .iter()
        .any(|l| l.starts_with("events: ") && l.contains("person_add")));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    assert_eq!(a.len(), b.len());
}

#[test]
fn a_tag_taken_between_the_plan_and_the_write_is_named_and_nothing_is_written() {
    let env = Env::new();
    let mut store = env.store();
    let csv = "Asset Tag,Model,Checked Out To: Username,Location\nA1,X1,jdoe,Depot\nA2,X2,,Depot\n";
    let plan =
        plan_bytes(&store, csv.as_bytes(), "t.csv", "csv", &Options::default()).expect("plan");
    assert_eq!(plan.summary.create, 2, "{:?}", plan.issues);
    // Another writer takes A2 after the plan.
    let mut other = env.store();
    other
        .add_asset(&itam::store::NewAsset {
            tag: "a2".into(),
            ..Default::default()
        })
        .expect("add a2");
    let before = dump(&store);
    let e = apply(&mut store, &plan, &mut |_| {})
        .expect_err("a taken tag is refused")
        .to_string();
    assert!(
        e.contains("'A2'") && e.contains("nothing was imported"),
        "{e}"
    );
    assert_eq!(dump(&store), before);
    // The connection writes as usual afterwards.
    let plan =
        plan_bytes(&store, csv.as_bytes(), "t.csv", "csv", &Options::default()).expect("plan");
    assert_eq!((plan.summary.create, plan.summary.skip), (1, 1));
    apply(&mut store, &plan, &mut |_| {}).expect("apply");
}
