//! Extreme inputs (issue 15): every value parser the CLI and the importer use, and every
//! report's arithmetic, fed huge, tiny, negative, odd and malformed values. Nothing may panic
//! or hang; a bad value is an error that says so. 256 cases per property (fixed seed in CI), then
//! a sweep of the binary itself with extreme flag values.

mod common;

use chrono::NaiveDate;
use common::Env;
use itam::domain::currency::{self, Totals};
use itam::domain::depreciation::{book_value, Convention, Method, Rule, Salvage};
use itam::domain::licence::{self, CostBasis};
use itam::domain::money::{self, max_amount};
use itam::domain::{Condition, Status};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: if std::env::var_os("CI").is_some() {
            proptest::test_runner::RngSeed::Fixed(0x15)
        } else {
            proptest::test_runner::RngSeed::Random
        },
        ..ProptestConfig::default()
    }
}

/// Text a value parser may meet: numbers of every size and shape, and plain junk.
fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,40}(\\.[0-9]{0,40})?",
        "[0-9_,.eE+-]{0,30}",
        "[$€£¥]? ?[0-9]{1,35}([.,][0-9]{1,30})? ?[A-Z]{0,4}",
        "\\PC{0,40}",
        Just("79228162514264337593543950335".to_string()),
        Just("-79228162514264337593543950335".to_string()),
        Just("0.0000000000000000000000000001".to_string()),
        Just("9".repeat(400)),
    ]
}

/// Any amount itam accepts, from zero to the limit, with up to four decimals.
fn amount() -> impl Strategy<Value = Decimal> {
    (0i64..=10_000_000_000_000_000, 0u32..=4)
        .prop_map(|(n, scale)| (Decimal::new(n, 4).round_dp(scale)).min(max_amount()))
}

fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        // Ordinary dates, and the very ends of what chrono can hold.
        (1900i32..2200, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        prop_oneof![
            Just(Method::StraightLine),
            Just(Method::Declining150),
            Just(Method::Declining200),
            Just(Method::SumOfYears)
        ],
        prop_oneof![1u32..=1200, Just(u32::MAX), Just(0u32)],
        prop_oneof![
            amount().prop_map(Salvage::Amount),
            (0u32..=100).prop_map(|p| Salvage::Percent(Decimal::from(p)))
        ],
        prop_oneof![Just(Convention::FullMonth), Just(Convention::HalfYear)],
    )
        .prop_map(|(method, life_months, salvage, convention)| Rule {
            method,
            life_months,
            salvage,
            convention,
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_value_parser_answers_without_panicking(s in value_text()) {
        if let Ok(d) = money::parse_amount(&s) {
            prop_assert!(d <= max_amount(), "{s} gave {d}");
        }
        let _ = money::parse_currency(&s);
        for comma in [false, true] {
            if let Ok((d, _)) = itam::interop::parse::parse_cost(&s, comma) {
                prop_assert!(d <= max_amount(), "{s} gave {d}");
            }
        }
        let _ = licence::parse_seats(&s);
        let _ = itam::interop::parse::parse_date(&s, None);
        let _ = itam::interop::parse::parse_date(&s, Some("%d/%m/%Y"));
        let _ = itam::interop::parse::parse_timestamp(&s, None);
        let _ = itam::interop::parse::parse_bool(&s);
        let _ = itam::store::parse_date("--as-of", &s);
        let _ = s.parse::<Salvage>();
        let _ = s.parse::<Method>();
        let _ = s.parse::<Convention>();
        let _ = s.parse::<Status>();
        let _ = s.parse::<Condition>();
        let _ = s.parse::<CostBasis>();
        let _ = s.parse::<itam::store::GroupBy>();
        let _ = itam::config::Config::parse(&format!("[receiving]\ntag_pattern = {s:?}\n"));
    }

    #[test]
    fn tag_patterns_expand_or_refuse(width in prop_oneof![0u64..30, Just(70_000u64), Just(u64::MAX)],
                                     seq in prop_oneof![0i64..1_000_000, Just(i64::MAX), Just(i64::MIN)]) {
        let pattern = format!("IT-{{seq:{width:0>2}}}");
        match itam::store::expand_tag(&pattern, seq) {
            Ok(t) => prop_assert!(t.len() <= 64, "{pattern} gave {} chars", t.len()),
            Err(e) => prop_assert!(e.to_string().contains("tag pattern"), "{e}"),
        }
    }

    #[test]
    fn depreciation_never_panics_or_hangs(rule in rule(), cost in amount(),
                                          purchased in date(), as_of in date()) {
        for cur in ["USD", "JPY", "BHD"] {
            let started = std::time::Instant::now();
            let b = book_value(&rule, cost, cur, purchased, as_of);
            prop_assert!(started.elapsed().as_millis() < 500, "{rule:?} took {:?}", started.elapsed());
            prop_assert!(b.book_value >= Decimal::ZERO && b.book_value <= b.cost, "{b:?}");
            let _ = rule.end_of_life(purchased);
        }
    }

    #[test]
    fn licence_and_total_arithmetic_never_overflow(cost in amount(), owned in any::<u32>(),
                                                   assigned in any::<u32>(), n in 1usize..2000,
                                                   a in date(), b in date()) {
        for basis in [CostBasis::PerSeat, CostBasis::Total] {
            let seats = licence::seat_count(Some(owned), assigned);
            let _ = licence::unused_cost(Some(cost), basis, "USD", &seats);
        }
        let _ = licence::renewal_window(a, b);
        let mut t = Totals::new();
        for _ in 0..n {
            t.add("USD", cost);
            t.add("JPY", max_amount());
        }
        let _ = t.display();
        let _ = currency::round(cost, "KWD");
    }
}

/// The binary with extreme values for every flag that takes a number, a date, an amount or a
/// period: exit 0, 1 or 2 with words, never a panic.
#[test]
fn the_cli_answers_extreme_flag_values_without_panicking() {
    let e = Env::seeded();
    e.ok(&["licence", "add", "Office", "--seats", "5", "--cost", "10"]);
    let huge = "79228162514264337593543950335";
    // Kept short: each is a process per flag (about 120 in all).
    let values = [
        huge,
        "-1",
        "0",
        "1_000",
        "4294967296",
        "262143-12-31",
        "\u{202E}12",
    ];
    let mut runs = 0;
    for v in values {
        let cases: Vec<Vec<String>> = [
            vec!["report", "ghosts", "--days=V"],
            vec!["report", "depreciation", "--as-of=V"],
            vec!["report", "tco", "--as-of=V"],
            vec!["report", "eol", "--within=V"],
            vec!["report", "eol", "--as-of=V"],
            vec!["report", "licences", "--as-of=V"],
            vec!["find", "IT", "--limit=V"],
            vec!["add", "--tag", "X-1", "--cost=V"],
            vec!["add", "--tag", "X-2", "--purchased=V"],
            vec!["edit", "IT-0001", "--cost=V"],
            vec!["edit", "IT-0001", "--eol=V"],
            vec!["checkout", "IT-0001", "--to", "jdoe", "--due=V"],
            vec!["licence", "add", "L", "--seats=V"],
            vec!["licence", "add", "L", "--cost=V"],
            vec![
                "depreciation",
                "set",
                "--category",
                "Laptop",
                "--method",
                "declining_200",
                "--life-months=V",
            ],
            vec![
                "depreciation",
                "set",
                "--category",
                "Laptop",
                "--life-months",
                "1200",
                "--method",
                "sum_of_years",
            ],
            vec![
                "depreciation",
                "set",
                "--category",
                "Laptop",
                "--method",
                "straight_line",
                "--life-months",
                "36",
                "--salvage=V",
            ],
            vec!["po", "add", "PO-V", "--ordered=V"],
        ]
        .iter()
        .map(|c| c.iter().map(|a| a.replace('V', v)).collect())
        .collect();
        for args in cases {
            runs += 1;
            let out = e.itam().args(&args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{args:?}: exit {:?}: {err}",
                out.status.code()
            );
        }
    }
    eprintln!("extremes: {runs} command lines");
    // The longest life allowed, with every report that runs through it, answers promptly.
    e.ok(&[
        "depreciation",
        "set",
        "--category",
        "Laptop",
        "--method",
        "sum_of_years",
        "--life-months",
        "1200",
    ]);
    let started = std::time::Instant::now();
    for r in [
        &["report", "depreciation"][..],
        &["report", "eol", "--within", "100y"],
    ] {
        let out = e.itam().args(r).output().unwrap();
        assert!(out.status.success(), "{r:?}");
    }
    assert!(started.elapsed().as_secs() < 10);
    // Whatever got through left the ledger sound.
    let out = e.itam().args(["check"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
