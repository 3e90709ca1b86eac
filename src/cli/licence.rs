//! `itam licence add | assign | unassign | list | show`: software licences and their seats.

use super::output;
use anyhow::{bail, Result};
use clap::{ArgGroup, Args, Subcommand};
use itam::domain::licence::{parse_seats, CostBasis, CostPeriod, LicenceKind, NewLicence};
use itam::domain::money::parse_amount;
use itam::domain::text::visible;
use itam::store::{LicenceView, SeatTarget, Store};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum LicenceCmd {
    /// Add a licence
    Add(AddArgs),
    /// Assign a seat to a person or an asset (refused past the seats owned unless --force)
    Assign(SeatArgs),
    /// Release a person's or an asset's seat
    Unassign(SeatArgs),
    /// List licences with their seats in use (keys masked unless --reveal)
    List {
        #[arg(long)]
        json: bool,
        /// Show licence keys in full
        #[arg(long)]
        reveal: bool,
    },
    /// Match installed software to the licence (`--product "Adobe Acrobat*"`), or list its rules
    Match(super::drift::MatchArgs),
    /// Show one licence, its seats and its history
    Show {
        /// Licence id or product name
        licence: String,
        #[arg(long)]
        json: bool,
        /// Show the licence key in full
        #[arg(long)]
        reveal: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Product name, e.g. "Microsoft 365 E3"
    pub product: String,
    #[arg(long)]
    pub vendor: Option<String>,
    /// per_user, per_device, site or subscription
    #[arg(long, default_value = "per_user")]
    pub kind: LicenceKind,
    /// Seats owned: a number, or "unlimited"
    #[arg(long, default_value = "unlimited")]
    pub seats: String,
    /// Cost, a plain decimal (e.g. 12.50)
    #[arg(long)]
    pub cost: Option<String>,
    /// ISO currency of the cost (default USD)
    #[arg(long)]
    pub currency: Option<String>,
    /// Whether the cost is per_seat or the total
    #[arg(long, default_value = "total")]
    pub cost_basis: CostBasis,
    /// What the cost covers: one_time, monthly or annual
    #[arg(long, default_value = "one_time")]
    pub period: CostPeriod,
    /// Start date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Next renewal date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub renews: Option<String>,
    /// Expiry date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Licence key (stored; shown masked unless --reveal)
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Print the key in full
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["person", "asset"])))]
pub struct SeatArgs {
    /// Licence id or product name
    pub licence: String,
    /// Username or badge of the person
    #[arg(long, value_name = "USERNAME")]
    pub person: Option<String>,
    /// Tag or serial of the asset
    #[arg(long, value_name = "CODE")]
    pub asset: Option<String>,
    /// Assign even when every seat is in use, recording a compliance breach
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn date(field: &str, s: &Option<String>) -> Result<Option<chrono::NaiveDate>> {
    match s.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Ok(Some(itam::store::parse_date(field, t)?)),
        None => Ok(None),
    }
}

fn seats_text(l: &LicenceView) -> String {
    match l.seats {
        Some(n) => format!("{}/{n}", l.assigned),
        None => format!("{}/unlimited", l.assigned),
    }
}

fn line(l: &LicenceView) -> String {
    let cost = match (&l.cost, &l.currency) {
        (Some(c), Some(cur)) => format!("{c} {cur} {} {}", l.cost_basis, l.cost_period),
        _ => "-".into(),
    };
    format!(
        "{:>4}  {:<28} {:<12} {:<12} {:>13}{} {:<10} {:<24} {}",
        l.id,
        visible(&l.product),
        l.vendor.as_deref().map(visible).unwrap_or("-".into()),
        l.kind.as_str(),
        seats_text(l),
        if l.over_deployed > 0 {
            " OVER"
        } else {
            "     "
        },
        l.renews_on
            .or(l.expires_on)
            .map_or_else(|| "-".into(), |d| d.to_string()),
        cost,
        l.key.as_deref().map(visible).unwrap_or("-".into()),
    )
}

fn target(a: &SeatArgs) -> Result<SeatTarget> {
    match (&a.person, &a.asset) {
        (Some(p), None) => Ok(SeatTarget::Person(p.clone())),
        (None, Some(c)) => Ok(SeatTarget::Asset(c.clone())),
        _ => bail!("give one of --person or --asset"),
    }
}

pub fn licence(store: &mut Store, c: &LicenceCmd) -> Result<ExitCode> {
    match c {
        LicenceCmd::Match(a) => {
            super::drift::licence_match(store, a)?;
        }
        LicenceCmd::Add(a) => {
            let mut l = NewLicence::new(&a.product, a.kind);
            l.vendor = a.vendor.clone();
            l.seats = parse_seats(&a.seats).map_err(anyhow::Error::msg)?;
            l.cost = a.cost.as_deref().map(parse_amount).transpose()?;
            l.currency = a.currency.clone();
            l.cost_basis = a.cost_basis;
            l.cost_period = a.period;
            l.starts_on = date("start date", &a.start)?;
            l.renews_on = date("renewal date", &a.renews)?;
            l.expires_on = date("expiry date", &a.expires)?;
            l.key = a.key.clone();
            l.notes = a.notes.clone();
            let v = store.add_licence(&l, a.reveal)?;
            if a.json {
                output::json(&v)?;
            } else {
                println!("added licence {} {}", v.id, visible(&v.product));
            }
        }
        LicenceCmd::Assign(a) => {
            let out = store.assign_seat(&a.licence, &target(a)?, a.force, a.note.as_deref())?;
            if a.json {
                output::json(&out)?;
            } else {
                let who = a.person.as_deref().or(a.asset.as_deref()).unwrap_or("");
                println!(
                    "assigned a seat of {} to {} ({} in use)",
                    visible(&out.licence.product),
                    visible(who),
                    seats_text(&out.licence)
                );
                if out.breach {
                    eprintln!(
                        "itam: warning: compliance breach recorded: {} is over-deployed by {}",
                        visible(&out.licence.product),
                        out.licence.over_deployed
                    );
                }
            }
        }
        LicenceCmd::Unassign(a) => {
            let v = store.unassign_seat(&a.licence, &target(a)?, a.note.as_deref())?;
            if a.json {
                output::json(&v)?;
            } else {
                let who = a.person.as_deref().or(a.asset.as_deref()).unwrap_or("");
                println!(
                    "released {}'s seat of {} ({} in use)",
                    visible(who),
                    visible(&v.product),
                    seats_text(&v)
                );
            }
        }
        LicenceCmd::List { json, reveal } => {
            let all = store.licences(*reveal)?;
            if *json {
                output::json(&all)?;
            } else {
                for l in &all {
                    println!("{}", line(l));
                }
            }
        }
        LicenceCmd::Show {
            licence,
            json,
            reveal,
        } => {
            let d = store.licence(licence, *reveal)?;
            if *json {
                output::json(&d)?;
            } else {
                let l = &d.licence;
                let opt = |s: &Option<String>| {
                    s.as_deref().map(visible).unwrap_or("-".into()).into_owned()
                };
                let rows: Vec<(&str, String)> = vec![
                    ("id", l.id.to_string()),
                    ("product", visible(&l.product).into_owned()),
                    ("vendor", opt(&l.vendor)),
                    ("kind", l.kind.to_string()),
                    ("seats", seats_text(l)),
                    ("over-deployed", l.over_deployed.to_string()),
                    (
                        "cost",
                        match (&l.cost, &l.currency) {
                            (Some(c), Some(cur)) => {
                                format!("{c} {cur} ({}, {})", l.cost_basis, l.cost_period)
                            }
                            _ => "-".into(),
                        },
                    ),
                    ("starts", output::typed(&l.starts_on)),
                    ("renews", output::typed(&l.renews_on)),
                    ("expires", output::typed(&l.expires_on)),
                    ("key", opt(&l.key)),
                    ("notes", opt(&l.notes)),
                ];
                for (k, v) in rows {
                    println!("{k:>15}  {v}");
                }
                println!("{:>15}", "seats in use");
                for s in &d.assignments {
                    let who = match (&s.person, &s.asset) {
                        (Some(p), _) => format!(
                            "{} ({})",
                            visible(p),
                            s.person_name.as_deref().map(visible).unwrap_or_default()
                        ),
                        (None, Some(a)) => format!("asset {}", visible(a)),
                        _ => "-".into(),
                    };
                    println!(
                        "{:>15}  {who}  since {}{}",
                        "",
                        s.assigned_at,
                        if s.breach { "  BREACH (forced)" } else { "" }
                    );
                }
                println!("{:>15}", "history");
                for h in store.licence_history(licence)? {
                    println!("{:>15}  {}", "", output::history_line(&h));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
