//! The bench's four jobs, end to end: the real binary in an 80x24 pseudo-terminal, data made
//! with the CLI, and every input counted (a key press is one, a scan is one: the code's bytes
//! in one write then Enter, as a USB wand types). Each job asserts its count (issue 13, "Inputs
//! per job") and then what the database says through the CLI.
//!
//! Opening the scan view from the list (`s`) is one key per session, not per job; it is counted
//! apart from the job.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::Env;
use pty::Pty;
use serde_json::Value;
use std::time::{Duration, Instant};

const F3: &str = "\x1bOR";
const F4: &str = "\x1bOS";
const F9: &str = "\x1b[20~";
const F10: &str = "\x1b[21~";
const CTRL_D: &str = "\x04";
const ENTER: &str = "\r";
const PGDN: &str = "\x1b[6~";
const HOME: &str = "\x1b[H";

/// Where a scan's result line shows: the scan log's title, once nothing is pending.
fn settled(lines: usize) -> String {
    format!("scan log ({lines}) — ctrl-z")
}

struct Bench {
    env: Env,
    pty: Pty,
    /// Inputs the job took so far.
    inputs: usize,
    /// Lines the scan log should hold: one per mode switch, target and scan.
    log: usize,
}

impl Bench {
    /// The app on the bench's database, with the scan view open (`s`, not counted).
    fn open(env: Env) -> Bench {
        let db = env.target();
        let pty = Pty::spawn(
            &assert_cmd::cargo::cargo_bin("itam"),
            &["--db", db.to_str().unwrap()],
            env.dir.path(),
            &[("NO_COLOR", "1")],
        );
        let mut b = Bench {
            env,
            pty,
            inputs: 0,
            log: 0,
        };
        b.expect("q quit", 10);
        b.pty.send(b"s");
        b.expect("scan or type a code", 5);
        b.log = b.log_len();
        b
    }

    fn screen(&self) -> String {
        self.pty.screen()
    }

    fn expect(&self, needle: &str, secs: u64) {
        assert!(
            self.pty.wait_for(needle, secs),
            "expected {needle:?} on screen after {} inputs:\n{}",
            self.inputs,
            self.screen()
        );
    }

    /// The scan log's length from its title.
    fn log_len(&self) -> usize {
        let s = self.screen();
        s.split("scan log (")
            .nth(1)
            .and_then(|t| t.split(')').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// One key press that adds `lines` to the scan log; waits until they show.
    fn key(&mut self, bytes: &str, lines: usize) {
        self.pty.send(bytes.as_bytes());
        self.inputs += 1;
        self.log += lines;
        if lines > 0 {
            self.expect(&settled(self.log), 5);
        }
    }

    /// One scan: the code's bytes at once, then Enter; its result line shows before the next.
    fn scan(&mut self, code: &str) {
        self.pty.send(format!("{code}\r").as_bytes());
        self.inputs += 1;
        self.log += 1;
        self.expect(&settled(self.log), 5);
    }

    /// The screen shows no failed or warned scan.
    fn assert_clean(&self) {
        let screen = self.screen();
        assert!(
            !screen.contains("FAIL") && !screen.contains("WARN"),
            "{screen}"
        );
    }

    /// Quits the app (it must exit cleanly) and hands back the bench's database.
    fn quit(self) -> Env {
        let Bench { env, mut pty, .. } = self;
        pty.send(b"\x03");
        assert!(
            pty.wait_exit(5).is_some_and(|s| s.success()),
            "itam exits cleanly"
        );
        env
    }
}

/// A bench with a person (badge B-JDOE), a room R101, another room R202 and the stockroom WH-01.
fn bench() -> Env {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&["location", "add", "R101", "--name", "Room 101"]);
    env.ok(&["location", "add", "R202", "--name", "Room 202"]);
    env.ok(&["location", "add", "WH-01", "--name", "Stockroom"]);
    env.ok(&[
        "person", "add", "jdoe", "--name", "Jane Doe", "--badge", "B-JDOE",
    ]);
    env
}

const GRADES: [&str; 5] = ["new", "good", "fair", "poor", "broken"];

/// `n` laptops tagged PREFIX-01.. at `location`, graded in turn new, good, fair, poor, broken.
fn laptops(env: &Env, prefix: &str, n: usize, location: &str) -> Vec<String> {
    let tags: Vec<String> = (1..=n).map(|i| format!("{prefix}-{i:02}")).collect();
    let mut csv = String::from("tag,serial,model,manufacturer,category,location,condition\n");
    for (i, t) in tags.iter().enumerate() {
        csv.push_str(&format!(
            "{t},SN{t},Latitude 7440,Dell,Laptop,{location},{}\n",
            GRADES[i % GRADES.len()]
        ));
    }
    let file = env.dir.path().join(format!("{prefix}.csv"));
    std::fs::write(&file, csv).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    tags
}

/// Purchase order `po` from Dell with one line: `qty` Latitude 7440 laptops at `unit_cost`.
fn order_laptops(env: &Env, po: &str, qty: u32, unit_cost: &str) {
    env.ok(&["po", "add", po, "--supplier", "Dell"]);
    let qty = qty.to_string();
    env.ok(&[
        "po",
        "line",
        po,
        "--model",
        "Latitude 7440",
        "--manufacturer",
        "Dell",
        "--category",
        "Laptop",
        "--qty",
        &qty,
        "--unit-cost",
        unit_cost,
    ]);
}

fn assets(env: &Env) -> Vec<Value> {
    let v: Value = serde_json::from_str(&env.ok(&["export", "--format", "json"])).unwrap();
    v.as_array().expect("an array of assets").clone()
}

fn show(env: &Env, tag: &str) -> Value {
    env.json(&["show", tag, "--json"])
}

#[test]
fn check_in_20_is_f4_and_20_scans_and_keeps_every_grade() {
    let env = bench();
    let tags = laptops(&env, "CI", 20, "R101");
    for t in &tags {
        env.ok(&["checkout", t, "--to", "jdoe"]);
    }
    let t0 = Instant::now();
    let mut b = Bench::open(env);
    b.key(F4, 1);
    b.expect("grade: as is", 2);
    for t in &tags {
        b.scan(t);
    }
    assert_eq!(b.inputs, 21, "F4 + 20 scans");
    // CI-20 was broken when it went out: it comes back broken, and the log says so.
    b.expect("CI-20 checked in (broken)", 2);
    b.assert_clean();
    eprintln!("check in 20: {} inputs, {:?}", b.inputs, t0.elapsed());
    let env = b.quit();
    for (i, t) in tags.iter().enumerate() {
        let a = show(&env, t);
        assert_eq!(a["status"], "in_stock", "{t}: {a}");
        assert_eq!(a["assignee"], Value::Null, "{t}");
        assert_eq!(a["condition"], GRADES[i % GRADES.len()], "{t}: grade kept");
    }
    let h = env.ok(&["history", "CI-05"]);
    assert!(h.lines().any(|l| l.contains("checkin")), "{h}");
}

#[test]
fn check_out_5_is_f3_a_badge_and_5_scans() {
    let env = bench();
    let tags = laptops(&env, "CO", 5, "WH-01");
    let t0 = Instant::now();
    let mut b = Bench::open(env);
    b.key(F3, 1);
    b.scan("B-JDOE");
    b.expect("now checking out to jdoe", 2);
    for t in &tags {
        b.scan(t);
    }
    assert_eq!(b.inputs, 7, "F3 + badge + 5 scans");
    b.assert_clean();
    eprintln!("check out 5: {} inputs, {:?}", b.inputs, t0.elapsed());
    let env = b.quit();
    for t in &tags {
        let a = show(&env, t);
        assert_eq!(a["status"], "deployed", "{t}: {a}");
        assert_eq!(a["assignee"], "jdoe", "{t}");
    }
    assert_eq!(
        assets(&env)
            .iter()
            .filter(|a| a["assignee"] == "jdoe")
            .count(),
        5
    );
}

#[test]
fn auditing_a_50_asset_room_is_f9_its_label_50_scans_and_close_and_all_of_it_reads() {
    let env = bench();
    // The room holds 50; 3 of them are gone, 2 from Room 202 turned up, 1 code is unknown.
    let room = laptops(&env, "AR", 50, "R101");
    let elsewhere = laptops(&env, "EW", 2, "R202");
    let (missing, present) = room.split_at(3);
    let mut scans: Vec<String> = present.to_vec();
    scans.extend(elsewhere.iter().cloned());
    scans.push("NOSUCH-1".into());
    assert_eq!(scans.len(), 50);
    let t0 = Instant::now();
    let mut b = Bench::open(env);
    b.key(F9, 1);
    b.scan("R101");
    b.expect("50 expected", 2);
    for c in &scans {
        b.scan(c);
    }
    // Counters stay visible during the audit.
    b.expect("found 47 · missing 3 · unexpected 2 · unknown 1", 2);
    b.key(CTRL_D, 0);
    assert_eq!(b.inputs, 53, "F9 + room label + 50 scans + close");
    eprintln!("audit 50: {} inputs, {:?}", b.inputs, t0.elapsed());
    b.expect("reconciliation", 5);
    b.expect(
        "expected 50 · found 47 · missing 3 · unexpected 2 · moved 0 · unknown 1",
        2,
    );
    // Every line of the reconciliation is reachable: page down to the end, reading each page.
    let mut seen = String::new();
    let mut pages = 0;
    loop {
        let s = b.screen();
        seen.push_str(&s);
        if s.contains("–53 of 53 ") {
            break;
        }
        assert!(pages < 10, "never reached the end:\n{s}");
        let before = s.clone();
        b.pty.send(PGDN.as_bytes());
        pages += 1;
        let end = Instant::now() + Duration::from_secs(3);
        while b.screen() == before && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    eprintln!("audit 50: the reconciliation (53 lines) read in {pages} PgDn");
    for t in missing {
        assert!(
            seen.lines()
                .any(|l| l.contains("MISSING") && l.contains(t.as_str())),
            "{t} missing"
        );
    }
    for t in &elsewhere {
        assert!(
            seen.lines()
                .any(|l| l.contains("UNEXPECTED") && l.contains(t.as_str()) && l.contains("R202")),
            "{t} unexpected, recorded at R202"
        );
    }
    for t in present {
        assert!(
            seen.lines()
                .any(|l| l.contains("FOUND") && l.contains(t.as_str())),
            "{t} found:\n{seen}"
        );
    }
    assert!(seen
        .lines()
        .any(|l| l.contains("UNKNOWN") && l.contains("NOSUCH-1")));
    // Home goes back to the top.
    b.pty.send(HOME.as_bytes());
    b.expect("1–", 2);
    let env = b.quit();
    let audits = env.json(&["audit", "list", "--json"]);
    let id = audits[0]["id"].as_i64().expect("audit id").to_string();
    let r = env.json(&["report", "audit", &id, "--json"]);
    let n = |k: &str| r[k].as_array().map_or(0, Vec::len);
    assert_eq!(r["expected"], 50, "{r}");
    assert_eq!(
        (n("found"), n("missing"), n("unexpected"), n("unknown")),
        (47, 3, 2, 1),
        "{r}"
    );
}

#[test]
fn receiving_10_is_f10_picking_the_line_and_10_scans_each_with_tag_cost_and_place() {
    let env = bench();
    std::fs::create_dir_all(env.dir.path().join("config/itam")).unwrap();
    std::fs::write(
        env.dir.path().join("config/itam/config.toml"),
        "[receiving]\ntag_pattern = \"RX-{seq:04}\"\nlocation = \"WH-01\"\n",
    )
    .unwrap();
    order_laptops(&env, "PO-7", 10, "1299.00");
    let serials: Vec<String> = (1..=10).map(|i| format!("5CG{i:07}")).collect();
    let t0 = Instant::now();
    let mut b = Bench::open(env);
    // F10 opens the line picker at once when no line is chosen; Enter takes the first.
    b.key(F10, 0);
    b.log += 1; // its "mode: RECEIVE" line, under the picker
    b.expect("receive against which line?", 2);
    b.key(ENTER, 1);
    b.expect(
        "receiving PO-7 · Latitude 7440 · next RX-0001 · received 0 of 10",
        2,
    );
    b.expect("into WH-01", 2);
    for s in &serials {
        b.scan(s);
    }
    b.expect("next RX-0011 · received 10 of 10 · 0", 2);
    assert_eq!(b.inputs, 12, "F10 + pick the line + 10 scans");
    b.assert_clean();
    eprintln!("receive 10: {} inputs, {:?}", b.inputs, t0.elapsed());
    let env = b.quit();
    for (i, s) in serials.iter().enumerate() {
        let a = show(&env, s);
        assert_eq!(a["tag"], format!("RX-{:04}", i + 1), "{a}");
        assert_eq!(a["serial"], s.as_str());
        assert_eq!(a["status"], "in_stock");
        assert_eq!(a["purchase_cost"], "1299.00", "{a}");
        assert_eq!(a["order_number"], "PO-7");
        assert_eq!(a["location"], "WH-01", "received into a place: {a}");
    }
    let po = env.ok(&["po", "show", "PO-7"]);
    assert!(po.contains("10"), "{po}");
}

#[test]
fn a_scanned_location_label_places_received_units_without_config() {
    let env = bench();
    order_laptops(&env, "PO-8", 3, "999.50");
    let mut b = Bench::open(env);
    b.key(F10, 0);
    b.log += 1;
    b.expect("receive against which line?", 2);
    b.key(ENTER, 1);
    b.expect("into (no place: scan a location label)", 2);
    b.scan("R202");
    b.expect("into R202", 2);
    for s in ["SN-A", "SN-B", "SN-C"] {
        b.scan(s);
    }
    assert_eq!(b.inputs, 6, "F10 + pick the line + the label + 3 scans");
    let env = b.quit();
    for s in ["SN-A", "SN-B", "SN-C"] {
        let a = show(&env, s);
        assert_eq!(a["location"], "R202", "{a}");
        assert_eq!(a["purchase_cost"], "999.50");
    }
}
