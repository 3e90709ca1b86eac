//! Depreciation, maintenance, TCO, refresh forecast and licence reports through the CLI.

mod common;
use common::Env;

#[test]
fn depreciation_per_asset_with_the_default_and_a_rule() {
    let e = Env::seeded(); // IT-0001: 1649.00 USD bought 2025-01-15, Laptop, Latitude 7440
                           // Default: straight-line 36 months. 12 months: 1649 / 3 = 549.666.. -> 549.67.
    let v = e.json(&["report", "depreciation", "--as-of", "2026-01-15", "--json"]);
    let a = &v["assets"][0];
    assert_eq!(a["tag"], "IT-0001");
    assert_eq!(a["method"], "straight_line");
    assert_eq!(a["rule_from"], "default");
    assert_eq!(a["accumulated"], "549.67");
    assert_eq!(a["book_value"], "1099.33");
    assert_eq!(v["totals"]["book_value"]["USD"], "1099.33");
    // A category rule applies; an asset rule overrides it.
    e.ok(&[
        "depreciation",
        "set",
        "--category",
        "laptop",
        "--method",
        "declining_200",
        "--life-months",
        "60",
    ]);
    let v = e.json(&[
        "depreciation",
        "show",
        "IT-0001",
        "--as-of",
        "2026-01-15",
        "--json",
    ]);
    assert_eq!(v["rule_from"], "category");
    assert_eq!(v["book_value"], "989.40"); // 1649 x (1 - 40%)
    e.ok(&[
        "depreciation",
        "set",
        "--asset",
        "IT-0001",
        "--method",
        "straight_line",
        "--life-months",
        "24",
        "--salvage",
        "49.00",
        "--convention",
        "half_year",
    ]);
    // Half-year: from 2025-07-01; 6 months of (1600 / 24) = 400 -> 1249.00.
    let v = e.json(&[
        "depreciation",
        "show",
        "IT-0001",
        "--as-of",
        "2026-01-15",
        "--json",
    ]);
    assert_eq!(v["rule_from"], "asset");
    assert_eq!(v["book_value"], "1249.00");
    // Long after: never below salvage.
    let v = e.json(&[
        "depreciation",
        "show",
        "IT-0001",
        "--as-of",
        "2035-01-01",
        "--json",
    ]);
    assert_eq!(v["book_value"], "49.00");
    let h = e.json(&["history", "IT-0001", "--json"]);
    assert!(h
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "depreciation_rule"));
}

#[test]
fn depreciation_groups_csv_and_currencies_kept_apart() {
    let e = Env::seeded();
    e.ok(&[
        "add",
        "--tag",
        "IT-0002",
        "--category",
        "Laptop",
        "--cost",
        "1200",
        "--currency",
        "EUR",
        "--purchased",
        "2025-01-01",
        "--owner",
        "jdoe",
    ]);
    e.ok(&["add", "--tag", "IT-0003", "--category", "Monitor"]); // no cost: skipped
    let v = e.json(&[
        "report",
        "depreciation",
        "--as-of",
        "2026-01-01",
        "--group-by",
        "category",
        "--json",
    ]);
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "Laptop in USD and Laptop in EUR: {v}");
    assert!(groups.iter().all(|g| g["group"] == "Laptop"));
    assert_eq!(v["totals"]["book_value"]["EUR"], "800.00");
    assert_eq!(v["totals"]["skipped"], 1);
    let text = e.ok(&[
        "report",
        "depreciation",
        "--as-of",
        "2026-01-01",
        "--group-by",
        "owner",
    ]);
    assert!(
        text.contains("jdoe") && text.contains("EUR") && text.contains("USD"),
        "{text}"
    );
    let csv = e.ok(&["report", "depreciation", "--as-of", "2026-01-01", "--csv"]);
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("tag,category,location,owner,method"));
    assert_eq!(lines.count(), 2);
    let err = e.fails(&["report", "depreciation", "--as-of", "2026-02-30"], 1);
    assert!(err.contains("not a date"), "{err}");
    e.fails(&["report", "depreciation", "--group-by", "colour"], 2);
    let err = e.fails(
        &[
            "depreciation",
            "set",
            "--model",
            "Nope",
            "--method",
            "straight_line",
            "--life-months",
            "3",
        ],
        1,
    );
    assert!(err.contains("no model"), "{err}");
    let err = e.fails(
        &[
            "depreciation",
            "set",
            "--asset",
            "IT-0001",
            "--method",
            "straight_line",
            "--life-months",
            "36",
            "--salvage",
            "150%",
        ],
        1,
    );
    assert!(err.contains("between 0% and 100%"), "{err}");
}

#[test]
fn maintenance_and_total_cost_of_ownership() {
    let e = Env::seeded();
    e.ok(&[
        "maintenance",
        "add",
        "IT-0001",
        "--kind",
        "repair",
        "--start",
        "2025-06-01",
        "--end",
        "2025-06-03",
        "--cost",
        "150.50",
        "--vendor",
        "Dell",
        "--note",
        "new hinge",
    ]);
    e.ok(&[
        "maintenance",
        "add",
        "sn-aaa",
        "--kind",
        "upgrade",
        "--start",
        "2025-09-01",
        "--cost",
        "99.5",
    ]);
    let list = e.json(&["maintenance", "list", "IT-0001", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["kind"], "repair");
    assert_eq!(list[0]["currency"], "USD");
    assert_eq!(list[1]["cost"], "99.50");
    let text = e.ok(&["maintenance", "list"]);
    assert!(text.contains("new hinge"), "{text}");
    let h = e.json(&["history", "IT-0001", "--json"]);
    assert!(h
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "maintenance"));
    // Failures.
    let err = e.fails(
        &[
            "maintenance",
            "add",
            "IT-0001",
            "--kind",
            "repair",
            "--start",
            "2025-06-05",
            "--end",
            "2025-06-01",
        ],
        1,
    );
    assert!(err.contains("before it starts"), "{err}");
    let err = e.fails(
        &[
            "maintenance",
            "add",
            "NOPE",
            "--kind",
            "repair",
            "--start",
            "2025-06-05",
        ],
        1,
    );
    assert!(err.contains("no asset"), "{err}");
    let err = e.fails(
        &[
            "maintenance",
            "add",
            "IT-0001",
            "--kind",
            "repair",
            "--start",
            "June",
        ],
        1,
    );
    assert!(err.contains("not a date"), "{err}");
    e.fails(
        &[
            "maintenance",
            "add",
            "IT-0001",
            "--kind",
            "polish",
            "--start",
            "2025-06-05",
        ],
        2,
    );

    // TCO: 1649.00 + 250.00 = 1899.00 over 2 years (2025-01-15 .. 2027-01-15) ~ 949.5 a year.
    let v = e.json(&["report", "tco", "--as-of", "2027-01-15", "--json"]);
    let a = &v["assets"][0];
    assert_eq!(a["purchase"], "1649.00");
    assert_eq!(a["maintenance"], "250.00");
    assert_eq!(a["tco"], "1899.00");
    assert_eq!(a["years_in_service"], "2.00");
    assert_eq!(v["totals"]["tco"]["USD"], "1899.00");
    // Disposal proceeds come off, and years stop at disposal.
    e.ok(&["status", "IT-0001", "retired"]);
    e.ok(&[
        "dispose",
        "IT-0001",
        "--method",
        "resale",
        "--proceeds",
        "400",
        "--date",
        "2026-01-15",
    ]);
    let v = e.json(&[
        "report",
        "tco",
        "--group-by",
        "model",
        "--as-of",
        "2027-01-15",
        "--json",
    ]);
    let g = &v["groups"][0];
    assert_eq!(g["group"], "Latitude 7440");
    assert_eq!(g["tco"], "1499.00");
    assert_eq!(g["proceeds"], "400.00");
    assert_eq!(g["years_in_service"], "1.00");
    assert_eq!(g["per_year"], "1499.00"); // 1499 / 1.00 year (365 days, to 2 decimals)
    let text = e.ok(&[
        "report",
        "tco",
        "--group-by",
        "category",
        "--as-of",
        "2027-01-15",
    ]);
    assert!(
        text.contains("Laptop") && text.contains("1499.00"),
        "{text}"
    );
    e.fails(&["report", "tco", "--group-by", "owner"], 1);
}

#[test]
fn refresh_forecast_by_quarter() {
    let e = Env::seeded(); // warranty until 2028-01-15; default life ends 2028-01-01
    e.ok(&[
        "add",
        "--tag",
        "IT-0002",
        "--model",
        "Latitude 7440",
        "--cost",
        "1799",
        "--purchased",
        "2026-06-01",
        "--eol",
        "2027-08-10",
    ]);
    let v = e.json(&[
        "report",
        "eol",
        "--as-of",
        "2027-06-01",
        "--within",
        "12m",
        "--json",
    ]);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{v}");
    assert_eq!(items[0]["tag"], "IT-0002");
    assert_eq!(items[0]["event"], "end_of_life");
    assert_eq!(items[0]["date_from"], "eol_date");
    assert_eq!(items[0]["quarter"], "2027-Q3");
    // Today's price of a Latitude 7440 is its latest purchase: 1799.00.
    assert_eq!(items[0]["replacement_cost"], "1799.00");
    assert_eq!(items[0]["price_from"], "model_latest");
    assert_eq!(items[1]["tag"], "IT-0001");
    assert_eq!(items[1]["date"], "2028-01-01");
    assert_eq!(items[1]["date_from"], "depreciation");
    assert_eq!(items[2]["event"], "warranty_end");
    let q = v["quarters"].as_array().unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[1]["quarter"], "2028-Q1");
    assert_eq!(q[1]["end_of_life"], 1);
    assert_eq!(q[1]["warranty_end"], 1);
    assert_eq!(v["replacement"]["USD"], "3598.00");
    // A shorter window sees only the first.
    let v = e.json(&[
        "report",
        "eol",
        "--as-of",
        "2027-06-01",
        "--within",
        "3m",
        "--json",
    ]);
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let text = e.ok(&["report", "eol", "--as-of", "2027-06-01", "--within", "1y"]);
    assert!(
        text.contains("2028-Q1") && text.contains("3598.00 USD"),
        "{text}"
    );
    let err = e.fails(&["report", "eol", "--within", "soon"], 1);
    assert!(err.contains("not a period"), "{err}");
}

#[test]
fn licence_report_flags_over_deployment_and_renewals() {
    let e = Env::seeded();
    e.ok(&[
        "licence",
        "add",
        "Suite",
        "--seats",
        "4",
        "--cost",
        "1000",
        "--period",
        "annual",
        "--renews",
        "2026-02-15",
    ]);
    e.ok(&[
        "licence",
        "add",
        "Chat",
        "--seats",
        "1",
        "--cost",
        "5",
        "--cost-basis",
        "per_seat",
        "--period",
        "monthly",
        "--expires",
        "2026-03-20",
    ]);
    e.ok(&["licence", "add", "Old", "--expires", "2020-01-01"]);
    e.ok(&["licence", "assign", "Suite", "--person", "jdoe"]);
    e.ok(&["licence", "assign", "Chat", "--person", "jdoe"]);
    e.ok(&["licence", "assign", "Chat", "--person", "asmith", "--force"]);
    let v = e.json(&["report", "licences", "--as-of", "2026-01-20", "--json"]);
    let by = |p: &str| {
        v["licences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["product"] == p)
            .unwrap()
            .clone()
    };
    let suite = by("Suite");
    assert_eq!(
        (
            suite["owned"].as_u64(),
            suite["assigned"].as_u64(),
            suite["free"].as_u64()
        ),
        (Some(4), Some(1), Some(3))
    );
    assert_eq!(suite["unused_cost"], "750.00"); // 1000 / 4 x 3 free
    assert_eq!(suite["renewal_window"], 30);
    let chat = by("Chat");
    assert_eq!(chat["flagged"], true);
    assert_eq!(chat["over_deployed"], 1);
    assert_eq!(chat["renewal_window"], 60);
    assert_eq!(by("Old")["expired"], true);
    assert_eq!(v["over_deployed"], 1);
    assert_eq!(v["unused_cost"]["annual"]["USD"], "750.00");
    assert_eq!(v["renewals"]["30"][0]["product"], "Suite");
    assert_eq!(v["renewals"]["60"][0]["product"], "Chat");
    let text = e.ok(&["report", "licences", "--as-of", "2026-01-20"]);
    assert!(
        text.contains("OVER-DEPLOYED") && text.contains("within 30 days"),
        "{text}"
    );
}
