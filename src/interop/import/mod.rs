//! Importing: [`plan`] reads and checks everything without writing (and without the write lock);
//! [`apply`] writes a plan in one `BEGIN IMMEDIATE` transaction. A TUI shows `plan.summary` and
//! `plan.issues`, asks, then calls `apply`.

//!
//! One file per kind of row (assets, people, locations, models, licences), the shared
//! [`planner`] they are checked with, and [`write`], which applies a plan.

mod assets;
pub mod licences;
mod locations;
mod models;
mod people;
mod planner;
mod write;

pub use write::apply;

use super::csvread;
use super::snipeit::parse_map;
use super::{Format, InteropError, Kind};
use crate::domain::text::visible;
use crate::store::{AssetField, BulkAsset, NewPerson, PersonDetails, Store};
use planner::Planner;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub kind: Kind,
    pub format: Format,
    /// `Header=field,...` overrides (see [`parse_map`]).
    pub map: Vec<String>,
    /// Change assets (and people) whose tag (username) exists, instead of skipping them.
    pub update: bool,
    /// Import the good rows and skip the rows with errors.
    pub skip_bad_rows: bool,
    /// A chrono format tried first for dates, e.g. `%d/%m/%Y`.
    pub date_format: Option<String>,
    /// Costs are written `1.234,56`.
    pub decimal_comma: bool,
    /// `Label=status,...`: Snipe-IT status labels read as these itam statuses.
    pub status_map: Vec<String>,
    /// How a username is made from a full name (Snipe-IT's `username_format`).
    pub username_format: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kind: Kind::Assets,
            format: Format::Auto,
            map: Vec::new(),
            update: false,
            skip_bad_rows: false,
            date_format: None,
            decimal_comma: false,
            status_map: Vec::new(),
            username_format: "filastname".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: where (line and column, when known) and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// The line the row starts on (the record number for a JSON array); None for the file.
    pub line: Option<u64>,
    #[serde(skip)]
    pub unit: &'static str,
    /// The column's header as written in the file.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut wrote = false;
        if let Some(l) = self.line {
            write!(f, "{} {l}", self.unit)?;
            wrote = true;
        }
        if let Some(c) = &self.column {
            if wrote {
                write!(f, ", ")?;
            }
            write!(f, "column \"{}\"", visible(c))?;
            wrote = true;
        }
        if wrote {
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// What an import would do (a plan) or did (after apply).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub rows_read: usize,
    pub create: usize,
    pub update: usize,
    pub skip: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// A checked import, ready to apply. Nothing has been written.
#[derive(Debug, Clone)]
pub struct Plan {
    pub kind: Kind,
    /// The format the file was read as.
    pub format: Format,
    /// The file's name, recorded in the note of every event.
    pub source: String,
    pub summary: Summary,
    /// Every problem, file-level first, then by line.
    pub issues: Vec<Issue>,
    /// Problems with the file itself (duplicate columns): it cannot be imported at all.
    pub file_errors: usize,
    pub skip_bad_rows: bool,
    ops: Ops,
}

#[derive(Debug, Clone, PartialEq)]
struct AssetUpdate {
    id: i64,
    changes: Vec<(AssetField, Option<String>)>,
    before: String,
    after: String,
    /// Custom field values the file gives: (index into the plan's custom fields, value).
    fields: Vec<(usize, String)>,
    /// The home location's code, when the file gives one.
    home: Option<String>,
}

/// What a new asset carries beside its [`BulkAsset`] row.
#[derive(Debug, Clone, Default, PartialEq)]
struct CreateExtra {
    /// The home location's code.
    home: Option<String>,
    /// (index into the plan's custom fields, value)
    fields: Vec<(usize, String)>,
    /// When the source system created it (kept in the create event).
    created_at: Option<crate::domain::time::Timestamp>,
}

/// A custom field column: how its values were checked, and whether the write defines it.
#[derive(Debug, Clone, PartialEq)]
struct CustomPlan {
    col: usize,
    name: String,
    kind: crate::domain::field::FieldKind,
    format: Option<String>,
    exists: bool,
}

/// (name, manufacturer, category, model number)
type ModelRow = (String, Option<String>, Option<String>, Option<String>);

#[derive(Debug, Clone)]
enum Ops {
    Assets {
        /// Shared with the staged rows the write copies from (see [`StagedAssets`]).
        creates: Arc<Vec<(BulkAsset, String)>>,
        updates: Vec<AssetUpdate>,
        /// One per create, in the same order.
        extras: Vec<CreateExtra>,
        custom: Vec<CustomPlan>,
        /// Home locations no asset is at: the write creates them.
        home_only: Vec<planner::LocRef>,
        /// Badge, team, title, phone and location of the people assets are checked out to
        /// (a report's Employee No., Department, Title, Phone, User Location):
        /// (person, details, before, after), written after the assets.
        people_details: Vec<(NewPerson, PersonDetails, Value, Value)>,
    },
    People {
        creates: Vec<(NewPerson, PersonDetails)>,
        updates: Vec<(NewPerson, PersonDetails, Value, Value)>,
    },
    Locations {
        creates: Vec<(String, String, Option<String>)>,
    },
    Models {
        creates: Vec<ModelRow>,
    },
}

/// What [`apply`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub created: usize,
    pub updated: usize,
    pub events: u64,
    /// How long the write transaction held the database's write lock, in milliseconds.
    pub write_ms: u64,
    /// How long staging rows ahead of the write lock took, in milliseconds.
    #[serde(skip)]
    pub stage_ms: u64,
}

/// Read `path` and check it against the database. Writes nothing.
pub fn plan(store: &Store, path: &Path, opts: &Options) -> Result<Plan, InteropError> {
    let bytes = std::fs::read(path).map_err(|source| InteropError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    plan_bytes(store, &bytes, &name, &ext, opts)
}

fn detect(format: Format, ext: &str, text: &str) -> Format {
    if format != Format::Auto {
        return format;
    }
    match ext {
        "json" => return Format::Json,
        "jsonl" | "ndjson" => return Format::Jsonl,
        _ => {}
    }
    match text.trim_start().chars().next() {
        Some('[') => Format::Json,
        Some('{') => Format::Jsonl,
        _ => Format::Snipeit,
    }
}

/// [`plan`] for bytes already read; `name` is recorded in event notes, `ext` helps detection.
pub fn plan_bytes(
    store: &Store,
    bytes: &[u8],
    name: &str,
    ext: &str,
    opts: &Options,
) -> Result<Plan, InteropError> {
    if opts.kind == Kind::Events {
        return Err(InteropError::Usage(
            "history cannot be imported: it is written by itam as things happen".into(),
        ));
    }
    let decoded = csvread::decode(bytes);
    let format = detect(opts.format, ext, &decoded.text);
    let table = match format {
        Format::Json => csvread::read_json(&decoded.text)?,
        Format::Jsonl => csvread::read_jsonl(&decoded.text)?,
        _ => csvread::read_csv(&decoded.text)?,
    };
    let map = parse_map(&opts.map)?;
    let _snapshot = store.read_snapshot()?;
    let status_map = super::snipeit::parse_status_map(&opts.status_map)?;
    if !people::USERNAME_FORMATS.contains(&opts.username_format.as_str()) {
        return Err(InteropError::Usage(format!(
            "unknown username format '{}' (one of: {})",
            visible(&opts.username_format),
            people::USERNAME_FORMATS.join(", ")
        )));
    }
    let mut p = Planner::new(store, opts, &table, &map);
    p.status_map = status_map;
    for w in decoded.warnings {
        p.file_issue(Severity::Warning, w);
    }
    p.check_columns();
    let ops = match opts.kind {
        Kind::Assets => p.assets()?,
        Kind::People => p.people()?,
        Kind::Locations => p.locations()?,
        Kind::Models => p.models()?,
        // Licences have their own planner (interop::licences); the CLI and TUI route there.
        Kind::Events | Kind::Licences => unreachable_kind()?,
    };
    let mut issues = p.file_issues;
    let mut row_issues = p.issues;
    row_issues.sort_by_key(|i| i.line);
    issues.extend(row_issues);
    let mut summary = p.summary;
    summary.rows_read = table.rows.len();
    summary.errors = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    summary.warnings = issues.len() - summary.errors;
    Ok(Plan {
        kind: opts.kind,
        format,
        source: name.to_string(),
        summary,
        issues,
        file_errors: p.file_errors,
        skip_bad_rows: opts.skip_bad_rows,
        ops,
    })
}

/// What a file holds, from its headers, for an import given no `--kind`: people (a users
/// export: names, usernames or emails and no asset tag), licences (seats or a licence name
/// and no asset tag), else assets. JSON files are taken as assets.
pub fn detect_kind(path: &Path) -> Result<Kind, InteropError> {
    let bytes = std::fs::read(path).map_err(|source| InteropError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    let decoded = csvread::decode(&bytes);
    let first = decoded.text.trim_start();
    if first.starts_with('[') || first.starts_with('{') {
        return Ok(Kind::Assets);
    }
    let line = first.lines().next().unwrap_or_default();
    let headers: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(super::snipeit::norm).collect())
        .unwrap_or_default();
    Ok(kind_from_headers(&headers))
}

/// See [`detect_kind`]; `headers` are normalised (see `snipeit::norm`).
pub fn kind_from_headers(headers: &[String]) -> Kind {
    let has = |names: &[&str]| headers.iter().any(|h| names.contains(&h.as_str()));
    if has(&["asset tag", "asset_tag", "tag", "asset tag number"]) {
        return Kind::Assets;
    }
    if has(&[
        "seats",
        "license name",
        "licence name",
        "serial/product key",
        "licensed to name",
        "licensed to email",
    ]) {
        return Kind::Licences;
    }
    if has(&[
        "first name",
        "last name",
        "username",
        "email",
        "employee number",
        "badge",
    ]) {
        return Kind::People;
    }
    Kind::Assets
}

fn unreachable_kind() -> Result<Ops, InteropError> {
    Err(InteropError::Usage("history cannot be imported".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_kind_is_told_by_its_headers() {
        let k =
            |h: &[&str]| kind_from_headers(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            k(&["first name", "last name", "email", "username"]),
            Kind::People
        );
        assert_eq!(k(&["asset tag", "username", "email"]), Kind::Assets);
        assert_eq!(k(&["item name", "serial number", "seats"]), Kind::Licences);
        assert_eq!(k(&["name", "parent"]), Kind::Assets);
    }

    #[test]
    fn issues_name_line_and_column() {
        let i = Issue {
            severity: Severity::Error,
            line: Some(7),
            unit: "line",
            column: Some("Purchase Date".into()),
            message: "'13/45/22' is not a date".into(),
        };
        assert_eq!(
            i.to_string(),
            "line 7, column \"Purchase Date\": '13/45/22' is not a date"
        );
    }
}
