//! Import and export: the Snipe-IT CSV dialect, itam's own CSV, JSON and JSON lines.
//!
//! An import is two steps so that a UI can show what would happen before anything is written:
//! [`import::plan`] reads, decodes and validates the whole file against the database (read-only,
//! no write lock) and returns a [`import::Plan`] with its summary and every problem by line and
//! column; [`import::apply`] then writes the plan in one short `BEGIN IMMEDIATE` transaction, so
//! an error or a kill leaves the database exactly as it was.

pub mod csvout;
pub mod csvread;
pub mod export;
pub mod import;
pub mod labels;
pub mod parse;
pub mod snipeit;

/// The licence import lives with the other kinds; this path is kept for its callers.
pub use import::licences;

use crate::store::StoreError;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Assets,
    People,
    Locations,
    Models,
    /// Import only: Snipe-IT's licence dialect.
    Licences,
    /// Export only: the history.
    Events,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assets => "assets",
            Kind::People => "people",
            Kind::Locations => "locations",
            Kind::Models => "models",
            Kind::Licences => "licences",
            Kind::Events => "events",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = InteropError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "assets" | "asset" => Kind::Assets,
            "people" | "person" | "users" | "user" => Kind::People,
            "locations" | "location" => Kind::Locations,
            "models" | "model" => Kind::Models,
            "licences" | "licence" | "licenses" | "license" => Kind::Licences,
            "events" | "history" => Kind::Events,
            other => {
                return Err(InteropError::Usage(format!(
                    "unknown kind '{}' (assets, people, locations, models, licences, events)",
                    crate::domain::text::visible(other)
                )))
            }
        })
    }
}

/// How a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Import only: JSON when the file starts with `[`, JSON lines with `{`, else CSV.
    Auto,
    /// Snipe-IT's CSV headers ("Asset Tag", "Checked Out to: Username", ...).
    Snipeit,
    /// itam's own CSV headers (tag, serial, purchase_cost, ...).
    Csv,
    Json,
    Jsonl,
}

impl std::str::FromStr for Format {
    type Err = InteropError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Format::Auto,
            "snipeit" | "snipe-it" => Format::Snipeit,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            other => {
                return Err(InteropError::Usage(format!(
                    "unknown format '{}' (auto, snipeit, csv, json, jsonl)",
                    crate::domain::text::visible(other)
                )))
            }
        })
    }
}

/// Why an import or export could not run at all (row problems are [`import::Issue`]s).
#[derive(Debug, thiserror::Error)]
pub enum InteropError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is empty (no header line)")]
    Empty,
    #[error("CSV: {0}")]
    Csv(String),
    #[error("JSON, line {line}: {message}")]
    Json { line: u64, message: String },
    #[error("--map: {0}")]
    BadMap(String),
    #[error("{0}")]
    Usage(String),
    /// The plan has errors and `--skip-bad-rows` was not given: nothing was written.
    #[error("{errors} error(s) in the file (listed above); nothing was imported (fix the rows, or use --skip-bad-rows to import the others)")]
    HasErrors { errors: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<csv::Error> for InteropError {
    fn from(e: csv::Error) -> Self {
        InteropError::Csv(e.to_string())
    }
}
