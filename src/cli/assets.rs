//! `itam add | edit | show | find | history`.

use super::output;
use anyhow::Result;
use clap::Args;
use itam::domain::{Condition, Status};
use itam::store::{AssetEdit, NewAsset, Store};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub tag: String,
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
    /// Location code
    #[arg(long, value_name = "CODE")]
    pub location: Option<String>,
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
    /// ordered or in_stock
    #[arg(long, default_value = "in_stock")]
    pub status: Status,
    /// new, good, fair, poor or broken (default new)
    #[arg(long)]
    pub condition: Option<Condition>,
    /// The asset's notes field
    #[arg(long)]
    pub notes: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn add(store: &mut Store, a: &AddArgs) -> Result<ExitCode> {
    let v = store.add_asset(&NewAsset {
        tag: a.tag.clone(),
        serial: a.serial.clone(),
        name: a.name.clone(),
        model: a.model.clone(),
        manufacturer: a.manufacturer.clone(),
        category: a.category.clone(),
        location: a.location.clone(),
        owner: a.owner.clone(),
        supplier: a.supplier.clone(),
        order_number: a.order.clone(),
        purchase_cost: a.cost.clone(),
        currency: a.currency.clone(),
        purchase_date: a.purchased.clone(),
        warranty_until: a.warranty_until.clone(),
        eol_date: a.eol.clone(),
        status: Some(a.status),
        condition: a.condition,
        notes: a.notes.clone(),
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
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub supplier: Option<String>,
    #[arg(long)]
    pub order: Option<String>,
    #[arg(long, value_name = "DEC")]
    pub cost: Option<String>,
    #[arg(long, value_name = "ISO")]
    pub currency: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub purchased: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub warranty_until: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub eol: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// Note for the history event
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn edit(store: &mut Store, a: &EditArgs) -> Result<ExitCode> {
    let e = AssetEdit {
        tag: a.tag.clone(),
        serial: a.serial.clone(),
        name: a.name.clone(),
        model: a.model.clone(),
        manufacturer: a.manufacturer.clone(),
        category: a.category.clone(),
        owner: a.owner.clone(),
        supplier: a.supplier.clone(),
        order_number: a.order.clone(),
        purchase_cost: a.cost.clone(),
        currency: a.currency.clone(),
        purchase_date: a.purchased.clone(),
        warranty_until: a.warranty_until.clone(),
        eol_date: a.eol.clone(),
        notes: a.notes.clone(),
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
}

pub fn show(store: &Store, a: &ShowArgs) -> Result<ExitCode> {
    let v = store.asset(&a.code)?;
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
        output::json(&j)?;
    } else {
        print!("{}", output::asset_text(&v, disposal.as_ref()));
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
