//! `itam import --kind licences`: Snipe-IT's licence dialect. Each row is one licence; its
//! Username/Email (or "Checked Out to: Asset Tag") column names where the row's seat goes.
//! Like every import: checked first (a dry run writes nothing), then written all or nothing.

use super::super::csvread::{decode, read_csv};
use super::super::parse::{parse_cost, parse_date};
use super::super::InteropError;
use super::{Issue, Severity, Summary};
use crate::domain::currency;
use crate::domain::licence::{parse_seats, LicenceKind, NewLicence};
use crate::store::{assign_seat_tx, insert_licence, SeatTarget, Store};
use chrono::NaiveDate;
use std::path::Path;

pub struct LicencePlan {
    pub source: String,
    pub summary: Summary,
    pub issues: Vec<Issue>,
    /// (line, row, whether its seat can be assigned)
    rows: Vec<(u64, SnipeLicenceRow, bool)>,
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
        rows: Vec::new(),
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
    for row in &table.rows {
        out.summary.rows_read += 1;
        match licence_from_snipeit_row(&headers, &row.fields) {
            Ok(l) => {
                let seat_ok = match (&l.assign_to_person, &l.assign_to_asset) {
                    (Some(p), _) if store.person(p).is_err() => {
                        out.issues.push(issue(
                            Severity::Warning,
                            row.line,
                            format!(
                                "no person '{}' here: the licence is imported without that seat",
                                crate::domain::text::visible(p)
                            ),
                        ));
                        false
                    }
                    (None, Some(a)) if store.find_code(a).ok().flatten().is_none() => {
                        out.issues.push(issue(
                            Severity::Warning,
                            row.line,
                            format!(
                                "no asset '{}' here: the licence is imported without that seat",
                                crate::domain::text::visible(a)
                            ),
                        ));
                        false
                    }
                    (None, None) => false,
                    _ => true,
                };
                out.summary.create += 1;
                out.rows.push((row.line, l, seat_ok));
            }
            Err(e) => {
                out.summary.errors += 1;
                out.issues.push(issue(Severity::Error, row.line, e));
            }
        }
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
        let (mut made, mut seats) = (0, 0);
        for (_, row, seat_ok) in &plan.rows {
            let id = insert_licence(tx, &row.licence)?;
            made += 1;
            if *seat_ok {
                let target = match (&row.assign_to_person, &row.assign_to_asset) {
                    (Some(p), _) => SeatTarget::Person(p.clone()),
                    (None, Some(a)) => SeatTarget::Asset(a.clone()),
                    (None, None) => continue,
                };
                assign_seat_tx(tx, id, &target, false, Some(&note))?;
                seats += 1;
            }
        }
        Ok((made, seats))
    })?)
}

/// One Snipe-IT licence row: the licence, and who its seat is checked out to, if anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnipeLicenceRow {
    pub licence: NewLicence,
    /// Username (else email) of the person the row's seat goes to.
    pub assign_to_person: Option<String>,
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
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })
    };
    let product = col(&["item name", "license name", "name"])
        .ok_or("no product name (the 'Item name' or 'License Name' column is empty)")?;
    let assign_to_person = col(&["username"]).or(col(&["email"])).map(str::to_string);
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
    for (label, names) in [
        ("licensed to", &["licensed to name"][..]),
        ("licensed to email", &["licensed to email"][..]),
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
    if l.starts_on.is_some() && l.expires_on.is_some() && l.expires_on < l.starts_on {
        // Snipe-IT's samples have expiries before purchase; keep the row, drop the start.
        l.starts_on = None;
    }
    l.validate()?;
    Ok(SnipeLicenceRow {
        licence: l,
        assign_to_person,
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
