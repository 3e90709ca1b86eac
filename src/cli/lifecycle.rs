//! `itam checkout | checkin | move | condition | status | dispose`: the lifecycle from a shell.

use super::output;
use anyhow::Result;
use clap::Args;
use itam::domain::{AssetView, Condition, DisposalMethod, Status, WipeMethod};
use itam::store::{DisposalInput, Store};
use std::process::ExitCode;

fn done(verb: &str, v: &AssetView, json: bool) -> Result<ExitCode> {
    if json {
        output::json(v)?;
    } else {
        println!("{verb} {}", output::asset_line(v));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct CheckoutArgs {
    /// Tag or serial
    pub code: String,
    /// Username (or badge) of the person taking it
    #[arg(long, value_name = "USERNAME")]
    pub to: String,
    /// When it is due back, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn checkout(store: &mut Store, a: &CheckoutArgs) -> Result<ExitCode> {
    let due = itam::domain::time::optional_date("due date", a.due.as_deref())?;
    let v = store.checkout(&a.code, &a.to, due, a.note.as_deref())?;
    if let Some(due) = due {
        let today = chrono::Local::now().date_naive();
        if let Some(w) = itam::domain::due::past_due_warning(due, today) {
            eprintln!("itam: warning: {w}");
        }
    }
    done("checked out", &v, a.json)
}

#[derive(Debug, Args)]
pub struct CheckinArgs {
    pub code: String,
    /// Condition at hand-back: new, good, fair, poor, broken
    #[arg(long, value_name = "GRADE")]
    pub condition: Option<Condition>,
    /// Shelve it at this location
    #[arg(long, value_name = "CODE")]
    pub to_location: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn checkin(store: &mut Store, a: &CheckinArgs) -> Result<ExitCode> {
    let v = store.checkin(
        &a.code,
        a.condition,
        a.to_location.as_deref(),
        a.note.as_deref(),
    )?;
    done("checked in", &v, a.json)
}

#[derive(Debug, Args)]
pub struct MoveArgs {
    pub code: String,
    /// Location code
    #[arg(long, value_name = "LOCATION_CODE")]
    pub to: String,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn move_to(store: &mut Store, a: &MoveArgs) -> Result<ExitCode> {
    let v = store.move_asset(&a.code, &a.to, a.note.as_deref())?;
    done("moved", &v, a.json)
}

#[derive(Debug, Args)]
pub struct ConditionArgs {
    pub code: String,
    /// new, good, fair, poor or broken
    pub grade: Condition,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn condition(store: &mut Store, a: &ConditionArgs) -> Result<ExitCode> {
    let v = store.set_condition(&a.code, a.grade, a.note.as_deref())?;
    done(&format!("graded {}", a.grade), &v, a.json)
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    pub code: String,
    /// in_repair, lost, in_stock or retired
    pub status: Status,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn status(store: &mut Store, a: &StatusArgs) -> Result<ExitCode> {
    let v = store.set_status(&a.code, a.status, a.note.as_deref())?;
    done("now", &v, a.json)
}

#[derive(Debug, Args)]
pub struct DisposeArgs {
    pub code: String,
    /// recycle, resale, donate, destroy or return_to_lessor (required; an asset that cannot be
    /// disposed of is refused first, with the reason)
    #[arg(long)]
    pub method: Option<DisposalMethod>,
    /// Data sanitisation (NIST 800-88): none, clear, purge or destroy
    #[arg(long, default_value = "none")]
    pub wipe: WipeMethod,
    /// Reference of the wipe or destruction certificate
    #[arg(long, value_name = "REF")]
    pub certificate: Option<String>,
    /// Money received, e.g. 150.00
    #[arg(long, value_name = "DEC")]
    pub proceeds: Option<String>,
    #[arg(long)]
    pub recipient: Option<String>,
    /// Date of disposal, YYYY-MM-DD (default today)
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// Refused unless the asset may be disposed of now.
fn disposable(store: &Store, code: &str) -> Result<()> {
    let current = store.asset(code)?;
    itam::domain::lifecycle::transition(current.status, itam::domain::lifecycle::Action::Dispose)?;
    Ok(())
}

pub fn dispose(store: &mut Store, a: &DisposeArgs) -> Result<ExitCode> {
    // Whether the asset may be disposed of at all comes before what the disposal needs: a
    // technician told "--method is required" for an in-stock laptop learns nothing.
    let Some(method) = a.method else {
        disposable(store, &a.code)?;
        anyhow::bail!(
            "dispose needs --method: recycle, resale, donate, destroy or return_to_lessor"
        );
    };
    let proceeds = itam::domain::money::optional_amount(a.proceeds.as_deref());
    let date = itam::domain::time::optional_date("disposal date", a.date.as_deref());
    if proceeds.is_err() || date.is_err() {
        disposable(store, &a.code)?;
    }
    let v = store.dispose(
        &a.code,
        &DisposalInput {
            method,
            wipe: a.wipe,
            certificate: a.certificate.clone(),
            proceeds: proceeds?,
            recipient: a.recipient.clone(),
            date: date?,
            note: a.note.clone(),
        },
    )?;
    done("disposed", &v, a.json)
}
