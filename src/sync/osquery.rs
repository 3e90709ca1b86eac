//! osquery results: the results log (one JSON object per line, snapshot or event format) of
//! scheduled queries on `system_info`, `os_version`, `programs` (Windows) and `apps` (macOS),
//! or `osqueryi --json` output gathered under the table names (`{"system_info": [...], ...}`).
//! Rows are told apart by their columns (every value osquery logs is a string), so the
//! queries may be named anything.

use super::{text, FeedError, Strings};
use crate::domain::feed::{normalize_serial, Device, Feed, Install, Source};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// The columns itam reads from the four tables (others are ignored).
#[derive(Debug, Default, Deserialize)]
struct Row<'a> {
    #[serde(borrow, default)]
    hardware_serial: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    hostname: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    computer_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    uuid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    publisher: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    platform: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    major: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    build: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    bundle_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    bundle_short_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    bundle_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    bundle_identifier: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    install_location: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    identifying_number: Option<Cow<'a, str>>,
}

/// One line of a results log, or one host's tables.
#[derive(Debug, Deserialize)]
struct Entry<'a> {
    #[serde(rename = "hostIdentifier", borrow, default)]
    host: Option<Cow<'a, str>>,
    #[serde(rename = "unixTime", default)]
    unix_time: Option<Value>,
    #[serde(rename = "calendarTime", borrow, default)]
    calendar_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    snapshot: Option<Vec<Row<'a>>>,
    #[serde(borrow, default)]
    columns: Option<Row<'a>>,
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    // `osqueryi --json` output of each table for one host, gathered under the table names.
    #[serde(borrow, default)]
    system_info: Vec<Row<'a>>,
    #[serde(borrow, default)]
    os_version: Vec<Row<'a>>,
    #[serde(borrow, default)]
    programs: Vec<Row<'a>>,
    #[serde(borrow, default)]
    apps: Vec<Row<'a>>,
}

#[derive(Default)]
struct Host {
    line: u64,
    serial: Option<String>,
    hostname: Option<String>,
    uuid: Option<String>,
    os: Option<String>,
    os_version: Option<String>,
    seen_at: Option<String>,
    installs: Option<Vec<Install>>,
}

fn s(c: &Option<Cow<'_, str>>) -> Option<String> {
    c.as_deref().and_then(text)
}

impl Host {
    fn take(&mut self, r: &Row<'_>, strings: &mut Strings) {
        if r.hardware_serial.is_some() {
            self.serial = s(&r.hardware_serial).or(self.serial.take());
            self.hostname = s(&r.hostname)
                .or(s(&r.computer_name))
                .or(self.hostname.take());
            self.uuid = s(&r.uuid).or(self.uuid.take());
        } else if r.major.is_some() || r.platform.is_some() || r.build.is_some() {
            self.os = s(&r.name).or(self.os.take());
            self.os_version = s(&r.version).or(self.os_version.take());
        } else if r.bundle_identifier.is_some() || r.bundle_short_version.is_some() {
            let name = s(&r.display_name).or(s(&r.bundle_name)).or(s(&r.name));
            if let Some(n) = name {
                let version = s(&r.bundle_short_version).or(s(&r.bundle_version));
                self.add(strings, &n, version.as_deref(), None);
            }
        } else if r.publisher.is_some()
            || r.install_location.is_some()
            || r.identifying_number.is_some()
            || r.version.is_some()
        {
            if let Some(n) = s(&r.name) {
                self.add(
                    strings,
                    &n,
                    s(&r.version).as_deref(),
                    s(&r.publisher).as_deref(),
                );
            }
        }
    }

    fn add(
        &mut self,
        strings: &mut Strings,
        product: &str,
        version: Option<&str>,
        publisher: Option<&str>,
    ) {
        let i = Install {
            product: strings.get(product),
            version: strings.get(version.unwrap_or("")),
            publisher: strings.get(publisher.unwrap_or("")),
        };
        let list = self.installs.get_or_insert_with(Vec::new);
        if !list.contains(&i) {
            list.push(i);
        }
    }

    fn seen(&mut self, t: String) {
        if self.seen_at.as_ref().is_none_or(|s| *s < t) {
            self.seen_at = Some(t);
        }
    }
}

fn entry_time(e: &Entry<'_>, line: u64) -> Result<Option<String>, FeedError> {
    let raw = match &e.unix_time {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        _ => e.calendar_time.as_deref().map(str::to_owned),
    };
    raw.map(|t| {
        super::feed_time(&t)
            .map_err(|m| FeedError::Invalid(format!("line {line}, key unixTime: {m}")))
    })
    .transpose()
}

pub(super) fn read(text_in: &str, default_seen: &str) -> Result<Feed, FeedError> {
    let mut strings = Strings::new();
    let mut hosts: Vec<Host> = Vec::new();
    let mut by_host: HashMap<String, usize> = HashMap::new();
    let bad = |line: u64, e: serde_json::Error| {
        FeedError::Invalid(format!(
            "line {}, column {}: not an osquery result: {e}",
            line + e.line() as u64 - 1,
            e.column()
        ))
    };
    let trimmed = text_in.trim_start();
    let mut take = |e: Entry<'_>, n: u64, hosts: &mut Vec<Host>| -> Result<(), FeedError> {
        let tables = [&e.system_info, &e.os_version, &e.programs, &e.apps];
        if tables.iter().any(|t| !t.is_empty()) {
            let mut h = Host {
                line: n,
                ..Host::default()
            };
            for r in tables.into_iter().flatten() {
                h.take(r, &mut strings);
            }
            if let Some(t) = entry_time(&e, n)? {
                h.seen(t);
            }
            hosts.push(h);
            return Ok(());
        }
        apply_entry(&e, n, hosts, &mut by_host, &mut strings)
    };
    if trimmed.starts_with('[') {
        // One JSON document: an array of results-log entries or of per-host table sets.
        let docs: Vec<Entry<'_>> = serde_json::from_str(trimmed).map_err(|e| bad(1, e))?;
        for (n, e) in docs.into_iter().enumerate() {
            take(e, n as u64 + 1, &mut hosts)?;
        }
    } else if serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok() {
        // One object (a host's tables, pretty-printed, or a one-line log).
        let e: Entry<'_> = serde_json::from_str(trimmed).map_err(|e| bad(1, e))?;
        take(e, 1, &mut hosts)?;
    } else {
        for (n, line) in text_in.lines().enumerate() {
            let line_no = n as u64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            let e: Entry<'_> = serde_json::from_str(line).map_err(|e| bad(line_no, e))?;
            take(e, line_no, &mut hosts)?;
        }
    }
    let mut devices = Vec::with_capacity(hosts.len());
    let mut skipped = Vec::new();
    for h in hosts {
        let Some(serial) = h.serial.filter(|s| !normalize_serial(s).is_empty()) else {
            skipped.push(format!(
                "line {}: host {} has no system_info.hardware_serial, skipped",
                h.line,
                crate::domain::text::visible(
                    h.hostname.as_deref().or(h.uuid.as_deref()).unwrap_or("?")
                )
            ));
            continue;
        };
        devices.push(Device {
            line: h.line,
            serial,
            hostname: h.hostname,
            os: h.os,
            os_version: h.os_version,
            enrolled: None,
            user: None,
            source_id: h.uuid,
            seen_at: h.seen_at.unwrap_or_else(|| default_seen.to_string()),
            installs: h.installs,
        });
    }
    Ok(Feed {
        source: Source::Osquery,
        devices,
        strings: strings.into_list(),
        skipped,
    })
}

fn apply_entry(
    e: &Entry<'_>,
    line: u64,
    hosts: &mut Vec<Host>,
    by_host: &mut HashMap<String, usize>,
    strings: &mut Strings,
) -> Result<(), FeedError> {
    let key = e.host.as_deref().unwrap_or("").to_string();
    let idx = match by_host.get(&key) {
        Some(&i) => i,
        None => {
            hosts.push(Host {
                line,
                ..Host::default()
            });
            by_host.insert(key, hosts.len() - 1);
            hosts.len() - 1
        }
    };
    let h = &mut hosts[idx];
    if let Some(t) = entry_time(e, line)? {
        h.seen(t);
    }
    if let Some(rows) = &e.snapshot {
        for r in rows {
            h.take(r, strings);
        }
    }
    // Event format: a removed row is not an install; snapshots are the complete list.
    if let Some(r) = &e.columns {
        if e.action.as_deref() != Some("removed") {
            h.take(r, strings);
        }
    }
    if h.hostname.is_none() {
        h.hostname = e.host.as_deref().and_then(text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_results_log_groups_by_host() {
        let log = r#"{"name":"si","hostIdentifier":"h1","unixTime":1795857302,"snapshot":[{"hardware_serial":"ABC 1","hostname":"h1.local","uuid":"U1"}],"action":"snapshot"}
{"name":"progs","hostIdentifier":"h1","unixTime":"1795857302","snapshot":[{"name":"Adobe Acrobat DC","version":"24.1","publisher":"Adobe Inc."}],"action":"snapshot"}
{"name":"os","hostIdentifier":"h1","unixTime":1795857302,"snapshot":[{"name":"Microsoft Windows 11 Pro","version":"10.0.22631","major":"10","platform":"windows"}],"action":"snapshot"}
"#;
        let f = read(log, "2026-01-01T00:00:00.000Z").unwrap();
        assert_eq!(f.devices.len(), 1);
        let d = &f.devices[0];
        assert_eq!(d.serial, "ABC 1");
        assert_eq!(d.os.as_deref(), Some("Microsoft Windows 11 Pro"));
        assert_eq!(d.seen_at, "2026-11-28T09:15:02.000Z");
        let i = d.installs.as_ref().unwrap();
        assert_eq!(f.text(i[0].publisher), "Adobe Inc.");
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = read("{\"hostIdentifier\":\"h\"}\n{oops\n", "x")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 2"), "{e}");
    }
}
