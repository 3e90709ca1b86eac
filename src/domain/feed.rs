//! What an inventory feed (an MDM or agent export) says about devices: the observations the
//! store matches to assets by serial. Pure types; the readers live in `crate::sync`.

use super::text_enum;

/// The products itam reads exports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Intune,
    Jamf,
    Kandji,
    Osquery,
    Csv,
}

text_enum!(Source, "source", {
    Intune => "intune",
    Jamf => "jamf",
    Kandji => "kandji",
    Osquery => "osquery",
    Csv => "csv",
});

impl Source {
    /// The actor recorded on the events a sync from this source writes (`sync:intune`).
    pub fn actor(self) -> String {
        format!("sync:{}", self.as_str())
    }
}

/// One device as a feed reports it. `None` means the feed does not say (never "clear it").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Device {
    /// Where the device's first record is in the file, for messages.
    pub line: u64,
    /// As the feed wrote it; matched through [`normalize_serial`].
    pub serial: String,
    pub hostname: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub enrolled: Option<bool>,
    pub user: Option<String>,
    pub source_id: Option<String>,
    /// The device's last check-in as stored (`2026-11-28T09:15:02.000Z`).
    pub seen_at: String,
    /// `None`: this feed carries no software inventory for the device, so nothing is removed.
    pub installs: Option<Vec<Install>>,
}

/// One installed title, as indexes into [`Feed::strings`] (a fleet repeats a few hundred
/// titles millions of times; 0 is the empty string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Install {
    pub product: u32,
    pub version: u32,
    pub publisher: u32,
}

/// A whole export, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub source: Source,
    pub devices: Vec<Device>,
    pub strings: Vec<Box<str>>,
    /// Records skipped, each with its reason and line (e.g. no serial).
    pub skipped: Vec<String>,
}

impl Feed {
    pub fn text(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("", |s| s)
    }
}

/// A serial as matched: spaces removed, upper case (`c02 xk1` and `C02XK1` are one device).
pub fn normalize_serial(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_ignore_case_and_spaces() {
        assert_eq!(normalize_serial(" c02 xk1\t9 "), "C02XK19");
        assert_eq!(normalize_serial("C02XK19"), normalize_serial("c02xk19"));
    }

    #[test]
    fn actor_names_the_source() {
        assert_eq!(Source::Intune.actor(), "sync:intune");
        assert_eq!("osquery".parse::<Source>().ok(), Some(Source::Osquery));
    }
}
