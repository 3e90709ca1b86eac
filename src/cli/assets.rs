//! `itam add | edit | show | find | history`.

use super::output;
use anyhow::Result;
use clap::Args;
use itam::domain::{Condition, Status};
use itam::store::{AssetEdit, AssetFilter, NewAsset, Store};
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
    /// Fuzzy text to match; may be left out when a filter is given
    pub query: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub filter: FindFilter,
}

/// Exact filters for `find`; they combine with each other and with the fuzzy query.
#[derive(Debug, Args)]
pub struct FindFilter {
    /// Only assets with this status
    #[arg(long)]
    pub status: Option<Status>,
    /// Only assets at this location (its code)
    #[arg(long, value_name = "CODE")]
    pub location: Option<String>,
    /// Only assets checked out to this person (username)
    #[arg(long, value_name = "USERNAME")]
    pub assignee: Option<String>,
    /// Only assets of this model (any case)
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Only assets in this category (any case)
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
}

/// `find` in text: tag, serial, status, holder (@user) or place, name.
fn find_line(a: &itam::domain::AssetView) -> String {
    use itam::domain::text::visible;
    let place = a
        .assignee
        .as_deref()
        .map(|u| format!("@{}", visible(u)))
        .or_else(|| a.location.as_deref().map(|l| visible(l).into_owned()))
        .unwrap_or_else(|| "-".into());
    format!(
        "{:<14} {:<16} {:<10} {:<16} {}",
        visible(&a.tag),
        a.serial.as_deref().map(visible).unwrap_or("-".into()),
        a.status.as_str(),
        place,
        visible(a.display_name())
    )
}

/// Fuzzy matches (best first) that pass the filter: the rows that match the query and pass
/// are ranked among themselves, so a filter that keeps few of many matches still fills the
/// page (an exact tag or serial first, as in plain `find`).
fn find_filtered(
    store: &Store,
    query: &str,
    filter: &AssetFilter,
    limit: usize,
) -> Result<Vec<i64>> {
    use itam::search::Index;
    let allowed: std::collections::HashSet<i64> =
        store.filter_asset_ids(filter, None)?.into_iter().collect();
    let mut out = Vec::with_capacity(limit);
    if let Some(exact) = store.find_code(query)? {
        if allowed.contains(&exact.id) {
            out.push(exact.id);
        }
    }
    let idx = Index::load_or_build(store)?;
    let mut matched = idx.search(query, 1, None).all;
    matched.sort_unstable();
    let mut passing = Index::with_capacity(matched.len().min(allowed.len()));
    let mut next = matched.iter().copied().peekable();
    for (pos, line) in (0u32..).zip(idx.lines()) {
        if next.peek() == Some(&pos) {
            next.next();
            let id = idx.id_at(pos);
            if allowed.contains(&id) {
                passing.push(id, line);
            }
        }
    }
    for (id, _) in passing.search(query, limit + 1, None).top {
        if out.len() >= limit {
            break;
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

pub fn find(store: &Store, a: &FindArgs) -> Result<ExitCode> {
    let f = &a.filter;
    let filter = AssetFilter {
        status: f.status,
        location: f.location.clone(),
        assignee: f.assignee.clone(),
        model: f.model.clone(),
        category: f.category.clone(),
    };
    let query = a.query.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let ids = match query {
        None if filter.is_empty() => anyhow::bail!(
            "give a search text, or a filter: --status, --location, --assignee, --model, --category"
        ),
        None => store.filter_asset_ids(&filter, Some(a.limit))?,
        Some(q) if filter.is_empty() => itam::search::find(store, q, a.limit)?,
        Some(q) => find_filtered(store, q, &filter, a.limit)?,
    };
    let found = store.assets_by_ids(&ids)?;
    if a.json {
        output::json(&found)?;
    } else if found.is_empty() {
        eprintln!(
            "no asset matches{}",
            query
                .map(|q| format!(" '{}'", itam::domain::text::visible(q)))
                .unwrap_or_default()
        );
    } else {
        for v in &found {
            println!("{}", find_line(v));
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
