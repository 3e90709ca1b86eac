//! Money: `Decimal` amounts with an ISO 4217 currency, parsed strictly from user text.

use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an amount (expected digits with an optional '.' and two decimals, e.g. 1299.00)")]
    BadAmount(String),
    #[error("amount '{0}' is negative")]
    Negative(String),
    #[error("'{0}' is not a currency code (expected three letters, e.g. USD, EUR, GBP)")]
    BadCurrency(String),
    #[error("amount '{0}' is above itam's limit of {MAX_AMOUNT_TEXT} (one trillion) per amount")]
    TooLarge(String),
}

/// The largest amount itam accepts anywhere (costs, proceeds, salvage, seat prices): one
/// trillion. Far above any asset's price, and far enough below `Decimal`'s range (~7.9e28) that
/// sums over millions of assets and the depreciation arithmetic can never overflow.
pub const MAX_AMOUNT_TEXT: &str = "1000000000000";

pub fn max_amount() -> Decimal {
    Decimal::new(1_000_000_000_000, 0)
}

/// Refuse an amount above [`max_amount`]; `shown` is what the user typed.
pub fn within_limit(d: Decimal, shown: &str) -> Result<Decimal, MoneyError> {
    if d.abs() > max_amount() {
        return Err(MoneyError::TooLarge(shown.to_string()));
    }
    Ok(d)
}

/// An amount as stored, for the reports: `None` when it is not a number or is above the limit
/// (written by an older itam or with the sqlite3 shell), so one absurd value can never make a
/// report overflow.
pub fn stored(s: &str) -> Option<Decimal> {
    Decimal::from_str(s.trim())
        .ok()
        .filter(|d| d.abs() <= max_amount())
}

/// [`stored`] of an amount already read.
pub fn bounded(d: Decimal) -> Option<Decimal> {
    (d.abs() <= max_amount()).then_some(d)
}

/// Parse a non-negative amount such as `1299`, `1299.5` or `1299.00`. Thousands separators and
/// currency symbols are the importer's business; the CLI takes plain numbers.
pub fn parse_amount(s: &str) -> Result<Decimal, MoneyError> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    // Plain digits with at most one point: `Decimal` would also read `1_000` and `1e3`.
    let plain = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    if !plain {
        return Err(MoneyError::BadAmount(s.to_string()));
    }
    let d = Decimal::from_str(digits).map_err(|_| MoneyError::TooLarge(s.to_string()))?;
    if neg && !d.is_zero() {
        return Err(MoneyError::Negative(s.to_string()));
    }
    Ok(within_limit(d, s)?.normalize_scale_at_least(2))
}

/// An optional amount: blank is none, anything else must be an amount ([`parse_amount`]).
pub fn optional_amount(s: Option<&str>) -> Result<Option<Decimal>, MoneyError> {
    match s.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_amount(t).map(Some),
        None => Ok(None),
    }
}

/// Upper-cased ISO 4217 code; any three ASCII letters are accepted, the list changes too often.
pub fn parse_currency(s: &str) -> Result<String, MoneyError> {
    let t = s.trim();
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err(MoneyError::BadCurrency(s.to_string()))
    }
}

trait ScaleAtLeast {
    fn normalize_scale_at_least(self, scale: u32) -> Self;
}

impl ScaleAtLeast for Decimal {
    fn normalize_scale_at_least(self, scale: u32) -> Self {
        let mut d = self.normalize();
        if d.scale() < scale {
            d.rescale(scale);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_two_decimals() {
        assert_eq!(parse_amount("1299").unwrap().to_string(), "1299.00");
        assert_eq!(parse_amount(" 12.5 ").unwrap().to_string(), "12.50");
        assert_eq!(parse_amount("0.125").unwrap().to_string(), "0.125");
        assert!(matches!(parse_amount("-3"), Err(MoneyError::Negative(_))));
        assert!(matches!(parse_amount("$12"), Err(MoneyError::BadAmount(_))));
    }

    #[test]
    fn absurd_and_odd_amounts_are_refused_with_the_limit() {
        for s in [
            "79228162514264337593543950335",
            "1000000000000.01",
            "99999999999999999999999999999999999",
        ] {
            let e = parse_amount(s).unwrap_err();
            assert!(matches!(e, MoneyError::TooLarge(_)), "{s}: {e}");
            assert!(e.to_string().contains(MAX_AMOUNT_TEXT), "{e}");
        }
        assert!(parse_amount("1000000000000").is_ok());
        for s in ["1_000", "1e3", "1.2.3", ".", "", "+5", "0x10", "١٢"] {
            assert!(
                matches!(parse_amount(s), Err(MoneyError::BadAmount(_))),
                "{s}"
            );
        }
        assert_eq!(stored("79228162514264337593543950335"), None);
        assert_eq!(stored("12.50").unwrap().to_string(), "12.50");
    }

    #[test]
    fn currencies_are_three_letters() {
        assert_eq!(parse_currency("eur").unwrap(), "EUR");
        assert!(parse_currency("EURO").is_err());
        assert!(parse_currency("€").is_err());
    }
}
