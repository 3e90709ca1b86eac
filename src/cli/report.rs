//! `itam report licences | depreciation | tco | eol`: the money side, as text, JSON or CSV.
//! Amounts are per currency; totals are never summed across currencies.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use itam::domain::text::visible;
use itam::store::{GroupBy, Store};
use serde::Serialize;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// An audit's reconciliation: expected, found, missing, unexpected, unknown
    Audit {
        audit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Active assets nobody has scanned, audited, checked in or out for a long time
    Ghosts(super::workflows::GhostArgs),
    /// Where the inventory feeds and the register disagree, security first, each with its fix
    Drift(super::drift::DriftArgs),
    /// Installed software against licences: installs with no seat, reclaimable seats
    Compliance(super::drift::ComplianceArgs),
    /// Licence compliance: seats owned, assigned, free, over-deployed, unused cost, renewals
    Licences {
        /// The day to count renewals from, YYYY-MM-DD (default today)
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Book values as of a date, per asset or per group
    Depreciation(DepreciationArgs),
    /// Total cost of ownership: purchase + maintenance - disposal proceeds, per year in service
    Tco {
        /// model or category (default: per asset)
        #[arg(long, value_name = "BY")]
        group_by: Option<GroupBy>,
        /// Count years in service up to this day (default today)
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The refresh forecast: end of life and warranty ends by quarter, with replacement cost
    Eol {
        /// How far ahead: 12m, 18m, 2y (default 12m)
        #[arg(long, default_value = "12m")]
        within: String,
        /// Start of the forecast, YYYY-MM-DD (default today)
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DepreciationArgs {
    /// YYYY-MM-DD (default today)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// category, location or owner (default: per asset)
    #[arg(long, value_name = "BY")]
    pub group_by: Option<GroupBy>,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    #[arg(long)]
    pub csv: bool,
    /// With --csv: write cells that start with = + - @ tab or CR as they are (by default
    /// they get a leading backtick so a spreadsheet does not run them)
    #[arg(long)]
    pub no_escape_formulas: bool,
}

/// `--as-of DATE`, else today (local date).
pub fn as_of(s: &Option<String>) -> Result<chrono::NaiveDate> {
    match s.as_deref() {
        Some(d) => Ok(itam::store::parse_date("--as-of", d)?),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// `12m`, `2y` or a bare number of months.
pub fn parse_within(s: &str) -> Result<u32> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(n) = t.strip_suffix('y') {
        (n, 12)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 1)
    } else {
        (t.as_str(), 1)
    };
    match num.trim().parse::<u32>() {
        Ok(n) if n > 0 && n <= 1200 => Ok(n * mult),
        _ => bail!(
            "--within '{}' is not a period (e.g. 12m, 18m, 2y)",
            visible(s)
        ),
    }
}

fn json_to<W: Write, T: Serialize + ?Sized>(w: &mut W, v: &T) -> Result<()> {
    super::output::to_writer(&mut *w, v)?;
    Ok(())
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map(|v| visible(v).into_owned())
        .unwrap_or_else(|| "-".into())
}

pub fn report(store: &mut Store, c: &ReportCmd) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match c {
        // Printed by the workflows module, which owns audits and ghosts (stdout's lock is
        // re-entrant, so its println! lines interleave correctly with `out`).
        // Audit and compliance reports record the history chain's head, so a history rewritten
        // later no longer matches the report kept elsewhere.
        ReportCmd::Audit { audit, json } => {
            out.flush()?;
            let r = store.audit_report(*audit)?;
            let head = store.chain_head()?;
            if *json {
                let mut v = serde_json::to_value(&r)?;
                v["history_head"] = serde_json::to_value(&head)?;
                super::output::json(&v)?;
            } else {
                super::workflows::print_report(&r, false)?;
                println!("\nrecorded at {head}");
            }
        }
        ReportCmd::Ghosts(a) => {
            out.flush()?;
            super::workflows::ghosts(store, a)?;
        }
        ReportCmd::Drift(a) => {
            out.flush()?;
            super::drift::report_drift(store, a)?;
        }
        ReportCmd::Compliance(a) => {
            out.flush()?;
            super::drift::report_compliance(store, a)?;
        }
        ReportCmd::Licences { as_of: d, json } => {
            let r = store.licence_report(as_of(d)?)?;
            let head = store.chain_head()?;
            if *json {
                let mut v = serde_json::to_value(&r)?;
                v["history_head"] = serde_json::to_value(&head)?;
                super::output::to_writer_pretty(&mut out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:>4}  {:<28} {:<12} {:>7} {:>8} {:>6} {:>5}  {:<24} renewal",
                    "id", "product", "kind", "owned", "assigned", "free", "over", "unused cost"
                )?;
                for l in &r.licences {
                    let unused = match (&l.unused_cost, &l.currency) {
                        (Some(u), Some(c)) => format!("{u} {c} {}", l.cost_period),
                        _ => "-".into(),
                    };
                    let renewal = match (&l.renewal, l.renewal_window) {
                        (Some(d), Some(w)) => format!("{d} (within {w} days)"),
                        (Some(d), None) if l.expired => format!("{d} (expired)"),
                        (Some(d), None) => d.to_string(),
                        _ => "-".into(),
                    };
                    writeln!(
                        out,
                        "{:>4}  {:<28} {:<12} {:>7} {:>8} {:>6} {:>5}  {:<24} {}{}",
                        l.id,
                        visible(&l.product),
                        l.kind,
                        l.owned.map(|o| o.to_string()).unwrap_or("unlim.".into()),
                        l.assigned,
                        l.free.map(|o| o.to_string()).unwrap_or("-".into()),
                        l.over_deployed,
                        unused,
                        renewal,
                        if l.flagged { "  OVER-DEPLOYED" } else { "" }
                    )?;
                }
                writeln!(out, "\nover-deployed licences: {}", r.over_deployed)?;
                for (period, t) in &r.unused_cost {
                    writeln!(out, "unused seats cost ({period}): {}", t.display())?;
                }
                for (w, list) in &r.renewals {
                    let names: Vec<String> = list
                        .iter()
                        .map(|x| format!("{} {} ({} days)", visible(&x.product), x.date, x.in_days))
                        .collect();
                    writeln!(
                        out,
                        "renewals within {w} days: {}",
                        if names.is_empty() {
                            "-".into()
                        } else {
                            names.join("; ")
                        }
                    )?;
                }
                writeln!(out, "\nrecorded at {head}")?;
            }
        }
        // CSV to a terminal shows control characters visibly; to a file or pipe, the bytes.
        ReportCmd::Depreciation(a) if a.csv && std::io::IsTerminal::is_terminal(&stdout) => {
            let mut safe = super::output::TerminalSafe::new(&mut out);
            depreciation(store, a, &mut safe)?;
            safe.flush()?;
        }
        ReportCmd::Depreciation(a) => depreciation(store, a, &mut out)?,
        ReportCmd::Tco {
            group_by,
            as_of: d,
            json,
        } => {
            if matches!(group_by, Some(GroupBy::Location | GroupBy::Owner)) {
                bail!("report tco groups by model or category");
            }
            let as_of = as_of(d)?;
            let mut first = true;
            if *json && group_by.is_none() {
                write!(out, "{{\"as_of\":\"{as_of}\",\"assets\":[")?;
            } else if !*json && group_by.is_none() {
                writeln!(
                    out,
                    "{:<14} {:<26} {:>12} {:>11} {:>10} {:>12} {:>6} {:>11} cur",
                    "tag", "model", "purchase", "maint.", "proceeds", "tco", "years", "per year"
                )?;
            }
            let totals = store.tco_report(as_of, *group_by, |r| {
                if group_by.is_some() {
                    return Ok(());
                }
                let res: Result<()> = (|| {
                    if *json {
                        if !first {
                            out.write_all(b",")?;
                        }
                        first = false;
                        json_to(&mut out, r)?;
                    } else {
                        writeln!(
                            out,
                            "{:<14} {:<26} {:>12} {:>11} {:>10} {:>12} {:>6} {:>11} {}",
                            visible(&r.tag),
                            opt(&r.model),
                            r.purchase,
                            r.maintenance,
                            r.proceeds,
                            r.tco,
                            r.years_in_service,
                            r.per_year,
                            r.currency
                        )?;
                    }
                    Ok(())
                })();
                res.map_err(|e| {
                    itam::store::StoreError::Invalid(format!("writing the report: {e}"))
                })
            })?;
            if *json {
                if group_by.is_none() {
                    write!(out, "],\"totals\":")?;
                    json_to(&mut out, &totals)?;
                    writeln!(out, "}}")?;
                } else {
                    super::output::to_writer_pretty(
                        &mut out,
                        &serde_json::json!({"as_of": as_of, "group_by": group_by.map(|g| g.as_str()),
                            "groups": totals.groups(), "totals": totals}),
                    )?;
                    writeln!(out)?;
                }
            } else {
                if group_by.is_some() {
                    writeln!(
                        out,
                        "{:<26} {:>8} {:>14} {:>12} {:>11} {:>14} {:>9} {:>12} cur",
                        "group",
                        "assets",
                        "purchase",
                        "maint.",
                        "proceeds",
                        "tco",
                        "years",
                        "per year"
                    )?;
                    for g in totals.groups() {
                        writeln!(
                            out,
                            "{:<26} {:>8} {:>14} {:>12} {:>11} {:>14} {:>9} {:>12} {}",
                            visible(&g.group),
                            g.assets,
                            g.purchase,
                            g.maintenance,
                            g.proceeds,
                            g.tco,
                            g.years_in_service,
                            g.per_year,
                            g.currency
                        )?;
                    }
                }
                writeln!(out, "\ntotal cost of ownership: {}", totals.tco.display())?;
                writeln!(out, "  purchase: {}", totals.purchase.display())?;
                writeln!(out, "  maintenance: {}", totals.maintenance.display())?;
                writeln!(out, "  disposal proceeds: {}", totals.proceeds.display())?;
            }
        }
        ReportCmd::Eol {
            within,
            as_of: d,
            json,
        } => {
            let months = parse_within(within)?;
            let r = store.eol_report(as_of(d)?, months)?;
            if *json {
                super::output::to_writer_pretty(&mut out, &r)?;
                writeln!(out)?;
            } else {
                writeln!(out, "refresh forecast {} to {}", r.as_of, r.until)?;
                writeln!(
                    out,
                    "{:<9} {:>12} {:>13}  replacement cost (end of life)",
                    "quarter", "end of life", "warranty end"
                )?;
                for q in &r.quarters {
                    writeln!(
                        out,
                        "{:<9} {:>12} {:>13}  {}",
                        q.quarter,
                        q.end_of_life,
                        q.warranty_end,
                        q.replacement.display()
                    )?;
                }
                writeln!(out, "total replacement cost: {}\n", r.replacement.display())?;
                for i in &r.items {
                    writeln!(
                        out,
                        "{}  {:<8} {:<14} {:<13} {:<26} {:>12} {}",
                        i.date,
                        i.quarter,
                        visible(&i.tag),
                        i.event,
                        opt(&i.model),
                        i.replacement_cost
                            .map(|p| p.to_string())
                            .unwrap_or("-".into()),
                        i.currency
                    )?;
                }
            }
        }
    }
    out.flush().context("writing the report")?;
    Ok(ExitCode::SUCCESS)
}

enum Sink<'a, W: Write> {
    Csv(Box<itam::interop::csvout::CsvOut<&'a mut W>>),
    Plain(&'a mut W),
}

fn depreciation<W: Write>(store: &Store, a: &DepreciationArgs, out: &mut W) -> Result<()> {
    if a.group_by == Some(GroupBy::Model) {
        bail!("report depreciation groups by category, location or owner");
    }
    let as_of = as_of(&a.as_of)?;
    let per_asset = a.group_by.is_none();
    let mut sink = if a.csv {
        Sink::Csv(Box::new(itam::interop::csvout::CsvOut::new(
            out,
            !a.no_escape_formulas,
        )))
    } else {
        Sink::Plain(out)
    };
    if per_asset {
        match &mut sink {
            Sink::Csv(w) => w.record([
                "tag",
                "category",
                "location",
                "owner",
                "method",
                "life_months",
                "rule_from",
                "purchase_date",
                "currency",
                "cost",
                "salvage",
                "accumulated",
                "book_value",
            ])?,
            Sink::Plain(out) if a.json => write!(out, "{{\"as_of\":\"{as_of}\",\"assets\":[")?,
            Sink::Plain(out) => writeln!(
                out,
                "{:<14} {:<12} {:<13} {:>4} {:>12} {:>12} {:>12} cur",
                "tag", "category", "method", "life", "cost", "accumulated", "book value"
            )?,
        }
    }
    let mut first = true;
    let totals = store.depreciation_report(as_of, a.group_by, |r| {
        if !per_asset {
            return Ok(());
        }
        let res: Result<()> = (|| {
            match &mut sink {
                Sink::Csv(w) => w.record([
                    r.tag.as_str(),
                    r.category.as_deref().unwrap_or(""),
                    r.location.as_deref().unwrap_or(""),
                    r.owner.as_deref().unwrap_or(""),
                    r.method.as_str(),
                    &r.life_months.to_string(),
                    r.rule_from.as_str(),
                    &r.purchase_date.to_string(),
                    &r.currency,
                    &r.cost.to_string(),
                    &r.salvage.to_string(),
                    &r.accumulated.to_string(),
                    &r.book_value.to_string(),
                ])?,
                Sink::Plain(out) if a.json => {
                    if !first {
                        out.write_all(b",")?;
                    }
                    first = false;
                    json_to(out, r)?;
                }
                Sink::Plain(out) => writeln!(
                    out,
                    "{:<14} {:<12} {:<13} {:>4} {:>12} {:>12} {:>12} {}",
                    visible(&r.tag),
                    opt(&r.category),
                    r.method.as_str(),
                    r.life_months,
                    r.cost,
                    r.accumulated,
                    r.book_value,
                    r.currency
                )?,
            }
            Ok(())
        })();
        res.map_err(|e| itam::store::StoreError::Invalid(format!("writing the report: {e}")))
    })?;
    let groups = totals.groups();
    match sink {
        Sink::Csv(mut w) => {
            if !per_asset {
                w.record([
                    "group",
                    "currency",
                    "assets",
                    "cost",
                    "accumulated",
                    "book_value",
                ])?;
                for g in &groups {
                    w.record([
                        g.group.as_str(),
                        &g.currency,
                        &g.assets.to_string(),
                        &g.cost.to_string(),
                        &g.accumulated.to_string(),
                        &g.book_value.to_string(),
                    ])?;
                }
            }
            w.flush()?;
        }
        Sink::Plain(out) if a.json => {
            if per_asset {
                write!(out, "],\"totals\":")?;
                json_to(out, &totals)?;
                writeln!(out, "}}")?;
            } else {
                super::output::to_writer_pretty(
                    &mut *out,
                    &serde_json::json!({"as_of": as_of, "group_by": a.group_by.map(|g| g.as_str()),
                        "groups": groups, "totals": totals}),
                )?;
                writeln!(out)?;
            }
        }
        Sink::Plain(out) => {
            if !per_asset {
                writeln!(
                    out,
                    "{:<26} {:>8} {:>16} {:>16} {:>16} cur",
                    "group", "assets", "cost", "accumulated", "book value"
                )?;
                for g in &groups {
                    writeln!(
                        out,
                        "{:<26} {:>8} {:>16} {:>16} {:>16} {}",
                        visible(&g.group),
                        g.assets,
                        g.cost,
                        g.accumulated,
                        g.book_value,
                        g.currency
                    )?;
                }
            }
            writeln!(
                out,
                "\nbook value as of {as_of}: {} ({} assets; {} without cost or purchase date skipped)",
                totals.book_value.display(),
                totals.assets,
                totals.skipped
            )?;
            writeln!(out, "  cost: {}", totals.cost.display())?;
            writeln!(
                out,
                "  accumulated depreciation: {}",
                totals.accumulated.display()
            )?;
        }
    }
    Ok(())
}
