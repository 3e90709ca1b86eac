//! `itam maintenance add | list` and `itam depreciation set | show`: upkeep and book values.

use super::output;
use anyhow::{bail, Result};
use clap::{ArgGroup, Args, Subcommand};
use itam::domain::depreciation::{Convention, Method, Rule, Salvage};
use itam::domain::maintenance::MaintenanceKind;
use itam::domain::money::optional_amount;
use itam::domain::text::visible;
use itam::domain::time::{optional_date, parse_date};
use itam::store::{NewMaintenance, RuleScope, Store};
use rust_decimal::Decimal;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum MaintenanceCmd {
    /// Record maintenance on an asset
    Add {
        /// Tag or serial
        code: String,
        /// repair, upgrade, warranty, calibration or other
        #[arg(long)]
        kind: MaintenanceKind,
        /// When it started, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        start: String,
        /// When it was done, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        end: Option<String>,
        /// What it cost, a plain decimal
        #[arg(long)]
        cost: Option<String>,
        /// ISO currency (default: the asset's, else USD)
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        vendor: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List maintenance records, oldest first (one asset's, or all)
    List {
        /// Tag or serial
        code: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn maintenance(store: &mut Store, c: &MaintenanceCmd) -> Result<ExitCode> {
    match c {
        MaintenanceCmd::Add {
            code,
            kind,
            start,
            end,
            cost,
            currency,
            vendor,
            note,
            json,
        } => {
            let m = store.add_maintenance(
                code,
                &NewMaintenance {
                    kind: *kind,
                    started_on: parse_date("start date", start)?,
                    completed_on: optional_date("end date", end.as_deref())?,
                    cost: optional_amount(cost.as_deref())?,
                    currency: currency.clone(),
                    vendor: vendor.clone(),
                    note: note.clone(),
                },
            )?;
            if *json {
                output::json(&m)?;
            } else {
                println!(
                    "recorded {} on {} ({})",
                    m.kind,
                    visible(&m.tag),
                    money(&m.cost, &m.currency)
                );
            }
        }
        MaintenanceCmd::List { code, json } => {
            let all = store.maintenance(code.as_deref())?;
            if *json {
                output::json(&all)?;
            } else {
                for m in &all {
                    println!(
                        "{}  {:<10} {:<14} {:<11} {:>16}  {:<16} {}",
                        m.started_on,
                        m.completed_on.map_or_else(|| "-".into(), |d| d.to_string()),
                        visible(&m.tag),
                        m.kind,
                        money(&m.cost, &m.currency),
                        m.vendor.as_deref().map(visible).unwrap_or("-".into()),
                        m.note.as_deref().map(visible).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn money(cost: &Option<Decimal>, cur: &Option<String>) -> String {
    match (cost, cur) {
        (Some(c), Some(cur)) => format!("{c} {cur}"),
        (Some(c), None) => c.to_string(),
        _ => "-".into(),
    }
}

#[derive(Debug, Subcommand)]
pub enum DepreciationCmd {
    /// Set how an asset, a model or a category depreciates
    Set(SetArgs),
    /// One asset's book value as of a date, and the rule it uses
    Show {
        /// Tag or serial
        code: String,
        /// YYYY-MM-DD (default today)
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("scope").required(true).args(["asset", "model", "category"])))]
pub struct SetArgs {
    /// Tag or serial of one asset
    #[arg(long, value_name = "CODE")]
    pub asset: Option<String>,
    /// Model name: every asset of that model without its own rule
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Category name: every asset of that category without an asset or model rule
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// straight_line, declining_150, declining_200 or sum_of_years
    #[arg(long)]
    pub method: Method,
    /// Useful life in months (1 to 1200)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(itam::domain::depreciation::MAX_LIFE_MONTHS)))]
    pub life_months: u32,
    /// Salvage value: an amount (100.00) or a percentage of cost (10%)
    #[arg(long, default_value = "0")]
    pub salvage: String,
    /// full_month or half_year
    #[arg(long, default_value = "full_month")]
    pub convention: Convention,
}

pub fn depreciation(store: &mut Store, c: &DepreciationCmd) -> Result<ExitCode> {
    match c {
        DepreciationCmd::Set(a) => {
            let scope = match (&a.asset, &a.model, &a.category) {
                (Some(x), None, None) => RuleScope::Asset(x.clone()),
                (None, Some(x), None) => RuleScope::Model(x.clone()),
                (None, None, Some(x)) => RuleScope::Category(x.clone()),
                _ => bail!("give exactly one of --asset, --model or --category"),
            };
            if a.life_months == 0 {
                bail!("--life-months must be at least 1");
            }
            let salvage: Salvage = a.salvage.parse().map_err(anyhow::Error::msg)?;
            let rule = Rule {
                method: a.method,
                life_months: a.life_months,
                salvage,
                convention: a.convention,
            };
            store.set_depreciation(&scope, &rule)?;
            let what = a
                .asset
                .as_deref()
                .map(|x| format!("asset {}", visible(x)))
                .or(a.model.as_deref().map(|x| format!("model {}", visible(x))))
                .or(a
                    .category
                    .as_deref()
                    .map(|x| format!("category {}", visible(x))))
                .unwrap_or_default();
            println!(
                "{what} depreciates {} over {} months, salvage {}, {} convention",
                rule.method, rule.life_months, rule.salvage, rule.convention
            );
        }
        DepreciationCmd::Show { code, as_of, json } => {
            let as_of = super::report::as_of(as_of)?;
            let v = store.book_value(code, as_of)?;
            if *json {
                output::json(&v)?;
            } else {
                let b = &v.value;
                println!(
                    "{} as of {as_of}: book value {} {} (cost {}, accumulated {}, salvage {}); \
                     {} over {} months, salvage {}, {} ({} rule); fully depreciated on {}",
                    visible(&v.tag),
                    b.book_value,
                    v.currency,
                    b.cost,
                    b.accumulated,
                    b.salvage,
                    v.rule.method,
                    v.rule.life_months,
                    v.rule.salvage,
                    v.rule.convention,
                    v.rule_from.as_str(),
                    b.end_of_life
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
