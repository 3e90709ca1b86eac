//! The CLI contract, through the real binary: every subcommand, its JSON and its failures.

mod common;
use common::Env;
use predicates::prelude::*;

#[test]
fn init_creates_the_default_database_with_its_folder() {
    let e = Env::new();
    e.bare()
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("itam.db"));
    let db = e.dir.path().join("data/itam/itam.db");
    assert!(db.exists());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660, "database is group read-write");
    let dir_mode = std::fs::metadata(db.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o7777;
    assert_eq!(dir_mode, 0o2770, "folder is setgid and group-writable");
}

#[test]
fn db_comes_from_env_then_config() {
    let e = Env::new();
    let from_env = e.dir.path().join("env.db");
    e.bare()
        .env("ITAM_DB", &from_env)
        .arg("init")
        .assert()
        .success();
    assert!(from_env.exists());
    let cfg = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&cfg).unwrap();
    let from_cfg = e.dir.path().join("cfg.db");
    std::fs::write(cfg.join("config.toml"), format!("db = {:?}\n", from_cfg)).unwrap();
    e.bare().arg("init").assert().success();
    assert!(from_cfg.exists());
}

#[test]
fn a_bad_config_is_refused_with_its_line() {
    // Issue 15, item 9: it used to run on the defaults, dropping read_only and db.
    let e = Env::new();
    let cfg = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "\nread_only = maybe\n").unwrap();
    e.itam()
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2").and(predicate::str::contains("config.toml")));
    assert!(!e.db().exists());
}

#[test]
fn show_json_has_the_contract_fields() {
    let e = Env::seeded();
    let v = e.json(&["show", "it-0001", "--json"]);
    for k in [
        "tag",
        "serial",
        "name",
        "model",
        "manufacturer",
        "category",
        "status",
        "condition",
        "location",
        "assignee",
        "owner",
        "supplier",
        "order_number",
        "purchase_date",
        "purchase_cost",
        "currency",
        "warranty_until",
        "eol_date",
        "notes",
        "last_seen_at",
        "created_at",
        "updated_at",
    ] {
        assert!(v.get(k).is_some(), "missing {k} in {v}");
    }
    assert_eq!(v["tag"], "IT-0001");
    assert_eq!(v["status"], "in_stock");
    assert_eq!(v["condition"], "new");
    assert_eq!(v["location"], "HQ-101");
    assert_eq!(v["assignee"], serde_json::Value::Null);
    assert_eq!(v["purchase_cost"], "1649.00");
    assert_eq!(v["currency"], "USD");
    assert_eq!(v["owner"], "IT");
    assert_eq!(v["manufacturer"], "Dell");
    // A serial finds it too, case-insensitively.
    assert_eq!(e.json(&["show", "sn-aaa", "--json"])["tag"], "IT-0001");
}

#[test]
fn the_lifecycle_end_to_end_with_history() {
    let e = Env::seeded();
    e.ok(&[
        "checkout",
        "IT-0001",
        "--to",
        "jdoe",
        "--due",
        "2026-12-31",
        "--note",
        "new starter",
    ]);
    let v = e.json(&["show", "IT-0001", "--json"]);
    assert_eq!(v["status"], "deployed");
    assert_eq!(v["assignee"], "jdoe");
    e.ok(&[
        "checkin",
        "IT-0001",
        "--condition",
        "fair",
        "--to-location",
        "HQ-201",
    ]);
    let v = e.json(&["show", "IT-0001", "--json"]);
    assert_eq!(
        (
            v["status"].as_str(),
            v["condition"].as_str(),
            v["location"].as_str()
        ),
        (Some("in_stock"), Some("fair"), Some("HQ-201"))
    );
    e.ok(&["move", "IT-0001", "--to", "HQ-101"]);
    e.ok(&["condition", "IT-0001", "poor", "--note", "cracked hinge"]);
    e.ok(&["status", "IT-0001", "in_repair"]);
    e.ok(&["status", "IT-0001", "in_stock"]);
    e.ok(&["status", "IT-0001", "retired"]);
    e.ok(&[
        "dispose",
        "IT-0001",
        "--method",
        "resale",
        "--wipe",
        "purge",
        "--certificate",
        "W-77",
        "--proceeds",
        "120.50",
        "--recipient",
        "Buyer Ltd",
    ]);
    let v = e.json(&["show", "IT-0001", "--json"]);
    assert_eq!(v["status"], "disposed");
    assert_eq!(v["disposal"]["proceeds"], "120.50");
    assert_eq!(v["disposal"]["wipe"], "purge");

    let h = e.json(&["history", "IT-0001", "--json"]);
    let kinds: Vec<_> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "create",
            "checkout",
            "checkin",
            "move",
            "condition",
            "status",
            "status",
            "status",
            "dispose"
        ]
    );
    let checkout = &h[1];
    assert_eq!(checkout["note"], "new starter");
    assert_eq!(checkout["before"]["status"], "in_stock");
    assert_eq!(checkout["after"]["assignee"], "jdoe");
    assert_eq!(h[4]["after"]["condition"], "poor");
    assert_eq!(h[4]["note"], "cracked hinge");
    let me = itam::store::os_user();
    assert!(h
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["actor"] == me.as_str()));
    // History is oldest first.
    let times: Vec<_> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["at"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);

    // Disposed is terminal, for every kind of change.
    for args in [
        vec!["checkout", "IT-0001", "--to", "jdoe"],
        vec!["move", "IT-0001", "--to", "HQ-201"],
        vec!["condition", "IT-0001", "good"],
        vec!["status", "IT-0001", "lost"],
        vec!["edit", "IT-0001", "--name", "x"],
    ] {
        let err = e.fails(&args, 1);
        assert!(err.contains("disposed"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    }
}

#[test]
fn the_actor_is_the_os_user_not_the_environment() {
    let e = Env::seeded();
    e.itam()
        .env("USER", "mallory")
        .env("LOGNAME", "mallory")
        .args(["checkout", "IT-0001", "--to", "jdoe"])
        .assert()
        .success();
    let h = e.json(&["history", "IT-0001", "--json"]);
    assert_ne!(h[1]["actor"], "mallory");
    assert_eq!(h[1]["actor"], itam::store::os_user().as_str());
}

#[test]
fn refused_transitions_say_why_and_exit_1() {
    let e = Env::seeded();
    let err = e.fails(&["checkin", "IT-0001"], 1);
    assert!(
        err.contains("cannot check in: the asset is in_stock"),
        "{err}"
    );
    e.ok(&["checkout", "IT-0001", "--to", "B1001"]); // a badge works as --to
    let err = e.fails(&["checkout", "IT-0001", "--to", "asmith"], 1);
    assert!(
        err.contains("already checked out to jdoe (Jane Doe) since"),
        "{err}"
    );
    let err = e.fails(&["status", "IT-0001", "retired"], 1);
    assert!(err.contains("cannot retire"), "{err}");
    let err = e.fails(&["dispose", "IT-0001", "--method", "recycle"], 1);
    assert!(err.contains("only from retired"), "{err}");
    let err = e.fails(&["status", "IT-0001", "deployed"], 1);
    assert!(err.contains("itam checkout"), "{err}");
}

#[test]
fn not_found_and_bad_input_exit_1_with_one_line() {
    let e = Env::seeded();
    assert!(e
        .fails(&["show", "NOPE"], 1)
        .contains("no asset has the tag or serial 'NOPE'"));
    assert!(e
        .fails(&["checkout", "IT-0001", "--to", "ghost"], 1)
        .contains("no person"));
    assert!(e
        .fails(&["move", "IT-0001", "--to", "MARS"], 1)
        .contains("no location has the code 'MARS'"));
    assert!(e
        .fails(&["add", "--tag", "X1", "--cost", "12,50"], 1)
        .contains("not an amount"));
    assert!(e
        .fails(&["add", "--tag", "X1", "--purchased", "1/2/25"], 1)
        .contains("YYYY-MM-DD"));
    assert!(e
        .fails(&["add", "--tag", "X1", "--currency", "EURO"], 1)
        .contains("currency"));
    assert!(e
        .fails(&["add", "--tag", "X1", "--status", "deployed"], 1)
        .contains("ordered or in_stock"));
    // Nothing was half-written by the refused adds.
    assert_eq!(
        e.json(&["find", "X1", "--json"]).as_array().unwrap().len(),
        0
    );
}

#[test]
fn usage_errors_exit_2() {
    let e = Env::new();
    e.fails(&["checkout", "IT-0001"], 2);
    e.fails(&["condition", "IT-0001", "mint"], 2);
    e.fails(&["frobnicate"], 2);
}

#[test]
fn tags_and_serials_are_unique_case_insensitively() {
    let e = Env::seeded();
    assert!(e
        .fails(&["add", "--tag", " it-0001 "], 1)
        .contains("already in use"));
    assert!(e
        .fails(&["add", "--tag", "IT-0002", "--serial", "sn-aaa"], 1)
        .contains("already on asset IT-0001"));
    e.ok(&[
        "add", "--tag", "IT-0002", "--serial", "SN-BBB", "--status", "ordered",
    ]);
    assert!(e
        .fails(&["edit", "IT-0002", "--serial", "SN-aaa"], 1)
        .contains("already on asset IT-0001"));
    assert!(e
        .fails(&["edit", "IT-0002", "--tag", "it-0001"], 1)
        .contains("already in use"));
}

#[test]
fn edit_changes_fields_and_records_before_and_after() {
    let e = Env::seeded();
    e.ok(&[
        "edit",
        "IT-0001",
        "--name",
        "Jane's laptop",
        "--notes",
        "spare charger in drawer",
        "--owner",
        "jdoe",
        "--cost",
        "1500.5",
        "--note",
        "fixing typo",
    ]);
    let v = e.json(&["show", "IT-0001", "--json"]);
    assert_eq!(v["name"], "Jane's laptop");
    assert_eq!(v["notes"], "spare charger in drawer");
    assert_eq!(v["owner"], "jdoe");
    assert_eq!(v["purchase_cost"], "1500.50");
    e.ok(&["edit", "IT-0001", "--notes", ""]);
    assert_eq!(
        e.json(&["show", "IT-0001", "--json"])["notes"],
        serde_json::Value::Null
    );
    let h = e.json(&["history", "IT-0001", "--json"]);
    let edit = &h[1];
    assert_eq!(edit["kind"], "edit");
    assert_eq!(edit["note"], "fixing typo");
    assert_eq!(edit["before"]["owner"], "IT");
    assert_eq!(edit["after"]["owner"], "jdoe");
    assert_eq!(edit["before"]["purchase_cost"], "1649.00");
    // An edit that changes nothing writes no event.
    e.ok(&["edit", "IT-0001", "--name", "Jane's laptop"]);
    assert_eq!(
        e.json(&["history", "IT-0001", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn find_is_fuzzy_and_exact_codes_come_first() {
    let e = Env::seeded();
    e.ok(&[
        "add",
        "--tag",
        "IT-0002",
        "--model",
        "MacBook Pro 14",
        "--manufacturer",
        "Apple",
    ]);
    e.ok(&["checkout", "IT-0002", "--to", "asmith"]);
    let r = e.json(&["find", "mbp14", "--json"]);
    assert_eq!(r[0]["tag"], "IT-0002");
    let r = e.json(&["find", "smith", "--json"]);
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["assignee"], "asmith");
    let r = e.json(&["find", "SN-AAA", "--json"]);
    assert_eq!(r[0]["tag"], "IT-0001");
    let out = e.ok(&["find", "latitude"]);
    assert!(out.contains("IT-0001"));
    let r = e.json(&["find", "IT-000", "--limit", "1", "--json"]);
    assert_eq!(r.as_array().unwrap().len(), 1);
}

#[test]
fn people_and_locations_list() {
    let e = Env::seeded();
    e.ok(&["checkout", "IT-0001", "--to", "jdoe"]);
    let p = e.json(&["person", "list", "--json"]);
    let jdoe = p
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["username"] == "jdoe")
        .unwrap();
    assert_eq!(jdoe["holds"], 1);
    assert_eq!(jdoe["badge"], "B1001");
    assert_eq!(jdoe["team"], "IT");
    assert!(e.ok(&["person", "list"]).contains("Jane Doe"));
    let l = e.json(&["location", "list", "--json"]);
    assert_eq!(l[1]["parent"], "HQ-101");
    assert!(e
        .fails(&["person", "add", "JDOE", "--name", "Dup"], 1)
        .contains("already in use"));
    assert!(e
        .fails(
            &["person", "add", "x2", "--name", "X", "--badge", "b1001"],
            1
        )
        .contains("already belongs to jdoe"));
    assert!(e
        .fails(&["location", "add", "hq-101", "--name", "Dup"], 1)
        .contains("already in use"));
    assert!(e
        .fails(
            &["location", "add", "X", "--name", "X", "--parent", "NOPE"],
            1
        )
        .contains("no parent"));
    assert!(e.ok(&["location", "list"]).contains("IT Depot"));
}

#[test]
fn read_only_refuses_writes_and_allows_reads() {
    let e = Env::seeded();
    let err = {
        let out = e
            .itam()
            .args(["--read-only", "checkout", "IT-0001", "--to", "jdoe"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(err.contains("read-only"), "{err}");
    let out = e
        .itam()
        .args(["--read-only", "show", "IT-0001", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(e.json(&["show", "IT-0001", "--json"])["status"], "in_stock");
}

#[test]
fn read_only_from_config() {
    let e = Env::seeded();
    let cfg = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "read_only = true\n").unwrap();
    assert!(e
        .fails(&["move", "IT-0001", "--to", "HQ-201"], 1)
        .contains("read-only"));
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    sqlite_only!("it sets PRAGMA user_version and compares the SQLite file's bytes");
    let e = Env::new();
    {
        let c = rusqlite::Connection::open(e.db()).unwrap();
        c.execute_batch("PRAGMA user_version = 999; CREATE TABLE future(x);")
            .unwrap();
    }
    let before = std::fs::read(e.db()).unwrap();
    let err = e.fails(&["show", "X"], 1);
    assert!(
        err.contains("schema version 999") && err.contains("not modified"),
        "{err}"
    );
    assert_eq!(std::fs::read(e.db()).unwrap(), before);
    assert!(!e.dir.path().join("itam.db-wal").exists());
}

#[test]
fn control_characters_are_shown_visibly() {
    let e = Env::seeded();
    e.ok(&[
        "edit",
        "IT-0001",
        "--name",
        "evil\x1b[31mred\x07",
        "--notes",
        "a\u{202E}b",
    ]);
    let out = e.ok(&["show", "IT-0001"]);
    assert!(out.contains("evil^[[31mred^G"), "{out}");
    assert!(out.contains("a<U+202E>b"), "{out}");
    assert!(!out.contains('\x1b'));
    let out = e.ok(&["history", "IT-0001"]);
    assert!(!out.contains('\x1b') && out.contains("^["));
    // JSON keeps the exact text (escaped by JSON itself).
    assert_eq!(
        e.json(&["show", "IT-0001", "--json"])["name"],
        "evil\x1b[31mred\x07"
    );
}

#[test]
fn demo_is_deterministic_and_refuses_a_filled_database() {
    let a = Env::new();
    let b = Env::new();
    a.ok(&["demo", "--assets", "300", "--seed", "7"]);
    b.ok(&["demo", "--assets", "300", "--seed", "7"]);
    let strip = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let mut x = x.clone();
                x.as_object_mut().unwrap().remove("created_at");
                x.as_object_mut().unwrap().remove("updated_at");
                x
            })
            .collect::<Vec<_>>()
    };
    let fa = strip(a.json(&["find", "IT-0001", "--limit", "200", "--json"]));
    let fb = strip(b.json(&["find", "IT-0001", "--limit", "200", "--json"]));
    assert_eq!(fa.len(), 200);
    assert_eq!(fa, fb);
    let statuses: std::collections::HashSet<_> = fa
        .iter()
        .map(|x| x["status"].as_str().unwrap().to_string())
        .collect();
    assert!(
        statuses.len() >= 6,
        "demo spans the lifecycle: {statuses:?}"
    );
    assert!(a.fails(&["demo"], 1).contains("already holds assets"));
    assert_eq!(
        a.json(&["person", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        100,
        "one person per three assets"
    );
    assert_eq!(a.sql("SELECT count(*) FROM assets"), "300");
    // Every deployed demo asset's history ends in its checkout.
    let bad = a.sql(
        "SELECT count(*) FROM assets a WHERE status = 'deployed' AND
         (SELECT kind FROM events e WHERE e.asset_id = a.id ORDER BY id DESC LIMIT 1) <> 'checkout'",
    );
    assert_eq!(bad, "0");
}

#[test]
fn events_are_append_only() {
    let e = Env::seeded();
    let err = e.sql_err("UPDATE events SET actor = 'x'");
    assert!(err.contains("append-only"), "{err}");
    let err = e.sql_err("DELETE FROM events");
    assert!(err.contains("append-only"), "{err}");
}

#[test]
fn four_processes_racing_for_one_asset_exactly_one_wins() {
    let e = Env::seeded();
    for u in ["u1", "u2", "u3", "u4"] {
        e.ok(&["person", "add", u, "--name", u]);
    }
    let db = e.target();
    let children: Vec<_> = ["u1", "u2", "u3", "u4"]
        .iter()
        .map(|u| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("itam"))
                .env("XDG_CONFIG_HOME", e.dir.path().join("config"))
                .arg("--db")
                .arg(&db)
                .args(["checkout", "IT-0001", "--to", u])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let winners: Vec<_> = outs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(winners.len(), 1, "exactly one check-out succeeds");
    let holder = e.json(&["show", "IT-0001", "--json"])["assignee"]
        .as_str()
        .unwrap()
        .to_string();
    for o in outs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("already checked out to {holder}")),
            "{err}"
        );
        assert!(!err.contains("locked"), "{err}");
    }
    let h = e.json(&["history", "IT-0001", "--json"]);
    assert_eq!(
        h.as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "checkout")
            .count(),
        1
    );
}

#[test]
fn find_uses_its_cache_only_while_nothing_changed() {
    let e = Env::seeded();
    assert_eq!(
        e.json(&["find", "latitude", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let cache = e.dir.path().join("cache/itam");
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        1,
        "the index was cached"
    );
    // Another writer changes things: the next find sees it, not the stale cache.
    e.ok(&["add", "--tag", "IT-0002", "--model", "Latitude 5540"]);
    assert_eq!(
        e.json(&["find", "latitude", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A damaged cache is rebuilt, never trusted.
    for f in std::fs::read_dir(&cache).unwrap() {
        std::fs::write(f.unwrap().path(), b"ITAMIDX1garbage").unwrap();
    }
    assert_eq!(
        e.json(&["find", "latitude", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn people_and_locations_can_be_edited_with_history() {
    let e = Env::seeded();
    e.ok(&[
        "person",
        "edit",
        "jdoe",
        "--name",
        "Jane Q. Doe",
        "--email",
        "jane@example.com",
        "--badge",
        "",
        "--team",
        "Ops",
    ]);
    let p = e.json(&["person", "list", "--json"]);
    let jdoe = p
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["username"] == "jdoe")
        .unwrap()
        .clone();
    assert_eq!(
        (
            jdoe["full_name"].as_str(),
            jdoe["email"].as_str(),
            jdoe["team"].as_str()
        ),
        (Some("Jane Q. Doe"), Some("jane@example.com"), Some("Ops"))
    );
    assert!(jdoe["badge"].is_null());
    assert!(e
        .fails(&["person", "edit", "asmith", "--badge", "SN-AAA"], 1)
        .contains("ambiguous"));
    e.ok(&[
        "location",
        "edit",
        "HQ-201",
        "--name",
        "Second floor",
        "--parent",
        "",
    ]);
    let l = e.json(&["location", "list", "--json"]);
    assert_eq!(l[1]["name"], "Second floor");
    assert!(l[1]["parent"].is_null());
    assert!(e
        .fails(&["location", "edit", "HQ-201", "--parent", "HQ-201"], 1)
        .contains("own parent"));
    let n = e.sql("SELECT count(*) FROM events WHERE kind IN ('person_edit', 'location_edit')");
    assert_eq!(n, "2");
}

/// Tags printed by `find` (the first column), in order.
fn found_tags(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn find_filters_are_exact_and_combine_with_the_query() {
    let e = Env::seeded();
    for (tag, serial, model, cat, loc) in [
        ("IT-0002", "SN-BBB", "Latitude 7440", "Laptop", "HQ-201"),
        ("IT-0003", "SN-CCC", "MacBook Pro 14", "Laptop", "HQ-101"),
        ("IT-0004", "SN-DDD", "P2423", "Monitor", "HQ-101"),
    ] {
        e.ok(&[
            "add",
            "--tag",
            tag,
            "--serial",
            serial,
            "--model",
            model,
            "--category",
            cat,
            "--location",
            loc,
        ]);
    }
    e.ok(&["checkout", "IT-0003", "--to", "asmith"]);
    // Alone, with no query: in tag order. A checked-out asset keeps its recorded location.
    let out = e.ok(&["find", "--location", "hq-101"]);
    assert_eq!(found_tags(&out), ["IT-0001", "IT-0003", "IT-0004"]);
    let out = e.ok(&["find", "--category", "laptop", "--status", "in_stock"]);
    assert_eq!(found_tags(&out), ["IT-0001", "IT-0002"]);
    let out = e.ok(&["find", "--assignee", "asmith"]);
    assert_eq!(found_tags(&out), ["IT-0003"]);
    let out = e.ok(&["find", "--model", "LATITUDE 7440", "--limit", "1"]);
    assert_eq!(found_tags(&out), ["IT-0001"]);
    // With the fuzzy query: only the matches that pass.
    let r = e.json(&["find", "latitude", "--location", "HQ-201", "--json"]);
    let tags: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["IT-0002"]);
    assert!(e
        .json(&["find", "p2423", "--status", "deployed", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
    // A name that does not exist is an error, not an empty list.
    let err = e.fails(&["find", "--location", "MARS"], 1);
    assert!(err.contains("no location has the code 'MARS'"), "{err}");
    let err = e.fails(&["find", "x", "--assignee", "nobody"], 1);
    assert!(err.contains("no person has the username 'nobody'"), "{err}");
    assert!(e
        .fails(&["find", "--category", "Phones"], 1)
        .contains("no category"));
    assert!(e.fails(&["find"], 1).contains("--status"));
    e.fails(&["find", "--status", "shelved"], 2);
}

#[test]
fn find_shows_the_serial() {
    let e = Env::seeded();
    let out = e.ok(&["find", "latitude"]);
    let cols: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(cols[..3], ["IT-0001", "SN-AAA", "in_stock"], "{out}");
}

#[test]
fn person_show_lists_holdings_seats_and_history() {
    let e = Env::seeded();
    e.ok(&["checkout", "IT-0001", "--to", "jdoe", "--due", "2099-01-31"]);
    e.ok(&["licence", "add", "Microsoft 365 E3", "--seats", "5"]);
    e.ok(&["licence", "assign", "Microsoft 365 E3", "--person", "jdoe"]);
    e.ok(&["person", "edit", "jdoe", "--email", "jane@example.com"]);
    let d = e.json(&["person", "show", "B1001", "--json"]);
    assert_eq!(d["username"], "jdoe");
    assert_eq!(d["email"], "jane@example.com");
    assert_eq!(d["holding"][0]["tag"], "IT-0001");
    assert_eq!(d["seats"][0]["product"], "Microsoft 365 E3");
    let kinds: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["person_add", "checkout", "seat_assign", "person_edit"]
    );
    assert_eq!(d["history"][1]["asset"], "IT-0001");
    assert_eq!(d["history"][2]["licence"], "Microsoft 365 E3");
    // Check-in ends the holding; the history keeps it. Another person's events are not mixed in.
    e.ok(&["checkin", "IT-0001"]);
    e.ok(&["checkout", "IT-0001", "--to", "asmith"]);
    let d = e.json(&["person", "show", "jdoe", "--json"]);
    assert!(d["holding"].as_array().unwrap().is_empty());
    let kinds: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "person_add",
            "checkout",
            "seat_assign",
            "person_edit",
            "checkin"
        ]
    );
    let text = e.ok(&["person", "show", "jdoe"]);
    assert!(
        text.contains("Jane Doe") && text.contains("Microsoft 365 E3"),
        "{text}"
    );
    assert!(text.contains("holds 0"), "{text}");
    assert!(e
        .fails(&["person", "show", "ghost"], 1)
        .contains("no person"));
}

#[test]
fn person_list_has_a_header_and_the_email() {
    let e = Env::seeded();
    let out = e.ok(&["person", "list"]);
    let lines: Vec<&str> = out.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["USERNAME", "NAME", "EMAIL", "BADGE", "TEAM", "HELD"]
    );
    let ann = lines.iter().find(|l| l.starts_with("asmith")).unwrap();
    assert!(ann.contains("ann@example.com"), "{ann}");
    let jane = lines.iter().find(|l| l.starts_with("jdoe")).unwrap();
    assert!(jane.contains(" - "), "no email shows as -: {jane}");
}

#[test]
fn completions_and_the_man_page_come_from_the_cli_definition() {
    let e = Env::new();
    let run = |args: &[&str]| {
        let out = e.bare().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("_itam()") && bash.contains("checkout"),
        "{bash}"
    );
    assert!(run(&["completions", "zsh"]).starts_with("#compdef itam"));
    let fish = run(&["completions", "fish"]);
    assert!(
        fish.contains("complete -c itam") && fish.contains("person"),
        "{fish}"
    );
    let man = run(&["man"]);
    assert!(
        man.contains(".TH itam 1") && man.contains("checkout"),
        "{man}"
    );
    // Neither needs nor creates a database.
    assert!(!e.dir.path().join("data/itam/itam.db").exists());
    let out = e
        .bare()
        .args(["completions", "powershell"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_due_date_in_the_past_warns() {
    let e = Env::seeded();
    let out = e
        .itam()
        .args(["checkout", "IT-0001", "--to", "jdoe", "--due", "2020-01-31"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: the due date 2020-01-31 is in the past"),
        "{err}"
    );
    assert_eq!(
        e.json(&["show", "IT-0001", "--json"])["due_date"],
        "2020-01-31"
    );
    e.ok(&["checkin", "IT-0001"]);
    let out = e
        .itam()
        .args(["checkout", "IT-0001", "--to", "jdoe", "--due", "2099-01-31"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn refused_actions_say_why_before_asking_for_anything_else() {
    let e = Env::seeded();
    let events = |e: &Env| {
        e.json(&["history", "IT-0001", "--json"])
            .as_array()
            .unwrap()
            .len()
    };
    let before = events(&e);
    // Disposing of an in-stock asset: the reason, not "--method is required".
    let err = e.fails(&["dispose", "IT-0001"], 1);
    assert!(
        err.contains(
            "cannot dispose: the asset is in_stock (dispose is allowed only from retired)"
        ),
        "{err}"
    );
    // Bad disposal details do not hide the reason either.
    let err = e.fails(
        &[
            "dispose",
            "IT-0001",
            "--method",
            "recycle",
            "--proceeds",
            "lots",
            "--date",
            "x",
        ],
        1,
    );
    assert!(
        err.contains("cannot dispose: the asset is in_stock"),
        "{err}"
    );
    // Checking in an in-stock asset: the reason before the grade or the shelf is looked at.
    let err = e.fails(
        &[
            "checkin",
            "IT-0001",
            "--condition",
            "broken",
            "--to-location",
            "MARS",
        ],
        1,
    );
    assert!(
        err.contains("cannot check in: the asset is in_stock"),
        "{err}"
    );
    assert_eq!(events(&e), before, "nothing written");
    // Once it may be disposed of, the missing method is what is asked for.
    e.ok(&["status", "IT-0001", "retired"]);
    let err = e.fails(&["dispose", "IT-0001"], 1);
    assert!(err.contains("dispose needs --method"), "{err}");
    assert!(e.fails(&["dispose", "NOPE"], 1).contains("no asset"));
}
#[test]
fn codes_are_checked_by_one_rule_each_before_anything_is_written() {
    let e = Env::new();
    e.ok(&["init"]);
    let err = e.fails(&["add", "--tag", "IT-1\x1b[31m"], 2);
    assert!(
        err.contains("tag 'IT-1^[[31m' contains control characters"),
        "{err}"
    );
    let long = "T".repeat(65);
    let err = e.fails(&["add", "--tag", &long], 2);
    assert!(err.contains("65 characters; the most is 64"), "{err}");
    let err = e.fails(&["location", "add", "HQ\u{202E}1", "--name", "X"], 2);
    assert!(err.contains("location code 'HQ<U+202E>1'"), "{err}");
    let err = e.fails(
        &["person", "add", "jdoe", "--name", "J", "--badge", "B 1"],
        2,
    );
    assert!(err.contains("badge 'B 1' must be one word"), "{err}");
    // The store holds the same rules for every other path in (here a serial on edit).
    e.ok(&["add", "--tag", "IT-1"]);
    let err = e.fails(&["edit", "IT-1", "--serial", "S\x07N"], 1);
    assert!(
        err.contains("serial 'S^GN' contains control characters"),
        "{err}"
    );
    assert_eq!(
        e.json(&["find", "IT", "--json"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn an_error_names_each_cause_once() {
    let env = Env::new();
    env.ok(&["demo", "--assets", "3", "--seed", "1"]);
    env.sql("UPDATE assets SET purchase_date = '31/12/2025' WHERE tag = 'IT-000001'");
    let out = env.itam().args(["show", "IT-000001"]).assert().failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        err.matches("stored purchase_date '31/12/2025' is not a date")
            .count(),
        1,
        "{err}"
    );
    assert!(err.starts_with("itam: reading an asset"), "{err}");
}
