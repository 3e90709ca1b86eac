//! `itam audit ...`, `itam po ...`, `itam person offboard`, and the audit and ghost reports.

use super::output;
use anyhow::Result;
use clap::{Args, Subcommand};
use itam::domain::text::visible;
use itam::domain::{AssetView, Condition};
use itam::store::{AuditReport, NewPoLine, ScanResult, Store};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Start auditing a location: what is recorded there becomes the expected list
    Start {
        location: String,
        #[arg(long)]
        json: bool,
    },
    /// Record scanned codes in an open audit
    Scan {
        audit: i64,
        #[arg(required = true)]
        codes: Vec<String>,
        /// Move assets recorded elsewhere to the audited location
        #[arg(long = "move")]
        move_here: bool,
        #[arg(long)]
        json: bool,
    },
    /// Close an audit and print its reconciliation
    Close {
        audit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Every audit, open and closed
    List {
        #[arg(long)]
        json: bool,
    },
}

fn line(a: &AssetView) -> String {
    output::asset_line(a)
}

pub fn print_report(r: &AuditReport, json: bool) -> Result<()> {
    if json {
        return output::json(r);
    }
    let h = &r.audit;
    println!(
        "audit {} of {} ({}), started {} by {}{}",
        h.id,
        visible(&h.location),
        visible(&h.location_name),
        h.started_at,
        visible(&h.started_by),
        h.closed_at
            .map(|c| format!(", closed {c}"))
            .unwrap_or_else(|| ", open".into())
    );
    println!(
        "expected {} · found {} · missing {} · unexpected {} · moved here {} · unknown {}",
        r.expected,
        r.found.len(),
        r.missing.len(),
        r.unexpected.len(),
        r.moved.len(),
        r.unknown.len()
    );
    for (title, list) in [
        ("missing", &r.missing),
        ("unexpected (recorded elsewhere)", &r.unexpected),
        ("moved here", &r.moved),
    ] {
        if !list.is_empty() {
            println!("\n{title}:");
            for a in list {
                println!("  {}", line(a));
            }
        }
    }
    if !r.unknown.is_empty() {
        println!("\nunknown codes (register them with `itam add`):");
        for c in &r.unknown {
            println!("  {}", visible(c));
        }
    }
    Ok(())
}

pub fn audit(store: &mut Store, c: &AuditCmd) -> Result<ExitCode> {
    match c {
        AuditCmd::Start { location, json } => {
            let h = store.audit_start(location)?;
            if *json {
                output::json(&h)?;
            } else {
                let r = store.audit_report(h.id)?;
                println!(
                    "audit {} started at {} ({} expected)",
                    h.id,
                    visible(&h.location),
                    r.expected
                );
            }
        }
        AuditCmd::Scan {
            audit,
            codes,
            move_here,
            json,
        } => {
            let mut results = Vec::new();
            for code in codes {
                let s = store.audit_scan(*audit, code, *move_here)?;
                if !*json {
                    let what = match s.result {
                        ScanResult::Found => "found".to_string(),
                        ScanResult::Unexpected => format!(
                            "UNEXPECTED: recorded at {} (use --move to move it here)",
                            s.recorded_at
                                .as_deref()
                                .map(visible)
                                .unwrap_or("no location".into())
                        ),
                        ScanResult::Moved => format!(
                            "moved here from {}",
                            s.recorded_at
                                .as_deref()
                                .map(visible)
                                .unwrap_or("no location".into())
                        ),
                        ScanResult::Unknown => "UNKNOWN code: no asset has it".to_string(),
                        ScanResult::Duplicate => {
                            "already scanned in this audit (not counted twice)".to_string()
                        }
                    };
                    println!("{}  {what}", visible(&s.code));
                }
                results.push(s);
            }
            if *json {
                output::json(&results)?;
            }
        }
        AuditCmd::Close { audit, json } => {
            let r = store.audit_close(*audit)?;
            print_report(&r, *json)?;
        }
        AuditCmd::List { json } => {
            let all = store.audits()?;
            if *json {
                output::json(&all)?;
            } else {
                for a in &all {
                    println!(
                        "{:>5}  {:<12} started {} by {:<10} {}",
                        a.id,
                        visible(&a.location),
                        a.started_at,
                        visible(&a.started_by),
                        a.closed_at
                            .map(|c| format!("closed {c}"))
                            .unwrap_or_else(|| "OPEN".into())
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct GhostArgs {
    /// Unseen for at least this many days (0 to 36500)
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(i64).range(0..=36_500))]
    pub days: i64,
    #[arg(long)]
    pub json: bool,
}

pub fn ghosts(store: &Store, a: &GhostArgs) -> Result<ExitCode> {
    if a.days < 0 {
        anyhow::bail!("--days must be 0 or more");
    }
    let list = store.ghosts(a.days, &itam::store::now_utc())?;
    if a.json {
        output::json(&list)?;
    } else if list.is_empty() {
        println!(
            "no active asset has gone unseen for {} days or more",
            a.days
        );
    } else {
        println!(
            "{} active assets unseen for {}+ days (oldest first):",
            list.len(),
            a.days
        );
        for g in &list {
            println!(
                "{:>5}d  {}  owner {}  last at {}",
                g.days_unseen,
                line(&g.asset),
                g.asset.owner.as_deref().map(visible).unwrap_or("-".into()),
                g.asset
                    .location
                    .as_deref()
                    .map(visible)
                    .unwrap_or("-".into()),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum PoCmd {
    /// Add a purchase order
    Add {
        number: String,
        #[arg(long)]
        supplier: String,
        /// Order date, YYYY-MM-DD (default today); becomes received assets' purchase date
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add (or change) a line: a model, a quantity and a unit cost
    Line {
        number: String,
        /// An existing model's name (any case), or a new model's with --manufacturer and --category
        #[arg(long)]
        model: String,
        /// The new model's manufacturer (needed only when the model is new)
        #[arg(long)]
        manufacturer: Option<String>,
        /// The new model's category (needed only when the model is new)
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        qty: i64,
        #[arg(long, value_name = "DEC")]
        unit_cost: String,
        #[arg(long, value_name = "ISO")]
        currency: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every purchase order: supplier, date, lines, received and outstanding
    List {
        #[arg(long)]
        json: bool,
    },
    /// Ordered, received and outstanding per line
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
    /// Receive serials against a line: each becomes an in-stock asset with the next free tag
    Receive {
        number: String,
        #[arg(long)]
        model: String,
        #[arg(required = true)]
        serials: Vec<String>,
        /// Where the units go (a location code; default: `location` under [receiving] in config.toml)
        #[arg(long, value_name = "CODE")]
        location: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn po(store: &mut Store, c: &PoCmd) -> Result<ExitCode> {
    let show = |p: &itam::store::PurchaseOrder, json: bool| -> Result<()> {
        if json {
            return output::json(p);
        }
        println!(
            "{}  supplier {}  ordered {}",
            visible(&p.number),
            p.supplier.as_deref().map(visible).unwrap_or("-".into()),
            p.date
        );
        for l in &p.lines {
            println!(
                "  {:<30} ordered {:>4}  received {:>4}  outstanding {:>4}  @ {} {}",
                visible(&l.model),
                l.ordered,
                l.received,
                l.outstanding,
                l.unit_cost,
                l.currency
            );
        }
        Ok(())
    };
    match c {
        PoCmd::Add {
            number,
            supplier,
            date,
            json,
        } => {
            let date = itam::domain::time::optional_date("order date", date.as_deref())?;
            show(&store.po_add(number, supplier, date)?, *json)?
        }
        PoCmd::Line {
            number,
            model,
            manufacturer,
            category,
            qty,
            unit_cost,
            currency,
            json,
        } => show(
            &store.po_add_line(
                number,
                &NewPoLine {
                    model: model.clone(),
                    qty: *qty,
                    unit_cost: itam::domain::money::parse_amount(unit_cost)?,
                    currency: currency.clone(),
                    manufacturer: manufacturer.clone(),
                    category: category.clone(),
                },
            )?,
            *json,
        )?,
        PoCmd::List { json } => {
            let all = store.purchase_orders()?;
            if *json {
                output::json(&all)?;
            } else if all.is_empty() {
                println!("no purchase orders (add one with `itam po add`)");
            } else {
                println!(
                    "{:<16} {:<20} {:<10} {:>5} {:>8} {:>8} {:>11}",
                    "NUMBER", "SUPPLIER", "DATE", "LINES", "ORDERED", "RECEIVED", "OUTSTANDING"
                );
                for p in &all {
                    let sum =
                        |f: fn(&itam::store::PoLine) -> i64| p.lines.iter().map(f).sum::<i64>();
                    println!(
                        "{:<16} {:<20} {:<10} {:>5} {:>8} {:>8} {:>11}",
                        visible(&p.number),
                        p.supplier.as_deref().map(visible).unwrap_or("-".into()),
                        p.date,
                        p.lines.len(),
                        sum(|l| l.ordered),
                        sum(|l| l.received),
                        sum(|l| l.outstanding)
                    );
                }
            }
        }
        PoCmd::Show { number, json } => show(&store.po(number)?, *json)?,
        PoCmd::Receive {
            number,
            model,
            serials,
            location,
            json,
        } => {
            let (config, _) = itam::config::Config::load();
            let location = location.as_deref().or(config.receiving.location.as_deref());
            let got = store.po_receive_into(
                number,
                model,
                serials,
                &config.receiving.tag_pattern,
                location,
            )?;
            if *json {
                output::json(&got)?;
            } else {
                for a in &got {
                    println!(
                        "received {}  serial {}",
                        line(a),
                        a.serial.as_deref().map(visible).unwrap_or_default()
                    );
                }
                if location.is_none() && !got.is_empty() {
                    eprintln!("itam: note: received with no location: give --location CODE, or set location under [receiving] in config.toml");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct OffboardArgs {
    pub username: String,
    /// Codes of the items handed back (checked in)
    #[arg(long = "returned", value_name = "CODE", num_args = 1..)]
    pub returned: Vec<String>,
    /// Condition of the returned items
    #[arg(long, value_name = "GRADE")]
    pub condition: Option<Condition>,
    /// Mark whatever was not returned as lost
    #[arg(long)]
    pub mark_lost: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn offboard(store: &mut Store, a: &OffboardArgs) -> Result<ExitCode> {
    let r = store.offboard(&a.username, &a.returned, a.condition, a.mark_lost)?;
    if a.json {
        output::json(&r)?;
    } else {
        println!(
            "{} is now inactive; {} item(s) returned",
            visible(&r.username),
            r.returned.len()
        );
        if r.unreturned.is_empty() {
            println!("nothing is still out");
        } else {
            println!(
                "not returned{}:",
                if r.marked_lost { " (marked lost)" } else { "" }
            );
            for t in &r.unreturned {
                println!("  {}", visible(t));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
