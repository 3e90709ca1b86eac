//! Currency rules: each currency's minor unit (ISO 4217), rounding half-even to it, and totals
//! kept per currency — amounts in different currencies are never added together.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::BTreeMap;

/// Decimal places of the currency's minor unit: 0 for JPY and KRW, 3 for BHD, KWD, OMR, JOD and
/// TND, else 2. (The few other exceptions, e.g. CLP or ISK, are treated as 2 on purpose: their
/// prices are quoted that way in practice.)
pub fn minor_units(currency: &str) -> u32 {
    match currency.trim().to_ascii_uppercase().as_str() {
        "JPY" | "KRW" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
        _ => 2,
    }
}

/// `d` rounded half-even ("banker's rounding") to the currency's minor unit, shown with exactly
/// that many decimals (`2.5 JPY` → `2`, `2.345 USD` → `2.34`, `2.355 USD` → `2.36`).
pub fn round(d: Decimal, currency: &str) -> Decimal {
    let dp = minor_units(currency);
    let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    r.rescale(dp);
    r
}

/// Sums kept apart per currency (ordered by code, so output is stable).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Totals(BTreeMap<String, Decimal>);

impl Totals {
    pub fn new() -> Totals {
        Totals::default()
    }

    /// Add `amount` to the total of `currency` (rounded to its minor unit when read).
    pub fn add(&mut self, currency: &str, amount: Decimal) {
        let t = self.0.entry(currency.to_string()).or_default();
        // Amounts are bounded when parsed and read, so this never saturates in practice; if it
        // did, a report shows the largest total rather than crash for everyone.
        *t = t
            .checked_add(amount)
            .unwrap_or(if amount.is_sign_negative() {
                Decimal::MIN
            } else {
                Decimal::MAX
            });
    }

    /// Every total, rounded half-even to its currency's minor unit.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Decimal)> {
        self.0.iter().map(|(c, d)| (c.as_str(), round(*d, c)))
    }

    pub fn get(&self, currency: &str) -> Option<Decimal> {
        self.0.get(currency).map(|d| round(*d, currency))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `1200.00 USD, 500 JPY`, or `-` when empty.
    pub fn display(&self) -> String {
        if self.0.is_empty() {
            return "-".into();
        }
        self.iter()
            .map(|(c, d)| format!("{d} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Merge another set of totals into this one, currency by currency.
    pub fn merge(&mut self, other: &Totals) {
        for (c, d) in &other.0 {
            self.add(c, *d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(minor_units("JPY"), 0);
        assert_eq!(minor_units("krw"), 0);
        for c in ["BHD", "KWD", "OMR", "JOD", "TND"] {
            assert_eq!(minor_units(c), 3, "{c}");
        }
        assert_eq!(minor_units("USD"), 2);
        assert_eq!(minor_units("EUR"), 2);
    }

    #[test]
    fn rounding_is_half_even_to_the_minor_unit() {
        assert_eq!(round(d("2.345"), "USD").to_string(), "2.34");
        assert_eq!(round(d("2.355"), "USD").to_string(), "2.36");
        assert_eq!(round(d("2.3451"), "USD").to_string(), "2.35");
        assert_eq!(round(d("2.5"), "JPY").to_string(), "2");
        assert_eq!(round(d("3.5"), "JPY").to_string(), "4");
        assert_eq!(round(d("1.2345"), "BHD").to_string(), "1.234");
        assert_eq!(round(d("1.2355"), "KWD").to_string(), "1.236");
        assert_eq!(round(d("7"), "EUR").to_string(), "7.00");
        assert_eq!(round(d("-0.125"), "USD").to_string(), "-0.12");
    }

    #[test]
    fn totals_are_never_summed_across_currencies() {
        let mut t = Totals::new();
        t.add("USD", d("100.005"));
        t.add("EUR", d("50"));
        t.add("USD", d("0.010"));
        t.add("JPY", d("1000.5"));
        assert_eq!(t.get("USD"), Some(d("100.02")));
        assert_eq!(t.get("EUR").unwrap().to_string(), "50.00");
        assert_eq!(t.get("JPY").unwrap().to_string(), "1000");
        assert_eq!(t.display(), "50.00 EUR, 1000 JPY, 100.02 USD");
        let mut all = Totals::new();
        all.merge(&t);
        all.merge(&t);
        assert_eq!(all.get("EUR").unwrap().to_string(), "100.00");
        assert_eq!(all.iter().count(), 3);
    }
}
