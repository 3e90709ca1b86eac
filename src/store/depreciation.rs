//! Depreciation rules, kept in their own table keyed by asset, model or category (one rule per
//! key). An asset uses its own rule, else its model's, else its category's, else
//! [`Rule::DEFAULT`] (straight-line, 36 months, no salvage, full-month convention).

use super::assets::{not_found, resolve};
use super::sql::{params, Conn, OptionalExtension};
use super::{Context, Result, Store, StoreError};
use crate::domain::depreciation::{book_value, BookValue, Rule, Salvage};
use crate::domain::text::visible;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// What a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleScope {
    /// Tag or serial.
    Asset(String),
    Model(String),
    Category(String),
}

/// Where an asset's rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSource {
    Asset,
    Model,
    Category,
    Default,
}

impl RuleSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSource::Asset => "asset",
            RuleSource::Model => "model",
            RuleSource::Category => "category",
            RuleSource::Default => "default",
        }
    }
}

/// One asset's book value and how it was worked out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetBookValue {
    pub tag: String,
    pub currency: String,
    pub rule: Rule,
    pub rule_from: RuleSource,
    #[serde(flatten)]
    pub value: BookValue,
}

fn rule_from_row(r: &super::sql::Row, base: usize) -> super::sql::Result<Rule> {
    let conv =
        |i: usize, s: String| super::sql::Error::conversion(i, format!("unexpected value '{s}'"));
    let method: String = r.get(base)?;
    let life: u32 = r.get(base + 1)?;
    let salvage: Option<String> = r.get(base + 2)?;
    let convention: String = r.get(base + 3)?;
    Ok(Rule {
        method: method.parse().map_err(|_| conv(base, method.clone()))?,
        life_months: life,
        salvage: match salvage {
            Some(s) => s
                .parse::<Salvage>()
                .map_err(|_| conv(base + 2, s.clone()))?,
            None => Salvage::NONE,
        },
        convention: convention
            .parse()
            .map_err(|_| conv(base + 3, convention.clone()))?,
    })
}

/// Every rule, loaded once for reports over many assets.
#[derive(Debug, Default)]
pub struct Rules {
    pub by_asset: HashMap<i64, Rule>,
    pub by_model: HashMap<i64, Rule>,
    pub by_category: HashMap<i64, Rule>,
}

impl Rules {
    pub fn load(conn: &Conn) -> Result<Rules> {
        let mut rules = Rules::default();
        let mut stmt = conn
            .prepare_cached(
                "SELECT asset_id, model_id, category_id, method, life_months, salvage, convention
                 FROM depreciation_rules",
            )
            .ctx("reading depreciation rules")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    rule_from_row(r, 3)?,
                ))
            })
            .ctx("reading depreciation rules")?;
        for row in rows {
            let (a, m, c, rule) = row.ctx("reading depreciation rules")?;
            if let Some(a) = a {
                rules.by_asset.insert(a, rule);
            } else if let Some(m) = m {
                rules.by_model.insert(m, rule);
            } else if let Some(c) = c {
                rules.by_category.insert(c, rule);
            }
        }
        Ok(rules)
    }

    /// The asset's rule, else its model's, else its category's, else the default.
    pub fn for_asset(
        &self,
        asset: i64,
        model: Option<i64>,
        category: Option<i64>,
    ) -> (Rule, RuleSource) {
        if let Some(r) = self.by_asset.get(&asset) {
            return (*r, RuleSource::Asset);
        }
        if let Some(r) = model.and_then(|m| self.by_model.get(&m)) {
            return (*r, RuleSource::Model);
        }
        if let Some(r) = category.and_then(|c| self.by_category.get(&c)) {
            return (*r, RuleSource::Category);
        }
        (Rule::DEFAULT, RuleSource::Default)
    }
}

fn id_by_name(conn: &Conn, table: &str, name: &str) -> Result<i64> {
    // `table` is one of two constants from set_depreciation, never user text.
    conn.prepare_cached(&format!("SELECT id FROM {table} WHERE name = ?1"))
        .ctx("looking up a name")?
        .query_row([super::lookup::clean_name(name)], |r| r.get(0))
        .optional()
        .ctx("looking up a name")?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "no {} is called '{}'",
                if table == "models" {
                    "model"
                } else {
                    "category"
                },
                visible(name)
            ))
        })
}

impl Store {
    /// Set (or replace) the depreciation rule of an asset, a model or a category.
    pub fn set_depreciation(&mut self, scope: &RuleScope, rule: &Rule) -> Result<()> {
        if rule.life_months == 0 {
            return Err(StoreError::Invalid(
                "a depreciation life must be at least one month".into(),
            ));
        }
        self.write(|tx| {
            let (col, id, label) = match scope {
                RuleScope::Asset(code) => {
                    let id = resolve(tx.conn, code)?.ok_or_else(|| not_found(code))?;
                    ("asset_id", id, None)
                }
                RuleScope::Model(n) => (
                    "model_id",
                    id_by_name(tx.conn, "models", n)?,
                    Some(format!(
                        "depreciation:model:{}",
                        super::lookup::clean_name(n)
                    )),
                ),
                RuleScope::Category(n) => (
                    "category_id",
                    id_by_name(tx.conn, "categories", n)?,
                    Some(format!(
                        "depreciation:category:{}",
                        super::lookup::clean_name(n)
                    )),
                ),
            };
            let salvage = match rule.salvage {
                Salvage::Amount(a) if a.is_zero() => None,
                s => Some(s.to_string()),
            };
            // `col` is one of three constants above.
            let before = tx
                .conn
                .prepare_cached(&format!(
                    "SELECT method, life_months, salvage, convention FROM depreciation_rules
                     WHERE {col} = ?1"
                ))
                .ctx("reading a depreciation rule")?
                .query_row([id], |r| rule_from_row(r, 0))
                .optional()
                .ctx("reading a depreciation rule")?;
            tx.conn
                .prepare_cached(&format!("DELETE FROM depreciation_rules WHERE {col} = ?1"))
                .ctx("setting a depreciation rule")?
                .execute([id])
                .ctx("setting a depreciation rule")?;
            tx.conn
                .prepare_cached(&format!(
                    "INSERT INTO depreciation_rules({col}, method, life_months, salvage,
                       convention, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                ))
                .ctx("setting a depreciation rule")?
                .execute(params![
                    id,
                    rule.method.as_str(),
                    rule.life_months,
                    salvage,
                    rule.convention.as_str(),
                    tx.now
                ])
                .ctx("setting a depreciation rule")?;
            let after = serde_json::to_value(rule).unwrap_or_default();
            let before = before
                .map(|b| serde_json::to_value(b).unwrap_or_default())
                .unwrap_or_default();
            match label {
                None => tx.asset_event(id, "depreciation_rule", before, after, None)?,
                Some(subject) => tx.subject_event(
                    &subject,
                    "depreciation_rule",
                    json!({"before": before, "after": after}),
                )?,
            }
            Ok(())
        })
    }

    /// One asset's book value as of a date, with the rule used and where it came from.
    pub fn book_value(&self, code: &str, as_of: NaiveDate) -> Result<AssetBookValue> {
        let id = resolve(&self.conn, code)?.ok_or_else(|| not_found(code))?;
        #[allow(clippy::type_complexity)]
        let (tag, cost, cur, purchased, model, category): (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
        ) = self
            .conn
            .prepare_cached(
                "SELECT tag, purchase_cost, currency, purchase_date, model_id, category_id
                 FROM assets WHERE id = ?1",
            )
            .ctx("reading an asset")?
            .query_row([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .ctx("reading an asset")?;
        let (Some(cost), Some(purchased)) = (cost, purchased) else {
            return Err(StoreError::Refused(format!(
                "{} has no purchase cost or purchase date to depreciate from",
                visible(&tag)
            )));
        };
        let cost = crate::domain::money::stored(&cost).ok_or_else(|| {
            StoreError::Invalid(format!(
                "{}: cost '{}' is not an amount within itam's limit",
                visible(&tag),
                visible(&cost)
            ))
        })?;
        let purchased = super::ops::parse_date("purchase date", &purchased)?;
        let cur = cur.unwrap_or_else(|| "USD".into());
        let rules = Rules::load(&self.conn)?;
        let (rule, from) = rules.for_asset(id, model, category);
        Ok(AssetBookValue {
            value: book_value(&rule, cost, &cur, purchased, as_of),
            tag,
            currency: cur,
            rule,
            rule_from: from,
        })
    }
}
