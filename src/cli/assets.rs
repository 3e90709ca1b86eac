//! `itam add | edit | show | find | history`.

use super::output;
use anyhow::Result;
use clap::Args;
use itam::domain::{Condition, Status};
use itam::store::{AssetEdit, NewAsset, Store};
use std::process::ExitCode;

/// The descriptive fields that `add` and `edit` share.
#[derive(Debug, Args)]
pub struct Fields {
    #[arg(long)]
    pub serial: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long)]
    pub manufacturer: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// Responsible person (username) or team name
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub supplier: Option<String>,
    /// Order (purchase order) number
    #[arg(long)]
    pub order: Option<String>,
    /// Purchase cost, e.g. 1299.00
    #[arg(long, value_name = "DEC")]
    pub cost: Option<String>,
    /// ISO 4217 code (default USD when a cost is given)
    #[arg(long, value_name = "ISO")]
    pub currency: Option<String>,
    /// Purchase date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub purchased: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub warranty_until: Option<String>,
    /// End-of-life date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub eol: Option<String>,
    /// The asset's notes field
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub tag: String,
    #[command(flatten)]
    pub fields: Fields,
    /// Location code
    #[arg(long, value_name = "CODE")]
    pub location: Option<String>,
    /// ordered or in_stock
    #[arg(long, default_value = "in_stock")]
    pub status: Status,
    /// new, good, fair, poor or broken (default new)
    #[arg(long)]
    pub condition: Option<Condition>,
    #[arg(long)]
    pub json: bool,
}

pub fn add(store: &mut Store, a: &AddArgs) -> Result<ExitCode> {
    let f = &a.fields;
    let v = store.add_asset(&NewAsset {
        tag: a.tag.clone(),
        serial: f.serial.clone(),
        name: f.name.clone(),
        model: f.model.clone(),
        manufacturer: f.manufacturer.clone(),
        category: f.category.clone(),
        location: a.location.clone(),
        owner: f.owner.clone(),
        supplier: f.supplier.clone(),
        order_number: f.order.clone(),
        purchase_cost: f.cost.clone(),
        currency: f.currency.clone(),
        purchase_date: f.purchased.clone(),
        warranty_until: f.warranty_until.clone(),
        eol_date: f.eol.clone(),
        status: Some(a.status),
        condition: a.condition,
        notes: f.notes.clone(),
    })?;
    if a.json {
        output::json(&v)?;
    } else {
        println!("added {}", output::asset_line(&v));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Tag or serial of the asset
    pub code: String,
    /// A new tag
    #[arg(long)]
    pub tag: Option<String>,
    #[command(flatten)]
    pub fields: Fields,
    /// Note for the history event
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn edit(store: &mut Store, a: &EditArgs) -> Result<ExitCode> {
    let f = &a.fields;
    let e = AssetEdit {
        tag: a.tag.clone(),
        serial: f.serial.clone(),
        name: f.name.clone(),
        model: f.model.clone(),
        manufacturer: f.manufacturer.clone(),
        category: f.category.clone(),
        owner: f.owner.clone(),
        supplier: f.supplier.clone(),
        order_number: f.order.clone(),
        purchase_cost: f.cost.clone(),
        currency: f.currency.clone(),
        purchase_date: f.purchased.clone(),
        warranty_until: f.warranty_until.clone(),
        eol_date: f.eol.clone(),
        notes: f.notes.clone(),
        expected_version: None,
    };
    let v = store.edit_asset(&a.code, &e, a.note.as_deref())?;
    if a.json {
        output::json(&v)?;
    } else {
        println!("saved {}", output::asset_line(&v));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Tag or serial (tag wins)
    pub code: String,
    #[arg(long)]
    pub json: bool,
    /// Also list what the inventory feeds report and the software installed on it
    #[arg(long)]
    pub installs: bool,
}

pub fn show(store: &Store, a: &ShowArgs) -> Result<ExitCode> {
    // The scan resolver: a wand's code that is a shelf label or a badge says so.
    let shown = itam::domain::text::visible(&a.code);
    let v = match store.resolve_code(a.code.trim())? {
        itam::store::Resolved::Asset(v) => *v,
        itam::store::Resolved::Location(l) => anyhow::bail!(
            "'{shown}' is the label of location {} ({}), not an asset",
            l.code,
            itam::domain::text::visible(&l.name)
        ),
        itam::store::Resolved::Badge(p) => anyhow::bail!(
            "'{shown}' is the badge of {} ({}), not an asset",
            p.username,
            itam::domain::text::visible(&p.full_name)
        ),
        itam::store::Resolved::Command(c) => {
            anyhow::bail!("'{shown}' is the scan view's command barcode for {c}, not an asset")
        }
        // The usual not-found error, naming the code.
        itam::store::Resolved::Unknown => store.asset(&a.code)?,
    };
    let disposal = if v.status == Status::Disposed {
        store.disposal(v.id)?
    } else {
        None
    };
    if a.json {
        let mut j = serde_json::to_value(&v)?;
        if let Some(d) = disposal {
            j["disposal"] = d;
        }
        if a.installs {
            j["feeds"] = serde_json::to_value(store.sync_devices(v.id)?)?;
            j["installs"] = serde_json::to_value(store.installs(v.id)?)?;
        }
        output::json(&j)?;
    } else {
        print!("{}", output::asset_text(&v, disposal.as_ref()));
        if a.installs {
            print!("{}", super::drift::installs_text(store, v.id)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct FindArgs {
    pub query: String,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn find(store: &Store, a: &FindArgs) -> Result<ExitCode> {
    let ids = itam::search::find(store, &a.query, a.limit)?;
    let found = store.assets_by_ids(&ids)?;
    if a.json {
        output::json(&found)?;
    } else if found.is_empty() {
        eprintln!(
            "no asset matches '{}'",
            itam::domain::text::visible(&a.query)
        );
    } else {
        for v in &found {
            println!("{}", output::asset_line(v));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    pub code: String,
    #[arg(long)]
    pub json: bool,
}

pub fn history(store: &Store, a: &HistoryArgs) -> Result<ExitCode> {
    let h = store.history(&a.code)?;
    if a.json {
        output::json(&h)?;
    } else {
        for e in &h {
            println!("{}", output::history_line(e));
        }
    }
    Ok(ExitCode::SUCCESS)
}
