//! Licences through the CLI and the store: seats, compliance, masking, offboarding, Snipe-IT rows.

mod common;
use common::Env;
use itam::domain::licence::{LicenceKind, NewLicence};
use itam::interop::licences::licence_from_snipeit_row;
use itam::store::{insert_licence, release_person_seats, SeatTarget};

fn with_licence() -> Env {
    let e = Env::seeded();
    e.ok(&[
        "licence",
        "add",
        "Acme CAD",
        "--vendor",
        "Acme",
        "--seats",
        "1",
        "--cost",
        "120",
        "--cost-basis",
        "per_seat",
        "--period",
        "annual",
        "--start",
        "2026-01-01",
        "--renews",
        "2027-01-01",
        "--key",
        "ABCD-EFGH-IJKL",
    ]);
    e
}

fn events(e: &Env, kind: &str) -> i64 {
    let s = e.store();
    s.conn()
        .query_row(
            "SELECT count(*) FROM events WHERE subject = 'licence:1' AND kind = ?1",
            [kind],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn keys_are_masked_everywhere_unless_revealed() {
    let e = with_licence();
    let list = e.ok(&["licence", "list"]);
    assert!(list.contains("****-****-IJKL"), "{list}");
    assert!(!list.contains("ABCD"));
    let v = e.json(&["licence", "show", "1", "--json"]);
    assert_eq!(v["key"], "****-****-IJKL");
    assert_eq!(v["product"], "Acme CAD");
    assert_eq!(v["seats"], 1);
    assert_eq!(v["cost"], "120.00");
    let v = e.json(&["licence", "list", "--json", "--reveal"]);
    assert_eq!(v[0]["key"], "ABCD-EFGH-IJKL");
    let v = e.json(&["licence", "show", "acme cad", "--json", "--reveal"]);
    assert_eq!(v["key"], "ABCD-EFGH-IJKL");
    // The history never holds the key in clear.
    let s = e.store();
    let after: String = s
        .conn()
        .query_row(
            "SELECT after FROM events WHERE subject = 'licence:1' AND kind = 'licence_add'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(after.contains("****-****-IJKL") && !after.contains("ABCD"));
}

#[test]
fn assigning_past_the_seats_owned_is_refused_unless_forced() {
    let e = with_licence();
    e.ok(&["licence", "assign", "1", "--person", "jdoe"]);
    let err = e.fails(&["licence", "assign", "1", "--person", "asmith"], 1);
    assert!(
        err.contains("all 1 seats are in use") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1);
    assert_eq!(events(&e, "compliance_breach"), 0);
    let out = e
        .itam()
        .args(["licence", "assign", "1", "--person", "asmith", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("compliance breach"));
    assert_eq!(events(&e, "compliance_breach"), 1);
    let v = e.json(&["licence", "show", "1", "--json"]);
    assert_eq!(v["assigned"], 2);
    assert_eq!(v["over_deployed"], 1);
    assert_eq!(v["assignments"][1]["breach"], true);
    assert_eq!(v["assignments"][0]["person"], "jdoe");
    // The same person twice is refused; unassign frees the seat.
    let err = e.fails(
        &["licence", "assign", "1", "--person", "jdoe", "--force"],
        1,
    );
    assert!(err.contains("already has a seat"), "{err}");
    e.ok(&["licence", "unassign", "1", "--person", "asmith"]);
    e.ok(&["licence", "unassign", "1", "--person", "jdoe"]);
    e.ok(&["licence", "assign", "1", "--person", "asmith"]);
    let err = e.fails(&["licence", "unassign", "1", "--person", "jdoe"], 1);
    assert!(err.contains("no seat"), "{err}");
    assert_eq!(events(&e, "seat_assign"), 3);
    assert_eq!(events(&e, "seat_unassign"), 2);
}

#[test]
fn device_seats_go_to_assets_and_show_in_their_history() {
    let e = Env::seeded();
    e.ok(&[
        "licence",
        "add",
        "Endpoint AV",
        "--kind",
        "per_device",
        "--seats",
        "unlimited",
    ]);
    let err = e.fails(&["licence", "assign", "1", "--person", "jdoe"], 1);
    assert!(err.contains("per device"), "{err}");
    e.ok(&["licence", "assign", "Endpoint AV", "--asset", "sn-aaa"]);
    let h = e.json(&["history", "IT-0001", "--json"]);
    assert!(h
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "licence_assign"));
    let v = e.json(&["licence", "show", "1", "--json"]);
    assert_eq!(v["assignments"][0]["asset"], "IT-0001");
    assert_eq!(v["free"], serde_json::Value::Null);
}

#[test]
fn refusals_exit_1_with_one_line() {
    let e = with_licence();
    for (args, says) in [
        (&["licence", "show", "99"][..], "no licence has the id 99"),
        (
            &["licence", "assign", "Nope", "--person", "jdoe"][..],
            "no licence",
        ),
        (
            &["licence", "assign", "1", "--person", "ghost"][..],
            "no person",
        ),
        (
            &["licence", "add", "X", "--start", "2026-13-01"][..],
            "not a date",
        ),
        (
            &[
                "licence",
                "add",
                "X",
                "--start",
                "2026-02-01",
                "--expires",
                "2026-01-01",
            ][..],
            "before it starts",
        ),
        (
            &["licence", "add", "X", "--seats", "lots"][..],
            "whole number",
        ),
        (&["licence", "add", "X", "--cost=-5"][..], "negative"),
        (
            &["licence", "add", "X", "--cost", "5", "--currency", "EURO"][..],
            "currency",
        ),
    ] {
        let err = e.fails(args, 1);
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    // Usage errors are clap's: exit 2.
    e.fails(&["licence", "add", "X", "--kind", "floating"], 2);
    e.fails(&["licence", "assign", "1"], 2);
}

#[test]
fn offboarding_releases_a_persons_seats() {
    let e = Env::new();
    let mut s = e.store();
    s.add_person(&itam::store::NewPerson {
        username: "leaver".into(),
        full_name: "Lee Ver".into(),
        ..Default::default()
    })
    .unwrap();
    s.add_person(&itam::store::NewPerson {
        username: "stayer".into(),
        full_name: "Stay Er".into(),
        ..Default::default()
    })
    .unwrap();
    for p in ["Office", "CAD", "Chat"] {
        let mut l = NewLicence::new(p, LicenceKind::PerUser);
        l.seats = Some(5);
        s.add_licence(&l, false).unwrap();
    }
    for l in ["Office", "CAD"] {
        s.assign_seat(l, &SeatTarget::Person("leaver".into()), false, None)
            .unwrap();
    }
    s.assign_seat("Office", &SeatTarget::Person("stayer".into()), false, None)
        .unwrap();
    let pid: i64 = s
        .conn()
        .query_row("SELECT id FROM people WHERE username = 'leaver'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let n = s.write(|tx| release_person_seats(tx, pid)).unwrap();
    assert_eq!(n, 2);
    let left: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM licence_seats", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 1, "the other person keeps their seat");
    let released: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'seat_release'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(released, 2);
    assert_eq!(s.licence("Office", false).unwrap().licence.assigned, 1);
    // Nothing left to release the second time; an unknown person is an error.
    assert_eq!(s.write(|tx| release_person_seats(tx, pid)).unwrap(), 0);
    assert!(s.write(|tx| release_person_seats(tx, 9999)).is_err());
}

#[test]
fn snipe_it_licence_sample_imports() {
    let Some(dir) = common::samples_dir() else {
        return;
    };
    let path = dir.join("snipe-it__licenses-sample.csv");
    if !path.exists() {
        eprintln!("SKIPPED: {} is absent", path.display());
        return;
    }
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let e = Env::new();
    let mut s = e.store();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        rows.push(licence_from_snipeit_row(&headers, &rec).unwrap());
    }
    assert!(rows.len() >= 20, "{} rows", rows.len());
    let first = &rows[0];
    assert_eq!(
        first.licence.product,
        "Acetaminophen, Chlorpheniramine maleate, Phenylephrine HCl"
    );
    assert_eq!(first.licence.seats, Some(56));
    assert_eq!(first.licence.cost.unwrap().to_string(), "12.58");
    assert_eq!(first.licence.currency.as_deref(), Some("USD"));
    assert_eq!(first.assign_to_person.as_deref(), Some("jgoodsell0"));
    assert!(first
        .licence
        .notes
        .as_deref()
        .unwrap()
        .contains("Proin interdum"));
    s.write(|tx| {
        for r in &rows {
            insert_licence(tx, &r.licence)?;
        }
        Ok(())
    })
    .unwrap();
    let all = s.licences(false).unwrap();
    assert_eq!(all.len(), rows.len());
    assert!(all
        .iter()
        .all(|l| l.key.as_deref().is_none_or(|k| k.contains('*'))));
}

#[test]
fn offboarding_releases_seats_and_check_agrees_with_the_seat_rows() {
    let e = with_licence();
    e.ok(&["licence", "assign", "1", "--person", "jdoe"]);
    assert_eq!(
        e.json(&["check", "--json"])["findings"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = e.json(&["person", "offboard", "jdoe", "--json"]);
    assert_eq!(r["seats_released"], 1);
    let l = e.json(&["licence", "show", "1", "--json"]);
    assert_eq!(l["assignments"].as_array().unwrap().len(), 0, "{l}");
    assert_eq!(
        e.json(&["check", "--json"])["findings"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // A seat row written behind the ledger's back is a finding.
    e.sql("INSERT INTO licence_seats(licence_id, person_id, assigned_at) SELECT 1, id, '2026-01-01' FROM people WHERE username = 'asmith'");
    let r = e.json_code(&["check", "--json"], 1);
    assert_eq!(r["findings"][0]["check"], "licence_seats");
}

#[test]
fn itam_import_kind_licences_reads_the_snipe_it_sample() {
    let Some(dir) = common::samples_dir() else {
        return;
    };
    let file = dir.join("snipe-it__licenses-sample.csv");
    let e = Env::new();
    e.ok(&["person", "add", "jgoodsell0", "--name", "Jelene Goodsell"]);
    let out = e.ok(&[
        "import",
        file.to_str().unwrap(),
        "--kind",
        "licences",
        "--dry-run",
    ]);
    assert!(out.contains("would create") && out.contains("50"), "{out}");
    assert_eq!(
        e.json(&["licence", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0,
        "dry run wrote nothing"
    );
    e.ok(&["import", file.to_str().unwrap(), "--kind", "licences"]);
    let list = e.json(&["licence", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 50);
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["product"]
                .as_str()
                .unwrap()
                .starts_with("Acetaminophen, Chlorpheniramine")
        })
        .unwrap();
    assert_eq!(first["assigned"], 1, "{first}");
    assert_eq!(
        e.json(&["check", "--json"])["findings"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
