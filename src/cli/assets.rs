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
    /// A custom field: NAME=VALUE (repeat it; an empty VALUE clears; see `itam field list`)
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub custom: Vec<String>,
    /// Home location code: where a check-in puts the asset unless another place is scanned
    /// ("-" clears it)
    #[arg(long, value_name = "CODE")]
    pub home: Option<String>,
}

/// `--field NAME=VALUE` pairs, each checked against its field before anything is written.
fn custom_values(store: &Store, f: &Fields) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for kv in &f.custom {
        let Some((k, v)) = kv.split_once('=') else {
            anyhow::bail!(
                "--field '{}': write NAME=VALUE",
                itam::domain::text::visible(kv)
            );
        };
        let field = itam::store::field_by_name(store.conn(), k)?.ok_or_else(|| {
            anyhow::anyhow!(
                "--field: no custom field '{}' (see `itam field list`; define it with `itam field add`)",
                itam::domain::text::visible(k)
            )
        })?;
        itam::domain::field::check_value(field.kind, field.format.as_deref(), v)
            .map_err(|e| anyhow::anyhow!("--field {}: {e}", itam::domain::text::visible(k)))?;
        out.push((field.name, v.to_string()));
    }
    Ok(out)
}

/// Custom fields and home of one asset, after its add or edit (checked before either).
fn write_extras(
    store: &mut Store,
    code: &str,
    values: &[(String, String)],
    home: Option<&str>,
    note: Option<&str>,
) -> Result<()> {
    if !values.is_empty() {
        store.set_fields(code, values, note)?;
    }
    if let Some(h) = home {
        let h = Some(h.trim()).filter(|h| !h.is_empty() && *h != "-");
        store.set_home_location(code, h, note)?;
    }
    Ok(())
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
    let values = custom_values(store, f)?;
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
    write_extras(store, &v.tag, &values, f.home.as_deref(), None)?;
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
    let values = custom_values(store, f)?;
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
    write_extras(store, &v.tag, &values, f.home.as_deref(), a.note.as_deref())?;
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
    let fields = store.asset_fields_by_id(v.id)?;
    let home = store.home_location(&v.tag)?;
    if a.json {
        let mut j = serde_json::to_value(&v)?;
        if let Some(d) = disposal {
            j["disposal"] = d;
        }
        j["home_location"] = serde_json::to_value(&home)?;
        j["fields"] = fields
            .iter()
            .map(|f| (f.name.clone(), serde_json::Value::String(f.value.clone())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        output::json(&j)?;
    } else {
        print!("{}", output::asset_text(&v, disposal.as_ref()));
        if let Some(h) = &home {
            println!(
                "{:<14} {} ({})",
                "home",
                itam::domain::text::visible(&h.code),
                itam::domain::text::visible(&h.name)
            );
        }
        for f in &fields {
            println!(
                "{:<14} {}",
                itam::domain::text::visible(&f.name),
                itam::domain::text::visible(&f.value)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// What to look for ("" with --field lists every asset with that value)
    pub query: String,
    /// Only assets whose custom field NAME is VALUE (ignoring case)
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub field: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn find(store: &Store, a: &FindArgs) -> Result<ExitCode> {
    let ids = match &a.field {
        None => {
            // Custom field values are searched too (after the ranked matches).
            let mut ids = itam::search::find(store, &a.query, a.limit)?;
            for id in store.assets_with_field_text(&a.query)? {
                if ids.len() >= a.limit {
                    break;
                }
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        }
        Some(kv) => {
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                anyhow::anyhow!(
                    "--field '{}': write NAME=VALUE",
                    itam::domain::text::visible(kv)
                )
            })?;
            let with: std::collections::HashSet<i64> =
                store.assets_with_field(k, v)?.into_iter().collect();
            if a.query.trim().is_empty() {
                with.iter().copied().take(a.limit).collect::<Vec<_>>()
            } else {
                itam::search::find(store, &a.query, usize::MAX / 2)?
                    .into_iter()
                    .filter(|id| with.contains(id))
                    .take(a.limit)
                    .collect()
            }
        }
    };
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

#[derive(Debug, clap::Subcommand)]
pub enum FieldCommand {
    /// Every custom field: name, kind and format
    List {
        #[arg(long)]
        json: bool,
    },
    /// Define a custom field
    Add {
        name: String,
        /// text, number, date (YYYY-MM-DD) or boolean
        #[arg(long, default_value = "text")]
        kind: itam::domain::field::FieldKind,
        /// For text: mac, ip, email, alpha, numeric or alpha_dash
        #[arg(long)]
        format: Option<String>,
    },
}

pub fn field(store: &mut Store, c: &FieldCommand) -> Result<ExitCode> {
    match c {
        FieldCommand::List { json } => {
            let all = store.fields()?;
            if *json {
                output::json(&all)?;
            } else if all.is_empty() {
                eprintln!("no custom fields (imports define them; or `itam field add NAME`)");
            } else {
                for f in &all {
                    println!(
                        "{:<24} {:<8} {}",
                        itam::domain::text::visible(&f.name),
                        f.kind,
                        f.format.as_deref().unwrap_or("")
                    );
                }
            }
        }
        FieldCommand::Add { name, kind, format } => {
            let f = store.define_field(name, *kind, format.as_deref())?;
            println!(
                "field {} ({})",
                itam::domain::text::visible(&f.name),
                f.kind
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
