//! Inventory feeds: each source's fixture, matching by serial, drift, compliance, idempotence,
//! and the end to end run (an Intune export and an osquery result for the same fleet).
//!
//! The fleet is set up through the library with the clock pinned to 2026-06-01, so every
//! status change happened before the fixtures' check-ins (late November 2026).

mod common;
use common::Env;
use itam::domain::feed::{Feed, Source};
use itam::domain::licence::{CostBasis, CostPeriod, LicenceKind, NewLicence};
use itam::domain::{DisposalMethod, Status, WipeMethod};
use itam::store::{DisposalInput, NewAsset, NewPerson, SeatTarget, Store, SyncOptions};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sync")).join(name)
}

fn fx(name: &str) -> String {
    fixture(name).display().to_string()
}

/// Seven laptops in every state a feed can disagree with, seven people, two licences.
fn fleet() -> Env {
    let e = Env::new();
    let mut s = store(&e);
    s.set_clock_for_tests("2026-06-01T09:00:00.000Z");
    s.set_actor_for_tests("tester");
    for (u, n) in [
        ("alice", "Alice Archer"),
        ("bob", "Bob Baker"),
        ("carol", "Carol Chen"),
        ("dave", "Dave Diaz"),
        ("erin", "Erin Evans"),
        ("frank", "Frank Fox"),
        ("grace", "Grace Gill"),
    ] {
        s.add_person(&NewPerson {
            username: u.into(),
            full_name: n.into(),
            email: Some(format!("{u}@example.com")),
            badge: None,
            team: None,
        })
        .unwrap();
    }
    for (tag, serial) in [
        ("LAP-001", "C02AAA001"),
        ("LAP-002", "C02AAA002"),
        ("LAP-003", "C02AAA003"),
        ("LAP-004", "C02AAA004"),
        ("LAP-005", "C02AAA005"),
        ("LAP-006", "C02AAA006"),
        // Stored with spaces: the feed writes it without, in lower case.
        ("LAP-007", "C02 AAA 007"),
    ] {
        s.add_asset(&NewAsset {
            tag: tag.into(),
            serial: Some(serial.into()),
            model: Some("ThinkPad T14 Gen 4".into()),
            ..NewAsset::default()
        })
        .unwrap();
    }
    for (tag, who) in [
        ("LAP-001", "alice"),
        ("LAP-002", "bob"),
        ("LAP-003", "bob"),
        ("LAP-006", "erin"),
        ("LAP-007", "frank"),
    ] {
        s.checkout(tag, who, None, None).unwrap();
    }
    s.set_status("LAP-003", Status::Lost, None).unwrap();
    s.set_status("LAP-004", Status::Retired, None).unwrap();
    s.dispose(
        "LAP-004",
        &DisposalInput {
            method: DisposalMethod::Recycle,
            wipe: WipeMethod::Purge,
            certificate: None,
            proceeds: None,
            recipient: None,
            date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1),
            note: None,
        },
    )
    .unwrap();
    let mut acrobat = NewLicence::new("Adobe Acrobat Pro", LicenceKind::PerUser);
    acrobat.seats = Some(3);
    acrobat.cost = Some("20".parse().unwrap());
    acrobat.currency = Some("USD".into());
    acrobat.cost_basis = CostBasis::PerSeat;
    acrobat.cost_period = CostPeriod::Monthly;
    s.add_licence(&acrobat, false).unwrap();
    let mut visio = NewLicence::new("Visio Professional", LicenceKind::PerDevice);
    visio.seats = Some(5);
    visio.cost = Some("500".parse().unwrap());
    visio.currency = Some("USD".into());
    visio.cost_basis = CostBasis::Total;
    visio.cost_period = CostPeriod::Annual;
    s.add_licence(&visio, false).unwrap();
    for (lic, target) in [
        ("1", SeatTarget::Person("alice".into())),
        ("1", SeatTarget::Person("grace".into())),
        ("2", SeatTarget::Asset("LAP-006".into())),
    ] {
        s.assign_seat(lic, &target, false, None).unwrap();
    }
    e
}

fn json(e: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&e.ok(args)).unwrap()
}

fn kinds(drift: &Value) -> Vec<(String, String)> {
    drift
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["tag"]
                    .as_str()
                    .or(f["serial"].as_str())
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

/// A fixture read as the feed `source`.
fn read(name: &str, source: Source) -> Feed {
    itam::sync::read_file(&fixture(name), source, &[]).unwrap()
}

/// The drift report as of the day after the fixtures' check-ins.
fn drift(e: &Env) -> Value {
    json(e, &["report", "drift", "--json", "--as-of", "2026-11-30"])
}

/// The text at `key` in each object of the array `list`.
fn strs<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap())
        .collect()
}

fn store(e: &Env) -> Store {
    e.store()
}

#[test]
fn intune_fixture_reads_every_device_with_a_serial() {
    let f = read("intune_devices.csv", Source::Intune);
    assert_eq!(f.devices.len(), 7);
    let d = &f.devices[0];
    assert_eq!(d.serial, "C02AAA001");
    assert_eq!(d.hostname.as_deref(), Some("LAP-001"));
    assert_eq!(d.user.as_deref(), Some("alice@example.com"));
    assert_eq!(d.os.as_deref(), Some("Windows"));
    assert_eq!(d.os_version.as_deref(), Some("10.0.22631.4460"));
    assert_eq!(d.enrolled, Some(true));
    assert_eq!(
        d.source_id.as_deref(),
        Some("7f3a1c2e-0001-4b7e-9a10-000000000001")
    );
    assert_eq!(d.seen_at, "2026-11-27T08:14:09.000Z");
    assert!(
        d.installs.is_none(),
        "the device export carries no software"
    );
    assert_eq!(
        f.skipped.len(),
        1,
        "the phone without a serial: {:?}",
        f.skipped
    );
    assert!(f.skipped[0].starts_with("line 9"), "{:?}", f.skipped);
}

#[test]
fn osquery_fixture_joins_three_tables_per_host() {
    let f = read("osquery_results.jsonl", Source::Osquery);
    assert_eq!(f.devices.len(), 4);
    let d = &f.devices[0];
    assert_eq!(d.serial, "C02AAA001");
    assert_eq!(d.hostname.as_deref(), Some("lap-001.corp.example.com"));
    assert_eq!(d.os.as_deref(), Some("Microsoft Windows 11 Enterprise"));
    assert_eq!(d.os_version.as_deref(), Some("10.0.22631"));
    assert_eq!(d.source_id.as_deref(), Some("LAP-001-UUID"));
    assert_eq!(d.seen_at, "2026-11-27T08:20:00.000Z");
    let installs = d.installs.as_ref().unwrap();
    let titles: Vec<&str> = installs.iter().map(|i| f.text(i.product)).collect();
    assert_eq!(titles, ["Adobe Acrobat (64-bit)", "Slack", "Google Chrome"]);
    assert_eq!(f.text(installs[0].publisher), "Adobe");
}

#[test]
fn jamf_fixture_joins_application_rows() {
    let f = read("jamf_computers.csv", Source::Jamf);
    assert_eq!(f.devices.len(), 2);
    let d = &f.devices[0];
    assert_eq!(d.source_id.as_deref(), Some("412"));
    assert_eq!(d.enrolled, Some(true));
    assert_eq!(d.user.as_deref(), Some("alice"));
    assert_eq!(d.installs.as_ref().map(Vec::len), Some(2));
    assert_eq!(f.devices[1].enrolled, Some(false), "Unmanaged");
}

#[test]
fn kandji_fixture_reads_the_device_fields() {
    let f = read("kandji_devices.csv", Source::Kandji);
    assert_eq!(f.devices.len(), 2);
    assert_eq!(f.devices[0].serial, "K7XQ2Y9F4C");
    assert_eq!(f.devices[0].user.as_deref(), Some("alice@example.com"));
    assert_eq!(f.devices[0].os_version.as_deref(), Some("15.1.1"));
    assert_eq!(f.devices[0].enrolled, Some(true));
    assert_eq!(f.devices[1].seen_at, "2026-11-27T16:03:58.000Z");
}

#[test]
fn any_csv_through_map() {
    let e = fleet();
    let err = e.fails(
        &["sync", &fx("generic_inventory.csv"), "--source", "csv"],
        1,
    );
    assert!(err.contains("no serial column"), "{err}");
    let out = e.ok(&[
        "sync",
        &fx("generic_inventory.csv"),
        "--source",
        "csv",
        "--map",
        "serial=Asset Serial,hostname=Machine,user=Owner",
        "--map",
        "seen_at=Checked In",
    ]);
    assert!(out.contains("1 devices, 1 matched"), "{out}");
    let v = json(&e, &["show", "LAP-001", "--json", "--installs"]);
    assert_eq!(v["feeds"][0]["source"], "csv");
    assert_eq!(v["feeds"][0]["mdm_user"], "alice");
    assert_eq!(v["last_seen_at"], "2026-11-29T00:00:00.000Z");
}

#[test]
fn matching_updates_fields_with_one_event_each_by_the_sync() {
    let e = fleet();
    e.ok(&["sync", &fx("intune_devices.csv"), "--source", "intune"]);
    let s = store(&e);
    let rows: Vec<(String, String, String)> = s
        .conn()
        .prepare(
            "SELECT actor, kind, after FROM events WHERE asset_id = (SELECT id FROM assets WHERE tag = 'LAP-007')
             AND kind = 'sync' ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let fields: Vec<String> = rows
        .iter()
        .map(|(actor, _, after)| {
            assert_eq!(actor, "sync:intune");
            let v: Value = serde_json::from_str(after).unwrap();
            v.as_object().unwrap().keys().next().unwrap().clone()
        })
        .collect();
    assert_eq!(
        fields,
        [
            "intune_id",
            "hostname",
            "os",
            "os_version",
            "mdm_enrolled",
            "mdm_user"
        ]
    );
    let v = json(&e, &["show", "LAP-007", "--json", "--installs"]);
    // Matched despite the stored spaces; status and assignee untouched.
    assert_eq!(v["tag"], "LAP-007");
    assert_eq!(v["status"], "deployed");
    assert_eq!(v["assignee"], "frank");
    assert_eq!(v["last_seen_at"], "2026-11-28T10:05:55.000Z");
    assert_eq!(v["feeds"][0]["mdm_user"], "frank@example.com");
    // A sync never changes status, assignee or location, even where they disagree.
    let lost = json(&e, &["show", "LAP-003", "--json"]);
    assert_eq!(lost["status"], "lost");
    let mismatch = json(&e, &["show", "LAP-002", "--json"]);
    assert_eq!(mismatch["assignee"], "bob");
}

#[test]
fn the_same_file_twice_changes_nothing_and_dry_run_writes_nothing() {
    let e = fleet();
    let events = |e: &Env| -> i64 {
        store(e)
            .conn()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    let before = events(&e);
    let dry = json(
        &e,
        &[
            "sync",
            &fx("intune_devices.csv"),
            "--source",
            "intune",
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(events(&e), before, "a dry run writes nothing");
    assert!(dry["sync"]["field_changes"].as_u64().unwrap() > 0);
    assert_eq!(dry["sync"]["changes"][0]["tag"], "LAP-001");
    let first = json(
        &e,
        &[
            "sync",
            &fx("intune_devices.csv"),
            "--source",
            "intune",
            "--json",
        ],
    );
    assert_eq!(
        first["sync"]["field_changes"], dry["sync"]["field_changes"],
        "dry run told the truth"
    );
    let after_first = events(&e);
    let second = json(
        &e,
        &[
            "sync",
            &fx("intune_devices.csv"),
            "--source",
            "intune",
            "--json",
        ],
    );
    assert_eq!(second["sync"]["field_changes"], 0);
    assert_eq!(second["sync"]["last_seen_moved"], 0);
    assert_eq!(events(&e), after_first);
    let out = e.ok(&["sync", &fx("osquery_results.jsonl"), "--source", "osquery"]);
    assert!(out.contains("installs +"), "{out}");
    let out = e.ok(&["sync", &fx("osquery_results.jsonl"), "--source", "osquery"]);
    assert!(out.contains("nothing changed"), "{out}");
    let dry = e.ok(&[
        "sync",
        &fx("osquery_results.jsonl"),
        "--source",
        "osquery",
        "--dry-run",
    ]);
    assert!(dry.contains("nothing changed"), "{dry}");
}

#[test]
fn unknown_serials_are_listed_or_created_in_stock() {
    let e = fleet();
    let out = e.ok(&["sync", &fx("intune_devices.csv"), "--source", "intune"]);
    assert!(out.contains("unknown serial ZZUNKNOWN9"), "{out}");
    let d = drift(&e);
    assert!(kinds(&d).contains(&("unknown_serial".into(), "ZZUNKNOWN9".into())));
    let out = e.ok(&[
        "sync",
        &fx("intune_devices.csv"),
        "--source",
        "intune",
        "--create-unknown",
    ]);
    assert!(out.contains("created ZZUNKNOWN9"), "{out}");
    let v = json(&e, &["show", "ZZUNKNOWN9", "--json"]);
    assert_eq!(v["status"], "in_stock");
    assert_eq!(v["name"], "DESKTOP-9Q2LM");
    let h = json(&e, &["history", "ZZUNKNOWN9", "--json"]);
    assert_eq!(h[0]["actor"], "sync:intune");
    let d = drift(&e);
    assert!(!kinds(&d).iter().any(|(k, _)| k == "unknown_serial"));
}

/// The planted differences, and nothing else.
#[test]
fn end_to_end_drift_and_compliance_list_exactly_the_planted_differences() {
    let e = fleet();
    e.ok(&["sync", &fx("intune_devices.csv"), "--source", "intune"]);
    e.ok(&["sync", &fx("osquery_results.jsonl"), "--source", "osquery"]);
    let d = drift(&e);
    let want: Vec<(String, String)> = [
        ("seen_while_disposed", "LAP-004"),
        ("seen_while_lost", "LAP-003"),
        ("seen_while_in_stock", "LAP-005"),
        ("user_mismatch", "LAP-002"),
        ("unknown_serial", "ZZUNKNOWN9"),
        ("stale", "LAP-006"),
    ]
    .iter()
    .map(|(k, t)| (k.to_string(), t.to_string()))
    .collect();
    assert_eq!(kinds(&d), want);
    assert_eq!(d[0]["security"], true);
    assert_eq!(d[1]["security"], true);
    assert_eq!(d[3]["mdm_user"], "carol@example.com");
    assert_eq!(d[3]["assignee"], "bob");
    let text = e.ok(&["report", "drift", "--as-of", "2026-11-30"]);
    assert!(text.contains("2 security"), "{text}");

    e.ok(&[
        "licence",
        "match",
        "1",
        "--product",
        "adobe acrobat*",
        "--publisher",
        "Adobe*",
    ]);
    let m = json(
        &e,
        &[
            "licence",
            "match",
            "Visio Professional",
            "--product",
            "Microsoft Visio*",
            "--json",
        ],
    );
    assert_eq!(m["titles"][0]["product"], "Microsoft Visio - en-us");
    assert_eq!(m["titles"][0]["devices"], 1);
    let c = json(
        &e,
        &["report", "compliance", "--json", "--as-of", "2026-11-30"],
    );
    let acrobat = &c["licences"][0];
    assert_eq!(acrobat["product"], "Adobe Acrobat Pro");
    assert_eq!(acrobat["seats_owned"], 3);
    assert_eq!(acrobat["seats_assigned"], 2);
    // LAP-001 (alice, seat) and LAP-007 (frank, none); the disposed LAP-004 does not count.
    assert_eq!(acrobat["devices_installed"], 2);
    let tags = strs(&acrobat["exposure"], "tag");
    assert_eq!(tags, ["LAP-007"]);
    assert_eq!(acrobat["users_without_seat"], serde_json::json!(["frank"]));
    let holders = strs(&acrobat["reclaimable"], "holder");
    assert_eq!(holders, ["person:grace"]);
    assert_eq!(acrobat["reclaimable_cost"], "20.00");
    let visio = &c["licences"][1];
    assert_eq!(visio["devices_installed"], 1);
    let tags = strs(&visio["exposure"], "tag");
    assert_eq!(tags, ["LAP-002"]);
    assert_eq!(visio["users_without_seat"], serde_json::json!([]));
    let holders = strs(&visio["reclaimable"], "holder");
    assert_eq!(holders, ["asset:LAP-006"]);
    assert_eq!(visio["reclaimable_cost"], "100.00");
    let text = e.ok(&["report", "compliance", "--as-of", "2026-11-30"]);
    assert!(text.contains("no seat: LAP-007 frank"), "{text}");

    let installs = e.ok(&["show", "LAP-001", "--installs"]);
    assert!(installs.contains("Adobe Acrobat (64-bit)"), "{installs}");
    assert!(installs.contains("feed intune"), "{installs}");
}

#[test]
fn drift_resolves_from_the_command_line() {
    let e = fleet();
    e.ok(&["sync", &fx("intune_devices.csv"), "--source", "intune"]);
    // The MDM user becomes the assignee: in stock -> checked out; out to bob -> to carol.
    e.ok(&["drift", "accept", "LAP-005"]);
    e.ok(&["drift", "accept", "LAP-002"]);
    assert_eq!(json(&e, &["show", "LAP-005", "--json"])["assignee"], "dave");
    assert_eq!(
        json(&e, &["show", "LAP-002", "--json"])["assignee"],
        "carol"
    );
    e.ok(&["drift", "found", "LAP-003"]);
    assert_eq!(
        json(&e, &["show", "LAP-003", "--json"])["status"],
        "in_stock"
    );
    let err = e.fails(&["drift", "found", "LAP-001"], 1);
    assert!(err.contains("not lost"), "{err}");
    let d = drift(&e);
    let left: Vec<String> = kinds(&d).into_iter().map(|(k, _)| k).collect();
    assert_eq!(left, ["unknown_serial", "stale"]);
    // The resolutions are the OS user's, not the sync's; the ledger still checks.
    let h = json(&e, &["history", "LAP-002", "--json"]);
    assert_ne!(
        h.as_array().unwrap().last().unwrap()["actor"],
        "sync:intune"
    );
    e.ok(&["check"]);
}

#[test]
fn a_bad_export_names_line_and_column_and_writes_nothing() {
    let e = fleet();
    let bad = e.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Serial number,Last check-in\nC02AAA001,2026-11-27\nC02AAA002,yesterday\n",
    )
    .unwrap();
    let err = e.fails(&["sync", bad.to_str().unwrap(), "--source", "intune"], 1);
    assert!(err.contains("line 3, column Last check-in"), "{err}");
    let n: i64 = store(&e)
        .conn()
        .query_row("SELECT count(*) FROM sync_devices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn batches_commit_separately_and_a_rerun_completes() {
    let e = fleet();
    let mut s = store(&e);
    let feed = read("intune_devices.csv", Source::Intune);
    let opts = SyncOptions {
        batch_devices: 2,
        ..SyncOptions::default()
    };
    let sum = s.sync_feed(&feed, &opts, |_, _| {}).unwrap();
    assert_eq!(sum.batches, 4);
    // Half a feed (as if killed after its first batches), then the whole: same end state.
    let e2 = fleet();
    let mut s2 = store(&e2);
    let mut half = feed.clone();
    half.devices.truncate(3);
    s2.sync_feed(&half, &opts, |_, _| {}).unwrap();
    let rest = s2.sync_feed(&feed, &opts, |_, _| {}).unwrap();
    assert_eq!(rest.field_changes, sum.field_changes - 3 * 6);
    let dump = |s: &Store| -> Vec<String> {
        s.conn()
            .prepare("SELECT asset_id || source || COALESCE(hostname,'') || seen_at FROM sync_devices ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(dump(&s), dump(&s2));
}
