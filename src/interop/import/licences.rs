//! `itam import --kind licences`: Snipe-IT's licence dialect (its web importer's labels:
//! "License Name", "Serial/Product Key", "Seats", "Checked Out to: Username / Email / Full
//! Name / Asset Tag", ...). A licence is found by name and key, as Snipe-IT's LicenseImporter
//! does: a repeated row (Snipe-IT's export writes one per seat) creates no second licence, its
//! seat is added to the first. A seat holder who does not exist is created, as Snipe-IT's
//! importer creates a user. Like every import: checked first (a dry run writes nothing), then
//! written all or nothing.

use super::super::csvout::unescape_formula;
use super::super::csvread::{decode, read_csv};
use super::super::parse::{parse_cost, parse_date};
use super::super::InteropError;
use super::people::derive_username_as;
use super::{Issue, Severity, Summary};
use crate::domain::currency;
use crate::domain::licence::{parse_seats, LicenceKind, NewLicence};
use crate::store::{
    assign_seat_tx, insert_licence, licence_id_by_product_and_key, BulkWriter, NewPerson,
    SeatTarget, Store, StoreError,
};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// One licence of the file: new, or one the database has by name and key.
struct Group {
    line: u64,
    licence: NewLicence,
    existing: Option<i64>,
    seats: Vec<Seat>,
}

enum Seat {
    Person(NewPerson),
    Asset(String),
}

pub struct LicencePlan {
    pub source: String,
    pub summary: Summary,
    pub issues: Vec<Issue>,
    groups: Vec<Group>,
}

impl LicencePlan {
    /// Seats the write assigns.
    pub fn seats(&self) -> usize {
        self.groups.iter().map(|g| g.seats.len()).sum()
    }
}

fn issue(severity: Severity, line: u64, message: String) -> Issue {
    Issue {
        severity,
        line: Some(line),
        unit: "line",
        column: None,
        message,
    }
}

/// Read and check every row; nothing is written.
pub fn plan(store: &Store, path: &Path) -> Result<LicencePlan, InteropError> {
    let bytes = std::fs::read(path).map_err(|source| InteropError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    let decoded = decode(&bytes);
    let table = read_csv(&decoded.text)?;
    let headers = csv::StringRecord::from(table.headers.clone());
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = LicencePlan {
        source,
        summary: Summary::default(),
        issues: Vec::new(),
        groups: Vec::new(),
    };
    for w in decoded.warnings {
        out.issues.push(Issue {
            severity: Severity::Warning,
            line: None,
            unit: "line",
            column: None,
            message: w,
        });
    }
    // (lower-case product, key) -> index into groups
    let mut by_key: HashMap<(String, Option<String>), usize> = HashMap::new();
    // (group, lower-case holder): a holder gets one seat of a licence
    let mut holders: std::collections::HashSet<(usize, String)> = Default::default();
    let mut new_people: std::collections::HashSet<String> = Default::default();
    let v = crate::domain::text::visible;
    for row in &table.rows {
        out.summary.rows_read += 1;
        let r = match licence_from_snipeit_row(&headers, &row.fields) {
            Ok(r) => r,
            Err(e) => {
                out.summary.errors += 1;
                out.issues.push(issue(Severity::Error, row.line, e));
                continue;
            }
        };
        for w in &r.warnings {
            out.issues
                .push(issue(Severity::Warning, row.line, w.clone()));
        }
        let key = (
            r.licence.product.to_lowercase(),
            r.licence.key.clone().map(|k| k.to_lowercase()),
        );
        let gi = match by_key.get(&key) {
            Some(&gi) => gi,
            None => {
                let existing = licence_id_by_product_and_key(
                    store.conn(),
                    &r.licence.product,
                    r.licence.key.as_deref(),
                )?;
                if existing.is_some() {
                    out.issues.push(issue(
                        Severity::Warning,
                        row.line,
                        format!(
                            "licence '{}' with this key exists: its seat is added to it",
                            v(&r.licence.product)
                        ),
                    ));
                } else {
                    out.summary.create += 1;
                }
                out.groups.push(Group {
                    line: row.line,
                    licence: r.licence.clone(),
                    existing,
                    seats: Vec::new(),
                });
                by_key.insert(key, out.groups.len() - 1);
                out.groups.len() - 1
            }
        };
        let seat = match (&r.assign_to_person, &r.assign_to_asset) {
            (Some(u), _) => {
                if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    out.summary.errors += 1;
                    out.issues.push(issue(
                        Severity::Error,
                        row.line,
                        format!("username '{}' must be one word", v(u)),
                    ));
                    continue;
                }
                match store.person_status(u)? {
                    Some((_, false)) => {
                        out.issues.push(issue(
                            Severity::Warning,
                            row.line,
                            format!("{} is inactive (offboarded): no seat assigned", v(u)),
                        ));
                        None
                    }
                    found => {
                        if found.is_none() && new_people.insert(u.to_lowercase()) {
                            out.issues.push(issue(
                                Severity::Warning,
                                row.line,
                                format!("no person '{}' here: created for the seat", v(u)),
                            ));
                        }
                        Some(Seat::Person(NewPerson {
                            username: u.clone(),
                            full_name: r.assign_full_name.clone().unwrap_or_else(|| u.clone()),
                            email: r.assign_email.clone(),
                            badge: None,
                            team: None,
                        }))
                    }
                }
            }
            (None, Some(a)) if store.find_code(a).ok().flatten().is_none() => {
                out.issues.push(issue(
                    Severity::Warning,
                    row.line,
                    format!(
                        "no asset '{}' here: the licence is imported without that seat",
                        v(a)
                    ),
                ));
                None
            }
            (None, Some(a)) => Some(Seat::Asset(a.clone())),
            (None, None) => None,
        };
        let Some(seat) = seat else { continue };
        let holder = match &seat {
            Seat::Person(p) => format!("p:{}", p.username.to_lowercase()),
            Seat::Asset(a) => format!("a:{}", a.to_lowercase()),
        };
        let g = &mut out.groups[gi];
        if !holders.insert((gi, holder)) {
            out.issues.push(issue(
                Severity::Warning,
                row.line,
                format!(
                    "this holder already has a seat of '{}' (line {})",
                    v(&g.licence.product),
                    g.line
                ),
            ));
            continue;
        }
        if g.existing.is_none() {
            if let Some(owned) = g.licence.seats {
                if g.seats.len() as u64 >= u64::from(owned) {
                    out.issues.push(issue(
                        Severity::Warning,
                        row.line,
                        format!(
                            "'{}' has {owned} seats, all checked out above: this one is not assigned",
                            v(&g.licence.product)
                        ),
                    ));
                    continue;
                }
            }
        }
        // A per-device licence cannot seat a person and the reverse (as `licence assign`).
        match (&seat, g.licence.kind) {
            (Seat::Asset(_), LicenceKind::PerUser)
                if g.seats.iter().all(|s| matches!(s, Seat::Asset(_))) && g.existing.is_none() =>
            {
                g.licence.kind = LicenceKind::PerDevice;
            }
            _ => {}
        }
        g.seats.push(seat);
    }
    out.summary.warnings = out
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .count();
    Ok(out)
}

/// Write a checked plan in one transaction: (licences created, seats assigned).
pub fn apply(
    store: &mut Store,
    plan: &LicencePlan,
    skip_bad_rows: bool,
) -> Result<(usize, usize), InteropError> {
    if plan.summary.errors > 0 && !skip_bad_rows {
        return Err(InteropError::HasErrors {
            errors: plan.summary.errors,
        });
    }
    let note = format!("imported from {}", plan.source);
    Ok(store.write(|tx| {
        let mut w = BulkWriter::new(tx, Some(note.clone()));
        let (mut made, mut seats) = (0, 0);
        for g in &plan.groups {
            let id = match g.existing {
                Some(id) => id,
                None => {
                    made += 1;
                    insert_licence(tx, &g.licence)?
                }
            };
            for s in &g.seats {
                let target = match s {
                    Seat::Person(p) => {
                        w.person(p)?;
                        SeatTarget::Person(p.username.clone())
                    }
                    Seat::Asset(a) => SeatTarget::Asset(a.clone()),
                };
                // A seat the licence cannot take (all in use, wrong kind) is not forced; the
                // rule refuses before anything is written.
                match assign_seat_tx(tx, id, &target, false, Some(&note)) {
                    Ok(_) => seats += 1,
                    Err(StoreError::Refused(_) | StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok((made, seats))
    })?)
}

/// One Snipe-IT licence row: the licence, and who its seat is checked out to, if anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnipeLicenceRow {
    pub licence: NewLicence,
    /// Username of the person the row's seat goes to: as given, else made from the full name
    /// (Snipe-IT's filastname). An email alone names no one (as Snipe-IT).
    pub assign_to_person: Option<String>,
    /// The seat holder's full name and email, for creating them.
    pub assign_full_name: Option<String>,
    pub assign_email: Option<String>,
    /// Things kept but worth saying (a purchase after the expiry).
    pub warnings: Vec<String>,
    /// Asset tag the row's seat goes to (`Checked Out to: Asset Tag`).
    pub assign_to_asset: Option<String>,
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "1" | "yes" | "true" | "y"
    )
}

/// One row of Snipe-IT's licence CSV (`headers` as in its first line, matched ignoring case and
/// surrounding spaces) read into a licence. Columns used: `Item name` / `License Name` (product,
/// required), `manufacturer` (vendor), `serial number` / `Serial/Product Key` (key), `seats`
/// (blank: unlimited), `purchase cost` (total, one-time; its symbol picks the currency, else
/// USD), `purchase date` (start), `expiration date` / `termination date` (expiry), `notes`,
/// and, into the notes, `Licensed To Name`, `Licensed to Email`, `category`, `supplier`,
/// `company`, `order number`, `purchase order`, `maintained`, `reassignable`. `Username`
/// (else `Email`) and `Checked Out to: Asset Tag` say where the row's seat goes. Kind is
/// `per_user` unless a row checks out to an asset only (`per_device`).
pub fn licence_from_snipeit_row(
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
) -> Result<SnipeLicenceRow, String> {
    let col = |names: &[&str]| -> Option<&str> {
        names.iter().find_map(|n| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(n))
                .and_then(|i| record.get(i))
                .map(|v| unescape_formula(v.trim()))
                .filter(|v| !v.is_empty())
        })
    };
    let product = col(&["item name", "license name", "licence name", "name"])
        .ok_or("no product name (the 'Item name' or 'License Name' column is empty)")?;
    let assign_full_name = col(&["checked out to: full name", "full name"]).map(str::to_string);
    let assign_email = col(&["checked out to: email", "email"]).map(str::to_string);
    let assign_to_person = derive_username_as(
        col(&["checked out to: username", "username"]),
        None,
        None,
        None,
        assign_full_name.as_deref(),
        "filastname",
    );
    let mut warnings = Vec::new();
    let assign_to_asset = col(&["checked out to: asset tag", "asset tag"]).map(str::to_string);
    let kind = if assign_to_asset.is_some() && assign_to_person.is_none() {
        LicenceKind::PerDevice
    } else {
        LicenceKind::PerUser
    };
    let mut l = NewLicence::new(product, kind);
    l.vendor = col(&["manufacturer"]).map(str::to_string);
    l.key = col(&[
        "serial number",
        "serial/product key",
        "product key",
        "serial",
    ])
    .map(str::to_string);
    l.seats = match col(&["seats"]) {
        Some(s) => parse_seats(s)?,
        None => None,
    };
    if let Some(c) = col(&["purchase cost"]) {
        let (amount, cur) = parse_cost(c, false).map_err(|e| format!("purchase cost: {e}"))?;
        let cur = cur.unwrap_or_else(|| "USD".to_string());
        l.cost = Some(currency::round(amount, &cur));
        l.currency = Some(cur);
    }
    let date = |label: &str, v: Option<&str>| -> Result<Option<NaiveDate>, String> {
        v.map(|v| parse_date(v, None).map_err(|e| format!("{label}: {e}")))
            .transpose()
    };
    l.starts_on = date("purchase date", col(&["purchase date"]))?;
    l.expires_on = match col(&["expiration date"]) {
        Some(s) => date("expiration date", Some(s))?,
        None => date("termination date", col(&["termination date"]))?,
    };
    let mut notes = Vec::new();
    if let Some(n) = col(&["notes"]) {
        notes.push(n.to_string());
    }
    if let (Some(s), Some(e)) = (l.starts_on, l.expires_on) {
        if e < s {
            // Kept, as Snipe-IT keeps it; itam's licence cannot start after it ends.
            notes.push(format!("purchased {s} (after the expiry)"));
            warnings.push(format!(
                "purchase date {s} is after the expiry {e}: kept in the notes"
            ));
            l.starts_on = None;
        }
    }
    for (label, names) in [
        ("licensed to", &["licensed to name"][..]),
        ("licensed to email", &["licensed to email"][..]),
        ("min qty", &["min. qty", "min qty", "min amount"][..]),
        ("category", &["category"][..]),
        ("supplier", &["supplier"][..]),
        ("company", &["company"][..]),
        ("order number", &["order number"][..]),
        (
            "purchase order",
            &["purchase order", "purchase order number"][..],
        ),
    ] {
        if let Some(v) = col(names) {
            notes.push(format!("{label}: {v}"));
        }
    }
    for (label, name) in [
        ("maintained", "maintained"),
        ("reassignable", "reassignable"),
    ] {
        if let Some(v) = col(&[name]) {
            notes.push(format!("{label}: {}", if truthy(v) { "yes" } else { "no" }));
        }
    }
    l.notes = (!notes.is_empty()).then(|| notes.join("\n"));
    l.validate()?;
    Ok(SnipeLicenceRow {
        licence: l,
        assign_to_person,
        assign_full_name,
        assign_email,
        warnings,
        assign_to_asset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_snipe_it_row() {
        let h = csv::StringRecord::from(vec![
            "Full Name",
            "Email",
            "Username",
            "Item name",
            "serial number",
            "manufacturer",
            "purchase date",
            "purchase cost",
            "Licensed To Name",
            "expiration date",
            "seats",
            "notes",
            "reassignable",
        ]);
        let r = csv::StringRecord::from(vec![
            "Bevon Ibarra",
            "b@example.com",
            "jgoodsell0",
            "Acme CAD",
            "4c27-13a1",
            "Acme",
            "11/24/2008",
            "$1,212.58",
            "Jelene",
            "02/26/2026",
            "56",
            "line 1\nline 2",
            "yes",
        ]);
        let row = licence_from_snipeit_row(&h, &r).unwrap();
        let l = &row.licence;
        assert_eq!(l.product, "Acme CAD");
        assert_eq!(l.vendor.as_deref(), Some("Acme"));
        assert_eq!(l.key.as_deref(), Some("4c27-13a1"));
        assert_eq!(l.seats, Some(56));
        assert_eq!(l.cost.unwrap().to_string(), "1212.58");
        assert_eq!(l.currency.as_deref(), Some("USD"));
        assert_eq!(l.starts_on, Some(date("2008-11-24")));
        assert_eq!(l.expires_on, Some(date("2026-02-26")));
        assert!(l.notes.as_deref().unwrap().contains("licensed to: Jelene"));
        assert!(l.notes.as_deref().unwrap().contains("reassignable: yes"));
        assert_eq!(row.assign_to_person.as_deref(), Some("jgoodsell0"));
        let bad = csv::StringRecord::from(vec!["", "", "", "", "", "", "", "", "", "", "", "", ""]);
        assert!(licence_from_snipeit_row(&h, &bad).is_err());
        let mut r2 = r.clone();
        r2 = csv::StringRecord::from(
            r2.iter()
                .enumerate()
                .map(|(i, v)| if i == 7 { "twelve" } else { v })
                .collect::<Vec<_>>(),
        );
        assert!(licence_from_snipeit_row(&h, &r2)
            .unwrap_err()
            .contains("purchase cost"));
    }
}
