//! Parsers for the values spreadsheets write: US and ISO dates, costs with symbols and
//! thousands separators (or a decimal comma), numbers mangled into scientific notation.
//! Each returns the reason as text; the importer adds the line and the column.

use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use chrono::{Months, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A date from a spreadsheet: the `--date-format` first when given, then `2023-01-23`,
/// `2023/01/23`, `1/23/2023`, `1/23/23` (US, as Snipe-IT writes), and ISO date-times.
pub fn parse_date(s: &str, format: Option<&str>) -> Result<NaiveDate, String> {
    let t = s.trim();
    if let Some(f) = format {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Ok(d);
        }
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(dt.date());
        }
    }
    let four_digit_year = t.len() >= 5 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if four_digit_year {
        // The common case (`2023-01-23`, what exports write) without chrono's format parser,
        // which re-reads the format string on every call; anything else takes the slow path.
        if let Some(d) = iso_date(t) {
            return Ok(d);
        }
        for f in ["%Y-%m-%d", "%Y/%m/%d"] {
            if let Ok(d) = NaiveDate::parse_from_str(t, f) {
                return Ok(d);
            }
        }
    }
    // US month/day with a two- or four-digit year: pick by the year's length.
    let parts: Vec<&str> = t.split('/').collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        let f = if parts[2].len() == 2 {
            "%m/%d/%y"
        } else {
            "%m/%d/%Y"
        };
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Ok(d);
        }
    }
    // Day first with dashes or dots (`14-03-2023`, `14.03.2023`), as PHP's strtotime reads
    // them and so Snipe-IT; a two-digit year is ambiguous there and is refused.
    for sep in ['-', '.'] {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() == 3
            && parts[2].len() == 4
            && parts[..2].iter().all(|p| (1..=2).contains(&p.len()))
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        {
            let f = if sep == '-' { "%d-%m-%Y" } else { "%d.%m.%Y" };
            if let Ok(d) = NaiveDate::parse_from_str(t, f) {
                return Ok(d);
            }
        }
    }
    // Month names: `Mar 14, 2023`, `March 14 2023`, `14 March 2023`, `14 Mar 2023`.
    if t.chars().any(|c| c.is_ascii_alphabetic()) {
        let cleaned = t.replace(',', " ");
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        for f in ["%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y"] {
            if let Ok(d) = NaiveDate::parse_from_str(&cleaned, f) {
                return Ok(d);
            }
        }
    }
    if t.len() > 10 && t.is_char_boundary(10) {
        if let Ok(d) = NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d") {
            let rest = &t[10..];
            if rest.starts_with('T') || rest.starts_with(' ') {
                return Ok(d);
            }
        }
    }
    let hint = match format {
        Some(f) => format!("expected {f}, YYYY-MM-DD or M/D/YY"),
        // Kept short: the README lists every form read (Snipe-IT's too).
        None => "expected YYYY-MM-DD or M/D/YY; see --date-format".to_string(),
    };
    Err(format!("'{}' is not a date ({hint})", visible(s)))
}

/// A timestamp from a date or an ISO date-time (a date alone is its midnight, UTC).
pub fn parse_timestamp(s: &str, format: Option<&str>) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(Timestamp::from_utc(dt.with_timezone(&chrono::Utc)));
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(Timestamp::from_utc(dt.and_utc()));
        }
    }
    let d = parse_date(t, format)?;
    Ok(Timestamp::from_utc(
        d.and_time(chrono::NaiveTime::MIN).and_utc(),
    ))
}

pub use crate::domain::time::iso_date;

/// `date` plus `months` (a Snipe-IT warranty is counted in months from the purchase date).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// `date` plus `months` the way Snipe-IT computes a warranty's end (PHP's `date_add` with
/// "N months"): the day of the month is kept and overflows into the next month when the
/// target month is shorter, so 2023-01-31 + 1 month is 2023-03-03, not 2023-02-28.
pub fn snipeit_add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    use chrono::Datelike;
    let total = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, 1)?
        .checked_add_days(chrono::Days::new(u64::from(date.day()) - 1))
}

/// The whole months from `purchased` to `until` by [`snipeit_add_months`], when `until` is
/// exactly that many months later.
pub fn snipeit_months_between(purchased: NaiveDate, until: NaiveDate) -> Option<u32> {
    use chrono::Datelike;
    let diff =
        (until.year() - purchased.year()) * 12 + until.month() as i32 - purchased.month() as i32;
    [diff - 1, diff]
        .into_iter()
        .filter_map(|m| u32::try_from(m).ok())
        .find(|&m| m > 0 && snipeit_add_months(purchased, m) == Some(until))
}

/// Snipe-IT's warranty months: the leading whole number (`3 months` is 3, as PHP's `intval`).
pub fn leading_int(s: &str) -> Option<u32> {
    let t = s.trim();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A cost and the currency its symbol or code names, if any. Accepts `$12.58`, `1,234.56`,
/// `USD 12`, `12.00 EUR`, `€ 9`; with `decimal_comma`, `1.234,56` and `12,5`.
pub fn parse_cost(s: &str, decimal_comma: bool) -> Result<(Decimal, Option<String>), String> {
    let bad = |why: &str| format!("'{}' is not an amount{why}", visible(s));
    let mut t = s.trim().replace(['\u{a0}', '\u{202f}'], " ");
    let mut currency = None;
    for (sym, code) in [("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY")] {
        if t.contains(sym) {
            t = t.replace(sym, "");
            currency = Some(code.to_string());
        }
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let mut number = String::new();
    for w in words {
        if w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
            currency = Some(w.to_ascii_uppercase());
        } else {
            number.push_str(w);
        }
    }
    let number = number.trim();
    if number.is_empty() {
        return Err(bad(""));
    }
    let (group, point) = if decimal_comma {
        ('.', ',')
    } else {
        (',', '.')
    };
    let (int_part, frac_part) = match number.rsplit_once(point) {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    if let Some(f) = frac_part {
        if f.contains(group) || !f.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad(if decimal_comma {
                " (with --decimal-comma, write 1.234,56)"
            } else {
                " (a decimal comma? use --decimal-comma)"
            }));
        }
    }
    let (neg, int_part) = match int_part.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, int_part),
    };
    let groups: Vec<&str> = int_part.split(group).collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
        return Err(bad(if decimal_comma {
            ""
        } else {
            " (a decimal comma? use --decimal-comma)"
        }));
    }
    let mut plain: String = groups.concat();
    if plain.is_empty() {
        plain.push('0');
    }
    if let Some(f) = frac_part {
        plain.push('.');
        plain.push_str(f);
    }
    let d = Decimal::from_str(&plain).map_err(|_| bad(""))?;
    if neg && !d.is_zero() {
        return Err(format!("amount '{}' is negative", visible(s)));
    }
    let d = crate::domain::money::within_limit(d, &visible(s)).map_err(|e| e.to_string())?;
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    Ok((d, currency))
}

/// True for text a spreadsheet turned into scientific notation (`6.37702E+15`): digits are lost.
pub fn looks_mangled(s: &str) -> bool {
    let t = s.trim();
    let Some((mant, exp)) = t.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    let (i, f) = mant.split_once('.').unwrap_or((mant, "0"));
    !i.is_empty()
        && i.len() <= 2
        && i.chars().all(|c| c.is_ascii_digit())
        && f.chars().all(|c| c.is_ascii_digit())
        && !exp.is_empty()
        && exp.len() <= 3
        && exp.chars().all(|c| c.is_ascii_digit())
}

/// yes/no, true/false, 1/0, y/n.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "t" => Some(true),
        "0" | "false" | "no" | "n" | "f" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1/23/23", None).unwrap(), d(2023, 1, 23));
        assert_eq!(parse_date("3/1/23", None).unwrap(), d(2023, 3, 1));
        assert_eq!(parse_date("2023-01-23", None).unwrap(), d(2023, 1, 23));
        assert_eq!(parse_date("02/26/2016", None).unwrap(), d(2016, 2, 26));
        assert_eq!(
            parse_date("2023-01-23 10:11:12", None).unwrap(),
            d(2023, 1, 23)
        );
        assert_eq!(
            parse_date("23.01.2023", Some("%d.%m.%Y")).unwrap(),
            d(2023, 1, 23)
        );
        // As Snipe-IT's tests write them (slashes month first, dashes and dots day first).
        assert_eq!(parse_date("2022/10/10", None).unwrap(), d(2022, 10, 10));
        assert_eq!(parse_date("14.03.2023", None).unwrap(), d(2023, 3, 14));
        assert_eq!(parse_date("14-03-2023", None).unwrap(), d(2023, 3, 14));
        assert_eq!(parse_date("03/14/2023", None).unwrap(), d(2023, 3, 14));
        assert_eq!(parse_date("Mar 14, 2023", None).unwrap(), d(2023, 3, 14));
        assert_eq!(parse_date("14 March 2023", None).unwrap(), d(2023, 3, 14));
        assert_eq!(
            parse_date("2023-03-14 00:00:00", None).unwrap(),
            d(2023, 3, 14)
        );
        assert!(parse_date("14-03-23", None).is_err());
        assert!(parse_date("31.02.2023", None).is_err());
        assert!(parse_date("14/03/2023", None).is_err());
        let e = parse_date("13/45/22", None).unwrap_err();
        assert!(e.starts_with("'13/45/22' is not a date"), "{e}");
        assert!(parse_date("", None).is_err());
    }

    #[test]
    fn the_iso_fast_path_agrees_with_chrono() {
        // Where the fast path answers, chrono gives the same date; where it does not (None),
        // parse_date goes on to chrono, so only invalid padded dates may be None here.
        for t in [
            "2023-01-23",
            "2024-02-29",
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "0000-01-01",
            "9999-12-31",
            "2023-1-23",
            "2023-01-2x",
            "20230-1-23",
        ] {
            let chrono = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
            match iso_date(t) {
                Some(d) => assert_eq!(Some(d), chrono, "{t}"),
                None => assert!(
                    chrono.is_none() || t.len() != 10 || t.as_bytes()[4] != b'-',
                    "{t}"
                ),
            }
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_timestamp("2026-11-28T09:15:02.123Z", None)
                .unwrap()
                .to_string(),
            "2026-11-28T09:15:02.123Z"
        );
        assert_eq!(
            parse_timestamp("1/2/24", None).unwrap().to_string(),
            "2024-01-02T00:00:00.000Z"
        );
    }

    #[test]
    fn costs() {
        let c = |s: &str, dc| parse_cost(s, dc).map(|(d, c)| (d.to_string(), c));
        assert_eq!(
            c("$12.58", false).unwrap(),
            ("12.58".into(), Some("USD".into()))
        );
        assert_eq!(c("1,234.56", false).unwrap(), ("1234.56".into(), None));
        assert_eq!(c("$1,234.56", false).unwrap().0, "1234.56");
        assert_eq!(c("1.234,56", true).unwrap().0, "1234.56");
        assert_eq!(c("12,5", true).unwrap().0, "12.50");
        assert_eq!(c("2266.13", false).unwrap().0, "2266.13");
        assert_eq!(
            c("12.00 EUR", false).unwrap(),
            ("12.00".into(), Some("EUR".into()))
        );
        assert_eq!(c("7", false).unwrap().0, "7.00");
        assert!(c("1.234,56", false)
            .unwrap_err()
            .contains("--decimal-comma"));
        assert!(c("12,5", false).is_err());
        assert!(c("abc", false).is_err());
        assert!(c("-3", false).unwrap_err().contains("negative"));
        assert!(c("1,23,4", false).is_err());
    }

    #[test]
    fn scientific_notation_is_flagged() {
        assert!(looks_mangled("6.37702E+15"));
        assert!(looks_mangled("5.02E+18"));
        assert!(looks_mangled("3.01043e+13"));
        assert!(!looks_mangled("970882174-8"));
        assert!(!looks_mangled("1786VM80X07"));
        assert!(!looks_mangled("E12"));
    }

    #[test]
    fn warranty_months_as_snipeit_counts_them() {
        assert_eq!(snipeit_add_months(d(2023, 1, 31), 1), Some(d(2023, 3, 3)));
        assert_eq!(snipeit_add_months(d(2024, 2, 29), 36), Some(d(2027, 3, 1)));
        assert_eq!(snipeit_add_months(d(2023, 3, 14), 36), Some(d(2026, 3, 14)));
        assert_eq!(snipeit_add_months(d(2023, 11, 30), 3), Some(d(2024, 3, 1)));
        assert_eq!(
            snipeit_months_between(d(2024, 2, 29), d(2027, 3, 1)),
            Some(36)
        );
        assert_eq!(
            snipeit_months_between(d(2023, 1, 31), d(2023, 3, 3)),
            Some(1)
        );
        assert_eq!(snipeit_months_between(d(2023, 1, 31), d(2023, 3, 4)), None);
        assert_eq!(leading_int("3 months"), Some(3));
        assert_eq!(leading_int(" 36 "), Some(36));
        assert_eq!(leading_int("months"), None);
    }

    #[test]
    fn months_and_bools() {
        assert_eq!(add_months(d(2023, 1, 31), 1), Some(d(2023, 2, 28)));
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("maybe"), None);
    }
}
