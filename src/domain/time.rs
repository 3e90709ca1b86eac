//! A moment in UTC, as every record stamps it. One text form everywhere it leaves the program
//! (SQL, JSON, CSV, screen): `2026-11-28T09:15:02.123Z`, milliseconds and `Z` always, so text
//! order is time order in the database and a stamp reads the same in every output.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

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
        // Same text as `%Y-%m-%dT%H:%M:%S%.3fZ`, without parsing a format string per call.
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
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
