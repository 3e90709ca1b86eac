//! Exporting assets, people, locations and the history as itam CSV, Snipe-IT CSV (the headers
//! Snipe-IT's importer reads, plus a few of itam's own that Snipe-IT leaves unmapped), JSON or
//! JSON lines. Rows are streamed: a million assets never sit in memory.

use super::csvout::CsvOut;
use super::parse::snipeit_months_between;
use super::snipeit::label_for_asset;
use super::{Format, InteropError, Kind};
use crate::domain::time::date_text;
use crate::domain::{AssetView, Status};
use crate::store::{EventRow, ExportExtras, Store};
use chrono::NaiveDate;
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;

/// How an export writes its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// Prefix cells that start like a formula (see [`super::csvout`]); on by default.
    pub escape_formulas: bool,
    /// Snipe-IT costs written `1234,56` (for instances set to 1.234,56).
    pub decimal_comma: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            escape_formulas: true,
            decimal_comma: false,
        }
    }
}

/// itam's own asset columns, in order (the names `--map` and the JSON keys use too).
pub const ASSET_COLUMNS: &[&str] = &[
    "tag",
    "serial",
    "name",
    "model",
    "manufacturer",
    "category",
    "status",
    "condition",
    "location",
    "location_name",
    "assignee",
    "assignee_name",
    "assigned_at",
    "due_date",
    "owner",
    "supplier",
    "order_number",
    "purchase_date",
    "purchase_cost",
    "currency",
    "warranty_until",
    "eol_date",
    "notes",
    "last_seen_at",
    "created_at",
    "updated_at",
];

/// Snipe-IT's asset importer labels, each of which its web importer and `snipeit:import` map
/// by themselves; custom fields follow under their own names. itam's own fields that Snipe-IT
/// has no place for (condition, currency, owner, location code) are not written: the itam CSV
/// and JSON formats keep everything.
pub const SNIPEIT_ASSET_COLUMNS: &[&str] = &[
    "Asset Tag",
    "Asset Name",
    "Serial Number",
    "Model Name",
    "Model No.",
    "Category",
    "Manufacturer",
    "Location",
    "Status",
    "Supplier",
    "Order Number",
    "Purchase Date",
    "Purchase Cost",
    "Warranty",
    "EOL Date",
    "Asset Notes",
    "Checkout Type",
    "Checked Out to: Username",
    "Checked Out to: Full Name",
    "Checked Out to: Email",
    "Checkout Date",
    "Expected Checkin Date",
];

/// itam's own people columns, in order (the JSON keys too); `location` is the location's code.
/// New columns go at the end so older files and scripts keep their positions.
pub const PEOPLE_COLUMNS: &[&str] = &[
    "username",
    "full_name",
    "email",
    "badge",
    "team",
    "active",
    "holds",
    "title",
    "phone",
    "location",
];

/// Snipe-IT's user importer labels, each mapped by its web importer by itself (`Job Title` to
/// jobtitle, `Phone` to phone_number, `Location` by name to location_id).
pub const SNIPEIT_PEOPLE_COLUMNS: &[&str] = &[
    "First Name",
    "Last Name",
    "Username",
    "Email",
    "Employee Number",
    "Department",
    "Job Title",
    "Phone",
    "Location",
];

fn s(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn io_err(e: std::io::Error) -> InteropError {
    InteropError::Io {
        context: "writing the export".into(),
        source: e,
    }
}

/// Whole months from purchase to warranty end, when the end is exactly that many months later
/// by Snipe-IT's arithmetic.
fn warranty_months(a: &AssetView) -> String {
    let (Some(p), Some(w)) = (a.purchase_date, a.warranty_until) else {
        return String::new();
    };
    snipeit_months_between(p, w)
        .map(|m| m.to_string())
        .unwrap_or_default()
}

/// A cell of an amount or time written as text.
fn cell<T: ToString>(v: &Option<T>) -> Cow<'_, str> {
    match v {
        Some(v) => Cow::Owned(v.to_string()),
        None => Cow::Borrowed(""),
    }
}

/// A cell of a date.
fn day(v: &Option<NaiveDate>) -> Cow<'static, str> {
    match v {
        Some(d) => Cow::Owned(date_text(*d).as_str().to_owned()),
        None => Cow::Borrowed(""),
    }
}

fn asset_row(a: &AssetView) -> [Cow<'_, str>; 26] {
    [
        Cow::Borrowed(&a.tag),
        s(&a.serial).into(),
        s(&a.name).into(),
        s(&a.model).into(),
        s(&a.manufacturer).into(),
        s(&a.category).into(),
        a.status.as_str().into(),
        a.condition.as_str().into(),
        s(&a.location).into(),
        s(&a.location_name).into(),
        s(&a.assignee).into(),
        s(&a.assignee_name).into(),
        cell(&a.assigned_at),
        day(&a.due_date),
        s(&a.owner).into(),
        s(&a.supplier).into(),
        s(&a.order_number).into(),
        day(&a.purchase_date),
        cell(&a.purchase_cost),
        s(&a.currency).into(),
        day(&a.warranty_until),
        day(&a.eol_date),
        s(&a.notes).into(),
        cell(&a.last_seen_at),
        a.created_at.to_string().into(),
        a.updated_at.to_string().into(),
    ]
}

/// One asset as Snipe-IT's importer reads it (see [`SNIPEIT_ASSET_COLUMNS`]).
fn snipeit_row(a: &AssetView, x: &ExportExtras, opts: &ExportOptions) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let deployed = a.status == Status::Deployed;
    let cost = match &a.purchase_cost {
        Some(c) if opts.decimal_comma => c.to_string().replace('.', ","),
        Some(c) => c.to_string(),
        None => String::new(),
    };
    // Disposed is written as Archived, so the disposal goes into the notes.
    let mut notes = o(&a.notes);
    if let Some((method, on)) = x.disposals.get(&a.id) {
        let line = format!("disposed {on} ({method})");
        if !notes.lines().any(|l| l == line) {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(&line);
        }
    }
    let email = a
        .assignee
        .as_deref()
        .and_then(|u| x.emails.get(&u.to_lowercase()).cloned())
        .unwrap_or_default();
    let model_no = a
        .model
        .as_deref()
        .and_then(|m| x.model_numbers.get(&m.to_lowercase()).cloned())
        .unwrap_or_default();
    let mut row = vec![
        a.tag.clone(),
        o(&a.name),
        o(&a.serial),
        o(&a.model),
        model_no,
        o(&a.category),
        o(&a.manufacturer),
        // Snipe-IT keys locations by name.
        a.location_name
            .clone()
            .or_else(|| a.location.clone())
            .unwrap_or_default(),
        label_for_asset(a.status, a.condition).to_string(),
        o(&a.supplier),
        o(&a.order_number),
        day(&a.purchase_date).into_owned(),
        cost,
        warranty_months(a),
        day(&a.eol_date).into_owned(),
        notes,
        if deployed {
            "User".into()
        } else {
            String::new()
        },
        if deployed {
            o(&a.assignee)
        } else {
            String::new()
        },
        if deployed {
            o(&a.assignee_name)
        } else {
            String::new()
        },
        if deployed { email } else { String::new() },
        cell(&a.assigned_at).into_owned(),
        day(&a.due_date).into_owned(),
    ];
    push_fields(&mut row, a.id, x);
    row
}

/// The asset's custom field values, one column per defined field.
fn push_fields(row: &mut Vec<String>, id: i64, x: &ExportExtras) {
    let values = x.values.get(&id);
    for f in &x.fields {
        let v = values
            .and_then(|vs| vs.iter().find(|(fid, _)| *fid == f.id))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        row.push(v);
    }
}

/// Write every row of `kind` to `out` in `format`, with formula cells escaped; returns the
/// number of rows.
pub fn export(
    store: &Store,
    kind: Kind,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    export_with(store, kind, format, &ExportOptions::default(), out)
}

/// [`export`] with [`ExportOptions`].
pub fn export_with(
    store: &Store,
    kind: Kind,
    format: Format,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    let format = if format == Format::Auto {
        Format::Csv
    } else {
        format
    };
    match kind {
        Kind::Assets => assets(store, format, opts, out),
        Kind::People => people(store, format, opts, out),
        Kind::Locations => locations(store, format, opts, out),
        Kind::Events => events(store, format, opts, out),
        Kind::Models => Err(InteropError::Usage(
            "models are exported with their assets (export --kind assets)".into(),
        )),
        Kind::Licences => Err(InteropError::Usage(
            "licences are listed with `itam licence list --json` (export covers assets, people, locations, events)".into(),
        )),
    }
}

/// An asset in JSON with its home and custom fields.
#[derive(Serialize)]
struct JsonAsset<'a> {
    #[serde(flatten)]
    asset: &'a AssetView,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_location: Option<&'a str>,
    #[serde(flatten)]
    fields: std::collections::BTreeMap<&'a str, &'a str>,
}

/// JSON array or JSON lines, one item at a time.
struct JsonOut<'w> {
    out: &'w mut dyn Write,
    lines: bool,
    n: u64,
}

impl<'w> JsonOut<'w> {
    fn new(out: &'w mut dyn Write, lines: bool) -> Result<Self, InteropError> {
        if !lines {
            out.write_all(b"[").map_err(io_err)?;
        }
        Ok(JsonOut { out, lines, n: 0 })
    }
    fn item<T: Serialize>(&mut self, v: &T) -> Result<(), InteropError> {
        if !self.lines {
            self.out
                .write_all(if self.n == 0 { b"\n" } else { b",\n" })
                .map_err(io_err)?;
        }
        serde_json::to_writer(&mut *self.out, v).map_err(|e| InteropError::Io {
            context: "writing JSON".into(),
            source: e.into(),
        })?;
        if self.lines {
            self.out.write_all(b"\n").map_err(io_err)?;
        }
        self.n += 1;
        Ok(())
    }
    fn finish(self) -> Result<u64, InteropError> {
        if !self.lines {
            self.out.write_all(b"\n]\n").map_err(io_err)?;
        }
        self.out.flush().map_err(io_err)?;
        Ok(self.n)
    }
}

fn assets(
    store: &Store,
    format: Format,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    match format {
        Format::Json | Format::Jsonl => {
            let x = store.export_extras()?;
            let mut j = JsonOut::new(out, format == Format::Jsonl)?;
            if x.fields.is_empty() && x.homes.is_empty() {
                store.for_each_asset(|a| j.item(&a))?;
            } else {
                // Home and custom fields as keys beside the asset's own, as the CSV's columns,
                // so the importer reads them back the same way.
                store.for_each_asset(|a| {
                    let values = x.values.get(&a.id);
                    let fields = x
                        .fields
                        .iter()
                        .filter_map(|f| {
                            values
                                .and_then(|vs| vs.iter().find(|(id, _)| *id == f.id))
                                .map(|(_, v)| (f.name.as_str(), v.as_str()))
                        })
                        .collect();
                    j.item(&JsonAsset {
                        home_location: x.homes.get(&a.id).map(String::as_str),
                        fields,
                        asset: &a,
                    })
                })?;
            }
            j.finish()
        }
        _ => {
            let x = store.export_extras()?;
            let mut w = CsvOut::new(out, opts.escape_formulas);
            let mut n = 0u64;
            let names = x.fields.iter().map(|f| f.name.as_str());
            if format == Format::Snipeit {
                w.record(SNIPEIT_ASSET_COLUMNS.iter().copied().chain(names))?;
                store.for_each_asset(|a| {
                    n += 1;
                    w.record(snipeit_row(&a, &x, opts))
                        .map_err(InteropError::from)
                })?;
            } else {
                w.record(
                    ASSET_COLUMNS
                        .iter()
                        .copied()
                        .chain(["home_location"])
                        .chain(names),
                )?;
                let mut extra = Vec::new();
                store.for_each_asset(|a| {
                    n += 1;
                    extra.clear();
                    extra.push(x.homes.get(&a.id).cloned().unwrap_or_default());
                    push_fields(&mut extra, a.id, &x);
                    w.record(
                        asset_row(&a)
                            .into_iter()
                            .chain(extra.iter().map(|c| Cow::Borrowed(c.as_str()))),
                    )
                    .map_err(InteropError::from)
                })?;
            }
            w.flush().map_err(io_err)?;
            Ok(n)
        }
    }
}

fn people(
    store: &Store,
    format: Format,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    let all = store.people()?;
    match format {
        Format::Json | Format::Jsonl => {
            let mut j = JsonOut::new(out, format == Format::Jsonl)?;
            for p in &all {
                j.item(p)?;
            }
            j.finish()
        }
        Format::Snipeit => {
            // Snipe-IT keys locations by name.
            let names: std::collections::HashMap<String, String> = store
                .locations()?
                .into_iter()
                .map(|l| (l.code, l.name))
                .collect();
            let mut w = CsvOut::new(out, opts.escape_formulas);
            w.record(SNIPEIT_PEOPLE_COLUMNS.iter().copied())?;
            for p in &all {
                let (first, last) = p
                    .full_name
                    .rsplit_once(' ')
                    .unwrap_or((p.full_name.as_str(), ""));
                let location = p
                    .location
                    .as_deref()
                    .map(|c| names.get(c).map(String::as_str).unwrap_or(c))
                    .unwrap_or("");
                w.record([
                    first,
                    last,
                    &p.username,
                    s(&p.email),
                    s(&p.badge),
                    s(&p.team),
                    s(&p.title),
                    s(&p.phone),
                    location,
                ])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
        _ => {
            let mut w = CsvOut::new(out, opts.escape_formulas);
            w.record(PEOPLE_COLUMNS.iter().copied())?;
            for p in &all {
                let active = if p.active { "true" } else { "false" };
                let holds = p.holds.to_string();
                w.record([
                    &p.username,
                    &p.full_name,
                    s(&p.email),
                    s(&p.badge),
                    s(&p.team),
                    active,
                    &holds,
                    s(&p.title),
                    s(&p.phone),
                    s(&p.location),
                ])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
    }
}

fn locations(
    store: &Store,
    format: Format,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    let all = store.locations()?;
    match format {
        Format::Json | Format::Jsonl => {
            let mut j = JsonOut::new(out, format == Format::Jsonl)?;
            for l in &all {
                j.item(l)?;
            }
            j.finish()
        }
        Format::Snipeit => {
            // Snipe-IT names a parent by its name.
            let names: std::collections::HashMap<&str, &str> = all
                .iter()
                .map(|l| (l.code.as_str(), l.name.as_str()))
                .collect();
            let mut w = CsvOut::new(out, opts.escape_formulas);
            w.record(["Name", "Parent"])?;
            for l in &all {
                let parent = l
                    .parent
                    .as_deref()
                    .and_then(|p| names.get(p).copied())
                    .unwrap_or("");
                w.record([l.name.as_str(), parent])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
        _ => {
            let mut w = CsvOut::new(out, opts.escape_formulas);
            w.record(["code", "name", "parent", "assets"])?;
            for l in &all {
                w.record([&l.code, &l.name, s(&l.parent), &l.assets.to_string()])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
    }
}

#[derive(Serialize)]
struct EventJson<'a> {
    id: i64,
    at: &'a str,
    actor: &'a str,
    kind: &'a str,
    asset: Option<&'a str>,
    subject: Option<&'a str>,
    before: serde_json::Value,
    after: serde_json::Value,
    note: Option<&'a str>,
}

fn parse_json(s: &Option<String>) -> serde_json::Value {
    s.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(serde_json::Value::Null)
}

fn events(
    store: &Store,
    format: Format,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    match format {
        Format::Json | Format::Jsonl => {
            let mut j = JsonOut::new(out, format == Format::Jsonl)?;
            store.for_each_event(|e: EventRow| {
                j.item(&EventJson {
                    id: e.id,
                    at: &e.at,
                    actor: &e.actor,
                    kind: &e.kind,
                    asset: e.asset.as_deref(),
                    subject: e.subject.as_deref(),
                    before: parse_json(&e.before),
                    after: parse_json(&e.after),
                    note: e.note.as_deref(),
                })
            })?;
            j.finish()
        }
        Format::Snipeit => Err(InteropError::Usage(
            "Snipe-IT has no history import: export events as csv, json or jsonl".into(),
        )),
        _ => {
            let mut w = CsvOut::new(out, opts.escape_formulas);
            w.record([
                "id", "at", "actor", "kind", "asset", "subject", "before", "after", "note",
            ])?;
            let mut n = 0;
            store.for_each_event(|e: EventRow| {
                n += 1;
                w.record([
                    e.id.to_string().as_str(),
                    &e.at,
                    &e.actor,
                    &e.kind,
                    s(&e.asset),
                    s(&e.subject),
                    s(&e.before),
                    s(&e.after),
                    s(&e.note),
                ])
                .map_err(InteropError::from)
            })?;
            w.flush().map_err(io_err)?;
            Ok(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snipeit_columns_are_read_back_by_the_importer() {
        use super::super::snipeit::{field_for, Field};
        for h in SNIPEIT_ASSET_COLUMNS {
            let f = field_for(Kind::Assets, h);
            assert!(f.is_some() && f != Some(Field::Ignore), "{h}");
        }
        for h in ASSET_COLUMNS {
            assert!(field_for(Kind::Assets, h).is_some(), "{h}");
        }
        for h in SNIPEIT_PEOPLE_COLUMNS.iter().chain(PEOPLE_COLUMNS) {
            let f = field_for(Kind::People, h);
            assert!(f.is_some(), "{h}");
            // Only the counts itam works out are not read back.
            assert!(f != Some(Field::Ignore) || *h == "holds", "{h}");
        }
    }
}
