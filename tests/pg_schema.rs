//! The PostgreSQL migrations build the same schema as the SQLite ones: the same tables with the
//! same columns in the same order and types (as mapped in postgres/0001_init.sql), the same
//! NOT NULLs, defaults, foreign keys, unique keys (NOCASE ones as lower() indexes), CHECKs,
//! named indexes and triggers. Needs a cluster (`ITAM_TEST_PG`); skipped with a reason without.

mod common;

use common::pg;
use rusqlite::Connection;
use std::collections::BTreeSet;

/// Tables only PostgreSQL has.
const PG_ONLY: &[&str] = &["chain_lock", "schema_version"];

/// SQLite's schema, from the migrations as shipped.
fn sqlite_schema() -> Connection {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let c = Connection::open_in_memory().unwrap();
    for f in files {
        c.execute_batch(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    c
}

fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    pg::psql_ok(url, sql)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect()
}

#[derive(Debug, PartialEq)]
struct Column {
    name: String,
    ty: String,
    not_null: bool,
    default: Option<String>,
}

fn sqlite_type(decl: &str) -> &'static str {
    match decl.to_ascii_uppercase().as_str() {
        "INTEGER" => "bigint",
        "TEXT" => "text",
        "REAL" => "double precision",
        "BLOB" => "bytea",
        other => panic!("no PostgreSQL mapping for SQLite type {other}"),
    }
}

/// `'good'::text` -> `'good'`, `1` -> `1`.
fn pg_default(d: &str) -> String {
    d.trim_end_matches("::text")
        .trim_end_matches("::bigint")
        .to_string()
}

#[test]
fn postgres_migrations_build_the_sqlite_schema() {
    let Some(base) = pg::base_or_skip("postgres_migrations_build_the_sqlite_schema") else {
        return;
    };
    let db = pg::TempDb::create(&base);
    pg::migrate(&db.url);
    let lite = sqlite_schema();

    let lite_tables: BTreeSet<String> = lite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pg_tables: BTreeSet<String> = rows(
        &db.url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .into_iter()
    .map(|r| r[0].clone())
    .filter(|t| !PG_ONLY.contains(&t.as_str()))
    .collect();
    assert_eq!(lite_tables, pg_tables, "the same tables");

    let mut checked_columns = 0;
    for table in &lite_tables {
        // Columns: name, order, type, NOT NULL, default; SQLite's rowid id is an identity.
        let fks: BTreeSet<(String, String, String)> = lite
            .prepare(&format!("PRAGMA foreign_key_list({table})"))
            .unwrap()
            .query_map([], |r| Ok((r.get(3)?, r.get(2)?, r.get(4)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let info: Vec<(String, String, bool, Option<String>, i64)> = lite
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? == 1,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let pk_cols = info.iter().filter(|c| c.4 > 0).count();
        let rowid_alias = info
            .iter()
            .find(|c| c.4 == 1 && pk_cols == 1 && c.1.eq_ignore_ascii_case("INTEGER"))
            .map(|c| c.0.clone());
        let lite_cols: Vec<Column> = info
            .iter()
            .map(|(name, ty, not_null, default, pk)| Column {
                name: name.clone(),
                ty: sqlite_type(ty).to_string(),
                not_null: *not_null || *pk > 0,
                default: default.clone(),
            })
            .collect();
        let pg_rows = rows(
            &db.url,
            &format!(
                "SELECT column_name, data_type, is_nullable, coalesce(column_default, '<none>'), is_identity,
                        coalesce(collation_name, '<none>')
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}'
                 ORDER BY ordinal_position"
            ),
        );
        let pg_cols: Vec<Column> = pg_rows
            .iter()
            .map(|r| Column {
                name: r[0].clone(),
                ty: r[1].clone(),
                not_null: r[2] == "NO",
                default: (r[3] != "<none>").then(|| pg_default(&r[3])),
            })
            .collect();
        assert_eq!(lite_cols, pg_cols, "columns of {table}");
        checked_columns += pg_cols.len();
        for r in &pg_rows {
            // Text compares and sorts by code point, as SQLite's BINARY, in any database locale.
            if r[1] == "text" {
                assert_eq!(r[5], "C", "{table}.{}: COLLATE \"C\"", r[0]);
            }
            let is_fk = fks.iter().any(|(from, _, _)| *from == r[0]);
            let want_identity = rowid_alias.as_deref() == Some(r[0].as_str()) && !is_fk;
            assert_eq!(
                r[4] == "YES",
                want_identity,
                "{table}.{}: identity exactly where SQLite has its own rowid id",
                r[0]
            );
        }

        // Foreign keys: (column, table, column).
        let pg_fks: BTreeSet<(String, String, String)> = rows(
            &db.url,
            &format!(
                "SELECT a.attname, c.confrelid::regclass::text, af.attname
                 FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                 JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
                 WHERE c.contype = 'f' AND c.conrelid = '{table}'::regclass"
            ),
        )
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
        assert_eq!(fks, pg_fks, "foreign keys of {table}");

        // Unique keys, as column lists (lower(col) counts as col), besides the rowid id.
        let mut lite_unique = BTreeSet::new();
        let indexes: Vec<(String, bool, String)> = lite
            .prepare(&format!("PRAGMA index_list({table})"))
            .unwrap()
            .query_map([], |r| Ok((r.get(1)?, r.get::<_, i64>(2)? == 1, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (name, unique, origin) in &indexes {
            if origin == "c" {
                let found = pg::psql_ok(
                    &db.url,
                    &format!("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '{table}' AND indexname = '{name}'"),
                );
                assert_eq!(found, "1", "index {name} on {table}");
            }
            if *unique {
                let cols: Vec<String> = lite
                    .prepare(&format!("PRAGMA index_info({name})"))
                    .unwrap()
                    .query_map([], |r| r.get(2))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                lite_unique.insert(cols.join(","));
            }
        }
        let pg_unique: BTreeSet<String> = rows(
            &db.url,
            &format!(
                "SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ',' ORDER BY k)
                 FROM pg_index i, generate_series(1, i.indnkeyatts) k
                 WHERE i.indrelid = '{table}'::regclass AND i.indisunique
                 GROUP BY i.indexrelid"
            ),
        )
        .into_iter()
        .map(|r| {
            r[0].split(',')
                .map(|c| {
                    c.trim()
                        .trim_start_matches("lower(")
                        .trim_end_matches(')')
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|cols| Some(cols.as_str()) != rowid_alias.as_deref())
        .collect();
        assert_eq!(lite_unique, pg_unique, "unique keys of {table}");

        // CHECK constraints: as many (SQLite keeps them only in the table's SQL).
        let sql: String = lite
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let lite_checks = sql.matches("CHECK (").count() + sql.matches("CHECK(").count();
        let pg_checks: usize = pg::psql_ok(
            &db.url,
            &format!("SELECT count(*) FROM pg_constraint WHERE contype = 'c' AND conrelid = '{table}'::regclass"),
        )
        .parse()
        .unwrap();
        assert_eq!(lite_checks, pg_checks, "CHECK constraints of {table}");
    }
    assert!(checked_columns > 150, "{checked_columns} columns compared");

    // Every SQLite trigger exists on PostgreSQL under its name, on the same table.
    let triggers: Vec<(String, String)> = lite
        .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(triggers.len() >= 4);
    for (name, table) in triggers {
        let found = pg::psql_ok(
            &db.url,
            &format!("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = '{name}' AND tgrelid = '{table}'::regclass"),
        );
        assert_eq!(found, "1", "trigger {name} on {table}");
    }
}

/// The append-only triggers refuse with SQLite's messages, whoever asks (here the owner, who has
/// every privilege, so only the triggers stand in the way); names compare and sort as on SQLite
/// even in a database whose own locale folds and sorts otherwise.
#[test]
fn history_is_append_only_and_text_behaves_as_on_sqlite() {
    let Some(base) = pg::base_or_skip("history_is_append_only_and_text_behaves_as_on_sqlite")
    else {
        return;
    };
    // C.UTF-8: lower() folds É there, unlike NOCASE; the columns' own "C" must win.
    let db = pg::TempDb::create_with(&base, "TEMPLATE template0 LOCALE 'C.UTF-8'");
    assert_eq!(pg::psql_ok(&db.url, "SELECT lower('É')"), "é");
    pg::migrate(&db.url);
    pg::psql_ok(
        &db.url,
        "INSERT INTO events(kind, actor, at) VALUES ('create', 'x', '2026-01-01T00:00:00Z');
         INSERT INTO event_chain(event_id, hash) VALUES (1, 'h')",
    );
    for (sql, message) in [
        (
            "UPDATE events SET note = 'x'",
            "the events table is append-only: history cannot be changed",
        ),
        (
            "DELETE FROM events",
            "the events table is append-only: history cannot be deleted",
        ),
        (
            "TRUNCATE events CASCADE",
            "the events table is append-only: history cannot be deleted",
        ),
        (
            "UPDATE event_chain SET hash = 'y'",
            "the history chain is append-only",
        ),
        (
            "DELETE FROM event_chain",
            "the history chain is append-only",
        ),
        ("TRUNCATE event_chain", "the history chain is append-only"),
        ("DELETE FROM chain_lock", "chain_lock must keep its one row"),
        ("TRUNCATE chain_lock", "chain_lock must keep its one row"),
    ] {
        let err = pg::psql_err(&db.url, sql);
        assert!(err.contains(message), "{sql}: {err}");
    }
    assert_eq!(
        pg::psql_ok(
            &db.url,
            "SELECT (SELECT count(*) FROM events) || ',' || (SELECT count(*) FROM event_chain) || ',' || (SELECT count(*) FROM chain_lock)"
        ),
        "1,1,1"
    );
    // NOCASE uniqueness: 'dell' and 'DELL' are one manufacturer; like NOCASE, only ASCII
    // letters fold, so 'É' and 'é' stay two.
    pg::psql_ok(
        &db.url,
        "INSERT INTO manufacturers(name) VALUES ('Dell'), ('É'), ('é')",
    );
    let err = pg::psql_err(&db.url, "INSERT INTO manufacturers(name) VALUES ('DELL')");
    assert!(err.contains("manufacturers_name"), "{err}");
    // Code-point order, as SQLite's BINARY: upper case before lower, 'É' after 'z'.
    pg::psql_ok(
        &db.url,
        "INSERT INTO manufacturers(name) VALUES ('apple'), ('Zebra')",
    );
    assert_eq!(
        pg::psql_ok(
            &db.url,
            "SELECT string_agg(name, ' ' ORDER BY name) FROM manufacturers"
        ),
        "Dell Zebra apple É é"
    );
}

/// The harness switch: with `ITAM_TEST_PG` set, each `Env` gets a database of its own, passed
/// to itam as `--db`, and dropped with the `Env`; `Env::db()` stays the SQLite path.
#[test]
fn each_env_gets_its_own_database_on_postgres() {
    let Some(base) = pg::base_or_skip("each_env_gets_its_own_database_on_postgres") else {
        return;
    };
    let (a, b) = (common::Env::new(), common::Env::new());
    let (da, db) = (a.pg.as_ref().unwrap(), b.pg.as_ref().unwrap());
    assert_ne!(da.name, db.name);
    assert!(da
        .name
        .starts_with(&format!("itam_t_{}_", std::process::id())));
    assert_eq!(a.target(), std::ffi::OsString::from(&da.url));
    assert!(a.db().ends_with("itam.db"));
    let exists = |name: &str| {
        pg::psql_ok(
            &base,
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'"),
        )
    };
    assert_eq!(pg::psql_ok(&da.url, "SELECT current_database()"), da.name);
    let name = da.name.clone();
    drop(a);
    assert_eq!(exists(&name), "0", "dropped with its Env");
    assert_eq!(exists(&db.name), "1");
}

/// `sqlite_only!` returns early, saying why, exactly when the suite runs on PostgreSQL.
#[test]
fn sqlite_only_returns_on_postgres() {
    sqlite_only!("this test checks the macro itself");
    assert!(!common::on_postgres());
}

/// chain_lock is the write lock: while one writer holds its row, the next waits (here it gives
/// up after lock_timeout, as itam does after its busy timeout), and gets it once the first ends.
#[test]
fn the_chain_lock_makes_writers_take_turns() {
    let Some(base) = pg::base_or_skip("the_chain_lock_makes_writers_take_turns") else {
        return;
    };
    let db = pg::TempDb::create(&base);
    pg::migrate(&db.url);
    let mut holder = std::process::Command::new("psql")
        .args(["-X", "-q", "-d", &db.url, "-c"])
        .arg(
            "BEGIN; SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE; \
             SELECT pg_sleep(3) /* holding the chain lock */; COMMIT;",
        )
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("psql");
    let t = std::time::Instant::now();
    while pg::psql_ok(
        &db.url,
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%/* holding the chain lock */%' AND state = 'active' AND pid <> pg_backend_pid()",
    ) != "1"
    {
        assert!(t.elapsed().as_secs() < 10, "the holder never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let err = pg::psql_err(
        &db.url,
        "SET lock_timeout = '200ms'; BEGIN; SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE",
    );
    assert!(err.contains("lock timeout"), "{err}");
    assert!(holder.wait().expect("psql").success());
    assert_eq!(
        pg::psql_ok(
            &db.url,
            "SET lock_timeout = '2s'; SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE"
        ),
        "1"
    );
}

/// A psql session kept open (as a second itam would keep its connection): commands are sent one
/// at a time and their output read back up to a marker.
struct Session {
    child: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
    n: usize,
}

impl Session {
    fn open(url: &str) -> Session {
        let mut child = std::process::Command::new("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("psql");
        let out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        Session { child, out, n: 0 }
    }

    /// Run `sql`; its output lines.
    fn run(&mut self, sql: &str) -> Vec<String> {
        use std::io::{BufRead, Write};
        self.n += 1;
        let marker = format!("-- done {} --", self.n);
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{sql}\n\\echo '{marker}'").expect("write to psql");
        stdin.flush().expect("flush");
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = self.out.read_line(&mut line).expect("read psql");
            assert!(n > 0, "psql ended before {marker} (after {lines:?})");
            let line = line.trim_end().to_string();
            if line == marker {
                return lines;
            }
            lines.push(line);
        }
    }

    /// The payloads of the itam_events notifications received so far (psql prints them after
    /// the next command it runs).
    fn notifications(&mut self) -> Vec<String> {
        self.run("SELECT 'poll';")
            .iter()
            .filter_map(|l| {
                l.strip_prefix("Asynchronous notification \"itam_events\" with payload \"")
                    .and_then(|r| r.split('"').next())
                    .map(str::to_string)
            })
            .collect()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// LISTEN itam_events: another connection learns of each committed write once, at its commit,
/// with the highest event id the statement inserted; nothing for a rolled-back write or an
/// INSERT that added no rows.
#[test]
fn a_listener_hears_each_committed_write_once() {
    let Some(base) = pg::base_or_skip("a_listener_hears_each_committed_write_once") else {
        return;
    };
    let db = pg::TempDb::create(&base);
    pg::migrate(&db.url);
    let mut tui = Session::open(&db.url);
    tui.run("LISTEN itam_events;");
    let mut writer = Session::open(&db.url);
    let insert =
        "INSERT INTO events(kind, actor, at) SELECT 'create', 'x', 'now' FROM generate_series(1, ";
    // One statement of three events: one notification, the last id.
    writer.run(&format!("{insert}3);"));
    assert_eq!(tui.notifications(), ["3"]);
    assert!(tui.notifications().is_empty(), "heard once");
    // Not before the commit, then every statement's at once.
    writer.run(&format!("BEGIN; {insert}2); {insert}1); {insert}0);"));
    assert!(tui.notifications().is_empty(), "nothing before the commit");
    writer.run("COMMIT;");
    assert_eq!(tui.notifications(), ["5", "6"]);
    // A rolled-back write says nothing (its ids are spent).
    writer.run(&format!("BEGIN; {insert}4); ROLLBACK;"));
    writer.run(&format!("{insert}0);"));
    assert!(tui.notifications().is_empty());
    writer.run(&format!("{insert}1);"));
    assert_eq!(tui.notifications(), ["11"]);
    // What was announced is there to read.
    assert_eq!(
        tui.run("SELECT count(*) || ',' || max(id) FROM events;"),
        ["7,11"]
    );
}

/// itam_missing_triggers() (what `itam check` asks on PostgreSQL) is empty on a fresh database,
/// its list is every trigger and function the migrations make (so a migration that adds one and
/// forgets the list fails here), and it names each guard dropped, disabled or replaced.
#[test]
fn itam_missing_triggers_names_each_guard_that_is_not_in_place() {
    let Some(base) =
        pg::base_or_skip("itam_missing_triggers_names_each_guard_that_is_not_in_place")
    else {
        return;
    };
    let db = pg::TempDb::create(&base);
    pg::migrate(&db.url);
    let missing = |url: &str| {
        pg::psql_ok(
            url,
            "SELECT kind || '|' || name || '|' || problem FROM itam_missing_triggers()",
        )
    };
    assert_eq!(missing(&db.url), "");
    let expected = pg::psql_ok(
        &db.url,
        "SELECT string_agg(concat_ws('|', kind, name, on_table, calls), ' ' ORDER BY kind, name)
         FROM itam_expected_triggers() WHERE kind <> 'role'",
    );
    let actual = pg::psql_ok(
        &db.url,
        "SELECT string_agg(x, ' ' ORDER BY x) FROM (
             SELECT concat_ws('|', 'function', proname) AS x FROM pg_proc
             WHERE pronamespace = current_schema()::regnamespace
             UNION ALL
             SELECT concat_ws('|', 'trigger', t.tgname, c.relname, p.proname)
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
         ) all_of_them",
    );
    assert_eq!(expected, actual);
    assert!(expected.split(' ').count() >= 25, "{expected}");

    // The owner (a superuser here) can undo any of them; each is named.
    pg::psql_ok(&db.url, "DROP TRIGGER events_actor ON events");
    assert_eq!(missing(&db.url), "trigger|events_actor|missing");
    pg::psql_ok(
        &db.url,
        "ALTER TABLE events DISABLE TRIGGER events_no_update;
         ALTER TABLE event_chain ENABLE REPLICA TRIGGER event_chain_no_delete;
         CREATE SCHEMA elsewhere;
         CREATE FUNCTION elsewhere.audits_actor() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         DROP TRIGGER audits_actor ON audits;
         CREATE TRIGGER audits_actor BEFORE INSERT ON audits FOR EACH ROW EXECUTE FUNCTION elsewhere.audits_actor();
         DROP TRIGGER events_notify ON events;
         CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_actor();
         DROP FUNCTION api_tokens_creator() CASCADE",
    );
    assert_eq!(
        missing(&db.url).lines().collect::<Vec<_>>(),
        [
            "trigger|api_tokens_creator|missing",
            "trigger|audits_actor|calls elsewhere.audits_actor() instead of audits_actor()",
            "trigger|event_chain_no_delete|disabled",
            "trigger|events_actor|missing",
            "trigger|events_no_update|disabled",
            "trigger|events_notify|calls events_actor() instead of events_notify()",
            "function|api_tokens_creator|missing",
        ]
    );
    // Anyone may ask, an auditor included.
    assert_eq!(
        pg::psql_ok(
            &db.url,
            "SET ROLE itam_auditor; SELECT count(*) FROM itam_missing_triggers()"
        ),
        "7"
    );
    // The group roles too (cluster-wide, and other tests use them: changed in a transaction
    // that is rolled back, which nobody else sees).
    let roles = pg::psql_ok(
        &db.url,
        &format!(
            "BEGIN;
             ALTER ROLE itam_auditor RENAME TO {};
             REVOKE itam_technician FROM itam_service;
             SELECT kind || '|' || name || '|' || problem FROM itam_missing_triggers() WHERE kind = 'role';
             ROLLBACK;",
            pg::unique("gone")
        ),
    );
    assert_eq!(
        roles.lines().collect::<Vec<_>>(),
        [
            "role|itam_auditor|missing",
            "role|itam_service|not a member of itam_technician",
        ]
    );
    assert_eq!(missing(&db.url).lines().count(), 7);
}
