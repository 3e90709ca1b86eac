//! Exporting assets, people, locations and the history as itam CSV, Snipe-IT CSV (the headers
//! Snipe-IT's importer reads, plus a few of itam's own that Snipe-IT leaves unmapped), JSON or
//! JSON lines. Rows are streamed: a million assets never sit in memory.

use super::parse::{add_months, iso_date};
use super::snipeit::label_for_status;
use super::{Format, InteropError, Kind};
use crate::domain::{AssetView, Status};
use crate::store::{EventRow, Store};
use serde::Serialize;
use std::io::Write;

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

/// Snipe-IT's asset import labels, then itam's extras (Snipe-IT offers those as "do not import").
pub const SNIPEIT_ASSET_COLUMNS: &[&str] = &[
    "Asset Tag",
    "Asset Name",
    "Serial Number",
    "Model Name",
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
    "Checkout Date",
    "Expected Checkin Date",
    "Condition",
    "Currency",
    "Warranty Until",
    "Owner",
    "Location Name",
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

/// Whole months from purchase to warranty end, when the end is exactly that many months later.
fn warranty_months(a: &AssetView) -> String {
    let (Some(p), Some(w)) = (&a.purchase_date, &a.warranty_until) else {
        return String::new();
    };
    // Stored dates are `YYYY-MM-DD`: the fast path reads them without chrono's per-call
    // format parsing (a million rows, two dates each); anything else gets the full parser.
    let date =
        |s: &str| iso_date(s).or_else(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let (Some(p), Some(w)) = (date(p), date(w)) else {
        return String::new();
    };
    use chrono::Datelike;
    let months = (w.year() - p.year()) * 12 + w.month() as i32 - p.month() as i32;
    match u32::try_from(months) {
        Ok(m) if m > 0 && add_months(p, m) == Some(w) => m.to_string(),
        _ => String::new(),
    }
}

fn asset_row(a: &AssetView) -> [&str; 26] {
    [
        &a.tag,
        s(&a.serial),
        s(&a.name),
        s(&a.model),
        s(&a.manufacturer),
        s(&a.category),
        a.status.as_str(),
        a.condition.as_str(),
        s(&a.location),
        s(&a.location_name),
        s(&a.assignee),
        s(&a.assignee_name),
        s(&a.assigned_at),
        s(&a.due_date),
        s(&a.owner),
        s(&a.supplier),
        s(&a.order_number),
        s(&a.purchase_date),
        s(&a.purchase_cost),
        s(&a.currency),
        s(&a.warranty_until),
        s(&a.eol_date),
        s(&a.notes),
        s(&a.last_seen_at),
        &a.created_at,
        &a.updated_at,
    ]
}

fn snipeit_row<'a>(a: &'a AssetView, warranty: &'a str) -> [&'a str; 25] {
    let deployed = a.status == Status::Deployed;
    [
        &a.tag,
        s(&a.name),
        s(&a.serial),
        s(&a.model),
        s(&a.category),
        s(&a.manufacturer),
        s(&a.location),
        label_for_status(a.status),
        s(&a.supplier),
        s(&a.order_number),
        s(&a.purchase_date),
        s(&a.purchase_cost),
        warranty,
        s(&a.eol_date),
        s(&a.notes),
        if deployed { "User" } else { "" },
        s(&a.assignee),
        s(&a.assignee_name),
        s(&a.assigned_at),
        s(&a.due_date),
        a.condition.as_str(),
        s(&a.currency),
        s(&a.warranty_until),
        s(&a.owner),
        s(&a.location_name),
    ]
}

/// Write every row of `kind` to `out` in `format`; returns the number of rows.
pub fn export(
    store: &Store,
    kind: Kind,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, InteropError> {
    let format = if format == Format::Auto {
        Format::Csv
    } else {
        format
    };
    match kind {
        Kind::Assets => assets(store, format, out),
        Kind::People => people(store, format, out),
        Kind::Locations => locations(store, format, out),
        Kind::Events => events(store, format, out),
        Kind::Models => Err(InteropError::Usage(
            "models are exported with their assets (export --kind assets)".into(),
        )),
        Kind::Licences => Err(InteropError::Usage(
            "licences are listed with `itam licence list --json` (export covers assets, people, locations, events)".into(),
        )),
    }
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

fn assets(store: &Store, format: Format, out: &mut dyn Write) -> Result<u64, InteropError> {
    match format {
        Format::Json | Format::Jsonl => {
            let mut j = JsonOut::new(out, format == Format::Jsonl)?;
            store.for_each_asset(|a| j.item(&a))?;
            j.finish()
        }
        _ => {
            let mut w = csv::Writer::from_writer(out);
            let mut n = 0u64;
            if format == Format::Snipeit {
                w.write_record(SNIPEIT_ASSET_COLUMNS)?;
                store.for_each_asset(|a| {
                    n += 1;
                    let months = warranty_months(&a);
                    w.write_record(snipeit_row(&a, &months))
                        .map_err(InteropError::from)
                })?;
            } else {
                w.write_record(ASSET_COLUMNS)?;
                store.for_each_asset(|a| {
                    n += 1;
                    w.write_record(asset_row(&a)).map_err(InteropError::from)
                })?;
            }
            w.flush().map_err(io_err)?;
            Ok(n)
        }
    }
}

fn people(store: &Store, format: Format, out: &mut dyn Write) -> Result<u64, InteropError> {
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
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "First Name",
                "Last Name",
                "Username",
                "Email",
                "Employee Number",
                "Department",
            ])?;
            for p in &all {
                let (first, last) = p
                    .full_name
                    .rsplit_once(' ')
                    .unwrap_or((p.full_name.as_str(), ""));
                w.write_record([
                    first,
                    last,
                    &p.username,
                    s(&p.email),
                    s(&p.badge),
                    s(&p.team),
                ])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
        _ => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "username",
                "full_name",
                "email",
                "badge",
                "team",
                "active",
                "holds",
            ])?;
            for p in &all {
                let active = if p.active { "true" } else { "false" };
                let holds = p.holds.to_string();
                w.write_record([
                    &p.username,
                    &p.full_name,
                    s(&p.email),
                    s(&p.badge),
                    s(&p.team),
                    active,
                    &holds,
                ])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
    }
}

fn locations(store: &Store, format: Format, out: &mut dyn Write) -> Result<u64, InteropError> {
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
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["Name", "Parent"])?;
            for l in &all {
                let parent = l
                    .parent
                    .as_deref()
                    .and_then(|p| names.get(p).copied())
                    .unwrap_or("");
                w.write_record([l.name.as_str(), parent])?;
            }
            w.flush().map_err(io_err)?;
            Ok(all.len() as u64)
        }
        _ => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["code", "name", "parent", "assets"])?;
            for l in &all {
                w.write_record([&l.code, &l.name, s(&l.parent), &l.assets.to_string()])?;
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

fn events(store: &Store, format: Format, out: &mut dyn Write) -> Result<u64, InteropError> {
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
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id", "at", "actor", "kind", "asset", "subject", "before", "after", "note",
            ])?;
            let mut n = 0;
            store.for_each_event(|e: EventRow| {
                n += 1;
                w.write_record([
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
    }
}
