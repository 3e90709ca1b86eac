//! Importing: [`plan`] reads and checks everything without writing (and without the write lock);
//! [`apply`] writes a plan in one `BEGIN IMMEDIATE` transaction. A TUI shows `plan.summary` and
//! `plan.issues`, asks, then calls `apply`.

use super::csvread::{self, Table};
use super::parse::{
    add_months, looks_mangled, parse_bool, parse_cost, parse_date, parse_timestamp,
};
use super::snipeit::{field_for, norm, parse_map, status_from_label, Field};
use super::{Format, InteropError, Kind};
use crate::domain::money::parse_currency;
use crate::domain::text::visible;
use crate::domain::{Condition, Status};
use crate::store::{AssetField, BulkAsset, BulkWriter, NewPerson, StagedAssets, Store};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
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
}

/// (name, manufacturer, category, model number)
type ModelRow = (String, Option<String>, Option<String>, Option<String>);

#[derive(Debug, Clone)]
enum Ops {
    Assets {
        /// Shared with the staged rows the write copies from (see [`StagedAssets`]).
        creates: Arc<Vec<(BulkAsset, String)>>,
        updates: Vec<AssetUpdate>,
    },
    People {
        creates: Vec<NewPerson>,
        updates: Vec<(NewPerson, Value, Value)>,
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
    let mut p = Planner::new(store, opts, &table, &map);
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

fn unreachable_kind() -> Result<Ops, InteropError> {
    Err(InteropError::Usage("history cannot be imported".into()))
}

/// Where a location reference points: an existing code, or one this import creates.
#[derive(Clone)]
struct LocRef {
    code: String,
    name: String,
}

/// How many `Field`s there are (`Ignore` is the last).
const FIELDS: usize = Field::Ignore as usize + 1;

struct Planner<'a> {
    store: &'a Store,
    opts: &'a Options,
    table: &'a Table,
    /// First column of each field.
    cols: HashMap<Field, usize>,
    /// The same, indexed by `Field as usize`: read ~30 times per row, so no hashing.
    col_of: [Option<usize>; FIELDS],
    issues: Vec<Issue>,
    file_issues: Vec<Issue>,
    file_errors: usize,
    summary: Summary,
    /// Errors on the row being planned.
    row_errors: usize,
    locations: HashMap<String, LocRef>,
    people: HashMap<String, Option<(String, bool)>>,
}

impl<'a> Planner<'a> {
    fn new(store: &'a Store, opts: &'a Options, table: &'a Table, map: &[(String, Field)]) -> Self {
        let mut cols = HashMap::new();
        let mut file_issues = Vec::new();
        let mut fields = Vec::with_capacity(table.headers.len());
        for h in &table.headers {
            let mapped = map
                .iter()
                .find(|(mh, _)| norm(mh) == norm(h))
                .map(|(_, f)| *f)
                .or_else(|| field_for(opts.kind, h));
            fields.push(mapped);
        }
        for (mh, _) in map {
            if !table.headers.iter().any(|h| norm(h) == norm(mh)) {
                file_issues.push(Issue {
                    severity: Severity::Warning,
                    line: None,
                    unit: table.unit,
                    column: Some(mh.clone()),
                    message: "--map names a column the file does not have".into(),
                });
            }
        }
        let mut unknown = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            match f {
                Some(Field::Ignore) => {}
                Some(f) => {
                    cols.entry(*f).or_insert(i);
                }
                None if !table.headers[i].trim().is_empty() => unknown.push(i),
                None => {}
            }
        }
        if !unknown.is_empty() {
            let names: Vec<String> = unknown
                .iter()
                .map(|&i| format!("\"{}\"", visible(&table.headers[i])))
                .collect();
            file_issues.push(Issue {
                severity: Severity::Warning,
                line: None,
                unit: table.unit,
                column: None,
                message: format!(
                    "columns not imported (unknown for {}; use --map \"Header=field\"): {}",
                    opts.kind.as_str(),
                    names.join(", ")
                ),
            });
        }
        let mut col_of = [None; FIELDS];
        for (f, i) in &cols {
            col_of[*f as usize] = Some(*i);
        }
        let mut p = Planner {
            store,
            opts,
            table,
            cols,
            col_of,
            issues: Vec::new(),
            file_issues,
            file_errors: 0,
            summary: Summary::default(),
            row_errors: 0,
            locations: HashMap::new(),
            people: HashMap::new(),
        };
        p.fields_snapshot(fields);
        p
    }

    fn fields_snapshot(&mut self, fields: Vec<Option<Field>>) {
        // Two columns giving the same field: which one would win is a guess, so refuse.
        let mut by_field: HashMap<Field, Vec<usize>> = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(f) = f {
                if *f != Field::Ignore {
                    by_field.entry(*f).or_default().push(i);
                }
            }
        }
        let mut same_field: Vec<Vec<usize>> = by_field
            .into_values()
            .filter(|v| v.len() > 1 && !same_header(self.table, v))
            .collect();
        same_field.sort();
        for v in same_field {
            let names: Vec<String> = v
                .iter()
                .map(|&i| format!("\"{}\" (column {})", visible(&self.table.headers[i]), i + 1))
                .collect();
            self.file_issue(
                Severity::Error,
                format!(
                    "columns {} all give the same field; keep one (or --map the others to -)",
                    names.join(" and ")
                ),
            );
        }
    }

    fn file_issue(&mut self, severity: Severity, message: String) {
        if severity == Severity::Error {
            self.file_errors += 1;
        }
        self.file_issues.push(Issue {
            severity,
            line: None,
            unit: self.table.unit,
            column: None,
            message,
        });
    }

    /// Duplicate header names are an error naming them (Snipe-IT's BAD sample has two of each).
    fn check_columns(&mut self) {
        let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, h) in self.table.headers.iter().enumerate() {
            let n = norm(h);
            if !n.is_empty() {
                seen.entry(n).or_default().push(i);
            }
        }
        let mut dups: Vec<&Vec<usize>> = seen.values().filter(|v| v.len() > 1).collect();
        dups.sort();
        if dups.is_empty() {
            return;
        }
        let names: Vec<String> = dups
            .iter()
            .map(|v| {
                let cols: Vec<String> = v.iter().map(|i| (i + 1).to_string()).collect();
                format!(
                    "\"{}\" (columns {})",
                    visible(&self.table.headers[v[0]]),
                    cols.join(", ")
                )
            })
            .collect();
        self.file_issue(
            Severity::Error,
            format!(
                "duplicate columns: {}; remove or rename the copies",
                names.join(", ")
            ),
        );
    }

    fn header(&self, f: Field) -> Option<String> {
        self.cols.get(&f).map(|&i| self.table.headers[i].clone())
    }

    fn issue(&mut self, severity: Severity, line: u64, f: Option<Field>, message: String) {
        if severity == Severity::Error {
            self.row_errors += 1;
        }
        let column = f.and_then(|f| self.header(f).or_else(|| Some(f.name().to_string())));
        self.issues.push(Issue {
            severity,
            line: Some(line),
            unit: self.table.unit,
            column,
            message,
        });
    }

    fn err(&mut self, line: u64, f: Field, message: String) {
        self.issue(Severity::Error, line, Some(f), message);
    }

    fn warn(&mut self, line: u64, f: Option<Field>, message: String) {
        self.issue(Severity::Warning, line, f, message);
    }

    /// Start a row: returns a getter closure's data (trimmed, empty as None).
    fn get<'r>(&self, fields: &'r csv::StringRecord, f: Field) -> Option<&'r str> {
        let i = self.col_of[f as usize]?;
        fields.get(i).map(str::trim).filter(|s| !s.is_empty())
    }

    fn text(&mut self, line: u64, fields: &csv::StringRecord, f: Field) -> Option<String> {
        let v = self.get(fields, f)?.to_string();
        if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') && f != Field::Notes {
            self.warn(
                line,
                Some(f),
                format!("'{}' contains control characters", visible(&v)),
            );
        }
        Some(v)
    }

    fn date(&mut self, line: u64, fields: &csv::StringRecord, f: Field) -> Option<String> {
        let v = self.get(fields, f)?;
        match parse_date(v, self.opts.date_format.as_deref()) {
            // NaiveDate's Display is `%Y-%m-%d`, without parsing a format string per value.
            Ok(d) => Some(d.to_string()),
            Err(e) => {
                self.err(line, f, e);
                None
            }
        }
    }

    /// An identifier (tag, serial) that a spreadsheet may have mangled: error, since digits are gone.
    fn ident(
        &mut self,
        line: u64,
        fields: &csv::StringRecord,
        f: Field,
        fatal: bool,
    ) -> Option<String> {
        let v = self.text(line, fields, f)?;
        if looks_mangled(&v) {
            let msg = format!(
                "'{}' looks like a number a spreadsheet turned into scientific notation (digits are lost); \
                 format the column as text and export again",
                visible(&v)
            );
            if fatal {
                self.err(line, f, msg);
                return None;
            }
            self.warn(line, Some(f), msg);
        }
        Some(v)
    }

    fn start_row(&mut self) {
        self.row_errors = 0;
    }

    /// After a row: its errors make it skipped (with --skip-bad-rows) or fail the import.
    fn row_ok(&mut self) -> bool {
        if self.row_errors > 0 {
            if self.opts.skip_bad_rows {
                self.summary.skip += 1;
            }
            false
        } else {
            true
        }
    }

    fn location_ref(
        &mut self,
        line: u64,
        value: &str,
        name: Option<&str>,
        f: Field,
    ) -> Option<LocRef> {
        let key = norm(value);
        if let Some(r) = self.locations.get(&key) {
            return Some(r.clone());
        }
        let r = match self.store.location_code_for(value) {
            Ok(Some(code)) => LocRef {
                code: code.clone(),
                name: code,
            },
            Ok(None) => {
                let code = value.split_whitespace().collect::<Vec<_>>().join(" ");
                if code.chars().any(char::is_control) {
                    self.err(
                        line,
                        f,
                        format!("location '{}' contains control characters", visible(value)),
                    );
                    return None;
                }
                LocRef {
                    name: name.map(str::to_string).unwrap_or_else(|| code.clone()),
                    code,
                }
            }
            Err(e) => {
                self.err(line, f, e.to_string());
                return None;
            }
        };
        self.locations.insert(key, r.clone());
        Some(r)
    }

    /// Username and whether they exist (and are active) in the database.
    fn person_ref(&mut self, username: &str) -> Result<Option<(String, bool)>, InteropError> {
        let key = username.to_lowercase();
        if let Some(p) = self.people.get(&key) {
            return Ok(p.clone());
        }
        let p = self.store.person_status(username)?;
        self.people.insert(key, p.clone());
        Ok(p)
    }

    fn assets(&mut self) -> Result<Ops, InteropError> {
        // Sized up front: each entry is large, and growing moves them all.
        let mut creates = Vec::with_capacity(self.table.rows.len());
        let mut updates = Vec::new();
        // Sized up front: growing a 100,000-entry map rehashes it several times.
        let mut tags: HashMap<String, u64> = HashMap::with_capacity(self.table.rows.len());
        let mut serials: HashMap<String, u64> = HashMap::with_capacity(self.table.rows.len());
        if !self.cols.contains_key(&Field::Tag) {
            self.file_issue(
                Severity::Error,
                "no asset tag column (\"Asset Tag\" or \"tag\"; use --map \"Header=tag\")".into(),
            );
        }
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let tag = self.ident(line, f, Field::Tag, true);
            if tag.is_none() && self.get(f, Field::Tag).is_none() {
                self.err(line, Field::Tag, "no asset tag".into());
            }
            if let Some(t) = &tag {
                if t.chars().any(char::is_control) {
                    self.err(
                        line,
                        Field::Tag,
                        format!("tag '{}' contains control characters", visible(t)),
                    );
                }
                if let Some(first) = tags.insert(t.to_lowercase(), line) {
                    self.err(
                        line,
                        Field::Tag,
                        format!("tag '{}' is also on line {first} of this file", visible(t)),
                    );
                }
            }
            let serial = self.ident(line, f, Field::Serial, true);
            if let Some(s) = &serial {
                if let Some(first) = serials.insert(s.to_lowercase(), line) {
                    self.err(
                        line,
                        Field::Serial,
                        format!(
                            "serial '{}' is also on line {first} of this file",
                            visible(s)
                        ),
                    );
                }
            }
            let model_number = self.ident(line, f, Field::ModelNumber, false);
            let order_number = self.ident(line, f, Field::OrderNumber, false);
            let name = self.text(line, f, Field::Name);
            let model = self.text(line, f, Field::Model);
            let manufacturer = self.text(line, f, Field::Manufacturer);
            let category = self.text(line, f, Field::Category);
            let supplier = self.text(line, f, Field::Supplier);
            let owner = self.text(line, f, Field::Owner);
            let notes = self.get(f, Field::Notes).map(str::to_string);
            let mut status = match self.get(f, Field::Status) {
                None => Status::InStock,
                Some(s) => match status_from_label(s).or_else(|| s.parse().ok()) {
                    Some(st) => st,
                    None => {
                        self.warn(
                            line,
                            Some(Field::Status),
                            format!("unknown status '{}': imported as in_stock", visible(s)),
                        );
                        Status::InStock
                    }
                },
            };
            let condition = match self.get(f, Field::Condition) {
                None => Condition::Good,
                Some(c) => match c.parse::<Condition>() {
                    Ok(c) => c,
                    Err(e) => {
                        self.err(line, Field::Condition, e.to_string());
                        Condition::Good
                    }
                },
            };
            let purchase_date = self.date(line, f, Field::PurchaseDate);
            let eol_date = self.date(line, f, Field::EolDate);
            let mut warranty_until = self.date(line, f, Field::WarrantyUntil);
            let due_date = self.date(line, f, Field::DueDate);
            let assigned_at = match self.get(f, Field::AssignedAt) {
                Some(v) => match parse_timestamp(v, self.opts.date_format.as_deref()) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        self.err(line, Field::AssignedAt, e);
                        None
                    }
                },
                None => None,
            };
            let mut currency = None;
            let purchase_cost = match self.get(f, Field::PurchaseCost) {
                Some(c) => match parse_cost(c, self.opts.decimal_comma) {
                    Ok((d, cur)) => {
                        currency = cur;
                        Some(d.to_string())
                    }
                    Err(e) => {
                        self.err(line, Field::PurchaseCost, e);
                        None
                    }
                },
                None => None,
            };
            if let Some(c) = self.get(f, Field::Currency) {
                match parse_currency(c) {
                    Ok(c) => currency = Some(c),
                    Err(e) => self.err(line, Field::Currency, e.to_string()),
                }
            }
            if purchase_cost.is_some() && currency.is_none() {
                currency = Some("USD".into());
            }
            if let Some(m) = self.get(f, Field::WarrantyMonths) {
                match (m.parse::<u32>(), &purchase_date) {
                    (Ok(months), Some(pd)) if warranty_until.is_none() => {
                        warranty_until = parse_date(pd, None)
                            .ok()
                            .and_then(|d| add_months(d, months))
                            .map(|d| d.to_string());
                    }
                    (Ok(_), None) => self.warn(
                        line,
                        Some(Field::WarrantyMonths),
                        "warranty months without a purchase date: not imported".into(),
                    ),
                    (Ok(_), Some(_)) => {}
                    (Err(_), _) => self.err(
                        line,
                        Field::WarrantyMonths,
                        format!("'{}' is not a number of months", visible(m)),
                    ),
                }
            }
            let mut location = match self.get(f, Field::Location) {
                Some(l) => {
                    let l = l.to_string();
                    let ln = self.get(f, Field::LocationName).map(str::to_string);
                    self.location_ref(line, &l, ln.as_deref(), Field::Location)
                }
                None => None,
            };

            // Checked out to a person or a location.
            let ctype = self
                .get(f, Field::CheckoutType)
                .map(norm)
                .unwrap_or_default();
            let email = self.get(f, Field::Email).map(str::to_string);
            let first = self.get(f, Field::FirstName).map(str::to_string);
            let last = self.get(f, Field::LastName).map(str::to_string);
            let full = self
                .get(f, Field::FullName)
                .map(str::to_string)
                .or_else(|| join_name(first.as_deref(), last.as_deref()));
            let given_username = self.get(f, Field::Username).map(str::to_string);
            let has_person = given_username.is_some() || email.is_some() || full.is_some();
            let mut assignee = None;
            match ctype.as_str() {
                "location" => {
                    let target = self
                        .get(f, Field::CheckoutLocation)
                        .map(str::to_string)
                        .or_else(|| location.as_ref().map(|l| l.code.clone()));
                    match target {
                        Some(t) => {
                            location = self.location_ref(line, &t, None, Field::CheckoutLocation)
                        }
                        None => self.err(
                            line,
                            Field::CheckoutType,
                            "checked out to a location, but no location is given".into(),
                        ),
                    }
                }
                "" | "user" | "person" if has_person || ctype == "user" || ctype == "person" => {
                    match derive_username(
                        given_username.as_deref(),
                        email.as_deref(),
                        first.as_deref(),
                        last.as_deref(),
                        full.as_deref(),
                    ) {
                        Some(u) if u.chars().any(|c| c.is_whitespace() || c.is_control()) => self
                            .err(
                                line,
                                Field::Username,
                                format!("username '{}' must be one word", visible(&u)),
                            ),
                        Some(u) => match self.person_ref(&u)? {
                            Some((_, false)) => self.err(
                                line,
                                Field::Username,
                                format!(
                                    "{} is inactive (offboarded): cannot hold an asset",
                                    visible(&u)
                                ),
                            ),
                            Some((stored, true)) => assignee = Some((stored, None, None)),
                            None => {
                                assignee = Some((
                                    u.clone(),
                                    Some(full.clone().unwrap_or(u)),
                                    email.clone(),
                                ))
                            }
                        },
                        None => self.err(
                            line,
                            Field::CheckoutType,
                            "checked out to a user, but no username, email or name is given".into(),
                        ),
                    }
                }
                "" => {}
                "asset" => self.warn(
                    line,
                    Some(Field::CheckoutType),
                    "check-out to another asset is not supported: imported as not checked out"
                        .into(),
                ),
                other => self.err(
                    line,
                    Field::CheckoutType,
                    format!("checkout type '{}' is not User or Location", visible(other)),
                ),
            }
            if assignee.is_some() {
                if !matches!(status, Status::InStock | Status::Deployed) {
                    let given = self.get(f, Field::Status).unwrap_or_default().to_string();
                    self.warn(
                        line,
                        Some(Field::Status),
                        format!(
                            "status '{}' ignored: the asset is checked out, so it is deployed",
                            visible(&given)
                        ),
                    );
                }
                status = Status::Deployed;
            } else if status == Status::Deployed {
                self.warn(
                    line,
                    Some(Field::Status),
                    "deployed but checked out to no one: imported as in_stock".into(),
                );
                status = Status::InStock;
            }

            // Against the database.
            let mut existing = None;
            if let Some(t) = &tag {
                existing = self.store.asset_id_by_tag(t)?;
            }
            if let Some(s) = &serial {
                if let Some((id, other)) = self.store.serial_holder(s)? {
                    if Some(id) != existing {
                        self.err(
                            line,
                            Field::Serial,
                            format!(
                                "serial '{}' is already on asset {}",
                                visible(s),
                                visible(&other)
                            ),
                        );
                    }
                }
            }
            if !self.row_ok() {
                continue;
            }
            let Some(tag) = tag else { continue };
            let a = BulkAsset {
                tag,
                serial,
                name,
                model,
                model_number,
                manufacturer,
                category,
                status,
                condition,
                location: location.as_ref().map(|l| l.code.clone()),
                location_name: location.as_ref().map(|l| l.name.clone()),
                assignee: assignee.as_ref().map(|a| a.0.clone()),
                assignee_name: assignee.as_ref().and_then(|a| a.1.clone()),
                assignee_email: assignee.as_ref().and_then(|a| a.2.clone()),
                assigned_at,
                due_date,
                owner,
                supplier,
                order_number,
                purchase_date,
                purchase_cost,
                currency,
                warranty_until,
                eol_date,
                notes,
            };
            match existing {
                None => {
                    // Its create event's JSON is written below, for all rows at once.
                    creates.push((a, String::new()));
                    self.summary.create += 1;
                }
                Some(id) if !self.opts.update => {
                    let _ = id;
                    self.warn(
                        line,
                        Some(Field::Tag),
                        format!(
                            "tag '{}' already exists: skipped (use --update to change it)",
                            visible(&a.tag)
                        ),
                    );
                    self.summary.skip += 1;
                }
                Some(id) => match self.asset_update(line, id, &a)? {
                    Some(u) => {
                        updates.push(u);
                        self.summary.update += 1;
                    }
                    None => self.summary.skip += 1,
                },
            }
        }
        fill_snapshots(&mut creates);
        Ok(Ops::Assets {
            creates: Arc::new(creates),
            updates,
        })
    }

    /// The changes `--update` makes to an existing asset (None when nothing differs).
    fn asset_update(
        &mut self,
        line: u64,
        id: i64,
        a: &BulkAsset,
    ) -> Result<Option<AssetUpdate>, InteropError> {
        let cur = self.store.asset_by_id(id)?;
        if cur.status == Status::Disposed {
            self.warn(
                line,
                Some(Field::Tag),
                format!(
                    "{} is disposed and never changes: skipped",
                    visible(&cur.tag)
                ),
            );
            return Ok(None);
        }
        let same = |x: &Option<String>, y: &Option<String>| {
            x.as_deref().map(norm) == y.as_deref().map(norm)
        };
        let mut changes = Vec::new();
        let mut before = Map::new();
        let mut after = Map::new();
        let cond = Some(a.condition.as_str().to_string());
        let cur_cond = Some(cur.condition.as_str().to_string());
        let explicit_condition = self.cols.contains_key(&Field::Condition);
        for (field, key, new, old) in [
            (AssetField::Serial, "serial", &a.serial, &cur.serial),
            (AssetField::Name, "name", &a.name, &cur.name),
            (AssetField::Model, "model", &a.model, &cur.model),
            (
                AssetField::Manufacturer,
                "manufacturer",
                &a.manufacturer,
                &cur.manufacturer,
            ),
            (AssetField::Category, "category", &a.category, &cur.category),
            (AssetField::Location, "location", &a.location, &cur.location),
            (AssetField::Owner, "owner", &a.owner, &cur.owner),
            (AssetField::Supplier, "supplier", &a.supplier, &cur.supplier),
            (
                AssetField::OrderNumber,
                "order_number",
                &a.order_number,
                &cur.order_number,
            ),
            (
                AssetField::PurchaseDate,
                "purchase_date",
                &a.purchase_date,
                &cur.purchase_date,
            ),
            (
                AssetField::PurchaseCost,
                "purchase_cost",
                &a.purchase_cost,
                &cur.purchase_cost,
            ),
            (AssetField::Currency, "currency", &a.currency, &cur.currency),
            (
                AssetField::WarrantyUntil,
                "warranty_until",
                &a.warranty_until,
                &cur.warranty_until,
            ),
            (AssetField::EolDate, "eol_date", &a.eol_date, &cur.eol_date),
            (AssetField::Notes, "notes", &a.notes, &cur.notes),
            (
                AssetField::Condition,
                "condition",
                if explicit_condition { &cond } else { &None },
                &cur_cond,
            ),
        ] {
            // Only what the file says changes: an empty cell leaves the field alone.
            if new.is_none() || same(new, old) {
                continue;
            }
            changes.push((field, new.clone()));
            before.insert(key.into(), json!(old));
            after.insert(key.into(), json!(new));
        }
        let status_given = self.cols.contains_key(&Field::Status) || a.assignee.is_some();
        if status_given
            && (a.status != cur.status
                || a.assignee.as_deref().map(str::to_lowercase)
                    != cur.assignee.as_deref().map(str::to_lowercase))
        {
            self.warn(
                line,
                Some(Field::Status),
                format!(
                    "--update leaves status and check-outs alone ({} is {}); use itam checkout, checkin or status",
                    visible(&cur.tag),
                    cur.status
                ),
            );
        }
        if changes.is_empty() {
            return Ok(None);
        }
        Ok(Some(AssetUpdate {
            id,
            changes,
            before: Value::Object(before).to_string(),
            after: Value::Object(after).to_string(),
        }))
    }

    fn people(&mut self) -> Result<Ops, InteropError> {
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut badges: HashMap<String, u64> = HashMap::new();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let email = self.text(line, f, Field::Email);
            let first = self.text(line, f, Field::FirstName);
            let last = self.text(line, f, Field::LastName);
            let full = self
                .text(line, f, Field::FullName)
                .or_else(|| join_name(first.as_deref(), last.as_deref()));
            let given = self.text(line, f, Field::Username);
            let username = derive_username(
                given.as_deref(),
                email.as_deref(),
                first.as_deref(),
                last.as_deref(),
                full.as_deref(),
            );
            let Some(username) = username else {
                self.err(line, Field::Username, "no username, email or name".into());
                self.row_ok();
                continue;
            };
            if username
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
            {
                self.err(
                    line,
                    Field::Username,
                    format!(
                        "username '{}' must be one word without spaces",
                        visible(&username)
                    ),
                );
            }
            if let Some(first_line) = seen.insert(username.to_lowercase(), line) {
                self.err(
                    line,
                    Field::Username,
                    format!(
                        "{} is also on line {first_line} of this file",
                        visible(&username)
                    ),
                );
            }
            let badge = self.ident(line, f, Field::Badge, true);
            let existing = self.store.person_status(&username)?;
            if let Some(b) = &badge {
                if let Some(first_line) = badges.insert(b.to_lowercase(), line) {
                    self.err(
                        line,
                        Field::Badge,
                        format!(
                            "badge '{}' is also on line {first_line} of this file",
                            visible(b)
                        ),
                    );
                }
                if let Some(holder) = self.store.badge_holder(b)? {
                    if !holder.eq_ignore_ascii_case(&username) {
                        self.err(
                            line,
                            Field::Badge,
                            format!(
                                "badge '{}' already belongs to {}",
                                visible(b),
                                visible(&holder)
                            ),
                        );
                    }
                }
                if self.store.asset_id_by_tag(b)?.is_some()
                    || self.store.serial_holder(b)?.is_some()
                {
                    self.err(
                        line,
                        Field::Badge,
                        format!(
                            "badge '{}' is an asset's tag or serial; scans would be ambiguous",
                            visible(b)
                        ),
                    );
                }
            }
            if let Some(a) = self.get(f, Field::Active) {
                if parse_bool(a).is_none() {
                    self.warn(
                        line,
                        Some(Field::Active),
                        format!("'{}' is not true or false: ignored", visible(a)),
                    );
                }
            }
            let team = self.text(line, f, Field::Team);
            if !self.row_ok() {
                continue;
            }
            let p = NewPerson {
                full_name: full.clone().unwrap_or_else(|| username.clone()),
                username,
                email,
                badge,
                team,
            };
            match existing {
                None => {
                    creates.push(p);
                    self.summary.create += 1;
                }
                Some((stored, _)) if !self.opts.update => {
                    self.warn(
                        line,
                        Some(Field::Username),
                        format!(
                            "{} already exists: skipped (use --update to change them)",
                            visible(&stored)
                        ),
                    );
                    self.summary.skip += 1;
                }
                Some((stored, _)) => {
                    let cur = self.store.person(&stored)?;
                    let mut before = Map::new();
                    let mut after = Map::new();
                    let mut p = p;
                    p.username = stored;
                    if full.is_none() {
                        p.full_name = String::new();
                    }
                    for (k, new, old) in [
                        (
                            "full_name",
                            Some(p.full_name.clone()).filter(|n| !n.is_empty()),
                            Some(cur.full_name.clone()),
                        ),
                        ("email", p.email.clone(), cur.email.clone()),
                        ("badge", p.badge.clone(), cur.badge.clone()),
                        ("team", p.team.clone(), cur.team.clone()),
                    ] {
                        if new.is_some() && new.as_deref().map(norm) != old.as_deref().map(norm) {
                            before.insert(k.into(), json!(old));
                            after.insert(k.into(), json!(new));
                        }
                    }
                    if after.is_empty() {
                        self.summary.skip += 1;
                    } else {
                        updates.push((p, Value::Object(before), Value::Object(after)));
                        self.summary.update += 1;
                    }
                }
            }
        }
        Ok(Ops::People { creates, updates })
    }

    fn locations(&mut self) -> Result<Ops, InteropError> {
        let mut creates: Vec<(String, String, Option<String>)> = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let name = self.text(line, f, Field::Name);
            let code = self.text(line, f, Field::Code).or_else(|| name.clone());
            let Some(code) = code.map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
            else {
                self.err(line, Field::Name, "no location code or name".into());
                self.row_ok();
                continue;
            };
            if code.chars().any(char::is_control) {
                self.err(
                    line,
                    Field::Code,
                    format!("code '{}' contains control characters", visible(&code)),
                );
            }
            let parent = self.text(line, f, Field::Parent);
            if !self.row_ok() {
                continue;
            }
            if let Some(first) = seen.get(&norm(&code)) {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!(
                        "location '{}' is also on line {first} of this file: skipped",
                        visible(&code)
                    ),
                );
                self.summary.skip += 1;
                continue;
            }
            seen.insert(norm(&code), line);
            if self.store.location_code_for(&code)?.is_some() {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!("location '{}' already exists: skipped", visible(&code)),
                );
                self.summary.skip += 1;
                continue;
            }
            let parent = match parent {
                Some(p) => match self.store.location_code_for(&p)? {
                    Some(c) => Some(c),
                    None => Some(p.split_whitespace().collect::<Vec<_>>().join(" ")),
                },
                None => None,
            };
            creates.push((code.clone(), name.unwrap_or(code), parent));
            self.summary.create += 1;
        }
        // Parents first, so that a parent named later in the file keeps its own name.
        let mut ordered = Vec::with_capacity(creates.len());
        let mut pending = creates;
        while !pending.is_empty() {
            let before = pending.len();
            let waiting: std::collections::HashSet<String> =
                pending.iter().map(|c| norm(&c.0)).collect();
            let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|c| {
                c.2.as_deref()
                    .is_none_or(|p| !waiting.contains(&norm(p)) || norm(p) == norm(&c.0))
            });
            ordered.extend(ready);
            pending = rest;
            if pending.len() == before {
                // A cycle of parents: import them without parents and say so.
                for c in &mut pending {
                    self.file_issues.push(Issue {
                        severity: Severity::Warning,
                        line: None,
                        unit: self.table.unit,
                        column: None,
                        message: format!(
                            "location '{}' is in a cycle of parents: imported without a parent",
                            visible(&c.0)
                        ),
                    });
                    c.2 = None;
                }
            }
        }
        Ok(Ops::Locations { creates: ordered })
    }

    fn models(&mut self) -> Result<Ops, InteropError> {
        let mut creates = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let Some(name) = self.text(line, f, Field::Name) else {
                self.err(line, Field::Name, "no model name".into());
                self.row_ok();
                continue;
            };
            let number = self.ident(line, f, Field::ModelNumber, false);
            let mf = self.text(line, f, Field::Manufacturer);
            let cat = self.text(line, f, Field::Category);
            if !self.row_ok() {
                continue;
            }
            if let Some(first) = seen.insert(norm(&name), line) {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!(
                        "model '{}' is also on line {first} of this file: skipped",
                        visible(&name)
                    ),
                );
                self.summary.skip += 1;
                continue;
            }
            if self.store.model_exists(&name)? {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!("model '{}' already exists: skipped", visible(&name)),
                );
                self.summary.skip += 1;
                continue;
            }
            creates.push((name, mf, cat, number));
            self.summary.create += 1;
        }
        Ok(Ops::Models { creates })
    }
}

fn same_header(t: &Table, cols: &[usize]) -> bool {
    cols.iter()
        .all(|&i| norm(&t.headers[i]) == norm(&t.headers[cols[0]]))
}

fn join_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let n = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let n = n.trim().to_string();
    (!n.is_empty()).then_some(n)
}

/// A username: as given, else the email's local part, else first initial + last name (as
/// Snipe-IT's default), else the full name without spaces; lower-cased when derived.
fn derive_username(
    given: Option<&str>,
    email: Option<&str>,
    first: Option<&str>,
    last: Option<&str>,
    full: Option<&str>,
) -> Option<String> {
    if let Some(u) = given {
        return Some(u.trim().to_string());
    }
    if let Some(local) = email
        .and_then(|e| e.split('@').next())
        .filter(|l| !l.is_empty())
    {
        return Some(local.trim().to_lowercase());
    }
    let clean = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    match (first, last) {
        (Some(f), Some(l)) => {
            let i: String = f.chars().take(1).collect();
            Some(clean(&format!("{i}{l}")))
        }
        _ => full.or(first).or(last).map(clean).filter(|u| !u.is_empty()),
    }
}

/// The `create` event's record of a new asset: its fields that have a value. Fields are in
/// alphabetical order, as the `serde_json::Map` this replaced wrote them, so history reads the
/// same; serialising borrowed strings avoids building a map of ~20 owned strings per row.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    condition: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eol_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_cost: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial: Option<&'a str>,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<&'a str>,
    tag: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    warranty_until: Option<&'a str>,
}

/// The create-event JSON of every new asset, on every core: serialising is a fifth of the
/// check of a large file, and each row's is independent of the others.
fn fill_snapshots(creates: &mut [(BulkAsset, String)]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if creates.len() < 10_000 || threads == 1 {
        for (a, snap) in creates.iter_mut() {
            *snap = snapshot(a);
        }
        return;
    }
    let size = creates.len().div_ceil(threads);
    std::thread::scope(|s| {
        for chunk in creates.chunks_mut(size) {
            s.spawn(move || {
                for (a, snap) in chunk.iter_mut() {
                    *snap = snapshot(a);
                }
            });
        }
    });
}

fn snapshot(a: &BulkAsset) -> String {
    let s = Snapshot {
        assignee: a.assignee.as_deref(),
        category: a.category.as_deref(),
        condition: a.condition.as_str(),
        currency: a.currency.as_deref(),
        due_date: a.due_date.as_deref(),
        eol_date: a.eol_date.as_deref(),
        location: a.location.as_deref(),
        manufacturer: a.manufacturer.as_deref(),
        model: a.model.as_deref(),
        name: a.name.as_deref(),
        notes: a.notes.as_deref(),
        order_number: a.order_number.as_deref(),
        owner: a.owner.as_deref(),
        purchase_cost: a.purchase_cost.as_deref(),
        purchase_date: a.purchase_date.as_deref(),
        serial: a.serial.as_deref(),
        status: a.status.as_str(),
        supplier: a.supplier.as_deref(),
        tag: &a.tag,
        warranty_until: a.warranty_until.as_deref(),
    };
    // Serialising strings and options into a String cannot fail; the fallback is never used.
    serde_json::to_string(&s).unwrap_or_default()
}

/// Write a plan: everything in one `BEGIN IMMEDIATE` transaction, so an error or a kill
/// leaves the database as it was. Refused when the plan has errors, unless it was made with
/// `skip_bad_rows` (then the bad rows are left out). `progress` is called with rows written.
///
/// New assets are first staged in memory without any lock (see [`StagedAssets::stage`]); the
/// write transaction then only resolves names and copies them in with two set-based inserts,
/// which keeps the write lock that other processes wait for short.
pub fn apply(
    store: &mut Store,
    plan: &Plan,
    progress: &mut dyn FnMut(u64),
) -> Result<Applied, InteropError> {
    if plan.file_errors > 0 || (plan.summary.errors > 0 && !plan.skip_bad_rows) {
        return Err(InteropError::HasErrors {
            errors: plan.summary.errors,
        });
    }
    // About 1 KiB of pages per row written (row, event, index entries), at least the default.
    let rows = plan.summary.create + plan.summary.update;
    store.set_cache_mib((rows as i64 / 1024 * 2).max(8))?;
    let started = std::time::Instant::now();
    let staged = match &plan.ops {
        Ops::Assets { creates, .. } if !creates.is_empty() => {
            Some(StagedAssets::stage(creates, progress))
        }
        _ => None,
    };
    let stage_ms = started.elapsed().as_millis() as u64;
    // The checkpoint that copies the WAL into the database runs after the commit, without the
    // write lock, but on this thread: postpone it so the lock time measured is the lock's.
    let autocheckpoint = store.set_wal_autocheckpoint(0);
    // SQLite's foreign-key checks stay on here too (DESIGN.md's storage rule): turning them off
    // for the import's one transaction saved ~15% of its lock time, not worth a ledger exception.
    let written = write_plan(store, plan, staged.as_ref(), progress);
    if let Ok(pages) = autocheckpoint {
        // Restoring a setting and an optional checkpoint: the import is already committed
        // (or already refused), and a skipped checkpoint is redone by the next writer.
        let _ = store.set_wal_autocheckpoint(pages);
        let _ = store.checkpoint_passive();
    }
    let mut applied = written?;
    applied.stage_ms = stage_ms;
    Ok(applied)
}

fn write_plan(
    store: &mut Store,
    plan: &Plan,
    staged: Option<&StagedAssets>,
    progress: &mut dyn FnMut(u64),
) -> Result<Applied, InteropError> {
    let note = Some(format!("imported from {}", plan.source));
    let locked_at = std::cell::Cell::new(None);
    let mut applied = store.write(|tx| {
        locked_at.set(Some(std::time::Instant::now()));
        let mut w = BulkWriter::new(tx, note);
        let mut out = Applied::default();
        let mut n = 0u64;
        let mut tick = |n: &mut u64| {
            *n += 1;
            if (*n).is_multiple_of(1000) {
                progress(*n);
            }
        };
        match &plan.ops {
            Ops::Assets {
                creates: _,
                updates,
            } => {
                if let Some(s) = staged {
                    w.insert_staged(s)?;
                    out.created += s.rows as usize;
                    n += s.rows;
                }
                for u in updates {
                    w.update_asset(u.id, &u.changes, &u.before, &u.after)?;
                    out.updated += 1;
                    tick(&mut n);
                }
            }
            Ops::People { creates, updates } => {
                for p in creates {
                    w.person(p)?;
                    out.created += 1;
                    tick(&mut n);
                }
                for (p, before, after) in updates {
                    w.update_person(p, before.clone(), after.clone())?;
                    out.updated += 1;
                    tick(&mut n);
                }
            }
            Ops::Locations { creates } => {
                for (code, name, parent) in creates {
                    w.location(code, name, parent.as_deref())?;
                    out.created += 1;
                    tick(&mut n);
                }
            }
            Ops::Models { creates } => {
                for (name, mf, cat, number) in creates {
                    w.add_model(name, mf.as_deref(), cat.as_deref(), number.as_deref())?;
                    out.created += 1;
                    tick(&mut n);
                }
            }
        }
        progress(n);
        out.events = w.events;
        Ok(out)
    })?;
    applied.write_ms = locked_at
        .get()
        .map(|t| t.elapsed().as_millis() as u64)
        .unwrap_or_default();
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::OptionalExtension;

    #[test]
    fn usernames_are_derived_like_snipeit() {
        assert_eq!(
            derive_username(Some("jdoe"), None, None, None, None).as_deref(),
            Some("jdoe")
        );
        assert_eq!(
            derive_username(None, Some("Ann.S@x.org"), None, None, None).as_deref(),
            Some("ann.s")
        );
        assert_eq!(
            derive_username(None, None, Some("Jane"), Some("O'Doe"), None).as_deref(),
            Some("jodoe")
        );
        assert_eq!(derive_username(None, None, None, None, None), None);
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

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        (dir, s)
    }

    #[test]
    fn a_plan_writes_nothing_and_apply_writes_all() {
        let (_d, mut s) = store();
        let csv = "Asset Tag,Model,Purchase Cost,Checked Out To: Username,Location\nA1,X1,$10,jdoe,Depot\nA2,X1,\"1,000.50\",,depot\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        assert_eq!(p.summary.create, 2, "{:?}", p.issues);
        assert_eq!(s.asset_count().unwrap(), 0);
        let a = apply(&mut s, &p, &mut |_| {}).unwrap();
        assert_eq!(a.created, 2);
        let v = s.asset("A1").unwrap();
        assert_eq!(v.status, Status::Deployed);
        assert_eq!(v.assignee.as_deref(), Some("jdoe"));
        assert_eq!(v.purchase_cost.as_deref(), Some("10.00"));
        assert_eq!(s.asset("A2").unwrap().location.as_deref(), Some("Depot"));
        assert_eq!(s.locations().unwrap().len(), 1);
    }

    /// The map-based snapshot this module wrote before; the struct must give the same text.
    fn snapshot_as_map(a: &BulkAsset) -> String {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                m.insert(k.into(), Value::String(v.into()));
            }
        };
        put("tag", Some(&a.tag));
        put("serial", a.serial.as_deref());
        put("name", a.name.as_deref());
        put("model", a.model.as_deref());
        put("manufacturer", a.manufacturer.as_deref());
        put("category", a.category.as_deref());
        put("status", Some(a.status.as_str()));
        put("condition", Some(a.condition.as_str()));
        put("location", a.location.as_deref());
        put("assignee", a.assignee.as_deref());
        put("due_date", a.due_date.as_deref());
        put("owner", a.owner.as_deref());
        put("supplier", a.supplier.as_deref());
        put("order_number", a.order_number.as_deref());
        put("purchase_date", a.purchase_date.as_deref());
        put("purchase_cost", a.purchase_cost.as_deref());
        put("currency", a.currency.as_deref());
        put("warranty_until", a.warranty_until.as_deref());
        put("eol_date", a.eol_date.as_deref());
        put("notes", a.notes.as_deref());
        Value::Object(m).to_string()
    }

    #[test]
    fn snapshots_read_as_before() {
        let s = |v: &str| Some(v.to_string());
        let mut a = BulkAsset {
            tag: "IT-1 \"q\"".into(),
            serial: s("SN\u{1}"),
            name: None,
            model: s("X1"),
            model_number: s("M-1"),
            manufacturer: s("Lenovo"),
            category: s("Laptop"),
            status: Status::Deployed,
            condition: Condition::Fair,
            location: s("HQ"),
            location_name: s("Head office"),
            assignee: s("jdoe"),
            assignee_name: s("J Doe"),
            assignee_email: None,
            assigned_at: s("2024-01-01T00:00:00.000Z"),
            due_date: s("2024-02-01"),
            owner: s("Finance"),
            supplier: s("CDW"),
            order_number: s("PO-1"),
            purchase_date: s("2023-01-02"),
            purchase_cost: s("10.00"),
            currency: s("USD"),
            warranty_until: s("2026-01-02"),
            eol_date: s("2028-01-02"),
            notes: s("line\nbreak"),
        };
        assert_eq!(snapshot(&a), snapshot_as_map(&a));
        a.serial = None;
        a.assignee = None;
        a.notes = None;
        a.due_date = None;
        a.category = None;
        assert_eq!(snapshot(&a), snapshot_as_map(&a));
    }

    #[test]
    fn a_tag_taken_after_the_plan_is_refused_and_nothing_is_written() {
        let (_d, mut s) = store();
        let csv =
            "Asset Tag,Model,Checked Out To: Username,Location\nA1,X1,jdoe,Depot\nA2,X2,,Depot\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        assert_eq!(p.summary.create, 2, "{:?}", p.issues);
        // Another writer takes A2 between the plan and the apply.
        s.add_asset(&crate::store::NewAsset {
            tag: "a2".into(),
            ..Default::default()
        })
        .unwrap();
        let count = |s: &Store, t: &str| -> i64 {
            s.conn()
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        };
        let before: Vec<i64> = ["assets", "events", "people", "locations", "models"]
            .iter()
            .map(|t| count(&s, t))
            .collect();
        let e = apply(&mut s, &p, &mut |_| {}).unwrap_err().to_string();
        assert!(
            e.contains("'A2'") && e.contains("nothing was imported"),
            "{e}"
        );
        let after: Vec<i64> = ["assets", "events", "people", "locations", "models"]
            .iter()
            .map(|t| count(&s, t))
            .collect();
        assert_eq!(before, after);
        // The staging tables are gone and the connection writes as usual afterwards.
        let staged: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM temp.sqlite_master WHERE name LIKE 'import_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(staged, 0);
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        assert_eq!((p.summary.create, p.summary.skip), (1, 1));
        apply(&mut s, &p, &mut |_| {}).unwrap();
        assert_eq!(s.asset("A1").unwrap().assignee.as_deref(), Some("jdoe"));
    }

    #[test]
    fn ids_and_history_follow_the_file_after_existing_rows() {
        let (_d, mut s) = store();
        s.add_asset(&crate::store::NewAsset {
            tag: "OLD-1".into(),
            ..Default::default()
        })
        .unwrap();
        let csv = "Asset Tag,Model,Manufacturer,Checked Out To: Username,Owner\nB1,X1,Dell,amy,Ops\nB2,X1,,,amy\nB3,X2,HP,bob,\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        let a = apply(&mut s, &p, &mut |_| {}).unwrap();
        assert_eq!(a.created, 3);
        // (id, tag, manufacturer, owner person, owner team)
        type Row = (i64, String, Option<i64>, Option<i64>, Option<i64>);
        let rows: Vec<Row> = s
            .conn()
            .prepare(
                "SELECT id, tag, manufacturer_id, owner_person_id, owner_team_id FROM assets ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let tags: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(tags, ["OLD-1", "B1", "B2", "B3"]);
        assert!(rows.windows(2).all(|w| w[1].0 == w[0].0 + 1));
        // B2 gives no manufacturer: it takes its model's (Dell, from B1). Its owner amy is a
        // person (created for B1's checkout); B1's owner Ops is a team.
        assert_eq!(rows[2].2, rows[1].2);
        assert!(rows[1].4.is_some() && rows[1].3.is_none());
        assert!(rows[2].3.is_some() && rows[2].4.is_none());
        // History: every event after the existing ones, ids increasing, in file order.
        let kinds: Vec<(String, Option<String>)> = s
            .conn()
            .prepare("SELECT e.kind, a.tag FROM events e LEFT JOIN assets a ON a.id = e.asset_id WHERE e.id > 1 AND e.asset_id IS NOT NULL ORDER BY e.id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let k: Vec<String> = kinds
            .iter()
            .map(|(k, t)| format!("{k} {}", t.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            k,
            [
                "create B1",
                "checkout B1",
                "create B2",
                "create B3",
                "checkout B3"
            ]
        );
        assert_eq!(a.events as usize, 5 + 2, "two person_add events");
        // The import checked references itself; SQLite agrees, and checks them again after.
        let broken: Option<String> = s
            .conn()
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .unwrap();
        assert_eq!(broken, None);
        let fk: i64 = s
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn names_added_between_staging_and_the_write_are_resolved_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = Store::open(&path, &Default::default()).unwrap();
        let csv = "Asset Tag,Model,Manufacturer,Location,Checked Out To: Username,Owner\nC1,X1,Dell,Depot,amy,Ops\nC2,X2,HP,Attic,,amy\n";
        let p = plan_bytes(&s, csv.as_bytes(), "t.csv", "csv", &Options::default()).unwrap();
        let Ops::Assets { creates, .. } = &p.ops else {
            panic!("an asset plan")
        };
        let staged = StagedAssets::stage(creates, &mut |_| {});
        // Another process takes the next free ids after staging, and creates one of the names.
        let mut other = Store::open(&path, &Default::default()).unwrap();
        other
            .write(|tx| {
                crate::store::lookup_id(tx, "manufacturers", "Zeta")?;
                crate::store::lookup_id(tx, "manufacturers", "hp")?;
                crate::store::lookup_id(tx, "teams", "Other")?;
                Ok(())
            })
            .unwrap();
        other
            .add_location(&crate::store::NewLocation {
                code: "Q".into(),
                name: "Q".into(),
                ..Default::default()
            })
            .unwrap();
        other
            .add_person(&NewPerson {
                username: "zed".into(),
                full_name: "Zed".into(),
                ..Default::default()
            })
            .unwrap();
        let a = write_plan(&mut s, &p, Some(&staged), &mut |_| {}).unwrap();
        assert_eq!(a.created, 2);
        let c1 = s.asset("C1").unwrap();
        let c2 = s.asset("C2").unwrap();
        assert_eq!(c1.manufacturer.as_deref(), Some("Dell"));
        assert_eq!(
            c2.manufacturer.as_deref(),
            Some("hp"),
            "found by name, not made twice"
        );
        assert_eq!(c1.location.as_deref(), Some("Depot"));
        assert_eq!(c2.location.as_deref(), Some("Attic"));
        assert_eq!(c1.assignee.as_deref(), Some("amy"));
        assert_eq!(c1.owner.as_deref(), Some("Ops"));
        assert_eq!(c2.owner.as_deref(), Some("amy"));
        let n: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM manufacturers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }
}
