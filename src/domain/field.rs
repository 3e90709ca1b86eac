//! Custom fields (Snipe-IT's MAC Address, IMEI, RAM, OS, ...): a field's kind and optional
//! format, and the check every value passes before it is stored. Values are stored as text,
//! as written (dates as YYYY-MM-DD), so an export gives back what was imported.

use super::text::visible;
use super::text_enum;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Boolean,
}

text_enum!(FieldKind, "field kind", {
    Text => "text",
    Number => "number",
    Date => "date",
    Boolean => "boolean",
});

/// Formats a text field may require (Snipe-IT's predefined formats that are not kinds).
pub const FORMATS: &[&str] = &["mac", "ip", "email", "alpha", "numeric", "alpha_dash"];

/// A format as stored (lower case), or why it is not one of [`FORMATS`].
pub fn parse_format(s: &str) -> Result<String, String> {
    let f = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    if FORMATS.contains(&f.as_str()) {
        Ok(f)
    } else {
        Err(format!(
            "unknown field format '{}' (expected one of: {})",
            visible(s),
            FORMATS.join(", ")
        ))
    }
}

/// A field name as stored: trimmed, one line, not empty, no `=` (it splits `NAME=VALUE`).
pub fn clean_field_name(name: &str) -> Result<String, String> {
    let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() {
        return Err("a field needs a name".into());
    }
    if n.chars().any(|c| c.is_control() || c == '=') {
        return Err(format!(
            "field name '{}' cannot hold '=' or control characters",
            visible(name)
        ));
    }
    if n.chars().count() > 100 {
        return Err(format!(
            "field name '{}' is over 100 characters",
            visible(&n)
        ));
    }
    Ok(n)
}

/// The value to store for `raw` in a field of `kind` and `format`: trimmed; a date becomes
/// YYYY-MM-DD. `None` means empty (no value). An error says what was expected.
pub fn check_value(
    kind: FieldKind,
    format: Option<&str>,
    raw: &str,
) -> Result<Option<String>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(format!("'{}' contains control characters", visible(v)));
    }
    match kind {
        FieldKind::Text => {}
        FieldKind::Number => {
            if Decimal::from_str(v).is_err() {
                return Err(format!("'{}' is not a number", visible(v)));
            }
        }
        FieldKind::Date => {
            let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d %H:%M:%S"))
                .map_err(|_| format!("'{}' is not a date (YYYY-MM-DD)", visible(v)))?;
            return Ok(Some(d.format("%Y-%m-%d").to_string()));
        }
        FieldKind::Boolean => {
            let ok = matches!(
                v.to_ascii_lowercase().as_str(),
                "1" | "0" | "true" | "false" | "yes" | "no" | "y" | "n"
            );
            if !ok {
                return Err(format!("'{}' is not yes or no", visible(v)));
            }
        }
    }
    if let Some(f) = format {
        if !matches_format(f, v) {
            return Err(format!(
                "'{}' is not in the field's format ({f})",
                visible(v)
            ));
        }
    }
    Ok(Some(v.to_string()))
}

/// Whether `v` is in `format` (one of [`FORMATS`]; an unknown format accepts anything).
pub fn matches_format(format: &str, v: &str) -> bool {
    match format {
        "mac" => is_mac(v),
        "ip" => v.parse::<std::net::IpAddr>().is_ok(),
        "email" => v
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@')),
        "alpha" => v.chars().all(char::is_alphabetic),
        "numeric" => v.chars().all(|c| c.is_ascii_digit()),
        "alpha_dash" => v
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_'),
        _ => true,
    }
}

/// Six hex pairs separated by `:` or `-` (as Snipe-IT's MAC format), or twelve bare hex digits.
pub fn is_mac(v: &str) -> bool {
    let hex = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_hexdigit());
    for sep in [':', '-'] {
        let parts: Vec<&str> = v.split(sep).collect();
        if parts.len() == 6 && parts.iter().all(|p| hex(p)) {
            return true;
        }
    }
    v.len() == 12 && v.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_by_kind_and_format() {
        assert_eq!(
            check_value(FieldKind::Number, None, " 16 ").unwrap(),
            Some("16".into())
        );
        assert!(check_value(FieldKind::Number, None, "16 GB").is_err());
        assert_eq!(
            check_value(FieldKind::Date, None, "2024-02-29 00:00:00").unwrap(),
            Some("2024-02-29".into())
        );
        assert!(check_value(FieldKind::Date, None, "2023-02-29").is_err());
        assert!(check_value(FieldKind::Boolean, None, "maybe").is_err());
        assert_eq!(check_value(FieldKind::Text, None, "  ").unwrap(), None);
        assert!(check_value(FieldKind::Text, Some("mac"), "00:1A:2b:3c:4d:5e").is_ok());
        assert!(check_value(FieldKind::Text, Some("mac"), "00:1A:2b:3c:4d").is_err());
        assert!(check_value(FieldKind::Text, Some("ip"), "10.0.0.1").is_ok());
        assert!(check_value(FieldKind::Text, None, "a\u{1b}b").is_err());
        assert!(parse_format("MAC").is_ok());
        assert!(parse_format("regex").is_err());
        assert!(clean_field_name("a=b").is_err());
        assert_eq!(clean_field_name("  MAC   Address ").unwrap(), "MAC Address");
    }
}
