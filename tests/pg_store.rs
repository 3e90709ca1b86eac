//! itam's own PostgreSQL backend through the binary: the core commands end to end, the
//! history sealed as the server recorded it, one winner of a four-process race, and a
//! writer that waits past the lock timeout. Needs a cluster (`ITAM_TEST_PG`); without one
//! each test says it is skipped.

mod common;

use common::{pg, Env};
use std::process::Command;

/// An Env on its own fresh database, or None (skipped) without a cluster.
fn env(test: &str) -> Option<Env> {
    pg::base_or_skip(test)?;
    let e = Env::new();
    assert!(e.pg.is_some());
    Some(e)
}

#[test]
fn core_commands_run_end_to_end_and_the_chain_is_sealed_as_recorded() {
    let Some(e) = env("core_commands_run_end_to_end_and_the_chain_is_sealed_as_recorded") else {
        return;
    };
    e.ok(&["init"]);
    e.ok(&[
        "add",
        "--tag",
        "IT-0001",
        "--model",
        "T14",
        "--category",
        "Laptop",
    ]);
    e.ok(&["person", "add", "jdoe", "--name", "Jane Doe"]);
    e.ok(&["checkout", "it-0001", "--to", "JDOE"]);
    let v = e.json(&["show", "IT-0001", "--json"]);
    assert_eq!(v["assignee"], "jdoe");
    assert!(e.ok(&["find", "t14"]).contains("IT-0001"));
    // Case-insensitive as on SQLite: the tag and the username are taken in any case.
    let dup = e.fails(&["add", "--tag", "it-0001"], 1);
    assert!(dup.contains("already"), "{dup}");
    e.ok(&["checkin", "IT-0001"]);
    let h = e.ok(&["history", "IT-0001"]);
    assert_eq!(h.lines().count(), 3, "{h}");
    // The actor is the server's session_user, and the chain itam sealed covers it.
    let url = e.pg.as_ref().map(|d| d.url.clone()).unwrap_or_default();
    let role = pg::psql_ok(&url, "SELECT session_user");
    assert!(h.lines().all(|l| l.contains(&role)), "{h}");
    let check = e.ok(&["check"]);
    assert!(check.starts_with("ok: 1 assets, 3 events"), "{check}");
    // A row changed behind itam's back (by the owner, past the triggers) is found.
    pg::psql_ok(
        &url,
        "ALTER TABLE events DISABLE TRIGGER USER;
         UPDATE events SET note = 'forged' WHERE kind = 'checkout';
         ALTER TABLE events ENABLE TRIGGER USER;",
    );
    let out = e.itam().arg("check").output().expect("run itam");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("do not match their hash"), "{text}");
}

#[test]
fn four_processes_racing_for_one_asset_exactly_one_wins_and_the_others_name_it() {
    let Some(e) =
        env("four_processes_racing_for_one_asset_exactly_one_wins_and_the_others_name_it")
    else {
        return;
    };
    e.ok(&["init"]);
    e.ok(&["add", "--tag", "IT-0001"]);
    for u in ["u1", "u2", "u3", "u4"] {
        e.ok(&["person", "add", u, "--name", u]);
    }
    let bin = assert_cmd::cargo::cargo_bin("itam");
    let racers: Vec<_> = ["u1", "u2", "u3", "u4"]
        .iter()
        .map(|u| {
            Command::new(&bin)
                .env("XDG_CONFIG_HOME", e.dir.path().join("config"))
                .env("XDG_DATA_HOME", e.dir.path().join("data"))
                .arg("--db")
                .arg(e.target())
                .args(["checkout", "IT-0001", "--to", u])
                .output_async()
        })
        .collect();
    let outs: Vec<_> = racers.into_iter().map(|c| c.wait()).collect();
    let winners = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(winners, 1, "exactly one check-out succeeds");
    let holder = e.json(&["show", "IT-0001", "--json"])["assignee"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for o in outs.iter().filter(|o| !o.status.success()) {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("already checked out to {holder}")),
            "{err}"
        );
    }
    assert!(e.ok(&["check"]).starts_with("ok:"));
}

#[test]
fn a_writer_waiting_past_the_timeout_is_told_who_holds_the_lock() {
    let Some(e) = env("a_writer_waiting_past_the_timeout_is_told_who_holds_the_lock") else {
        return;
    };
    e.ok(&["init"]);
    e.ok(&["add", "--tag", "IT-0001"]);
    let url = e.pg.as_ref().map(|d| d.url.clone()).unwrap_or_default();
    // Another session holds the history chain's head for longer than itam waits.
    let mut holder = Command::new("psql")
        .args(["-X", "-q", "-d", &url, "-c"])
        .arg(
            "BEGIN; SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE; \
             SELECT pg_sleep(13); COMMIT;",
        )
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("run psql");
    std::thread::sleep(std::time::Duration::from_millis(800));
    let started = std::time::Instant::now();
    let err = e.fails(&["add", "--tag", "IT-0002"], 1);
    let waited = started.elapsed().as_secs_f64();
    let _ = holder.wait();
    assert!(waited >= 9.5, "waited only {waited} s: {err}");
    assert!(err.contains("waited 10."), "{err}");
    assert!(err.contains("psql"), "names the holder: {err}");
    assert!(err.contains("Nothing was changed; try again"), "{err}");
}

/// `Command::output` started now and collected later.
trait OutputAsync {
    fn output_async(&mut self) -> Pending;
}

struct Pending(std::process::Child);

impl OutputAsync for Command {
    fn output_async(&mut self) -> Pending {
        Pending(
            self.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn itam"),
        )
    }
}

impl Pending {
    fn wait(self) -> std::process::Output {
        self.0.wait_with_output().expect("wait for itam")
    }
}
