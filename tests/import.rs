//! `itam import` and `itam export`: the third-party samples, messy files, dry runs,
//! all-or-nothing, and export -> import round trips field by field.

mod common;

use common::{samples_dir, Env};
use itam::store::{OpenOptions, Store};
use std::path::{Path, PathBuf};

fn store(env: &Env) -> Store {
    env.store_with(&OpenOptions { read_only: true })
}

fn count(env: &Env, table: &str) -> i64 {
    let s = store(env);
    // The table name is one of the test's constants.
    s.conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn sample(name: &str) -> Option<PathBuf> {
    samples_dir().map(|d| d.join(name))
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Write `bytes` to a file in the env's temp dir.
fn file(env: &Env, name: &str, bytes: &[u8]) -> PathBuf {
    let path = env.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// Run import expecting `code`; return (stdout, stderr).
fn run(env: &Env, args: &[&str], code: i32) -> (String, String) {
    let out = env.itam().args(args).output().expect("run itam");
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "itam {args:?}\nstdout {so}\nstderr {se}"
    );
    (so, se)
}

#[test]
fn snipeit_assets_sample_imports_its_22_assets() {
    let Some(f) = sample("snipe-it__assets-sample.csv") else {
        return;
    };
    let env = Env::new();
    let (out, err) = run(&env, &["import", p(&f)], 0);
    assert!(out.contains("created            22"), "{out}");
    assert!(err.is_empty(), "no progress bar when not a terminal: {err}");
    assert_eq!(count(&env, "assets"), 22);
    let s = store(&env);
    // US dates, quoted "" quotes, costs, checkout to a user and to a location.
    let a = s.asset("NNH-3656031").unwrap();
    assert_eq!(
        a.purchase_date.map(|v| v.to_string()).as_deref(),
        Some("2023-03-01")
    );
    assert_eq!(a.model.as_deref(), Some("Macbook Pro 13\""));
    assert_eq!(a.location.as_deref(), Some("Pacocha-Kiehn"));
    assert_eq!(a.status.as_str(), "in_stock");
    let b = s.asset("WBH-2841795").unwrap();
    assert_eq!(b.status.as_str(), "deployed");
    assert_eq!(b.assignee.as_deref(), Some("gmccrackem2a"));
    assert_eq!(b.assignee_name.as_deref(), Some("Gage McCrackem"));
    assert_eq!(
        b.purchase_cost.map(|v| v.to_string()).as_deref(),
        Some("1292.94")
    );
    assert_eq!(
        b.eol_date.map(|v| v.to_string()).as_deref(),
        Some("2028-10-27")
    );
    // Every asset has its create event (note naming the file); deployed ones a checkout too.
    let h = s.history("WBH-2841795").unwrap();
    assert_eq!(h[0].kind, "create");
    assert_eq!(
        h[0].note.as_deref(),
        Some("imported from snipe-it__assets-sample.csv")
    );
    assert_eq!(h[1].kind, "checkout");
    // Manufacturers and models are created once.
    let models: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM models", [], |r| r.get(0))
        .unwrap();
    assert_eq!(models, 2);
    let berge: i64 = s
        .conn()
        .query_row(
            // lower(): SQLite's column is NOCASE, PostgreSQL's is not.
            "SELECT count(*) FROM manufacturers WHERE lower(name) = 'berge inc'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(berge, 1);
    // Importing again skips every existing tag and reports it.
    let (out, _) = run(&env, &["import", p(&f)], 0);
    assert!(out.contains("skipped            22"), "{out}");
    assert!(out.contains("already exists"), "{out}");
    assert_eq!(count(&env, "assets"), 22);
}

#[test]
fn users_locations_and_models_samples_import() {
    let Some(users) = sample("snipe-it__users-sample.csv") else {
        return;
    };
    let env = Env::new();
    run(&env, &["import", p(&users), "--kind", "people"], 0);
    assert_eq!(count(&env, "people"), 100);
    let s = store(&env);
    let r = s.person("rtenant0").unwrap();
    assert_eq!(r.full_name, "Reagen Tenant");
    assert_eq!(r.email.as_deref(), Some("rtenant0@istockphoto.com"));

    let locs = sample("snipe-it__locations-sample.csv").unwrap();
    let (out, _) = run(&env, &["import", p(&locs), "--kind", "locations"], 0);
    // Two names appear twice in the file: reported and skipped.
    assert!(out.contains("is also on line"), "{out}");
    assert_eq!(count(&env, "locations"), 17);

    let models = sample("snipe-it__models-sample.csv").unwrap();
    run(&env, &["import", p(&models), "--kind", "models"], 0);
    assert_eq!(count(&env, "models"), 20);
    let mf: String = store(&env)
        .conn()
        .query_row(
            "SELECT mf.name FROM models m JOIN manufacturers mf ON mf.id = m.manufacturer_id WHERE m.name = 'Test Model 2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mf, "Botsford, Boyle and Herzog");
}

#[test]
fn bad_and_blanks_samples_give_per_row_reports_without_panicking() {
    let Some(bad) = sample("snipe-it__assets-sample-BAD.csv") else {
        return;
    };
    let env = Env::new();
    let (out, err) = run(&env, &["import", p(&bad), "--dry-run"], 1);
    assert!(out.contains("duplicate columns"), "{out}");
    assert!(
        out.contains("\"Category\"") && out.contains("\"Company\""),
        "{out}"
    );
    assert!(out.contains("Windows-1252"), "{out}");
    assert!(out.contains("6.37702E+15"), "{out}");
    assert!(out.contains("line 2, column \"Model Number\""), "{out}");
    assert!(err.contains("nothing was imported"), "{err}");
    // Its repeated Category columns agree on every row and Company is not imported, so the
    // duplicates are warnings (Snipe-IT reads such a file too); the bad rows are skipped.
    let (out, _) = run(&env, &["import", p(&bad), "--skip-bad-rows"], 0);
    assert!(out.contains("created           190"), "{out}");
    assert_eq!(count(&env, "assets"), 190);
    let env = Env::new();

    let blanks = sample("snipe-it__assets-sample-BLANKS.csv").unwrap();
    let (out, _) = run(&env, &["import", p(&blanks), "--dry-run"], 1);
    assert!(out.contains("rows read         200"), "{out}");
    assert!(out.contains("line 26, column \"Location\""), "{out}");
    let (out, _) = run(&env, &["import", p(&blanks), "--skip-bad-rows"], 0);
    assert!(out.contains("created           190"), "{out}");
    assert_eq!(count(&env, "assets"), 190);
}

#[test]
fn shelf_and_ralph_samples_import_with_a_map() {
    let Some(shelf) = sample("shelf__shelf.nu-example-asset-import-from-content-with-barcodes.csv")
    else {
        return;
    };
    let env = Env::new();
    let map = "title=name,barcode_Code128=tag,assetModel=model,cf: Serial number,type:text=serial,\
               cf:brand, type:option=manufacturer,cf:purchase date, type:date=purchase_date,\
               cf:warranty cost, type:amount=purchase_cost,valuation=-";
    // Two rows are quantity-tracked supplies without a barcode: reported, then skipped.
    let (out, _) = run(&env, &["import", p(&shelf), "--map", map], 1);
    assert!(
        out.contains("line 4, column \"barcode_Code128\": no asset tag"),
        "{out}"
    );
    run(
        &env,
        &["import", p(&shelf), "--map", map, "--skip-bad-rows"],
        0,
    );
    let s = store(&env);
    let a = s.asset("AMD001234").unwrap();
    assert_eq!(a.serial.as_deref(), Some("WQE239123d"));
    assert_eq!(a.manufacturer.as_deref(), Some("amd"));
    assert_eq!(
        a.purchase_date.map(|v| v.to_string()).as_deref(),
        Some("2024-02-22")
    );
    assert_eq!(a.location.as_deref(), Some("Sofia office"));

    let plain = sample("shelf__shelf.nu-example-asset-import-from-content.csv").unwrap();
    let env2 = Env::new();
    run(
        &env2,
        &[
            "import",
            p(&plain),
            "--map",
            "title=name,cf: Serial number,type:text=tag",
            "--skip-bad-rows",
        ],
        0,
    );
    assert_eq!(count(&env2, "assets"), 2);

    let users = sample("shelf__shelf.nu-example-import-users-from-content.csv").unwrap();
    run(
        &env2,
        &[
            "import",
            p(&users),
            "--kind",
            "people",
            "--map",
            "teamMemberId=badge,role=-",
        ],
        0,
    );
    assert_eq!(
        store(&env2).person("example").unwrap().badge.as_deref(),
        Some("cm7ep29mu0001slft9zw9e6sp")
    );

    let ralph = sample("ralph__back_office_assets.csv").unwrap();
    run(
        &env,
        &[
            "import",
            p(&ralph),
            "--map",
            "id=tag,sn=serial,warehouse=location,model=-",
        ],
        0,
    );
    assert_eq!(
        store(&env).asset("112122").unwrap().serial.as_deref(),
        Some("bo_asset_sn")
    );
}

#[test]
fn dry_run_writes_nothing() {
    let env = Env::seeded();
    let csv = file(
        &env,
        "a.csv",
        b"Asset Tag,Model,Checked Out To: Username\nN1,X,newperson\nN2,Y,\n",
    );
    let before = (
        count(&env, "assets"),
        count(&env, "events"),
        count(&env, "people"),
        count(&env, "models"),
    );
    let (out, _) = run(&env, &["import", p(&csv), "--dry-run"], 0);
    assert!(out.contains("would create        2"), "{out}");
    let after = (
        count(&env, "assets"),
        count(&env, "events"),
        count(&env, "people"),
        count(&env, "models"),
    );
    assert_eq!(before, after);
}

#[test]
fn an_error_imports_nothing_and_skip_bad_rows_imports_the_rest() {
    let env = Env::seeded();
    let csv = file(
        &env,
        "a.csv",
        b"Asset Tag,Purchase Date,Location\nN1,1/2/23,NewPlace\nN2,13/45/22,\nN3,,\n",
    );
    let before = (
        count(&env, "assets"),
        count(&env, "events"),
        count(&env, "locations"),
    );
    let (out, err) = run(&env, &["import", p(&csv)], 1);
    assert!(
        out.contains("line 3, column \"Purchase Date\": '13/45/22' is not a date"),
        "{out}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(
        before,
        (
            count(&env, "assets"),
            count(&env, "events"),
            count(&env, "locations")
        )
    );

    let (out, _) = run(&env, &["import", p(&csv), "--skip-bad-rows"], 0);
    assert!(
        out.contains("created             2") && out.contains("skipped             1"),
        "{out}"
    );
    assert_eq!(count(&env, "assets"), before.0 + 2);
    assert_eq!(count(&env, "locations"), before.2 + 1);
}

#[test]
fn update_changes_existing_tags_and_serial_conflicts_are_errors() {
    let env = Env::seeded();
    let csv = file(
        &env,
        "u.csv",
        b"Asset Tag,Asset Name,Purchase Cost\nIT-0001,Jane's laptop,99\n",
    );
    let (out, _) = run(&env, &["import", p(&csv)], 0);
    assert!(out.contains("skipped             1"), "{out}");
    assert_eq!(store(&env).asset("IT-0001").unwrap().name, None);
    let (out, _) = run(&env, &["import", p(&csv), "--update"], 0);
    assert!(out.contains("updated             1"), "{out}");
    let s = store(&env);
    let a = s.asset("IT-0001").unwrap();
    assert_eq!(a.name.as_deref(), Some("Jane's laptop"));
    assert_eq!(
        a.purchase_cost.map(|v| v.to_string()).as_deref(),
        Some("99.00")
    );
    assert_eq!(
        a.serial.as_deref(),
        Some("SN-AAA"),
        "empty cells leave fields alone"
    );
    let h = s.history("IT-0001").unwrap();
    assert_eq!(h.last().unwrap().kind, "edit");

    let clash = file(
        &env,
        "c.csv",
        b"Asset Tag,Serial Number\nIT-0009,sn-aaa\nIT-0010,X1\nIT-0011,X1\n",
    );
    let (out, _) = run(&env, &["import", p(&clash), "--dry-run"], 1);
    assert!(
        out.contains(
            "line 2, column \"Serial Number\": serial 'sn-aaa' is already on asset IT-0001"
        ),
        "{out}"
    );
    assert!(
        out.contains("line 4, column \"Serial Number\": serial 'X1' is also on line 3"),
        "{out}"
    );
}

#[test]
fn duplicate_columns_are_named() {
    let env = Env::new();
    let csv = file(
        &env,
        "d.csv",
        b"Asset Tag,Category,Name,category\nA1,x,y,z\n",
    );
    let (out, _) = run(&env, &["import", p(&csv)], 1);
    assert!(
        out.contains("duplicate columns: \"Category\" (columns 2, 4)"),
        "{out}"
    );
    assert_eq!(count(&env, "assets"), 0);
}

#[test]
fn bom_line_endings_and_windows_1252_are_read() {
    let env = Env::new();
    let bom = file(
        &env,
        "bom.csv",
        b"\xEF\xBB\xBFAsset Tag,Asset Name\r\nB1,Caf\xC3\xA9\r\n",
    );
    let cr = file(
        &env,
        "cr.csv",
        b"Asset Tag,Asset Name,Asset Notes\rC1,one,\"two\rlines\"\rC2,two,\r",
    );
    let crlf = file(
        &env,
        "crlf.csv",
        b"Asset Tag,Asset Name\r\nL1,a\r\nL2,b\r\n",
    );
    let cp = file(&env, "cp.csv", b"Asset Tag,Asset Name\nW1,Caf\xE9 \x80\n");
    run(&env, &["import", p(&bom)], 0);
    run(&env, &["import", p(&cr)], 0);
    run(&env, &["import", p(&crlf)], 0);
    let (out, _) = run(&env, &["import", p(&cp)], 0);
    assert!(out.contains("Windows-1252"), "{out}");
    let s = store(&env);
    assert_eq!(s.asset("B1").unwrap().name.as_deref(), Some("Café"));
    assert_eq!(s.asset("C1").unwrap().notes.as_deref(), Some("two\nlines"));
    assert_eq!(s.asset("C2").unwrap().name.as_deref(), Some("two"));
    assert!(s.asset("L2").is_ok());
    assert_eq!(s.asset("W1").unwrap().name.as_deref(), Some("Café €"));
}

#[test]
fn costs_with_symbols_separators_and_decimal_commas() {
    let env = Env::new();
    let us = file(
        &env,
        "us.csv",
        b"Asset Tag,Purchase Cost\nM1,\"$1,234.56\"\nM2,12.5\n",
    );
    run(&env, &["import", p(&us)], 0);
    let eu = file(
        &env,
        "eu.csv",
        "Asset Tag,Purchase Cost,Purchase Date\nE1,\"1.234,56 €\",23.01.2023\n".as_bytes(),
    );
    let (out, _) = run(&env, &["import", p(&eu), "--dry-run"], 1);
    assert!(out.contains("--decimal-comma"), "{out}");
    run(
        &env,
        &[
            "import",
            p(&eu),
            "--decimal-comma",
            "--date-format",
            "%d.%m.%Y",
        ],
        0,
    );
    let s = store(&env);
    let m1 = s.asset("M1").unwrap();
    assert_eq!(
        (
            m1.purchase_cost.map(|v| v.to_string()).as_deref(),
            m1.currency.as_deref()
        ),
        (Some("1234.56"), Some("USD"))
    );
    assert_eq!(
        s.asset("M2")
            .unwrap()
            .purchase_cost
            .map(|v| v.to_string())
            .as_deref(),
        Some("12.50")
    );
    let e1 = s.asset("E1").unwrap();
    assert_eq!(
        (
            e1.purchase_cost.map(|v| v.to_string()).as_deref(),
            e1.currency.as_deref()
        ),
        (Some("1234.56"), Some("EUR"))
    );
    assert_eq!(
        e1.purchase_date.map(|v| v.to_string()).as_deref(),
        Some("2023-01-23")
    );
}

#[test]
fn spreadsheet_scientific_notation_is_flagged() {
    let env = Env::new();
    let csv = file(
        &env,
        "e.csv",
        b"Asset Tag,Serial Number\n6.37702E+15,ok\nT2,5.02E+18\n",
    );
    let (out, _) = run(&env, &["import", p(&csv)], 1);
    assert!(
        out.contains("line 2, column \"Asset Tag\": '6.37702E+15' looks like a number"),
        "{out}"
    );
    assert!(
        out.contains("line 3, column \"Serial Number\": '5.02E+18'"),
        "{out}"
    );
    assert_eq!(count(&env, "assets"), 0);
}

/// A register with every status, a check-out with a due date, owners, costs and warranties.
fn varied() -> Env {
    let e = Env::seeded();
    for (tag, serial) in [
        ("IT-0002", "SN-B"),
        ("IT-0003", "SN-C"),
        ("IT-0004", "SN-D"),
        ("IT-0005", "SN-E"),
        ("IT-0006", "SN-F"),
    ] {
        e.ok(&[
            "add",
            "--tag",
            tag,
            "--serial",
            serial,
            "--name",
            &format!("Thing, \"{tag}\""),
            "--model",
            "ThinkPad T14",
            "--manufacturer",
            "Lenovo",
            "--category",
            "Laptop",
            "--cost",
            "1234.5",
            "--currency",
            "EUR",
            "--location",
            "HQ-201",
            "--owner",
            "jdoe",
            "--supplier",
            "CDW",
            "--order",
            "PO-7",
            "--purchased",
            "2024-02-29",
            "--warranty-until",
            "2027-03-01",
            "--eol",
            "2029-01-01",
            "--notes",
            "line one\nline two",
        ]);
    }
    e.ok(&["add", "--tag", "IT-0007", "--status", "ordered"]);
    e.ok(&["checkout", "IT-0001", "--to", "jdoe", "--due", "2027-01-31"]);
    e.ok(&["status", "IT-0002", "in_repair"]);
    e.ok(&["status", "IT-0003", "lost"]);
    e.ok(&["status", "IT-0004", "retired"]);
    e.ok(&["status", "IT-0005", "retired"]);
    e.ok(&["dispose", "IT-0005", "--method", "recycle"]);
    e.ok(&["condition", "IT-0006", "fair"]);
    e
}

fn assets_json(env: &Env) -> Vec<serde_json::Value> {
    let s = store(env);
    let mut all = Vec::new();
    s.for_each_asset(|a| {
        let mut v = serde_json::to_value(&a).expect("json");
        for k in ["created_at", "updated_at", "last_seen_at"] {
            v.as_object_mut().expect("object").remove(k);
        }
        all.push(v);
        Ok::<(), itam::store::StoreError>(())
    })
    .expect("read assets");
    all.sort_by_key(|v| v["tag"].as_str().unwrap_or_default().to_string());
    all
}

#[test]
fn export_then_import_gives_the_same_assets_in_every_format() {
    let src = varied();
    let original = assets_json(&src);
    assert_eq!(original.len(), 7);
    // The Snipe-IT format carries only what Snipe-IT has (see tests/snipeit.rs).
    for format in ["csv", "json", "jsonl"] {
        let out = src.dir.path().join(format!("export.{format}"));
        src.ok(&["export", "--format", format, "--out", p(&out)]);
        let fresh = Env::new();
        let (report, _) = run(&fresh, &["import", p(&out)], 0);
        assert!(
            report.contains("created             7"),
            "{format}: {report}"
        );
        let copy = assets_json(&fresh);
        assert_eq!(copy.len(), original.len(), "{format}");
        for (a, b) in original.iter().zip(&copy) {
            for (k, v) in a.as_object().expect("object") {
                assert_eq!(Some(v), b.get(k), "{format}: {} field {k}", a["tag"]);
            }
        }
    }
}

#[test]
fn export_people_locations_and_events() {
    let env = varied();
    let people = env.ok(&["export", "--kind", "people"]);
    assert!(
        people
            .starts_with("username,full_name,email,badge,team,active,holds,title,phone,location\n"),
        "{people}"
    );
    assert!(
        people.contains("jdoe,Jane Doe,,B1001,IT,true,1"),
        "{people}"
    );
    let snipe = env.ok(&["export", "--kind", "people", "--format", "snipeit"]);
    assert!(
        snipe.starts_with("First Name,Last Name,Username,Email,Employee Number,Department"),
        "{snipe}"
    );
    assert!(
        snipe.contains("Ann,Smith,asmith,ann@example.com"),
        "{snipe}"
    );
    // People exported in Snipe-IT form import back.
    let f = file(&env, "people.csv", snipe.as_bytes());
    let fresh = Env::new();
    run(&fresh, &["import", p(&f), "--kind", "people"], 0);
    assert_eq!(
        store(&fresh).person("asmith").unwrap().full_name,
        "Ann Smith"
    );

    let locs = env.ok(&["export", "--kind", "locations", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&locs).expect("json");
    assert_eq!(v[1]["code"], "HQ-201");
    assert_eq!(v[1]["parent"], "HQ-101");
    let lf = file(
        &env,
        "locs.csv",
        env.ok(&["export", "--kind", "locations"]).as_bytes(),
    );
    run(&fresh, &["import", p(&lf), "--kind", "locations"], 0);
    assert_eq!(
        store(&fresh)
            .location("HQ-201")
            .unwrap()
            .unwrap()
            .parent
            .as_deref(),
        Some("HQ-101")
    );

    let ev = env.ok(&["export", "--kind", "events", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = ev
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(lines.len() as i64, count(&env, "events"));
    assert!(lines
        .iter()
        .any(|e| e["kind"] == "dispose" && e["asset"] == "IT-0005"));
    let csv = env.ok(&["export", "--kind", "events"]);
    assert!(
        csv.starts_with("id,at,actor,kind,asset,subject,before,after,note\n"),
        "{csv}"
    );
    env.fails(&["export", "--kind", "events", "--format", "snipeit"], 1);
}

#[test]
fn a_people_file_gives_job_title_phone_and_location_with_events() {
    let env = Env::new();
    env.ok(&["location", "add", "BER", "--name", "Berlin Office"]);
    let f = file(
        &env,
        "users.csv",
        b"First Name,Last Name,Username,Location,Phone,Job Title\n\
          Maria,Schmidt,mschmidt,Berlin Office,555-0100,Controller\n\
          Jan,Berg,jberg,Atlantis,,\n",
    );
    let (out, _) = run(&env, &["import", p(&f), "--kind", "people"], 0);
    // An unknown location is a row warning; the person is still added.
    assert!(out.contains("location 'Atlantis' is not known"), "{out}");
    let s = store(&env);
    let m = s.person("mschmidt").unwrap();
    assert_eq!(m.title.as_deref(), Some("Controller"));
    assert_eq!(m.phone.as_deref(), Some("555-0100"));
    assert_eq!(m.location.as_deref(), Some("BER"));
    assert_eq!(s.person("jberg").unwrap().location, None);
    drop(s);
    // Snipe-IT's `jobtitle` and the location's code, on --update: one edit event.
    let g = file(
        &env,
        "users2.csv",
        b"username,jobtitle,location\nmschmidt,CFO,ber\njberg,Intern,Berlin Office\n",
    );
    run(&env, &["import", p(&g), "--kind", "people", "--update"], 0);
    let d = env.json(&["person", "show", "mschmidt", "--json"]);
    assert_eq!(d["title"], "CFO");
    assert_eq!(d["phone"], "555-0100");
    let edits: Vec<&serde_json::Value> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "person_edit")
        .collect();
    assert_eq!(edits.len(), 2, "{d}");
    assert_eq!(edits[1]["after"]["before"]["title"], "Controller");
    assert_eq!(edits[1]["after"]["after"]["title"], "CFO");
    let list = env.json(&["person", "list", "--json"]);
    let j = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["username"] == "jberg")
        .unwrap();
    assert_eq!(j["title"], "Intern");
    assert_eq!(j["location"], "BER");
    // Edited by hand too, and "" clears.
    env.ok(&[
        "person",
        "edit",
        "jberg",
        "--phone",
        "555-0199",
        "--location",
        "",
    ]);
    let j = store(&env).person("jberg").unwrap();
    assert_eq!(j.phone.as_deref(), Some("555-0199"));
    assert_eq!(j.location, None);
    let c = env.json(&["check", "--json"]);
    assert_eq!(c["findings"].as_array().unwrap().len(), 0, "{c}");
}

/// People with title, phone and location: exported from one database and imported into a
/// fresh one (locations first, as a move does), they export again to the same file, cell by
/// cell, in itam's CSV and JSON lines and in Snipe-IT's users format.
#[test]
fn people_round_trip_with_title_phone_and_location() {
    let src = Env::new();
    src.ok(&["location", "add", "BER", "--name", "Berlin Office"]);
    src.ok(&["location", "add", "HAM-2", "--name", "Hamburg, Floor 2"]);
    src.ok(&[
        "person",
        "add",
        "mschmidt",
        "--name",
        "Maria Schmidt",
        "--email",
        "m@example.com",
        "--badge",
        "B-7",
        "--team",
        "Finance",
        "--title",
        "Controller",
        "--phone",
        "+49 30 1234",
        "--location",
        "BER",
    ]);
    src.ok(&[
        "person",
        "add",
        "jberg",
        "--name",
        "Jan Berg",
        "--title",
        "=Head of \"IT\"",
        "--phone",
        "555-0100",
        "--location",
        "HAM-2",
    ]);
    src.ok(&["person", "add", "plain", "--name", "Pat Plain"]);

    for (format, ext) in [("csv", "csv"), ("jsonl", "jsonl"), ("snipeit", "csv")] {
        let locations = src.ok(&["export", "--kind", "locations", "--format", format]);
        let people = src.ok(&["export", "--kind", "people", "--format", format]);
        // Every detail is in the file, the phone's `+` escaped in the CSVs.
        for cell in ["Controller", "49 30 1234", "555-0100", "Head of"] {
            assert!(people.contains(cell), "{format}: {cell}\n{people}");
        }
        if format != "jsonl" {
            assert!(people.contains("`+49 30 1234"), "{format}\n{people}");
            assert!(
                people.contains("\"`=Head of \"\"IT\"\"\""),
                "{format}\n{people}"
            );
        }
        let dst = Env::new();
        let l = file(&dst, &format!("locations.{ext}"), locations.as_bytes());
        let f = file(&dst, &format!("people.{ext}"), people.as_bytes());
        let no_warnings = |out: &str| {
            out.lines()
                .any(|l| l.trim_start().starts_with("warnings") && l.trim_end().ends_with(" 0"))
        };
        let (out, _) = run(&dst, &["import", p(&l), "--kind", "locations"], 0);
        assert!(no_warnings(&out), "{format}: {out}");
        let (out, _) = run(&dst, &["import", p(&f), "--kind", "people"], 0);
        assert!(no_warnings(&out), "{format}: {out}");
        let s = store(&dst);
        let m = s.person("mschmidt").unwrap();
        assert_eq!(m.title.as_deref(), Some("Controller"), "{format}");
        assert_eq!(m.phone.as_deref(), Some("+49 30 1234"), "{format}");
        assert!(m.location.is_some(), "{format}");
        let j = s.person("jberg").unwrap();
        assert_eq!(j.title.as_deref(), Some("=Head of \"IT\""), "{format}");
        drop(s);
        let again = dst.ok(&["export", "--kind", "people", "--format", format]);
        // Cell by cell first, so a failure names the cell; then byte for byte.
        let cells = |t: &str| -> Vec<Vec<String>> {
            if format == "jsonl" {
                return t
                    .lines()
                    .map(|l| {
                        let v: serde_json::Value = serde_json::from_str(l).unwrap();
                        let o = v.as_object().unwrap();
                        o.iter().map(|(k, v)| format!("{k}={v}")).collect()
                    })
                    .collect();
            }
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(t.as_bytes())
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect()
        };
        let (a, b) = (cells(&people), cells(&again));
        let rows = if format == "jsonl" { 3 } else { 4 };
        assert_eq!(a.len(), rows, "{format}: three people\n{people}");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x, y, "{format}: row {i}");
        }
        assert_eq!(again, people, "{format}");
    }
}

#[test]
fn a_leaver_exported_and_imported_again_is_still_a_leaver() {
    let src = Env::new();
    src.ok(&["person", "add", "stays", "--name", "Sam Stays"]);
    src.ok(&["person", "add", "leaver", "--name", "Lee Leaver"]);
    src.ok(&["person", "offboard", "leaver"]);
    for format in ["csv", "jsonl"] {
        let people = src.ok(&["export", "--kind", "people", "--format", format]);
        let dst = Env::new();
        let file = dst.dir.path().join(format!("people.{format}"));
        std::fs::write(&file, &people).unwrap();
        dst.ok(&["import", "--kind", "people", file.to_str().unwrap()]);
        let list = dst.json(&["person", "list", "--json"]);
        let active = |u: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|p| p["username"] == u)
                .unwrap_or_else(|| panic!("{u} imported: {list}"))["active"]
                .clone()
        };
        assert_eq!(active("stays"), serde_json::json!(true), "{format}");
        assert_eq!(active("leaver"), serde_json::json!(false), "{format}");
        // The change is in the history, and the ledger still checks.
        dst.ok(&["check"]);
    }
}

/// Rows of an import are held to the same code rules as `itam add`: one `parse` per kind.
#[test]
fn codes_follow_the_rules_of_itam_add_with_line_and_column() {
    let env = Env::seeded();
    let tables = ["assets", "events", "locations", "people"];
    let counts = |env: &Env| tables.map(|t| count(env, t));
    let before = counts(&env);
    let long_tag = "T".repeat(65);
    let csv = file(
        &env,
        "codes.csv",
        format!(
            "Asset Tag,Serial,Location\nOK-1,S-1,\n{long_tag},S-2,\nOK-3,SN\u{202E}321,\nOK-4,S-4,{}\n",
            "L".repeat(65)
        )
        .as_bytes(),
    );
    let (out, err) = run(&env, &["import", p(&csv)], 1);
    assert!(
        out.contains(&format!(
            "line 3, column \"Asset Tag\": tag '{}…' is 65 characters; the most is 64",
            "T".repeat(24)
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "line 4, column \"Serial\": serial 'SN<U+202E>321' contains control characters"
        ),
        "{out}"
    );
    assert!(
        out.contains("line 5, column \"Location\": location code 'LLLL"),
        "{out}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(counts(&env), before);
    // The same tag is refused by `itam add`, in the same words.
    let add = env
        .itam()
        .args(["add", "--tag", &long_tag])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&add.stderr).contains("is 65 characters; the most is 64"),
        "{add:?}"
    );

    // People and locations files: a badge with a space, a location code with a bidi control.
    let people = file(
        &env,
        "people.csv",
        b"Username,First Name,Last Name,Employee Number\nzed,Zed,A,B 7\n",
    );
    let (out, _) = run(&env, &["import", "--kind", "people", p(&people)], 1);
    assert!(
        out.contains("line 2, column \"Employee Number\": badge 'B 7' must be one word"),
        "{out}"
    );
    let places = file(
        &env,
        "places.csv",
        "Code,Name\nHQ\u{2066}9,Nine\n".as_bytes(),
    );
    let (out, _) = run(&env, &["import", "--kind", "locations", p(&places)], 1);
    assert!(
        out.contains("line 2, column \"Code\": location code 'HQ<U+2066>9' contains control"),
        "{out}"
    );
    assert_eq!(counts(&env), before);
}
