//! Where the database is and how itam behaves: `$XDG_CONFIG_HOME/itam/config.toml`.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Database path; `~/` is expanded.
    pub db: Option<String>,
    /// Open every database read-only (a look-up seat on a shared jump box).
    pub read_only: bool,
    pub scan: ScanConfig,
    pub receiving: ReceivingConfig,
    pub labels: LabelsConfig,
    pub import: ImportConfig,
}

/// `[import]`: how files from other systems are read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ImportConfig {
    /// Snipe-IT's username_format for people met only by name (default `filastname`).
    pub username_format: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReceivingConfig {
    /// Tags for received assets: `{seq}` or `{seq:06}` is the next free number.
    pub tag_pattern: String,
}

impl Default for ReceivingConfig {
    fn default() -> Self {
        ReceivingConfig {
            tag_pattern: "IT-{seq:06}".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScanConfig {
    /// Keys closer together than this (ms) may be a scanner burst.
    pub max_gap_ms: u64,
    /// A burst shorter than this is typing, not a scan.
    pub min_len: usize,
    /// A character the scanner sends before every code, making detection exact.
    pub prefix: Option<char>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            max_gap_ms: 40,
            min_len: 3,
            prefix: None,
        }
    }
}

/// `[labels]`: label stock, printer resolution and where `itam label --print` sends.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LabelsConfig {
    /// Label width and height in inches.
    pub width_in: f64,
    pub height_in: f64,
    /// Printer resolution: 203 (8 dots/mm), 300 or 600.
    pub dpi: u32,
    /// A network label printer, "HOST:PORT" (port 9100 when left out).
    pub printer: Option<String>,
    /// Add a QR code of the tag beside the barcode.
    pub qr: bool,
}

impl Default for LabelsConfig {
    /// 2" x 1" at 203 dpi: the common desktop Zebra and its stock.
    fn default() -> Self {
        LabelsConfig {
            width_in: 2.0,
            height_in: 1.0,
            dpi: 203,
            printer: None,
            qr: false,
        }
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(fallback)))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `$XDG_CONFIG_HOME/itam` (default `~/.config/itam`).
pub fn config_dir() -> PathBuf {
    xdg("XDG_CONFIG_HOME", ".config").join("itam")
}

/// `$XDG_DATA_HOME/itam/itam.db` (default `~/.local/share/itam/itam.db`).
pub fn default_db_path() -> PathBuf {
    xdg("XDG_DATA_HOME", ".local/share")
        .join("itam")
        .join("itam.db")
}

fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), home()) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(p),
    }
}

impl Config {
    /// Parse config text; the error says which line and why.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// Load the user's config. A missing file is the defaults; a bad one is the defaults plus a
    /// warning naming the file, the line and the reason.
    pub fn load() -> (Config, Option<String>) {
        Self::load_from(&config_dir().join("config.toml"))
    }

    pub fn load_from(path: &Path) -> (Config, Option<String>) {
        match std::fs::read_to_string(path) {
            Ok(text) => match Config::parse(&text) {
                Ok(c) => (c, None),
                Err(e) => (
                    Config::default(),
                    Some(format!(
                        "{}: {e}\n(using the default settings)",
                        path.display()
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), None),
            Err(e) => (
                Config::default(),
                Some(format!(
                    "{}: {e} (using the default settings)",
                    path.display()
                )),
            ),
        }
    }

    /// The database path: `--db`, else `ITAM_DB`, else `db` in config, else the XDG data dir.
    pub fn db_path(&self, flag: Option<&Path>) -> PathBuf {
        if let Some(p) = flag {
            return p.to_path_buf();
        }
        if let Some(p) = std::env::var_os("ITAM_DB").filter(|v| !v.is_empty()) {
            return PathBuf::from(p);
        }
        if let Some(p) = &self.db {
            return expand_home(p);
        }
        default_db_path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file() {
        let c = Config::parse("db = \"/srv/itam.db\"\nread_only = true\n[scan]\nmax_gap_ms = 25\nmin_len = 4\nprefix = \"~\"\n").unwrap();
        assert_eq!(c.db.as_deref(), Some("/srv/itam.db"));
        assert!(c.read_only);
        assert_eq!(
            c.scan,
            ScanConfig {
                max_gap_ms: 25,
                min_len: 4,
                prefix: Some('~')
            }
        );
    }

    #[test]
    fn bad_file_names_the_line_and_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "db = \"x\"\n\n[scan]\nmax_gap_ms = \"fast\"\n").unwrap();
        let (c, warn) = Config::load_from(&path);
        assert_eq!(c, Config::default());
        let warn = warn.unwrap();
        assert!(warn.contains("line 4"), "{warn}");
        assert!(warn.contains("config.toml"), "{warn}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = Config::parse("databse = \"typo\"\n").unwrap_err();
        assert!(err.contains("databse"), "{err}");
    }

    #[test]
    fn labels_section_with_defaults() {
        let c = Config::parse("[labels]\nprinter = \"zebra1:9100\"\nqr = true\n").unwrap();
        assert_eq!(c.labels.printer.as_deref(), Some("zebra1:9100"));
        assert!(c.labels.qr);
        assert_eq!(
            (c.labels.width_in, c.labels.height_in, c.labels.dpi),
            (2.0, 1.0, 203)
        );
        let c = Config::parse("[labels]\nwidth_in = 4\nheight_in = 2.5\ndpi = 300\n").unwrap();
        assert_eq!(
            (c.labels.width_in, c.labels.height_in, c.labels.dpi),
            (4.0, 2.5, 300)
        );
        let err = Config::parse("[labels]\ndpl = 300\n").unwrap_err();
        assert!(err.contains("dpl"), "{err}");
    }

    #[test]
    fn flag_wins() {
        let c = Config {
            db: Some("/from/config.db".into()),
            ..Config::default()
        };
        assert_eq!(
            c.db_path(Some(Path::new("/flag.db"))),
            PathBuf::from("/flag.db")
        );
    }
}
