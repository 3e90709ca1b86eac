//! Check-in times as the exports write them, to the stored form `2026-11-28T09:15:02.000Z`.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Intune writes `2026-11-28 09:15:02.0000000` (UTC), Jamf `2026-11-28 09:15:02`, Kandji and
/// most APIs RFC 3339, osquery seconds since the epoch or `Mon Nov 30 16:47:47 2026 UTC`.
pub fn feed_time(s: &str) -> Result<String, String> {
    let t = s.trim();
    let stamp = |dt: DateTime<Utc>| dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    if !t.is_empty() && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = t.parse().map_err(|_| format!("'{t}' is not a time"))?;
        return DateTime::from_timestamp(secs, 0)
            .map(stamp)
            .ok_or_else(|| format!("'{t}' is out of range as seconds since 1970"));
    }
    if let Some(rest) = t.strip_suffix(" UTC") {
        if let Ok(dt) = NaiveDateTime::parse_from_str(rest.trim(), "%a %b %e %H:%M:%S %Y") {
            return Ok(stamp(dt.and_utc()));
        }
    }
    // `.0000000`: seven fractional digits, more than chrono's %.f accepts in every position.
    let plain = match t.find('.') {
        Some(dot)
            if t.len() > 19 && dot == 19 && t[dot + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            &t[..dot]
        }
        _ => t,
    };
    crate::interop::parse::parse_timestamp(plain, None).map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exports_time_format() {
        let want = "2026-11-28T09:15:02.000Z";
        for s in [
            "2026-11-28 09:15:02.0000000",
            "2026-11-28 09:15:02",
            "2026-11-28T09:15:02Z",
            "2026-11-28T10:15:02+01:00",
            "1795857302",
            "Sat Nov 28 09:15:02 2026 UTC",
        ] {
            assert_eq!(feed_time(s).as_deref(), Ok(want), "{s}");
        }
        assert!(feed_time("last tuesday").is_err());
    }
}
