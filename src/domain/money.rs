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
}

/// Parse a non-negative amount such as `1299`, `1299.5` or `1299.00`. Thousands separators and
/// currency symbols are the importer's business; the CLI takes plain numbers.
pub fn parse_amount(s: &str) -> Result<Decimal, MoneyError> {
    let t = s.trim();
    let d = Decimal::from_str(t).map_err(|_| MoneyError::BadAmount(s.to_string()))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(MoneyError::Negative(s.to_string()));
    }
    Ok(d.normalize_scale_at_least(2))
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
    fn currencies_are_three_letters() {
        assert_eq!(parse_currency("eur").unwrap(), "EUR");
        assert!(parse_currency("EURO").is_err());
        assert!(parse_currency("€").is_err());
    }
}
