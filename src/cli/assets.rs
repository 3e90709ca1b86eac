//! `itam add | edit | show | find | history`.

use super::output;
use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;
use itam::domain::money::optional_amount;
use itam::domain::time::optional_date;
use itam::domain::{Condition, Status, Tag};
use itam::store::{AssetEdit, AssetFilter, NewAsset, Store};
use rust_decimal::Decimal;
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
    /// Create the team named by --owner when no person or team has that name yet
    #[arg(long, requires = "owner")]
    pub new_team: bool,
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

/// A date flag: not given, given empty (an edit clears the field), or a date; the error names
/// the field as `what`.
fn date_arg(what: &str, v: &Option<String>) -> Result<Option<Option<NaiveDate>>> {
    Ok(v.as_deref()
        .map(|s| optional_date(what, Some(s)))
        .transpose()?)
}

/// `--cost`, like [`date_arg`].
fn cost_arg(v: &Option<String>) -> Result<Option<Option<Decimal>>> {
    Ok(v.as_deref().map(|s| optional_amount(Some(s))).transpose()?)
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
/// Custom fields and the home, written in the asset's own transaction: a refused value or an
/// unknown home saves nothing of the add or edit.
fn write_extras(
    tx: &itam::store::Tx<'_>,
    id: i64,
    values: &[(String, String)],
    home: Option<&str>,
    note: Option<&str>,
) -> itam::store::Result<()> {
    if !values.is_empty() {
        itam::store::set_fields_tx(tx, id, values, note)?;
    }
    if let Some(h) = home {
        let h = Some(h.trim()).filter(|h| !h.is_empty() && *h != "-");
        itam::store::set_home_location_tx(tx, id, h, note)?;
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub tag: Tag,
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

/// Edit distance between two short names (case-insensitive), for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (
        a.to_lowercase().chars().collect(),
        b.to_lowercase().chars().collect(),
    );
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `--owner` names an existing person or team, or `--new-team` says to create one: a typo must
/// not quietly become a new team.
fn check_owner(store: &Store, f: &Fields) -> Result<()> {
    let Some(owner) = f.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) else {
        return Ok(());
    };
    if f.new_team {
        return Ok(());
    }
    if store.owner_exists(owner)? {
        return Ok(());
    }
    // Only a miss reads every name, for the suggestion.
    let names = store.owner_names()?;
    let nearest = names
        .iter()
        .map(|n| (distance(n, owner), n))
        .filter(|(d, n)| *d <= 2.max(n.chars().count() / 3))
        .min();
    let shown = itam::domain::text::visible(owner);
    match nearest {
        Some((_, n)) => anyhow::bail!(
            "no person or team is called '{shown}'; did you mean '{}'? (add --new-team to create the team '{shown}')",
            itam::domain::text::visible(n)
        ),
        None => anyhow::bail!(
            "no person or team is called '{shown}'; add --new-team to create the team"
        ),
    }
}

pub fn add(store: &mut Store, a: &AddArgs) -> Result<ExitCode> {
    let f = &a.fields;
    check_owner(store, f)?;
    let values = custom_values(store, f)?;
    let home = f.home.as_deref();
    let v = store.add_asset_and(
        &NewAsset {
            tag: a.tag.to_string(),
            serial: f.serial.clone(),
            name: f.name.clone(),
            model: f.model.clone(),
            manufacturer: f.manufacturer.clone(),
            category: f.category.clone(),
            location: a.location.clone(),
            owner: f.owner.clone(),
            supplier: f.supplier.clone(),
            order_number: f.order.clone(),
            purchase_cost: cost_arg(&f.cost)?.flatten(),
            currency: f.currency.clone(),
            purchase_date: date_arg("purchase date", &f.purchased)?.flatten(),
            warranty_until: date_arg("warranty end", &f.warranty_until)?.flatten(),
            eol_date: date_arg("end-of-life date", &f.eol)?.flatten(),
            status: Some(a.status),
            condition: a.condition,
            notes: f.notes.clone(),
        },
        |tx, id| write_extras(tx, id, &values, home, None),
    )?;
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
    pub tag: Option<Tag>,
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
    check_owner(store, f)?;
    let values = custom_values(store, f)?;
    let e = AssetEdit {
        tag: a.tag.as_ref().map(Tag::to_string),
        serial: f.serial.clone(),
        name: f.name.clone(),
        model: f.model.clone(),
        manufacturer: f.manufacturer.clone(),
        category: f.category.clone(),
        owner: f.owner.clone(),
        supplier: f.supplier.clone(),
        order_number: f.order.clone(),
        purchase_cost: cost_arg(&f.cost)?,
        currency: f.currency.clone(),
        purchase_date: date_arg("purchase date", &f.purchased)?,
        warranty_until: date_arg("warranty end", &f.warranty_until)?,
        eol_date: date_arg("end-of-life date", &f.eol)?,
        notes: f.notes.clone(),
        expected_version: None,
    };
    let (home, note) = (f.home.as_deref(), a.note.as_deref());
    let v = store.edit_asset_and(&a.code, &e, note, |tx, id| {
        write_extras(tx, id, &values, home, note)
    })?;
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
    let fields = store.asset_fields_by_id(v.id)?;
    let home = store.home_location(&v.tag)?;
    if a.json {
        let mut j = serde_json::to_value(&v)?;
        if let Some(d) = disposal {
            j["disposal"] = d;
        }
        j["home_location"] = serde_json::to_value(&home)?;
        if a.installs {
            j["feeds"] = serde_json::to_value(store.sync_devices(v.id)?)?;
            j["installs"] = serde_json::to_value(store.installs(v.id)?)?;
        }
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
        if a.installs {
            print!("{}", super::drift::installs_text(store, v.id)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// Fuzzy text to match; may be left out when a filter is given
    pub query: Option<String>,
    /// Only assets whose custom field NAME is VALUE (ignoring case)
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub field: Option<String>,
    /// How many matches to show at most (1 or more)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
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
    let found = idx.search(query, 1, None);
    let mut matched = idx.positions(&found.all);
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
    let limit = a.limit as usize;
    let f = &a.filter;
    let filter = AssetFilter {
        status: f.status,
        location: f.location.clone(),
        assignee: f.assignee.clone(),
        model: f.model.clone(),
        category: f.category.clone(),
    };
    let query = a.query.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let with_field = match &a.field {
        None => None,
        Some(kv) => {
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                anyhow::anyhow!(
                    "--field '{}': write NAME=VALUE",
                    itam::domain::text::visible(kv)
                )
            })?;
            Some(
                store
                    .assets_with_field(k, v)?
                    .into_iter()
                    .collect::<std::collections::HashSet<i64>>(),
            )
        }
    };
    let ids = match (query, with_field) {
        (None, None) if filter.is_empty() => anyhow::bail!(
            "give a search text, or a filter: --status, --location, --assignee, --model, --category, --field"
        ),
        // A custom field narrows whatever the text and the other filters choose.
        (q, Some(with)) => {
            let base: Vec<i64> = match q {
                None if filter.is_empty() => {
                    let mut all: Vec<i64> = with.iter().copied().collect();
                    all.sort_unstable();
                    all
                }
                None => store.filter_asset_ids(&filter, None)?,
                Some(q) if filter.is_empty() => itam::search::find(store, q, usize::MAX / 2)?,
                Some(q) => find_filtered(store, q, &filter, usize::MAX / 2)?,
            };
            base.into_iter()
                .filter(|id| with.contains(id))
                .take(limit)
                .collect()
        }
        (None, None) => store.filter_asset_ids(&filter, Some(limit))?,
        (Some(q), None) if filter.is_empty() => {
            // Custom field values are searched too (after the ranked matches).
            let mut ids = itam::search::find(store, q, limit)?;
            for id in store.assets_with_field_text(q)? {
                if ids.len() >= limit {
                    break;
                }
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        }
        (Some(q), None) => find_filtered(store, q, &filter, limit)?,
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
