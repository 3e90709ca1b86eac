//! CSV exports (Intune, Jamf Pro, Kandji, any CSV): columns found by the names each product
//! writes, rows with the same serial joined into one device (Jamf writes a computer once per
//! application title when the search shows applications).

use super::{text, FeedError, Strings};
use crate::domain::feed::{normalize_serial, Device, Feed, Install, Source};
use crate::domain::text::visible;
use std::collections::HashMap;

/// What a column can mean to a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Serial,
    Hostname,
    Os,
    OsVersion,
    Enrolled,
    User,
    SourceId,
    SeenAt,
    Product,
    Version,
    Publisher,
}

const FIELDS: &[(&str, Field)] = &[
    ("serial", Field::Serial),
    ("hostname", Field::Hostname),
    ("os", Field::Os),
    ("os_version", Field::OsVersion),
    ("enrolled", Field::Enrolled),
    ("user", Field::User),
    ("source_id", Field::SourceId),
    ("seen_at", Field::SeenAt),
    ("product", Field::Product),
    ("version", Field::Version),
    ("publisher", Field::Publisher),
];

/// `--map serial=Asset Serial` (repeatable, or comma-separated): field names as in [`FIELDS`].
pub fn parse_map(map: &[String]) -> Result<Vec<(Field, String)>, FeedError> {
    let mut out = Vec::new();
    for item in map.iter().flat_map(|m| m.split(',')) {
        if item.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = item.split_once('=') else {
            return Err(FeedError::Invalid(format!(
                "--map '{}': expected field=Column header",
                visible(item)
            )));
        };
        let key = k.trim().to_ascii_lowercase().replace('-', "_");
        let Some(&(_, f)) = FIELDS.iter().find(|(n, _)| *n == key) else {
            let names: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).collect();
            return Err(FeedError::Invalid(format!(
                "--map: unknown field '{}' (expected one of: {})",
                visible(k.trim()),
                names.join(", ")
            )));
        };
        out.push((f, v.trim().to_string()));
    }
    Ok(out)
}

/// A header as compared: letters and digits only, lower case (`Last check-in` = `lastcheckin`,
/// Jamf's API spelling `Serial_Number` = `Serial Number`).
fn key(h: &str) -> String {
    h.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The headers each product writes for each field, most specific first.
fn aliases(source: Source, f: Field) -> &'static [&'static str] {
    use Field as F;
    use Source as S;
    match (source, f) {
        (S::Intune, F::Serial) => &["serialnumber"],
        (S::Intune, F::Hostname) => &["devicename"],
        (S::Intune, F::Os) => &["os"],
        (S::Intune, F::OsVersion) => &["osversion"],
        (S::Intune, F::Enrolled) => &["ismanaged", "intuneregistered"],
        (S::Intune, F::User) => &["primaryuserupn", "primaryuseremailaddress"],
        (S::Intune, F::SourceId) => &["deviceid"],
        (S::Intune, F::SeenAt) => &["lastcheckin"],
        (S::Jamf, F::Serial) => &["serialnumber"],
        (S::Jamf, F::Hostname) => &["computername"],
        (S::Jamf, F::Os) => &["operatingsystem", "operatingsystemname"],
        (S::Jamf, F::OsVersion) => &["operatingsystemversion"],
        (S::Jamf, F::Enrolled) => &["managed", "computermanagementstatus"],
        (S::Jamf, F::User) => &["username", "emailaddress"],
        (S::Jamf, F::SourceId) => &["jamfprocomputerid", "jsscomputerid", "jamfproidnumber"],
        (S::Jamf, F::SeenAt) => &["lastcheckin", "lastinventoryupdate"],
        (S::Jamf, F::Product) => &["applicationtitle"],
        (S::Jamf, F::Version) => &["applicationversion"],
        (S::Kandji, F::Serial) => &["serialnumber"],
        (S::Kandji, F::Hostname) => &["devicename"],
        (S::Kandji, F::Os) => &["platform"],
        (S::Kandji, F::OsVersion) => &["osversion"],
        (S::Kandji, F::Enrolled) => &["mdmenabled"],
        (S::Kandji, F::User) => &["useremail", "email", "user"],
        (S::Kandji, F::SourceId) => &["deviceid"],
        (S::Kandji, F::SeenAt) => &["lastcheckin"],
        (S::Kandji, F::Product) => &["appname"],
        (S::Kandji, F::Version) => &["appversion"],
        (_, F::Serial) => &["serial", "serialnumber", "hardwareserial"],
        (_, F::Hostname) => &["hostname", "devicename", "computername", "name"],
        (_, F::Os) => &["os", "operatingsystem", "platform"],
        (_, F::OsVersion) => &["osversion", "operatingsystemversion"],
        (_, F::Enrolled) => &["enrolled", "mdmenrolled", "managed"],
        (_, F::User) => &["user", "primaryuser", "username", "email"],
        (_, F::SourceId) => &["deviceid", "id"],
        (_, F::SeenAt) => &["lastseen", "lastcheckin", "seenat", "seen"],
        (_, F::Product) => &["product", "software", "application", "app"],
        (_, F::Version) => &["version", "productversion"],
        (_, F::Publisher) => &["publisher", "vendor"],
    }
}

/// Enrolment as the products say it: Intune `True`/`Registered`, Jamf `Managed`/`Unmanaged`,
/// Kandji `true`/`false`. Anything else is "the feed does not say".
fn enrolled(s: &str) -> Option<bool> {
    match key(s).as_str() {
        "true" | "yes" | "1" | "managed" | "registered" | "enrolled" => Some(true),
        "false" | "no" | "0" | "unmanaged" | "notregistered" | "unenrolled" | "notenrolled"
        | "approvalpending" => Some(false),
        _ => None,
    }
}

pub(super) fn read(
    text_in: &str,
    source: Source,
    map: &[(Field, String)],
    default_seen: &str,
) -> Result<Feed, FeedError> {
    let table = crate::interop::csvread::read_csv(text_in)
        .map_err(|e| FeedError::Invalid(format!("{} export: {e}", source.as_str())))?;
    let keys: Vec<String> = table.headers.iter().map(|h| key(h)).collect();
    let mut col: HashMap<Field, usize> = HashMap::new();
    for &(_, f) in FIELDS {
        if let Some((_, h)) = map.iter().find(|(mf, _)| *mf == f) {
            let i = keys.iter().position(|k| *k == key(h)).ok_or_else(|| {
                FeedError::Invalid(format!(
                    "--map {}: the file has no column '{}' (its columns: {})",
                    FIELDS.iter().find(|(_, x)| *x == f).map_or("", |(n, _)| *n),
                    visible(h),
                    visible(&table.headers.join(", "))
                ))
            })?;
            col.insert(f, i);
            continue;
        }
        if let Some(i) = aliases(source, f)
            .iter()
            .find_map(|a| keys.iter().position(|k| k == a))
        {
            col.insert(f, i);
        }
    }
    if !col.contains_key(&Field::Serial) {
        return Err(FeedError::Invalid(format!(
            "line 1: no serial column in this {} export (looked for {}; name it with --map serial=HEADER). Its columns: {}",
            source.as_str(),
            aliases(source, Field::Serial).join(", "),
            visible(&table.headers.join(", "))
        )));
    }
    let has_software = col.contains_key(&Field::Product);
    let mut strings = Strings::new();
    let mut devices: Vec<Device> = Vec::new();
    let mut by_serial: HashMap<String, usize> = HashMap::new();
    let mut skipped = Vec::new();
    for row in &table.rows {
        let get = |f: Field| col.get(&f).and_then(|&i| row.fields.get(i)).unwrap_or("");
        let serial = normalize_serial(get(Field::Serial));
        if serial.is_empty() {
            skipped.push(format!("line {}: no serial, skipped", row.line));
            continue;
        }
        let idx = match by_serial.get(&serial) {
            Some(&i) => i,
            None => {
                let seen_at = match text(get(Field::SeenAt)) {
                    Some(t) => super::feed_time(&t).map_err(|e| {
                        FeedError::Invalid(format!(
                            "line {}, column {}: {e}",
                            row.line,
                            visible(&table.headers[col[&Field::SeenAt]])
                        ))
                    })?,
                    None => default_seen.to_string(),
                };
                devices.push(Device {
                    line: row.line,
                    serial: get(Field::Serial).trim().to_string(),
                    hostname: text(get(Field::Hostname)),
                    os: text(get(Field::Os)),
                    os_version: text(get(Field::OsVersion)),
                    enrolled: enrolled(get(Field::Enrolled)),
                    user: text(get(Field::User)),
                    source_id: text(get(Field::SourceId)),
                    seen_at,
                    installs: has_software.then(Vec::new),
                });
                by_serial.insert(serial, devices.len() - 1);
                devices.len() - 1
            }
        };
        if has_software {
            let product = strings.get(get(Field::Product));
            if product != 0 {
                let install = Install {
                    product,
                    version: strings.get(get(Field::Version)),
                    publisher: strings.get(get(Field::Publisher)),
                };
                if let Some(list) = devices[idx].installs.as_mut() {
                    if !list.contains(&install) {
                        list.push(install);
                    }
                }
            }
        }
    }
    Ok(Feed {
        source,
        devices,
        strings: strings.into_list(),
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_compare_without_case_spaces_or_punctuation() {
        assert_eq!(key("Last check-in"), "lastcheckin");
        assert_eq!(key("Serial_Number"), key("Serial Number"));
    }

    #[test]
    fn map_names_its_bad_field() {
        let e = parse_map(&["colour=Paint".into()]).unwrap_err().to_string();
        assert!(e.contains("unknown field 'colour'"), "{e}");
        let m = parse_map(&["serial=Asset Serial,user=Owner".into()]).unwrap();
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn jamf_rows_per_application_join_into_one_device() {
        let csv =
            "Computer Name,Serial Number,Last Check-in,Application Title,Application Version\n\
                   mac-1,C02AB,2026-11-28 09:15:02,Slack.app,4.41\n\
                   mac-1,c02 ab,2026-11-28 09:15:02,Zoom.us.app,6.2\n";
        let f = read(csv, Source::Jamf, &[], "2026-01-01T00:00:00.000Z").unwrap();
        assert_eq!(f.devices.len(), 1);
        assert_eq!(f.devices[0].installs.as_ref().map(Vec::len), Some(2));
        assert_eq!(f.devices[0].seen_at, "2026-11-28T09:15:02.000Z");
    }

    #[test]
    fn a_bad_time_names_line_and_column() {
        let csv = "Serial number,Last check-in\nX1,soon\n";
        let e = read(csv, Source::Intune, &[], "2026-01-01T00:00:00.000Z")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column Last check-in"), "{e}");
    }
}
