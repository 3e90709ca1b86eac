//! Property tests for the parsers and the pieces that take untrusted input: the scan
//! assembler, the keymap and config parsers, the importer's planner and the code resolver.
//! 256 cases each (bounded so CI stays quick); a failure prints the input that broke it.

mod common;

use common::Env;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use itam::config::Config;
use itam::interop::import::{self, Options};
use itam::interop::{Format, Kind};
use itam::store::{NewAsset, Store};
use itam::tui::keymap::Keymap;
use itam::tui::wedge::{Assembled, Assembler};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseResult, TestRunner};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Keep no regression files in the work tree; a failure prints its input instead.
        failure_persistence: None,
        // CI runs a fixed sequence so a landing never hangs on a rare draw; locally every run
        // explores new inputs (that is how the empty-prefixed-scan bug was found).
        rng_seed: if std::env::var_os("CI").is_some() {
            proptest::test_runner::RngSeed::Fixed(0x17A3)
        } else {
            proptest::test_runner::RngSeed::Random
        },
        ..ProptestConfig::default()
    }
}

/// One key a wand or a person might send, and the gap before it in milliseconds.
fn key_and_gap() -> impl Strategy<Value = (KeyEvent, u64)> {
    let key = prop_oneof![
        8 => proptest::char::ranges(vec!['a'..='z', '0'..='9', 'A'..='Z'].into())
            .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        1 => Just(KeyEvent::new(KeyCode::Char('-'), KeyModifiers::SHIFT)),
        2 => Just(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        1 => Just(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        1 => Just(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        1 => Just(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        1 => Just(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
    ];
    // Wand bursts (0-10 ms), SSH packets (~20 ms), typing (80+ ms), all mixed.
    let gap = prop_oneof![0u64..10, 15u64..30, 35u64..50, 80u64..400];
    (key, gap)
}

fn printable(k: &KeyEvent) -> Option<char> {
    match k.code {
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => Some(c),
        _ => None,
    }
}

/// Drive the assembler the way the event loop does: flush held keys when their deadline
/// passes before the next key arrives, and drain at the end.
fn assemble(keys: &[(KeyEvent, u64)], prefix: Option<char>) -> Vec<Assembled> {
    let t0 = Instant::now();
    let mut a = Assembler::new(40, 3, prefix);
    let mut out = Vec::new();
    let mut t = t0;
    for (k, gap) in keys {
        t += Duration::from_millis(*gap);
        if let Some(d) = a.deadline() {
            if d <= t {
                out.extend(a.flush(d));
            }
        }
        out.extend(a.feed(*k, t));
    }
    out.extend(a.drain());
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_scan_assembler_never_loses_or_reorders_keys(keys in proptest::collection::vec(key_and_gap(), 0..80)) {
        let out = assemble(&keys, None);
        let sent: String = keys.iter().filter_map(|(k, _)| printable(k)).collect();
        let mut got = String::new();
        let mut accounted = 0usize;
        for o in &out {
            match o {
                Assembled::Key(k) => {
                    got.extend(printable(k));
                    accounted += 1;
                }
                // A scan stands for its characters plus the Enter (or Tab) that ended it.
                Assembled::Scan(code) => {
                    prop_assert!(code.chars().count() >= 3, "a scan shorter than min_len: {code:?}");
                    got.push_str(code);
                    accounted += code.chars().count() + 1;
                }
            }
        }
        prop_assert_eq!(got, sent);
        prop_assert_eq!(accounted, keys.len());
    }

    #[test]
    fn a_prefixed_scan_keeps_every_other_key(keys in proptest::collection::vec(key_and_gap(), 0..80)) {
        // With a prefix the prefix itself is dropped from the code; everything else survives.
        let out = assemble(&keys, Some('Z'));
        let sent: String = keys.iter().filter_map(|(k, _)| printable(k)).collect();
        let mut got = String::new();
        for o in &out {
            match o {
                Assembled::Key(k) => got.extend(printable(k)),
                // A prefixed scan drops its prefix; a plain burst never starts with it (a
                // burst that starts with the prefix is a prefixed scan), so which one this was
                // is read off what was sent.
                Assembled::Scan(code) => {
                    prop_assert!(!code.is_empty(), "an empty scan");
                    if sent[got.len()..].starts_with(&format!("Z{code}")) {
                        got.push('Z');
                    }
                    got.push_str(code);
                }
            }
        }
        prop_assert_eq!(got, sent);
    }

    #[test]
    fn the_keymap_parser_never_panics_on_any_text(text in "\\PC{0,200}") {
        if let Err(e) = Keymap::with_user(&text) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(e.line <= text.lines().count() + 1, "line {} of {}", e.line, text.lines().count());
        }
    }

    #[test]
    fn the_keymap_parser_names_the_line_of_a_bad_binding(
        view in "list|detail|scan|nope|[a-z]{1,8}",
        cmd in "quit|search|[a-z_]{1,10}",
        key in "\\PC{0,12}",
        blank in 0usize..4,
    ) {
        let text = format!("{}[{view}]\n{cmd} = [{key:?}]\n", "\n".repeat(blank));
        if let Err(e) = Keymap::with_user(&text) {
            prop_assert!(!e.message.is_empty());
            // A conflict between two bindings has no single line; anything else points at one.
            if !e.message.contains("bound to both") {
                prop_assert!(e.line > blank, "{e} in {text:?}");
            }
            prop_assert!(e.to_string().starts_with("line "));
        }
    }

    #[test]
    fn the_config_parser_never_panics_and_says_where(text in "\\PC{0,200}") {
        if let Err(e) = Config::parse(&text) {
            prop_assert!(!e.is_empty());
        }
    }

    #[test]
    fn a_bad_config_value_names_its_line(
        section in "scan|labels|receiving",
        key in "max_gap_ms|min_len|prefix|printer|[a-z]{1,6}",
        value in "-?[0-9]{1,25}|\"\\PC{0,10}\"|true|\\[\\]",
        blank in 0usize..4,
    ) {
        let text = format!("{}[{section}]\n{key} = {value}\n", "\n".repeat(blank));
        if let Err(e) = Config::parse(&text) {
            prop_assert!(e.contains("line"), "{e}");
        }
    }
}

/// One database for all of a test's cases (an SQLite file, or the test's own PostgreSQL
/// database under `ITAM_TEST_PG`: a database per case would cost a CREATE DATABASE and the
/// migrations 256 times), with the cases run by hand so that it outlives them.
fn run_cases<S: Strategy>(
    strategy: S,
    case: impl Fn(&Env, &RefCell<Store>, S::Value) -> TestCaseResult,
) where
    S::Value: std::fmt::Debug,
{
    let env = Env::new();
    let store = RefCell::new(env.store());
    let mut runner = TestRunner::new(config());
    if let Err(e) = runner.run(&strategy, |v| case(&env, &store, v)) {
        panic!("{e}");
    }
}

/// CSV-ish text: known headers, quotes, separators, odd bytes and ragged rows.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        "[A-Za-z0-9 ./-]{0,12}",
        Just("\"".to_string()),
        Just("\"a,b\"".to_string()),
        Just("\"x\"\"y\"".to_string()),
        "20[0-9]{2}-[0-9]{2}-[0-9]{2}",
        "[0-9]{1,3}[.,][0-9]{2}",
        "\\PC{0,6}",
    ];
    let header = proptest::sample::subsequence(
        vec![
            "Asset Tag",
            "Asset Name",
            "Model",
            "Serial Number",
            "Purchase Date",
            "Purchase Cost",
            "Location",
            "Status",
            "Checked Out To: Username",
            "tag",
            "username",
            "code",
            "name",
            "Manufacturer",
            "Category",
            "Notes",
        ],
        0..8,
    );
    (
        header,
        proptest::collection::vec(proptest::collection::vec(cell, 0..9), 0..12),
        any::<bool>(),
    )
        .prop_map(|(header, rows, crlf)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut s = header.join(",");
            for r in rows {
                s.push_str(nl);
                s.push_str(&r.join(","));
            }
            s.into_bytes()
        })
}

#[test]
fn the_importer_plans_any_bytes_without_panicking() {
    let kind = prop_oneof![
        Just(Kind::Assets),
        Just(Kind::People),
        Just(Kind::Locations),
        Just(Kind::Models)
    ];
    let format = prop_oneof![
        Just(Format::Auto),
        Just(Format::Snipeit),
        Just(Format::Csv),
        Just(Format::Json),
        Just(Format::Jsonl)
    ];
    let bytes = prop_oneof![proptest::collection::vec(any::<u8>(), 0..400), csvish()];
    // Planning only reads, so the register stays empty across cases.
    run_cases(
        (bytes, kind, format, "csv|json|jsonl|txt"),
        |env, store, (bytes, kind, format, ext)| {
            let path = env.dir.path().join(format!("in.{ext}"));
            std::fs::write(&path, &bytes).unwrap();
            let opts = Options {
                kind,
                format,
                ..Options::default()
            };
            match import::plan(&store.borrow(), &path, &opts) {
                Ok(p) => {
                    // Every problem it found is explained.
                    for i in &p.issues {
                        prop_assert!(!i.message.is_empty());
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
            Ok(())
        },
    );
}

#[test]
fn the_code_resolver_takes_any_text_and_ignores_tag_case() {
    let added = Cell::new(0u32);
    run_cases(
        (
            "[A-Za-z][A-Za-z0-9-]{0,14}",
            "\\PC{0,40}|[\\x00-\\x1f%_'\"\\\\]{0,10}",
        ),
        |_env, store, (tag, junk)| {
            let mut store = store.borrow_mut();
            // Arbitrary text never panics and never errors (on a register of earlier cases' tags).
            prop_assert!(store.find_code(&junk).is_ok());
            // A prefix unique to the case: cases share the database, and shrinking repeats tags.
            added.set(added.get() + 1);
            let tag = format!("{tag}-{}", added.get());
            store
                .add_asset(&NewAsset {
                    tag: tag.clone(),
                    ..NewAsset::default()
                })
                .unwrap();
            for probe in [
                tag.to_lowercase(),
                tag.to_uppercase(),
                format!(" {tag}\r\n"),
            ] {
                let found = store.find_code(&probe).unwrap();
                prop_assert_eq!(found.map(|a| a.tag), Some(tag.clone()), "probe {:?}", probe);
            }
            // LIKE wildcards in a code match nothing else.
            prop_assert!(store.find_code("%").unwrap().is_none());
            prop_assert!(store.find_code("_").unwrap().is_none());
            Ok(())
        },
    );
}
