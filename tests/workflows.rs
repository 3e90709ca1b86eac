//! Audits, ghosts, receiving against purchase orders, offboarding: through the CLI.

mod common;
use common::Env;

fn tags_at(e: &Env, loc: &str) -> Vec<String> {
    assert!(loc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    e.sql(&format!("SELECT tag FROM assets a JOIN locations l ON l.id = a.location_id WHERE l.code = '{loc}' AND status <> 'disposed' ORDER BY tag"))
        .lines()
        .map(str::to_string)
        .collect()
}

fn fixture() -> Env {
    let e = Env::new();
    e.ok(&["location", "add", "R1", "--name", "Room 1"]);
    e.ok(&["location", "add", "R2", "--name", "Room 2"]);
    e.ok(&["person", "add", "jdoe", "--name", "Jane Doe"]);
    for (t, l) in [("A1", "R1"), ("A2", "R1"), ("A3", "R1"), ("B1", "R2")] {
        e.ok(&[
            "add",
            "--tag",
            t,
            "--serial",
            &format!("S-{t}"),
            "--model",
            "ThinkPad T14",
            "--location",
            l,
        ]);
    }
    e
}

#[test]
fn audit_reconciles_found_missing_unexpected_unknown_and_duplicates() {
    let e = fixture();
    assert_eq!(tags_at(&e, "R1"), ["A1", "A2", "A3"]);
    let h = e.json(&["audit", "start", "R1", "--json"]);
    let id = h["id"].as_i64().unwrap().to_string();
    let scans = e.json(&[
        "audit", "scan", &id, "A1", "s-a2", "B1", "ZZZ-404", "A1", "--json",
    ]);
    let results: Vec<_> = scans
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["result"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        results,
        ["found", "found", "unexpected", "unknown", "duplicate"]
    );
    let r = e.json(&["report", "audit", &id, "--json"]);
    assert_eq!(r["expected"], 3);
    let tags = |k: &str| {
        r[k].as_array()
            .unwrap()
            .iter()
            .map(|a| a["tag"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(tags("found"), ["A1", "A2"]);
    assert_eq!(tags("missing"), ["A3"]);
    assert_eq!(tags("unexpected"), ["B1"]);
    assert_eq!(r["unknown"], serde_json::json!(["ZZZ-404"]));
    // The unexpected one is not moved until asked; then it is, with an event.
    assert_eq!(e.json(&["show", "B1", "--json"])["location"], "R2");
    let m = e.json(&["audit", "scan", &id, "B1", "--move", "--json"]);
    assert_eq!(m[0]["result"], "moved");
    assert_eq!(e.json(&["show", "B1", "--json"])["location"], "R1");
    let h = e.json(&["history", "B1", "--json"]);
    let kinds: Vec<_> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["create", "audited", "move", "audited"]);
    // Found assets were seen now.
    assert!(e.json(&["show", "A1", "--json"])["last_seen_at"].is_string());
    let closed = e.ok(&["audit", "close", &id]);
    assert!(
        closed.contains("missing 1") && closed.contains("A3"),
        "{closed}"
    );
    assert!(e.fails(&["audit", "scan", &id, "A3"], 1).contains("closed"));
    assert!(e.ok(&["audit", "list"]).contains("closed"));
    assert!(e
        .fails(&["audit", "start", "NOWHERE"], 1)
        .contains("no location"));
    assert!(e.fails(&["report", "audit", "999"], 1).contains("no audit"));
}

#[test]
fn ghosts_are_selected_at_the_day_boundary() {
    let e = fixture();
    let now = chrono::Utc::now();
    let at = |days: i64, secs: i64| {
        (now - chrono::Duration::days(days) + chrono::Duration::seconds(secs))
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    // A1 seen exactly 180 days ago (minus a minute's slack for the test's own run time): a ghost.
    e.sql(&format!(
        "UPDATE assets SET last_seen_at = '{}' WHERE tag = 'A1'",
        at(180, -60)
    ));
    // A2 seen 180 days ago plus an hour: not yet.
    e.sql(&format!(
        "UPDATE assets SET last_seen_at = '{}' WHERE tag = 'A2'",
        at(180, 3600)
    ));
    // A3 long unseen but retired: not active, so not a ghost.
    e.sql(&format!(
        "UPDATE assets SET last_seen_at = '{}' WHERE tag IN ('A3', 'B1')",
        at(400, 0)
    ));
    e.ok(&["status", "A3", "retired"]);
    let g = e.json(&["report", "ghosts", "--json"]);
    let tags: Vec<_> = g
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["tag"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        tags,
        ["B1", "A1"],
        "oldest first, boundary included, retired excluded"
    );
    assert_eq!(g[1]["days_unseen"], 180);
    assert_eq!(g[0]["location"], "R2");
    let g = e.json(&["report", "ghosts", "--days", "500", "--json"]);
    assert!(g.as_array().unwrap().is_empty());
    assert!(e.ok(&["report", "ghosts"]).contains("B1"));
}

#[test]
fn receiving_against_a_purchase_order() {
    let e = fixture();
    e.ok(&[
        "po",
        "add",
        "PO-1",
        "--supplier",
        "CDW",
        "--date",
        "2026-10-01",
    ]);
    e.ok(&[
        "po",
        "line",
        "PO-1",
        "--model",
        "Latitude 7440",
        "--manufacturer",
        "Dell",
        "--category",
        "Laptop",
        "--qty",
        "2",
        "--unit-cost",
        "1499.00",
    ]);
    // Something already holds IT-000001: the next free tag is used.
    e.ok(&["add", "--tag", "IT-000001"]);
    let got = e.json(&[
        "po",
        "receive",
        "PO-1",
        "--model",
        "latitude 7440",
        "SN-X1",
        "--json",
    ]);
    let a = &got[0];
    assert_eq!(a["tag"], "IT-000002");
    assert_eq!(
        (a["status"].as_str(), a["condition"].as_str()),
        (Some("in_stock"), Some("new"))
    );
    assert_eq!(
        (a["purchase_cost"].as_str(), a["supplier"].as_str()),
        (Some("1499.00"), Some("CDW"))
    );
    assert_eq!(
        (a["order_number"].as_str(), a["purchase_date"].as_str()),
        (Some("PO-1"), Some("2026-10-01"))
    );
    // A known serial refuses the whole batch.
    assert!(e
        .fails(
            &[
                "po",
                "receive",
                "PO-1",
                "--model",
                "Latitude 7440",
                "SN-X2",
                "S-A1"
            ],
            1
        )
        .contains("already known"));
    assert!(e.fails(&["show", "SN-X2"], 1).contains("no asset"));
    // Over-receipt is refused.
    assert!(e
        .fails(
            &[
                "po",
                "receive",
                "PO-1",
                "--model",
                "Latitude 7440",
                "SN-X2",
                "SN-X3"
            ],
            1
        )
        .contains("over-receipt"));
    e.ok(&["po", "receive", "PO-1", "--model", "Latitude 7440", "SN-X2"]);
    let po = e.json(&["po", "show", "PO-1", "--json"]);
    assert_eq!(
        (
            po["lines"][0]["received"].as_i64(),
            po["lines"][0]["outstanding"].as_i64()
        ),
        (Some(2), Some(0))
    );
    assert!(e
        .fails(
            &["po", "receive", "PO-1", "--model", "Latitude 7440", "SN-X9"],
            1
        )
        .contains("over-receipt"));
    assert!(e
        .fails(&["po", "receive", "PO-1", "--model", "MacBook", "SN-X9"], 1)
        .contains("no line"));
    assert!(e
        .fails(&["po", "add", "po-1", "--supplier", "x"], 1)
        .contains("already exists"));
    assert!(e
        .fails(
            &[
                "po",
                "line",
                "PO-1",
                "--model",
                "M",
                "--qty",
                "0",
                "--unit-cost",
                "1"
            ],
            1
        )
        .contains("at least 1"));
    let h = e.json(&["history", "SN-X1", "--json"]);
    assert_eq!(h[0]["note"], "received against PO-1");
}

#[test]
fn offboarding_returns_lists_and_marks_lost() {
    let e = fixture();
    for t in ["A1", "A2", "A3"] {
        e.ok(&["checkout", t, "--to", "jdoe"]);
    }
    e.ok(&["person", "add", "other", "--name", "Other"]);
    e.ok(&["checkout", "B1", "--to", "other"]);
    // Handing back someone else's asset refuses the whole offboarding.
    assert!(e
        .fails(&["person", "offboard", "jdoe", "--returned", "B1"], 1)
        .contains("not held by jdoe"));
    assert_eq!(e.json(&["show", "A1", "--json"])["assignee"], "jdoe");
    let r = e.json(&[
        "person",
        "offboard",
        "jdoe",
        "--returned",
        "A1",
        "S-A2",
        "--condition",
        "fair",
        "--mark-lost",
        "--json",
    ]);
    assert_eq!(r["returned"], serde_json::json!(["A1", "A2"]));
    assert_eq!(r["unreturned"], serde_json::json!(["A3"]));
    let a1 = e.json(&["show", "A1", "--json"]);
    assert_eq!(
        (a1["status"].as_str(), a1["condition"].as_str()),
        (Some("in_stock"), Some("fair"))
    );
    let a3 = e.json(&["show", "A3", "--json"]);
    assert_eq!(
        (a3["status"].as_str(), a3["assignee"].is_null()),
        (Some("lost"), true)
    );
    let p = e.json(&["person", "list", "--json"]);
    let jdoe = p
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["username"] == "jdoe")
        .unwrap();
    assert_eq!(jdoe["active"], false);
    assert!(e
        .fails(&["checkout", "A1", "--to", "jdoe"], 1)
        .contains("inactive"));
    assert!(e
        .fails(&["person", "offboard", "jdoe"], 1)
        .contains("already inactive"));
}

#[test]
fn cli_output_into_a_closed_pipe_is_quiet() {
    let e = fixture();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} --db '{}' location list | head -c 1 >/dev/null; echo done",
            assert_cmd::cargo::cargo_bin("itam").display(),
            e.target().to_string_lossy()
        ))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn audit_counts_agree_with_the_report() {
    let e = fixture();
    let id = e.json(&["audit", "start", "R1", "--json"])["id"]
        .as_i64()
        .unwrap();
    e.ok(&["audit", "scan", &id.to_string(), "A1", "B1", "NOPE"]);
    e.ok(&["audit", "scan", &id.to_string(), "--move", "A2"]);
    let s = e.store();
    let r = s.audit_report(id).unwrap();
    let c = s.audit_counts(id).unwrap();
    assert_eq!(
        c,
        (
            r.expected,
            r.found.len() + r.moved.len(),
            r.missing.len(),
            r.unexpected.len(),
            r.unknown.len()
        )
    );
    assert_eq!(c, (3, 2, 1, 1, 1));
}

fn models_named(e: &Env, name: &str) -> i64 {
    assert!(!name.contains('\''));
    e.sql(&format!(
        "SELECT count(*) FROM models WHERE name = '{name}'"
    ))
    .parse()
    .unwrap()
}

#[test]
fn a_po_line_never_creates_a_bare_model() {
    let e = fixture();
    e.ok(&["po", "add", "PO-2", "--supplier", "CDW"]);
    let line = |extra: &[&str]| {
        let mut a = vec![
            "po",
            "line",
            "PO-2",
            "--model",
            "Latitude 7440",
            "--qty",
            "3",
            "--unit-cost",
            "999",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let args = line(&[]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let err = e.fails(&argv, 1);
    assert!(
        err.contains("no model is named 'Latitude 7440'") && err.contains("--manufacturer"),
        "{err}"
    );
    let args = line(&["--manufacturer", "Dell"]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(e.fails(&argv, 1).contains("--category"));
    assert_eq!(models_named(&e, "Latitude 7440"), 0, "nothing half-written");
    let args = line(&["--manufacturer", "Dell", "--category", "Laptop"]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    e.ok(&argv);
    assert_eq!(models_named(&e, "Latitude 7440"), 1);
    // An existing model is picked by name in any case, and no second model appears.
    let po = e.json(&[
        "po",
        "line",
        "PO-2",
        "--model",
        "thinkpad  T14",
        "--qty",
        "1",
        "--unit-cost",
        "10",
        "--json",
    ]);
    assert_eq!(po["lines"][1]["model"], "ThinkPad T14");
    assert_eq!(models_named(&e, "ThinkPad T14"), 1);
    let got = e.json(&[
        "po",
        "receive",
        "PO-2",
        "--model",
        "latitude 7440",
        "SN-L1",
        "--json",
    ]);
    assert_eq!(
        (got[0]["manufacturer"].as_str(), got[0]["category"].as_str()),
        (Some("Dell"), Some("Laptop"))
    );
    // For an existing model, a manufacturer that contradicts it is refused; the same one in
    // any case is fine; a blank one (ThinkPad T14 was added bare) is filled in.
    let err = e.fails(
        &[
            "po",
            "line",
            "PO-2",
            "--model",
            "Latitude 7440",
            "--manufacturer",
            "HP",
            "--qty",
            "3",
            "--unit-cost",
            "999",
        ],
        1,
    );
    assert!(err.contains("made by 'Dell', not 'HP'"), "{err}");
    e.ok(&[
        "po",
        "line",
        "PO-2",
        "--model",
        "Latitude 7440",
        "--manufacturer",
        "dell",
        "--qty",
        "4",
        "--unit-cost",
        "999",
    ]);
    e.ok(&[
        "po",
        "line",
        "PO-2",
        "--model",
        "ThinkPad T14",
        "--manufacturer",
        "Lenovo",
        "--qty",
        "1",
        "--unit-cost",
        "10",
    ]);
    let got = e.json(&[
        "po",
        "receive",
        "PO-2",
        "--model",
        "ThinkPad T14",
        "SN-T1",
        "--json",
    ]);
    assert_eq!(got[0]["manufacturer"], "Lenovo");
}

fn write_config(e: &Env, text: &str) {
    let dir = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[test]
fn received_stock_gets_a_location() {
    let e = fixture();
    e.ok(&[
        "po",
        "add",
        "PO-3",
        "--supplier",
        "CDW",
        "--date",
        "2026-11-01",
    ]);
    e.ok(&[
        "po",
        "line",
        "PO-3",
        "--model",
        "ThinkPad T14",
        "--qty",
        "5",
        "--unit-cost",
        "1200",
    ]);
    let got = e.json(&[
        "po",
        "receive",
        "PO-3",
        "--model",
        "ThinkPad T14",
        "SN-R1",
        "--location",
        "r1",
        "--json",
    ]);
    assert_eq!(got[0]["location"], "R1");
    // The creation event records where it was put.
    let h = e.json(&["history", "SN-R1", "--json"]);
    assert_eq!(h[0]["kind"], "create");
    assert_eq!(h[0]["after"]["location"], "R1");
    // [receiving] location is the default; --location wins over it.
    write_config(&e, "[receiving]\nlocation = \"R2\"\n");
    let got = e.json(&[
        "po",
        "receive",
        "PO-3",
        "--model",
        "ThinkPad T14",
        "SN-R2",
        "--json",
    ]);
    assert_eq!(got[0]["location"], "R2");
    let got = e.json(&[
        "po",
        "receive",
        "PO-3",
        "--model",
        "ThinkPad T14",
        "SN-R3",
        "--location",
        "R1",
        "--json",
    ]);
    assert_eq!(got[0]["location"], "R1");
    // An unknown place receives nothing.
    let err = e.fails(
        &[
            "po",
            "receive",
            "PO-3",
            "--model",
            "ThinkPad T14",
            "SN-R4",
            "--location",
            "NOPE",
        ],
        1,
    );
    assert!(err.contains("no location has the code 'NOPE'"), "{err}");
    assert!(e.fails(&["show", "SN-R4"], 1).contains("no asset"));
    // With neither, the units are received and the technician is told where to set one.
    write_config(&e, "");
    let out = e
        .itam()
        .args(["po", "receive", "PO-3", "--model", "ThinkPad T14", "SN-R5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[receiving]"));
}

#[test]
fn po_list_shows_every_order_with_its_progress() {
    let e = fixture();
    assert!(e.ok(&["po", "list"]).contains("no purchase orders"));
    e.ok(&[
        "po",
        "add",
        "PO-A",
        "--supplier",
        "CDW",
        "--date",
        "2026-10-01",
    ]);
    e.ok(&[
        "po",
        "add",
        "PO-B",
        "--supplier",
        "Insight",
        "--date",
        "2026-11-01",
    ]);
    e.ok(&[
        "po",
        "line",
        "PO-A",
        "--model",
        "ThinkPad T14",
        "--qty",
        "4",
        "--unit-cost",
        "1",
    ]);
    e.ok(&["po", "receive", "PO-A", "--model", "ThinkPad T14", "SN-P1"]);
    let all = e.json(&["po", "list", "--json"]);
    let numbers: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["PO-B", "PO-A"], "newest first");
    assert_eq!(all[1]["lines"][0]["received"], 1);
    assert_eq!(all[1]["lines"][0]["outstanding"], 3);
    let text = e.ok(&["po", "list"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("NUMBER") && lines[0].contains("OUTSTANDING"),
        "{text}"
    );
    let a = lines.iter().find(|l| l.starts_with("PO-A")).unwrap();
    let cols: Vec<&str> = a.split_whitespace().collect();
    assert_eq!(cols[1..], ["CDW", "2026-10-01", "1", "4", "1", "3"]);
}
