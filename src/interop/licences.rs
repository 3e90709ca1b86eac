//! `itam import --kind licences`: Snipe-IT's licence dialect. Each row is one licence; its
//! Username/Email (or "Checked Out to: Asset Tag") column names where the row's seat goes.
//! Like every import: checked first (a dry run writes nothing), then written all or nothing.

use super::csvread::{decode, read_csv};
use super::import::{Issue, Severity, Summary};
use super::InteropError;
use crate::domain::licence::{licence_from_snipeit_row, SnipeLicenceRow};
use crate::store::{assign_seat_tx, insert_licence, SeatTarget, Store};
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
