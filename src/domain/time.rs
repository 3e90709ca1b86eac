//! A moment in UTC, as every record stamps it. One text form everywhere it leaves the program
//! (SQL, JSON, CSV, screen): `2026-11-28T09:15:02.123Z`, milliseconds and `Z` always, so text
//! order is time order in the database and a stamp reads the same in every output.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

// Reading and writing the stored forms by position: chrono's format strings cost ~10× this
// per value, which is seconds over a million-asset export (nine dates and times a row).

/// The digits of `b[r]` as a number, if they are all digits.
fn digits(b: &[u8], r: std::ops::Range<usize>) -> Option<u32> {
    b.get(r)?.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// Exactly `YYYY-MM-DD` (zero-padded), as a date if it is one.
pub fn iso_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i32::try_from(digits(b, 0..4)?).ok()?;
    NaiveDate::from_ymd_opt(y, digits(b, 5..7)?, digits(b, 8..10)?)
}

/// Exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`, as a time if it is one.
fn stored_stamp(t: &str) -> Option<DateTime<Utc>> {
    let b = t.as_bytes();
    if b.len() != 24
        || [(10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (23, b'Z')]
            .iter()
            .any(|&(i, c)| b[i] != c)
    {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_milli_opt(
        digits(b, 11..13)?,
        digits(b, 14..16)?,
        digits(b, 17..19)?,
        digits(b, 20..23)?,
    )?;
    Some(iso_date(&t[..10])?.and_time(time).and_utc())
}

/// Write `n` zero-padded into all of `out`.
fn put(out: &mut [u8], mut n: u32) {
    for c in out.iter_mut().rev() {
        *c = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// A date as `YYYY-MM-DD`, the text it has everywhere outside the program, without
/// allocating for the usual four-digit year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateText {
    Short([u8; 10]),
    /// A year outside 0..=9999, as chrono writes it (`+10000-01-01`).
    Long(String),
}

impl DateText {
    pub fn as_str(&self) -> &str {
        match self {
            // Only ASCII digits and dashes are ever written into it.
            DateText::Short(b) => std::str::from_utf8(b).unwrap_or_default(),
            DateText::Long(s) => s,
        }
    }
}

impl fmt::Display for DateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// [`DateText`] of `d`.
pub fn date_text(d: NaiveDate) -> DateText {
    use chrono::Datelike;
    match u32::try_from(d.year()) {
        Ok(y) if y <= 9999 => {
            let mut b = *b"0000-00-00";
            put(&mut b[0..4], y);
            put(&mut b[5..7], d.month());
            put(&mut b[8..10], d.day());
            DateText::Short(b)
        }
        _ => DateText::Long(d.to_string()),
    }
}

/// For `#[serde(serialize_with)]` on an optional date: the same text as chrono's, faster.
pub fn serialize_opt_date<S: serde::Serializer>(
    d: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(date_text(*d).as_str()),
        None => s.serialize_none(),
    }
}

/// Text that is not a stamp, shown safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a timestamp (expected e.g. 2026-11-28T09:15:02.123Z)")]
pub struct TimestampError(String);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now())
    }

    /// Any RFC 3339 date-time (an offset is converted to UTC), as stored or as an API sends it.
    pub fn parse(s: &str) -> Result<Timestamp, TimestampError> {
        if let Some(dt) = stored_stamp(s) {
            return Ok(Timestamp(dt));
        }
        DateTime::parse_from_rfc3339(s.trim())
            .map(|dt| Timestamp(dt.with_timezone(&Utc)))
            .map_err(|_| TimestampError(super::text::visible(s).into_owned()))
    }

    pub fn from_utc(dt: DateTime<Utc>) -> Timestamp {
        Timestamp(dt)
    }

    pub fn as_utc(&self) -> DateTime<Utc> {
        self.0
    }

    /// The day it fell on (UTC).
    pub fn date(&self) -> NaiveDate {
        self.0.date_naive()
    }

    /// To the minute, for narrow screens: `2026-11-28T09:15`.
    pub fn to_minute(&self) -> String {
        self.0.format("%Y-%m-%dT%H:%M").to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Timelike;
        let t = self.0.time();
        let nanos = t.nanosecond();
        match date_text(self.0.date_naive()) {
            // `%Y-%m-%dT%H:%M:%S%.3fZ` by position.
            DateText::Short(day) if nanos < 1_000_000_000 => {
                let mut b = *b"0000-00-00T00:00:00.000Z";
                b[..10].copy_from_slice(&day);
                put(&mut b[11..13], t.hour());
                put(&mut b[14..16], t.minute());
                put(&mut b[17..19], t.second());
                put(&mut b[20..23], nanos / 1_000_000);
                f.write_str(std::str::from_utf8(&b).unwrap_or_default())
            }
            // A five-digit year or a leap second: chrono's own text.
            _ => f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Timestamp, TimestampError> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A date a person typed that is not one; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: '{shown}' is not a date (expected YYYY-MM-DD, e.g. 2026-11-28)")]
pub struct DateError {
    field: String,
    shown: String,
}

/// `YYYY-MM-DD` as typed on the command line, in a form or an API body.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, DateError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| DateError {
        field: field.to_string(),
        shown: super::text::visible(s).into_owned(),
    })
}

/// An optional date: blank is none, anything else must be a date.
pub fn optional_date(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, DateError> {
    match s.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_date(field, t).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_round_trips() {
        for s in ["2026-11-28T09:15:02.123Z", "2020-01-01T00:00:00.000Z"] {
            assert_eq!(Timestamp::parse(s).unwrap().to_string(), s);
        }
        let t = Timestamp::parse("2026-11-28T10:15:02+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-28T09:15:02.000Z");
        assert_eq!(t.to_minute(), "2026-11-28T09:15");
        assert_eq!(t.date().to_string(), "2026-11-28");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-28T09:15:02.000Z\""
        );
    }

    #[test]
    fn other_text_is_refused_and_shown_safely() {
        let e = Timestamp::parse("x\x1b").unwrap_err().to_string();
        assert_eq!(
            e,
            "'x^[' is not a timestamp (expected e.g. 2026-11-28T09:15:02.123Z)"
        );
        assert!(Timestamp::parse("2026-11-28").is_err());
    }

    #[test]
    fn the_fast_forms_are_chronos() {
        let mut d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        while chrono::Datelike::year(&d) < 3000 {
            assert_eq!(date_text(d).as_str(), d.to_string());
            assert_eq!(iso_date(&d.to_string()), Some(d));
            d = d + chrono::Days::new(997);
        }
        let far = NaiveDate::from_ymd_opt(12345, 6, 7).unwrap();
        assert_eq!(date_text(far).as_str(), far.to_string());
        for s in [
            "2026-11-28T09:15:02.123Z",
            "0099-01-02T23:59:59.999Z",
            "2024-02-29T00:00:00.000Z",
        ] {
            let t = Timestamp::parse(s).unwrap();
            assert_eq!(t.to_string(), s);
            assert_eq!(
                t.to_string(),
                t.as_utc().to_rfc3339_opts(SecondsFormat::Millis, true)
            );
        }
        // Not the stored form: the RFC 3339 parser, same instant.
        assert_eq!(
            Timestamp::parse("2026-11-28T09:15:02.1234Z")
                .unwrap()
                .to_string(),
            "2026-11-28T09:15:02.123Z"
        );
        assert!(Timestamp::parse("2026-02-30T09:15:02.123Z").is_err());
        assert_eq!(iso_date("2026-2-03"), None);
        let json = serde_json::to_value(Wrap {
            d: NaiveDate::from_ymd_opt(2026, 1, 2),
        })
        .unwrap();
        assert_eq!(json, serde_json::json!({"d": "2026-01-02"}));
    }

    #[derive(serde::Serialize)]
    struct Wrap {
        #[serde(serialize_with = "serialize_opt_date")]
        d: Option<NaiveDate>,
    }

    #[test]
    fn typed_dates_name_their_field() {
        assert_eq!(
            optional_date("eol", Some(" 2026-02-28 ")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(optional_date("eol", Some("  ")).unwrap(), None);
        assert_eq!(
            optional_date("due date", Some("2026-02-30"))
                .unwrap_err()
                .to_string(),
            "due date: '2026-02-30' is not a date (expected YYYY-MM-DD, e.g. 2026-11-28)"
        );
    }
}
