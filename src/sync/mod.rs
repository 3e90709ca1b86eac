//! Inventory feeds: one reader per product's standard export, each producing a [`Feed`] of
//! devices (and, where the export carries them, installed software) for the store to apply.
//!
//! - Intune: Devices → All devices → Export (CSV).
//! - Jamf Pro: an advanced computer search exported as CSV, optionally with the
//!   Application Title / Application Version display fields (one row per computer and title).
//! - Kandji: the device list export (CSV, the API's field names or the console's headers).
//! - osquery: results logs (JSON lines, snapshot or event format) of queries on `system_info`,
//!   `os_version`, `programs` or `apps`, or `osqueryi --json` output gathered per table.
//! - csv: any CSV; columns found by common names or named with `--map field=Header`.

mod columns;
mod osquery;
mod time;

use crate::domain::feed::{Feed, Source};
use std::collections::HashMap;
use std::path::Path;

pub use columns::{parse_map, Field};
pub use time::feed_time;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Bad input: the message names the line (or record) and the column or key.
    #[error("{0}")]
    Invalid(String),
}

/// Read the export at `path` as `source`. `map` is `--map` (`field=Header`, several allowed).
/// A device whose export gives no check-in time is taken as seen when the file was written,
/// so syncing the same file twice changes nothing.
pub fn read_file(path: &Path, source: Source, map: &[String]) -> Result<Feed, FeedError> {
    let io = |source| FeedError::Io {
        path: path.display().to_string(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(io)?;
    let default_seen = chrono::DateTime::<chrono::Utc>::from(modified)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    read_bytes(&bytes, source, map, &default_seen)
}

/// [`read_file`] on bytes already read; `default_seen` stands in for a missing check-in time.
pub fn read_bytes(
    bytes: &[u8],
    source: Source,
    map: &[String],
    default_seen: &str,
) -> Result<Feed, FeedError> {
    if source == Source::Osquery {
        if !map.is_empty() {
            return Err(FeedError::Invalid(
                "--map applies to CSV exports, not to osquery's JSON".into(),
            ));
        }
        // JSON is UTF-8: read it in place (a fleet's results run to hundreds of MB).
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Ok(text) = std::str::from_utf8(body) {
            return osquery::read(text, default_seen);
        }
    }
    let decoded = crate::interop::csvread::decode(bytes);
    let mut feed = match source {
        Source::Osquery => osquery::read(&decoded.text, default_seen)?,
        _ => columns::read(&decoded.text, source, &parse_map(map)?, default_seen)?,
    };
    feed.skipped.extend(decoded.warnings);
    Ok(feed)
}

/// Shares the titles, versions and publishers a fleet repeats; index 0 is the empty string.
#[derive(Debug)]
pub(crate) struct Strings {
    index: HashMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Strings {
    pub(crate) fn new() -> Strings {
        Strings {
            index: HashMap::new(),
            list: vec!["".into()],
        }
    }

    pub(crate) fn get(&mut self, s: &str) -> u32 {
        let s = s.trim();
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(s.into());
        self.index.insert(s.into(), i);
        i
    }

    pub(crate) fn into_list(self) -> Vec<Box<str>> {
        self.list
    }
}

/// A text value worth keeping: trimmed, not empty.
pub(crate) fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}
