//! The checks every kind of row shares: which column gives which field, issues by line and
//! column, and the look-ups (locations, people) a file repeats many times.

use super::super::csvout::unescape_formula;
use super::super::csvread::Table;
use super::super::parse::{looks_mangled, parse_date};
use super::super::snipeit::{field_for, norm, Field};
use super::super::InteropError;
use super::super::Kind;
use super::{Issue, Options, Severity, Summary};
use crate::domain::identifier::IdentifierError;
use crate::domain::text::visible;
use crate::domain::{LocationCode, Serial, Tag};
use crate::store::Store;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Where a location reference points: an existing code, or one this import creates.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LocRef {
    pub(super) code: String,
    pub(super) name: String,
}

/// How many `Field`s there are (`Ignore` is the last).
const FIELDS: usize = Field::Ignore as usize + 1;

pub(super) struct Planner<'a> {
    pub(super) store: &'a Store,
    pub(super) opts: &'a Options,
    pub(super) table: &'a Table,
    /// First column of each field.
    pub(super) cols: HashMap<Field, usize>,
    /// The same, indexed by `Field as usize`: read ~30 times per row, so no hashing.
    pub(super) col_of: [Option<usize>; FIELDS],
    pub(super) issues: Vec<Issue>,
    pub(super) file_issues: Vec<Issue>,
    pub(super) file_errors: usize,
    pub(super) summary: Summary,
    /// Errors on the row being planned.
    pub(super) row_errors: usize,
    pub(super) locations: HashMap<String, LocRef>,
    pub(super) people: HashMap<String, Option<(String, bool)>>,
    /// Fields given by more than one column: every column, in file order. A row is read from
    /// the first that has a value; two values that differ are a row error.
    pub(super) dup_cols: Vec<(Field, Vec<usize>)>,
    /// Asset columns itam does not know: custom fields, (column, name as written).
    pub(super) custom: Vec<(usize, String)>,
    /// `--status-map`, parsed.
    pub(super) status_map: Vec<(String, crate::domain::Status)>,
    /// What the database holds for the file's tags, serials and location keys, looked up for
    /// all rows at once (see [`Planner::prefetch_assets`]); a key not in here is looked up alone.
    pub(super) known: Known,
}

/// Answers to look-ups made in bulk: present with `None` when the key was asked and the
/// database has no such row.
#[derive(Debug, Default)]
pub(super) struct Known {
    tags: HashMap<String, Option<i64>>,
    serials: HashMap<String, Option<(i64, String)>>,
    locations: HashMap<String, Option<String>>,
}

/// Each key, with the bulk answer for it or `None` when the database has none.
fn answered<T: Clone>(keys: &[String], found: &HashMap<String, T>) -> HashMap<String, Option<T>> {
    keys.iter()
        .map(|k| (k.clone(), found.get(k).cloned()))
        .collect()
}

/// Why a spreadsheet's number is not the code it was.
fn mangled(v: &str) -> String {
    format!(
        "'{}' looks like a number a spreadsheet turned into scientific notation (digits are lost); \
         format the column as text and export again",
        visible(v)
    )
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        store: &'a Store,
        opts: &'a Options,
        table: &'a Table,
        map: &[(String, Field)],
    ) -> Self {
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
        // A Custom Asset Report's "Type" says what "Checked Out" names (user, location,
        // asset); in other files a "Type" column is something else.
        if opts.kind == Kind::Assets && table.headers.iter().any(|h| norm(h) == "checked out") {
            for (i, h) in table.headers.iter().enumerate() {
                if norm(h) == "type" && fields[i].is_none() {
                    fields[i] = Some(Field::CheckoutType);
                }
            }
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
        let mut custom: Vec<(usize, String)> = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            match f {
                Some(Field::Ignore) => {}
                Some(f) => {
                    cols.entry(*f).or_insert(i);
                }
                // Asset columns itam does not know are Snipe-IT's custom fields (MAC Address,
                // RAM, ...): kept as custom fields of the asset, under their header.
                None if opts.kind == Kind::Assets && !table.headers[i].trim().is_empty() => {
                    let name = table.headers[i]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !custom.iter().any(|(_, n)| norm(n) == norm(&name)) {
                        custom.push((i, name));
                    }
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
            dup_cols: Vec::new(),
            custom,
            status_map: Vec::new(),
            known: Known::default(),
        };
        p.fields_snapshot(fields);
        p
    }

    pub(super) fn fields_snapshot(&mut self, fields: Vec<Option<Field>>) {
        // Two columns giving the same field (Snipe-IT's BAD sample repeats Category; a report
        // may hold "Serial" and "Serial Number"): read from both, refuse a row where they differ.
        let mut by_field: HashMap<Field, Vec<usize>> = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(f) = f {
                if *f != Field::Ignore {
                    by_field.entry(*f).or_default().push(i);
                }
            }
        }
        let mut same_field: Vec<(Field, Vec<usize>)> =
            by_field.into_iter().filter(|(_, v)| v.len() > 1).collect();
        same_field.sort_by(|a, b| a.1.cmp(&b.1));
        for (_, v) in &same_field {
            let names: Vec<String> = v
                .iter()
                .map(|&i| format!("\"{}\" (column {})", visible(&self.table.headers[i]), i + 1))
                .collect();
            self.file_issue(
                Severity::Warning,
                format!(
                    "columns {} all give the same field: a row where they differ is refused",
                    names.join(" and ")
                ),
            );
        }
        self.dup_cols = same_field;
    }

    pub(super) fn file_issue(&mut self, severity: Severity, message: String) {
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

    /// Duplicate header names of columns that are not imported (a Custom Asset Report with
    /// "Location address" ticked writes Address, City, ... once per location) are a warning;
    /// imported ones are read from every copy (see `fields_snapshot`).
    pub(super) fn check_columns(&mut self) {
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
            Severity::Warning,
            format!(
                "duplicate columns: {}; the first copy that has a value is read",
                names.join(", ")
            ),
        );
    }

    /// Row errors for fields given by two columns with different values on this row.
    pub(super) fn check_dup_values(&mut self, line: u64, fields: &csv::StringRecord) {
        if self.dup_cols.is_empty() {
            return;
        }
        let mut bad = Vec::new();
        for (f, cols) in &self.dup_cols {
            let vals: Vec<(usize, &str)> = cols
                .iter()
                .filter_map(|&i| {
                    fields
                        .get(i)
                        .map(|v| unescape_formula(v.trim()))
                        .filter(|v| !v.is_empty())
                        .map(|v| (i, v))
                })
                .collect();
            if let Some((i0, v0)) = vals.first() {
                if let Some((i1, v1)) = vals.iter().find(|(_, v)| norm(v) != norm(v0)) {
                    bad.push((
                        *f,
                        format!(
                            "columns {} and {} give different values: '{}' and '{}'",
                            i0 + 1,
                            i1 + 1,
                            visible(v0),
                            visible(v1)
                        ),
                    ));
                }
            }
        }
        for (f, m) in bad {
            self.err(line, f, m);
        }
    }

    pub(super) fn header(&self, f: Field) -> Option<String> {
        self.cols.get(&f).map(|&i| self.table.headers[i].clone())
    }

    pub(super) fn issue(
        &mut self,
        severity: Severity,
        line: u64,
        f: Option<Field>,
        message: String,
    ) {
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

    /// A row error in a column that is not one of itam's fields (a custom field).
    pub(super) fn err_col(&mut self, line: u64, col: usize, message: String) {
        self.row_errors += 1;
        self.issues.push(Issue {
            severity: Severity::Error,
            line: Some(line),
            unit: self.table.unit,
            column: self.table.headers.get(col).cloned(),
            message,
        });
    }

    pub(super) fn err(&mut self, line: u64, f: Field, message: String) {
        self.issue(Severity::Error, line, Some(f), message);
    }

    pub(super) fn warn(&mut self, line: u64, f: Option<Field>, message: String) {
        self.issue(Severity::Warning, line, f, message);
    }

    /// Start a row: returns a getter closure's data (trimmed, empty as None).
    pub(super) fn get<'r>(&self, fields: &'r csv::StringRecord, f: Field) -> Option<&'r str> {
        let i = self.col_of[f as usize]?;
        // A leading backtick before = + - @ is Snipe-IT's formula escape, not text.
        let v = fields
            .get(i)
            .map(|v| unescape_formula(v.trim()))
            .filter(|s| !s.is_empty());
        if v.is_none() && !self.dup_cols.is_empty() {
            let (_, cols) = self.dup_cols.iter().find(|(d, _)| *d == f)?;
            return cols.iter().find_map(|&c| {
                fields
                    .get(c)
                    .map(|v| unescape_formula(v.trim()))
                    .filter(|s| !s.is_empty())
            });
        }
        v
    }

    pub(super) fn text(
        &mut self,
        line: u64,
        fields: &csv::StringRecord,
        f: Field,
    ) -> Option<String> {
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

    pub(super) fn date(
        &mut self,
        line: u64,
        fields: &csv::StringRecord,
        f: Field,
    ) -> Option<NaiveDate> {
        let v = self.get(fields, f)?;
        match parse_date(v, self.opts.date_format.as_deref()) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(line, f, e);
                None
            }
        }
    }

    /// An identifier (model or order number) that a spreadsheet may have mangled: a warning,
    /// since it is only descriptive.
    pub(super) fn ident(
        &mut self,
        line: u64,
        fields: &csv::StringRecord,
        f: Field,
    ) -> Option<String> {
        let v = self.text(line, fields, f)?;
        if looks_mangled(&v) {
            self.warn(line, Some(f), mangled(&v));
        }
        Some(v)
    }

    /// A code people scan (tag, serial, location code, badge) by its domain type's one
    /// `parse`, so an import applies the limits `itam add` does; a bad one is an error at its
    /// line and column, as is a number a spreadsheet mangled (its digits are gone).
    pub(super) fn code<T>(
        &mut self,
        line: u64,
        fields: &csv::StringRecord,
        f: Field,
        parse: fn(&str) -> Result<T, IdentifierError>,
    ) -> Option<T> {
        let v = self.get(fields, f)?;
        self.code_of(line, f, v, parse)
    }

    /// [`Planner::code`] of a value already read (reported against `f`).
    pub(super) fn code_of<T>(
        &mut self,
        line: u64,
        f: Field,
        v: &str,
        parse: fn(&str) -> Result<T, IdentifierError>,
    ) -> Option<T> {
        if looks_mangled(v) {
            self.err(line, f, mangled(v));
            return None;
        }
        match parse(v) {
            Ok(c) => Some(c),
            Err(e) => {
                self.err(line, f, e.to_string());
                None
            }
        }
    }

    pub(super) fn start_row(&mut self) {
        self.row_errors = 0;
    }

    /// After a row: its errors make it skipped (with --skip-bad-rows) or fail the import.
    pub(super) fn row_ok(&mut self) -> bool {
        if self.row_errors > 0 {
            if self.opts.skip_bad_rows {
                self.summary.skip += 1;
            }
            false
        } else {
            true
        }
    }

    pub(super) fn location_ref(
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
        let r = match self.location_code_for(value) {
            Ok(Some(code)) => LocRef {
                code: code.clone(),
                name: code,
            },
            Ok(None) => {
                let code = value.split_whitespace().collect::<Vec<_>>().join(" ");
                let code = self
                    .code_of(line, f, &code, LocationCode::parse)?
                    .into_string();
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

    /// [`Store::asset_id_by_tag`], answered from [`Planner::prefetch_assets`] when it asked.
    pub(super) fn asset_id_by_tag(&self, tag: &str) -> Result<Option<i64>, InteropError> {
        match self.known.tags.get(tag) {
            Some(id) => Ok(*id),
            None => Ok(self.store.asset_id_by_tag(tag)?),
        }
    }

    /// [`Store::serial_holder`], answered from [`Planner::prefetch_assets`] when it asked.
    pub(super) fn serial_holder(
        &self,
        serial: &str,
    ) -> Result<Option<(i64, String)>, InteropError> {
        match self.known.serials.get(serial) {
            Some(h) => Ok(h.clone()),
            None => Ok(self.store.serial_holder(serial)?),
        }
    }

    /// [`Store::location_code_for`], answered from [`Planner::prefetch_assets`] when it asked.
    pub(super) fn location_code_for(&self, key: &str) -> Result<Option<String>, InteropError> {
        match self.known.locations.get(key) {
            Some(c) => Ok(c.clone()),
            None => Ok(self.store.location_code_for(key)?),
        }
    }

    /// Look up, in one statement per kind, what the rows' look-ups will ask: their tags,
    /// serials, location keys and usernames (as the row loop derives them). Over PostgreSQL
    /// a look-up per row is a round trip per row; this keeps the plan's statements constant
    /// in the number of rows. The loop still asks the database itself for any key not
    /// gathered here, so this only makes it faster, never different. Works on both backends;
    /// the asset planner calls it on PostgreSQL only (on SQLite it measured ~0.1-0.2 s slower
    /// than the look-ups it saves, at 100k rows).
    pub(super) fn prefetch_assets(&mut self) -> Result<(), InteropError> {
        let (mut tags, mut serials, mut places, mut users) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for row in &self.table.rows {
            let f = &row.fields;
            if let Some(t) = self.get(f, Field::Tag).and_then(|v| Tag::parse(v).ok()) {
                tags.push(t.into_string());
            }
            if let Some(s) = self
                .get(f, Field::Serial)
                .and_then(|v| Serial::parse(v).ok())
            {
                serials.push(s.into_string());
            }
            for k in [
                Field::Location,
                Field::HomeLocation,
                Field::CheckoutLocation,
                Field::CheckedOut,
            ] {
                if let Some(v) = self.get(f, k) {
                    places.push(v.to_string());
                }
            }
            if let Some(u) = self.row_username(f) {
                users.push(u);
            }
        }
        fn refs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        let found = self.store.asset_ids_by_tags(&refs(&tags))?;
        self.known.tags = answered(&tags, &found);
        let found = self.store.serial_holders(&refs(&serials))?;
        self.known.serials = answered(&serials, &found);
        let found = self.store.location_codes_for(&refs(&places))?;
        self.known.locations = answered(&places, &found);
        let found = self.store.people_status(&refs(&users))?;
        for u in &users {
            self.people
                .entry(u.to_lowercase())
                .or_insert_with(|| found.get(u).cloned());
        }
        Ok(())
    }

    /// The username an asset row is checked out to, derived as the row loop derives it
    /// (a superset: also for rows checked out to a location, where it is not used).
    pub(super) fn row_username(&self, f: &csv::StringRecord) -> Option<String> {
        let first = self.get(f, Field::FirstName);
        let last = self.get(f, Field::LastName);
        let full = self
            .get(f, Field::FullName)
            .map(str::to_string)
            .or_else(|| super::people::join_name(first, last))
            .or_else(|| self.get(f, Field::CheckedOut).map(str::to_string));
        let given = self.get(f, Field::Username);
        if given.is_none() && full.is_none() {
            return None;
        }
        super::people::derive_username_as(
            given,
            self.get(f, Field::Email),
            first,
            last,
            full.as_deref(),
            &self.opts.username_format,
        )
    }

    /// Username and whether they exist (and are active) in the database.
    pub(super) fn person_ref(
        &mut self,
        username: &str,
    ) -> Result<Option<(String, bool)>, InteropError> {
        let key = username.to_lowercase();
        if let Some(p) = self.people.get(&key) {
            return Ok(p.clone());
        }
        let p = self.store.person_status(username)?;
        self.people.insert(key, p.clone());
        Ok(p)
    }
}
