//! Dates, amounts and timestamps at the SQL edge: stored as text (`2026-11-28`, `1299.00`,
//! `2026-11-28T09:15:02.123Z`), typed everywhere else. The only place that text is read back.
//!
//! A stored value that does not read as its type (written by the sqlite3 shell, say) fails the
//! read with the column and the value, as a bad status does: shown as something else, or
//! dropped, it would be exported and re-imported wrong.

use super::sql::{Error, Result, Row, ValueRef};
use crate::domain::time::{self, Timestamp};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

fn bad(r: &Row<'_>, i: usize, what: &str, shown: &str) -> Error {
    let column = r.column_name(i).unwrap_or("value");
    Error::conversion(
        i,
        format!(
            "stored {column} '{}' is not {what}",
            crate::domain::text::visible(shown)
        ),
    )
}

/// The column as text, None when NULL.
fn opt_str<'r>(r: &'r Row<'_>, i: usize) -> Result<Option<&'r str>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(b) => std::str::from_utf8(b)
            .map(Some)
            .map_err(|_| bad(r, i, "UTF-8 text", &String::from_utf8_lossy(b))),
        other => Err(bad(r, i, "text", &format!("{other:?}"))),
    }
}

/// A `YYYY-MM-DD` column.
pub(super) fn opt_date(r: &Row<'_>, i: usize) -> Result<Option<NaiveDate>> {
    opt_str(r, i)?
        .map(|s| {
            time::iso_date(s)
                .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .ok_or_else(|| bad(r, i, "a date", s))
        })
        .transpose()
}

/// An amount column (plain decimal text, as [`amount_text`] writes it).
pub(super) fn opt_amount(r: &Row<'_>, i: usize) -> Result<Option<Decimal>> {
    opt_str(r, i)?
        .map(|s| Decimal::from_str(s).map_err(|_| bad(r, i, "an amount", s)))
        .transpose()
}

/// A `YYYY-MM-DD` column that is always set.
pub(super) fn date(r: &Row<'_>, i: usize) -> Result<NaiveDate> {
    opt_date(r, i)?.ok_or_else(|| bad(r, i, "a date", "NULL"))
}

/// An amount column that is always set.
pub(super) fn amount(r: &Row<'_>, i: usize) -> Result<Decimal> {
    opt_amount(r, i)?.ok_or_else(|| bad(r, i, "an amount", "NULL"))
}

/// A timestamp column that may be empty.
pub(super) fn opt_stamp(r: &Row<'_>, i: usize) -> Result<Option<Timestamp>> {
    opt_str(r, i)?
        .map(|s| Timestamp::parse(s).map_err(|_| bad(r, i, "a timestamp", s)))
        .transpose()
}

/// A timestamp column that is always set.
pub(super) fn stamp(r: &Row<'_>, i: usize) -> Result<Timestamp> {
    opt_stamp(r, i)?.ok_or_else(|| bad(r, i, "a timestamp", "NULL"))
}

/// A date as stored.
pub(super) fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| time::date_text(d).as_str().to_owned())
}

/// An amount as stored: its decimal text, with the scale it was given (`1299.00`, `12`).
pub(super) fn amount_text(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::{params, Conn};

    fn read<T>(sql_value: &str, f: fn(&Row<'_>, usize) -> Result<T>) -> Result<T> {
        let c = Conn::open_in_memory().unwrap();
        c.query_row(&format!("SELECT {sql_value}"), params![], |r| f(r, 0))
    }

    #[test]
    fn stored_text_reads_back_to_the_same_text() {
        let d = read("'2026-11-28'", opt_date).unwrap();
        assert_eq!(d.unwrap().to_string(), "2026-11-28");
        for s in ["1299.00", "12", "0.125"] {
            let a = read(&format!("'{s}'"), opt_amount).unwrap();
            assert_eq!(a.unwrap().to_string(), s);
        }
        let t = read("'2026-11-28T09:15:02.123Z'", stamp).unwrap();
        assert_eq!(t.to_string(), "2026-11-28T09:15:02.123Z");
        assert_eq!(read("NULL", opt_date).unwrap(), None);
        assert_eq!(read("NULL", opt_amount).unwrap(), None);
    }

    #[test]
    fn a_bad_stored_value_fails_naming_it() {
        let e = read("'28/11/2026' AS purchase_date", opt_date)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("stored purchase_date '28/11/2026' is not a date"),
            "{e}"
        );
        let e = read("'x'", stamp).unwrap_err().to_string();
        assert!(e.contains("'x' is not a timestamp"), "{e}");
        assert!(read("NULL", stamp).is_err());
        assert!(read("'1e3x'", opt_amount).is_err());
    }
}
