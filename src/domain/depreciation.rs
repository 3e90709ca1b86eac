//! Depreciation: how an asset's book value falls from its cost to its salvage value.
//!
//! Methods: straight-line, declining balance at 150% or 200% of the straight-line rate (switching
//! to straight-line over the remaining life as soon as that charges more), and sum-of-years'
//! digits. Life is in months; salvage is an amount or a percentage of cost.
//!
//! Conventions (when the first charge falls):
//! - `full_month`: the month of purchase counts as a whole month, whatever the day. A month's
//!   charge is taken on the first day of the next month: bought any day in January 2024, twelve
//!   months are charged as of any day in January 2025.
//! - `half_year`: every asset is treated as placed in service at mid-year (1 July of the year of
//!   purchase), so the first calendar year carries half a year's charge and the last the other half.
//!
//! The yearly methods (declining balance, sum-of-years' digits) compute a charge per year of life
//! and spread it evenly over that year's months. Amounts are exact decimals until the end, where
//! the accumulated depreciation is rounded half-even to the currency's minor unit; the book value
//! never falls below salvage.

use super::currency;
use super::text_enum;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    StraightLine,
    Declining150,
    Declining200,
    SumOfYears,
}

text_enum!(Method, "depreciation method", {
    StraightLine => "straight_line",
    Declining150 => "declining_150",
    Declining200 => "declining_200",
    SumOfYears => "sum_of_years",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Convention {
    FullMonth,
    HalfYear,
}

text_enum!(Convention, "convention", {
    FullMonth => "full_month",
    HalfYear => "half_year",
});

/// Salvage (residual) value: a fixed amount, or a percentage of cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Salvage {
    Amount(Decimal),
    Percent(Decimal),
}

impl Salvage {
    pub const NONE: Salvage = Salvage::Amount(Decimal::ZERO);

    /// The salvage value for an asset that cost `cost`, rounded to the currency, never above cost.
    pub fn of(self, cost: Decimal, currency: &str) -> Decimal {
        let v = match self {
            Salvage::Amount(a) => a,
            Salvage::Percent(p) => cost * p / Decimal::ONE_HUNDRED,
        };
        currency::round(v.min(cost).max(Decimal::ZERO), currency)
    }
}

impl FromStr for Salvage {
    type Err = String;
    /// `100.00` (an amount) or `10%` (of cost, 0 to 100).
    fn from_str(s: &str) -> Result<Salvage, String> {
        let t = s.trim();
        let bad =
            || format!("salvage '{t}' is not an amount (e.g. 100.00) or a percentage (e.g. 10%)");
        if let Some(p) = t.strip_suffix('%') {
            let v = Decimal::from_str(p.trim()).map_err(|_| bad())?;
            if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
                return Err(format!("salvage '{t}' must be between 0% and 100%"));
            }
            Ok(Salvage::Percent(v))
        } else {
            let v = Decimal::from_str(t).map_err(|_| bad())?;
            if v < Decimal::ZERO {
                return Err(format!("salvage '{t}' is negative"));
            }
            let v = crate::domain::money::within_limit(v, t).map_err(|e| e.to_string())?;
            Ok(Salvage::Amount(v))
        }
    }
}

impl std::fmt::Display for Salvage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Salvage::Amount(a) => write!(f, "{a}"),
            Salvage::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl Serialize for Salvage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// How one asset depreciates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub method: Method,
    pub life_months: u32,
    pub salvage: Salvage,
    pub convention: Convention,
}

impl Rule {
    /// What an asset with no rule of its own, its model's or its category's uses:
    /// straight-line over 36 months, no salvage, full-month convention.
    pub const DEFAULT: Rule = Rule {
        method: Method::StraightLine,
        life_months: 36,
        salvage: Salvage::NONE,
        convention: Convention::FullMonth,
    };

    /// The month (as a count of months since year 0) from which depreciation runs.
    fn start_index(&self, purchased: NaiveDate) -> i64 {
        let y = purchased.year() as i64;
        match self.convention {
            Convention::FullMonth => y * 12 + purchased.month0() as i64,
            Convention::HalfYear => y * 12 + 6,
        }
    }

    /// Whole months of depreciation charged as of `as_of` (0 before the start; may exceed life).
    pub fn months_charged(&self, purchased: NaiveDate, as_of: NaiveDate) -> i64 {
        let now = as_of.year() as i64 * 12 + as_of.month0() as i64;
        (now - self.start_index(purchased)).max(0)
    }

    /// The first day on which the asset is fully depreciated (its end of life for the books).
    pub fn end_of_life(&self, purchased: NaiveDate) -> NaiveDate {
        let start = self.start_index(purchased) + self.life_months.min(MAX_LIFE_MONTHS) as i64;
        let (y, m) = (start.div_euclid(12), start.rem_euclid(12) as u32 + 1);
        NaiveDate::from_ymd_opt(y as i32, m, 1)
            .or_else(|| {
                purchased.checked_add_months(Months::new(self.life_months.min(MAX_LIFE_MONTHS)))
            })
            .unwrap_or(purchased)
    }
}

/// Where an asset stands on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookValue {
    pub cost: Decimal,
    pub salvage: Decimal,
    pub accumulated: Decimal,
    pub book_value: Decimal,
    pub months_charged: i64,
    pub fully_depreciated: bool,
    pub end_of_life: NaiveDate,
}

/// The longest useful life itam accepts (100 years): the CLI refuses more, and a longer one
/// written into the database another way is read as this, so a report cannot spin through
/// millions of years.
pub const MAX_LIFE_MONTHS: u32 = 1200;

/// Accumulated depreciation, unrounded, after `m` months of a life of `life` months.
fn accumulated(method: Method, cost: Decimal, salvage: Decimal, life: u32, m: i64) -> Decimal {
    let life = life.min(MAX_LIFE_MONTHS);
    let base = cost - salvage;
    if life == 0 || m >= life as i64 {
        return base;
    }
    if m <= 0 {
        return Decimal::ZERO;
    }
    let life_d = Decimal::from(life);
    match method {
        Method::StraightLine => base * Decimal::from(m) / life_d,
        Method::SumOfYears => {
            // Years of life, the last possibly partial; weights n, n-1, ..., 1 (the partial
            // year's weight scaled by its length), normalised to sum to one.
            let years = life.div_ceil(12);
            let len = |k: u32| -> u32 { (life - 12 * k).min(12) };
            let weight =
                |k: u32| Decimal::from(years - k) * Decimal::from(len(k)) / Decimal::from(12);
            let total: Decimal = (0..years).map(weight).sum();
            let mut acc = Decimal::ZERO;
            let mut left = m as u32;
            for k in 0..years {
                let l = len(k);
                let charge = base * weight(k) / total;
                if left >= l {
                    acc += charge;
                    left -= l;
                } else {
                    acc += charge * Decimal::from(left) / Decimal::from(l);
                    break;
                }
            }
            acc
        }
        Method::Declining150 | Method::Declining200 => {
            let factor = if method == Method::Declining150 {
                Decimal::new(15, 1)
            } else {
                Decimal::TWO
            };
            // Yearly rate: factor / life in years.
            let rate = factor * Decimal::from(12) / life_d;
            let mut bv = cost;
            let mut acc = Decimal::ZERO;
            let mut done = 0u32;
            let mut left = m as u32;
            while done < life {
                let l = (life - done).min(12);
                let remaining = Decimal::from(life - done);
                let declining = bv * rate * Decimal::from(l) / Decimal::from(12);
                let straight = (bv - salvage) * Decimal::from(l) / remaining;
                let charge = declining.max(straight).min(bv - salvage).max(Decimal::ZERO);
                if left >= l {
                    acc += charge;
                    bv -= charge;
                    left -= l;
                    done += l;
                    if left == 0 {
                        break;
                    }
                } else {
                    acc += charge * Decimal::from(left) / Decimal::from(l);
                    break;
                }
            }
            acc
        }
    }
}

/// The book value of an asset bought on `purchased` for `cost` (in `currency`) as of `as_of`.
pub fn book_value(
    rule: &Rule,
    cost: Decimal,
    currency: &str,
    purchased: NaiveDate,
    as_of: NaiveDate,
) -> BookValue {
    let cost = currency::round(cost, currency);
    let salvage = rule.salvage.of(cost, currency);
    let m = rule.months_charged(purchased, as_of);
    let acc = accumulated(rule.method, cost, salvage, rule.life_months, m);
    let acc = currency::round(acc.min(cost - salvage).max(Decimal::ZERO), currency);
    BookValue {
        cost,
        salvage,
        accumulated: acc,
        book_value: cost - acc,
        months_charged: m.min(rule.life_months as i64),
        fully_depreciated: m >= rule.life_months as i64,
        end_of_life: rule.end_of_life(purchased),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn rule(method: Method, life_months: u32) -> Rule {
        Rule {
            method,
            life_months,
            ..Rule::DEFAULT
        }
    }
    fn bv(r: &Rule, cost: &str, bought: &str, as_of: &str) -> String {
        book_value(r, d(cost), "USD", date(bought), date(as_of))
            .book_value
            .to_string()
    }

    #[test]
    fn straight_line_1200_over_36_months_is_800_after_12() {
        // 1,200.00 / 36 = 33.333... a month; 12 months = 400.00; 1,200 - 400 = 800.00.
        let r = rule(Method::StraightLine, 36);
        assert_eq!(bv(&r, "1200.00", "2024-01-15", "2025-01-15"), "800.00");
        // The month of purchase counts whole: bought on the 31st, same answer.
        assert_eq!(bv(&r, "1200.00", "2024-01-31", "2025-01-01"), "800.00");
        // Nothing is charged within the month of purchase, or before it.
        assert_eq!(bv(&r, "1200.00", "2024-01-15", "2024-01-31"), "1200.00");
        assert_eq!(bv(&r, "1200.00", "2024-01-15", "2023-06-01"), "1200.00");
        // One month: 33.333... rounds half-even to 33.33.
        assert_eq!(bv(&r, "1200.00", "2024-01-15", "2024-02-01"), "1166.67");
    }

    #[test]
    fn double_declining_10000_over_5_years_is_6000_after_year_one() {
        // Rate = 200% / 5 years = 40% a year: 10,000 x 40% = 4,000 charged in year one.
        let r = rule(Method::Declining200, 60);
        assert_eq!(bv(&r, "10000", "2024-01-01", "2025-01-01"), "6000.00");
        // Year two: 6,000 x 40% = 2,400 -> 3,600.00; half-way through year two, 1,200 -> 4,800.
        assert_eq!(bv(&r, "10000", "2024-01-01", "2026-01-01"), "3600.00");
        assert_eq!(bv(&r, "10000", "2024-01-01", "2025-07-01"), "4800.00");
    }

    #[test]
    fn declining_150_uses_one_and_a_half_times_the_straight_line_rate() {
        // 150% / 5 = 30%: 10,000 -> 7,000 -> 4,900.
        let r = rule(Method::Declining150, 60);
        assert_eq!(bv(&r, "10000", "2024-01-01", "2025-01-01"), "7000.00");
        assert_eq!(bv(&r, "10000", "2024-01-01", "2026-01-01"), "4900.00");
    }

    #[test]
    fn declining_balance_switches_to_straight_line_when_that_charges_more() {
        // 200% over 5 years, no salvage, by hand:
        // y1 DB 4,000 (SL 2,000)   -> 6,000
        // y2 DB 2,400 (SL 1,500)   -> 3,600
        // y3 DB 1,440 (SL 1,200)   -> 2,160
        // y4 DB   864 (SL 1,080) switch -> 1,080   (pure DB would leave 1,296)
        // y5 SL 1,080              -> 0
        let r = rule(Method::Declining200, 60);
        assert_eq!(bv(&r, "10000", "2024-01-01", "2027-01-01"), "2160.00");
        assert_eq!(bv(&r, "10000", "2024-01-01", "2028-01-01"), "1080.00");
        assert_eq!(bv(&r, "10000", "2024-01-01", "2029-01-01"), "0.00");
    }

    #[test]
    fn sum_of_years_digits() {
        // 5 years: digits sum to 15. 15,000: y1 5/15 = 5,000 -> 10,000; y2 4/15 = 4,000 -> 6,000;
        // y3 3,000 -> 3,000; y4 2,000 -> 1,000; y5 1,000 -> 0.
        let r = rule(Method::SumOfYears, 60);
        assert_eq!(bv(&r, "15000", "2024-03-10", "2025-03-01"), "10000.00");
        assert_eq!(bv(&r, "15000", "2024-03-10", "2026-03-01"), "6000.00");
        assert_eq!(bv(&r, "15000", "2024-03-10", "2028-03-01"), "1000.00");
        assert_eq!(bv(&r, "15000", "2024-03-10", "2029-03-01"), "0.00");
        // With salvage 3,000: the base is 12,000; y1 = 12,000 x 5/15 = 4,000 -> 11,000.
        let r = Rule {
            salvage: Salvage::Amount(d("3000")),
            ..r
        };
        assert_eq!(bv(&r, "15000", "2024-03-10", "2025-03-01"), "11000.00");
    }

    #[test]
    fn salvage_as_amount_or_percentage() {
        // 1,000 with 10% salvage (100) over 36 months: 900 / 36 = 25 a month; 18 months = 450.
        let r = Rule {
            salvage: "10%".parse().unwrap(),
            ..rule(Method::StraightLine, 36)
        };
        assert_eq!(bv(&r, "1000", "2024-01-01", "2025-07-01"), "550.00");
        let r = Rule {
            salvage: "100.00".parse().unwrap(),
            ..rule(Method::StraightLine, 36)
        };
        assert_eq!(bv(&r, "1000", "2024-01-01", "2025-07-01"), "550.00");
        // DB with salvage: 10,000, salvage 1,000, 200%/5y: y1 4,000 -> 6,000 (salvage ignored
        // in the rate, only a floor).
        let r = Rule {
            salvage: Salvage::Amount(d("1000")),
            ..rule(Method::Declining200, 60)
        };
        assert_eq!(bv(&r, "10000", "2024-01-01", "2025-01-01"), "6000.00");
        assert!("-5".parse::<Salvage>().is_err());
        assert!("120%".parse::<Salvage>().is_err());
        assert!("ten".parse::<Salvage>().is_err());
    }

    #[test]
    fn half_year_convention_charges_half_a_year_in_the_first_and_last_years() {
        // 1,200 over 36 months SL = 400 a year. Bought in March 2024: the first calendar year
        // carries half (200) whatever the month of purchase.
        let r = Rule {
            convention: Convention::HalfYear,
            ..rule(Method::StraightLine, 36)
        };
        assert_eq!(bv(&r, "1200", "2024-03-10", "2025-01-01"), "1000.00");
        assert_eq!(bv(&r, "1200", "2024-11-30", "2025-01-01"), "1000.00");
        assert_eq!(bv(&r, "1200", "2024-03-10", "2026-01-01"), "600.00");
        assert_eq!(bv(&r, "1200", "2024-03-10", "2027-01-01"), "200.00");
        // ... and the fourth calendar year the other half: done on 1 July 2027.
        assert_eq!(bv(&r, "1200", "2024-03-10", "2027-07-01"), "0.00");
        assert_eq!(r.end_of_life(date("2024-03-10")), date("2027-07-01"));
        // DB 200% over 5y with half-year: year one 10,000 x 40% / 2 = 2,000; year two
        // (10,000 - 2,000) x 40% = 3,200, as the classic half-year table has it.
        let r = Rule {
            convention: Convention::HalfYear,
            ..rule(Method::Declining200, 60)
        };
        assert_eq!(bv(&r, "10000", "2024-05-05", "2025-01-01"), "8000.00");
        assert_eq!(bv(&r, "10000", "2024-05-05", "2026-01-01"), "4800.00");
    }

    #[test]
    fn end_of_life_never_goes_below_salvage() {
        for method in Method::ALL {
            let r = Rule {
                salvage: Salvage::Amount(d("150")),
                ..rule(*method, 36)
            };
            let at_end = book_value(&r, d("1200"), "USD", date("2024-01-10"), date("2027-01-01"));
            assert_eq!(at_end.book_value.to_string(), "150.00", "{method}");
            assert!(at_end.fully_depreciated);
            assert_eq!(at_end.end_of_life, date("2027-01-01"));
            let long_after =
                book_value(&r, d("1200"), "USD", date("2024-01-10"), date("2040-01-01"));
            assert_eq!(long_after.book_value.to_string(), "150.00", "{method}");
            assert_eq!(long_after.months_charged, 36);
            // Every month along the way stays between salvage and cost, never rising.
            let mut last = d("1200");
            for m in 0..=40u32 {
                let as_of = date("2024-01-10")
                    .checked_add_months(Months::new(m))
                    .unwrap();
                let v = book_value(&r, d("1200"), "USD", date("2024-01-10"), as_of).book_value;
                assert!(v >= d("150") && v <= last, "{method} month {m}: {v}");
                last = v;
            }
        }
        // A salvage above cost is capped at cost: nothing to depreciate.
        let r = Rule {
            salvage: Salvage::Amount(d("5000")),
            ..rule(Method::StraightLine, 36)
        };
        assert_eq!(bv(&r, "1200", "2024-01-10", "2026-01-01"), "1200.00");
    }

    #[test]
    fn amounts_round_to_the_currency_minor_unit() {
        // 100,000 JPY over 36 months: 2,777.78 a month, rounded to whole yen.
        let r = rule(Method::StraightLine, 36);
        let v = book_value(
            &r,
            d("100000"),
            "JPY",
            date("2024-01-01"),
            date("2024-02-01"),
        );
        assert_eq!(v.accumulated.to_string(), "2778");
        assert_eq!(v.book_value.to_string(), "97222");
        let v = book_value(&r, d("100"), "BHD", date("2024-01-01"), date("2024-02-01"));
        assert_eq!(v.book_value.to_string(), "97.222");
    }

    #[test]
    fn parses_methods_and_conventions() {
        assert_eq!("declining-200".parse::<Method>(), Ok(Method::Declining200));
        assert_eq!("Half Year".parse::<Convention>(), Ok(Convention::HalfYear));
        assert!("double".parse::<Method>().is_err());
    }
}
