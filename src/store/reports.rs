//! The money reports: licence compliance, depreciation, total cost of ownership and the refresh
//! (end-of-life) forecast. Read-only queries; the arithmetic is the domain's. Reports over every
//! asset stream their rows (a million assets never sit in memory at once).

use super::depreciation::{RuleSource, Rules};
use super::{Context, Result, Store};
use crate::domain::currency::{self, Totals};
use crate::domain::depreciation::{book_value, Method};
use crate::domain::licence::{renewal_window, seat_count, unused_cost};
use crate::domain::maintenance::{tco, years_in_service};
use crate::domain::money;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

mod group {
    /// How to group a report's rows.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum GroupBy {
        Category,
        Location,
        Owner,
        Model,
    }

    crate::domain::text_enum!(GroupBy, "grouping", {
        Category => "category",
        Location => "location",
        Owner => "owner",
        Model => "model",
    });
}
pub use group::GroupBy;

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()
}

// ---------------------------------------------------------------------------------------------
// Licences

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceReportRow {
    pub id: i64,
    pub product: String,
    pub vendor: Option<String>,
    pub kind: String,
    /// `null`: unlimited.
    pub owned: Option<u32>,
    pub assigned: u32,
    pub free: Option<u32>,
    pub over_deployed: u32,
    /// Over-deployed: more seats in use than owned.
    pub flagged: bool,
    /// What the free seats cost per `cost_period`, in `currency`.
    pub unused_cost: Option<Decimal>,
    pub currency: Option<String>,
    pub cost_period: String,
    /// The renewal date, else the expiry date.
    pub renewal: Option<NaiveDate>,
    pub renewal_in_days: Option<i64>,
    /// 30, 60 or 90 when the renewal falls within that many days.
    pub renewal_window: Option<u32>,
    /// The expiry date has passed.
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenewalDue {
    pub id: i64,
    pub product: String,
    pub date: NaiveDate,
    pub in_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceReport {
    pub as_of: NaiveDate,
    pub licences: Vec<LicenceReportRow>,
    pub over_deployed: usize,
    /// Cost of unused seats, per cost period, per currency (never summed across either).
    pub unused_cost: BTreeMap<String, Totals>,
    /// Renewals due within 30, 60 and 90 days (each window excludes the shorter ones).
    pub renewals: BTreeMap<u32, Vec<RenewalDue>>,
}

// ---------------------------------------------------------------------------------------------
// Depreciation

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepreciationRow {
    pub tag: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub owner: Option<String>,
    pub method: Method,
    pub life_months: u32,
    pub rule_from: RuleSource,
    pub purchase_date: NaiveDate,
    pub currency: String,
    pub cost: Decimal,
    pub salvage: Decimal,
    pub accumulated: Decimal,
    pub book_value: Decimal,
    pub fully_depreciated: bool,
}

impl DepreciationRow {
    pub fn group(&self, by: GroupBy) -> &str {
        let g = match by {
            GroupBy::Category | GroupBy::Model => &self.category,
            GroupBy::Location => &self.location,
            GroupBy::Owner => &self.owner,
        };
        g.as_deref().unwrap_or("(none)")
    }
}

/// Depreciation totals of one group in one currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DepreciationGroup {
    pub group: String,
    pub currency: String,
    pub assets: u64,
    pub cost: Decimal,
    pub accumulated: Decimal,
    pub book_value: Decimal,
}

/// Sums depreciation rows per (group, currency) and per currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DepreciationTotals {
    pub assets: u64,
    /// Assets left out: no purchase cost or date (disposed assets are never counted).
    pub skipped: u64,
    pub cost: Totals,
    pub accumulated: Totals,
    pub book_value: Totals,
    #[serde(skip)]
    groups: BTreeMap<(String, String), DepreciationGroup>,
}

impl DepreciationTotals {
    pub fn add(&mut self, row: &DepreciationRow, group_by: Option<GroupBy>) {
        self.assets += 1;
        self.cost.add(&row.currency, row.cost);
        self.accumulated.add(&row.currency, row.accumulated);
        self.book_value.add(&row.currency, row.book_value);
        if let Some(by) = group_by {
            let key = (row.group(by).to_string(), row.currency.clone());
            let g = self.groups.entry(key).or_insert_with(|| DepreciationGroup {
                group: row.group(by).to_string(),
                currency: row.currency.clone(),
                ..Default::default()
            });
            g.assets += 1;
            g.cost += row.cost;
            g.accumulated += row.accumulated;
            g.book_value += row.book_value;
        }
    }

    /// The groups, by name then currency, amounts rounded to each currency.
    pub fn groups(&self) -> Vec<DepreciationGroup> {
        self.groups
            .values()
            .map(|g| DepreciationGroup {
                cost: currency::round(g.cost, &g.currency),
                accumulated: currency::round(g.accumulated, &g.currency),
                book_value: currency::round(g.book_value, &g.currency),
                ..g.clone()
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Total cost of ownership

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TcoRow {
    pub tag: String,
    pub model: Option<String>,
    pub category: Option<String>,
    pub currency: String,
    pub purchase: Decimal,
    pub maintenance: Decimal,
    pub proceeds: Decimal,
    pub tco: Decimal,
    pub years_in_service: Decimal,
    pub per_year: Decimal,
}

impl TcoRow {
    pub fn group(&self, by: GroupBy) -> &str {
        let g = match by {
            GroupBy::Model => &self.model,
            _ => &self.category,
        };
        g.as_deref().unwrap_or("(none)")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TcoGroup {
    pub group: String,
    pub currency: String,
    pub assets: u64,
    pub purchase: Decimal,
    pub maintenance: Decimal,
    pub proceeds: Decimal,
    pub tco: Decimal,
    pub years_in_service: Decimal,
    /// Total cost over total asset-years in service.
    pub per_year: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TcoTotals {
    pub rows: u64,
    pub purchase: Totals,
    pub maintenance: Totals,
    pub proceeds: Totals,
    pub tco: Totals,
    #[serde(skip)]
    groups: BTreeMap<(String, String), TcoGroup>,
}

impl TcoTotals {
    pub fn add(&mut self, row: &TcoRow, group_by: Option<GroupBy>) {
        self.rows += 1;
        self.purchase.add(&row.currency, row.purchase);
        self.maintenance.add(&row.currency, row.maintenance);
        self.proceeds.add(&row.currency, row.proceeds);
        self.tco.add(&row.currency, row.tco);
        if let Some(by) = group_by {
            let key = (row.group(by).to_string(), row.currency.clone());
            let g = self.groups.entry(key).or_insert_with(|| TcoGroup {
                group: row.group(by).to_string(),
                currency: row.currency.clone(),
                ..Default::default()
            });
            g.assets += 1;
            g.purchase += row.purchase;
            g.maintenance += row.maintenance;
            g.proceeds += row.proceeds;
            g.tco += row.tco;
            g.years_in_service += row.years_in_service;
        }
    }

    pub fn groups(&self) -> Vec<TcoGroup> {
        self.groups
            .values()
            .map(|g| {
                let c = g.currency.as_str();
                TcoGroup {
                    purchase: currency::round(g.purchase, c),
                    maintenance: currency::round(g.maintenance, c),
                    proceeds: currency::round(g.proceeds, c),
                    tco: currency::round(g.tco, c),
                    years_in_service: g.years_in_service.round_dp(2),
                    per_year: if g.years_in_service.is_zero() {
                        currency::round(g.tco, c)
                    } else {
                        currency::round(g.tco / g.years_in_service, c)
                    },
                    ..g.clone()
                }
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Refresh forecast

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EolItem {
    pub tag: String,
    pub model: Option<String>,
    pub category: Option<String>,
    pub status: String,
    /// `end_of_life` or `warranty_end`.
    pub event: &'static str,
    pub date: NaiveDate,
    pub quarter: String,
    /// For `end_of_life`: `eol_date` (set on the asset) or `depreciation` (end of its book life).
    pub date_from: &'static str,
    pub currency: String,
    /// What replacing it costs at today's prices: the latest purchase price of its model (in the
    /// same currency), else what it cost.
    pub replacement_cost: Option<Decimal>,
    /// `model_latest` or `own_cost`.
    pub price_from: Option<&'static str>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EolQuarter {
    pub quarter: String,
    pub end_of_life: u64,
    pub warranty_end: u64,
    /// Replacement cost of what reaches end of life, per currency.
    pub replacement: Totals,
    /// Replacement cost of what leaves warranty (if replaced then), per currency.
    pub warranty_replacement: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EolReport {
    pub as_of: NaiveDate,
    pub until: NaiveDate,
    pub quarters: Vec<EolQuarter>,
    pub replacement: Totals,
    pub items: Vec<EolItem>,
}

pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

impl Store {
    /// Licence compliance as of `today`.
    pub fn licence_report(&self, today: NaiveDate) -> Result<LicenceReport> {
        let mut rows = Vec::new();
        let mut unused: BTreeMap<String, Totals> = BTreeMap::new();
        let mut renewals: BTreeMap<u32, Vec<RenewalDue>> = BTreeMap::new();
        for l in self.licences(false)? {
            let count = seat_count(l.seats, l.assigned);
            let cur = l.currency.clone().unwrap_or_else(|| "USD".into());
            let cost = l.cost.and_then(money::bounded);
            let waste = unused_cost(cost, l.cost_basis, &cur, &count);
            if let Some(w) = waste {
                unused
                    .entry(l.cost_period.as_str().to_string())
                    .or_default()
                    .add(&cur, w);
            }
            let renewal = l.renews_on.or(l.expires_on);
            let window = renewal.and_then(|d| renewal_window(d, today));
            let in_days = renewal.map(|d| (d - today).num_days());
            if let (Some(w), Some(d), Some(days)) = (window, renewal, in_days) {
                renewals.entry(w).or_default().push(RenewalDue {
                    id: l.id,
                    product: l.product.clone(),
                    date: d,
                    in_days: days,
                });
            }
            let expired = l.expires_on.is_some_and(|e| e < today);
            rows.push(LicenceReportRow {
                id: l.id,
                product: l.product,
                vendor: l.vendor,
                kind: l.kind.as_str().into(),
                owned: count.owned,
                assigned: count.assigned,
                free: count.free,
                over_deployed: count.over_deployed,
                flagged: count.over_deployed > 0,
                unused_cost: waste,
                currency: l.currency,
                cost_period: l.cost_period.as_str().into(),
                renewal,
                renewal_in_days: in_days,
                renewal_window: window,
                expired,
            });
        }
        for list in renewals.values_mut() {
            list.sort_by_key(|x| (x.in_days, x.id));
        }
        Ok(LicenceReport {
            as_of: today,
            over_deployed: rows.iter().filter(|r| r.flagged).count(),
            licences: rows,
            unused_cost: unused,
            renewals,
        })
    }

    /// Every asset's book value as of `as_of`, streamed in tag order to `f`, summed into the
    /// returned totals (grouped when asked). Disposed assets are left out; assets without a
    /// purchase cost or date are counted as skipped.
    pub fn depreciation_report(
        &self,
        as_of: NaiveDate,
        group_by: Option<GroupBy>,
        mut f: impl FnMut(&DepreciationRow) -> Result<()>,
    ) -> Result<DepreciationTotals> {
        let rules = Rules::load(&self.conn)?;
        let mut totals = DepreciationTotals::default();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, a.tag, a.purchase_cost, a.currency, a.purchase_date, a.model_id,
                        a.category_id, c.name, l.code, COALESCE(op.username, ot.name)
                 FROM assets a
                 LEFT JOIN categories c ON c.id = a.category_id
                 LEFT JOIN locations l ON l.id = a.location_id
                 LEFT JOIN people op ON op.id = a.owner_person_id
                 LEFT JOIN teams ot ON ot.id = a.owner_team_id
                 WHERE a.status <> 'disposed'
                 ORDER BY a.tag",
            )
            .ctx("reading assets for depreciation")?;
        let mut rows = stmt.query([]).ctx("reading assets for depreciation")?;
        while let Some(r) = rows.next().ctx("reading assets for depreciation")? {
            let read = || -> super::sql::Result<_> {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            };
            let (id, cost, purchased) = read().ctx("reading assets for depreciation")?;
            let cost = cost.as_deref().and_then(money::stored);
            let purchased = purchased.as_deref().and_then(date);
            let (Some(cost), Some(purchased)) = (cost, purchased) else {
                totals.skipped += 1;
                continue;
            };
            let row = (|| -> super::sql::Result<DepreciationRow> {
                let cur: String = r
                    .get::<_, Option<String>>(3)?
                    .unwrap_or_else(|| "USD".into());
                let (rule, from) = rules.for_asset(id, r.get(5)?, r.get(6)?);
                let v = book_value(&rule, cost, &cur, purchased, as_of);
                Ok(DepreciationRow {
                    tag: r.get(1)?,
                    category: r.get(7)?,
                    location: r.get(8)?,
                    owner: r.get(9)?,
                    method: rule.method,
                    life_months: rule.life_months,
                    rule_from: from,
                    purchase_date: purchased,
                    currency: cur,
                    cost: v.cost,
                    salvage: v.salvage,
                    accumulated: v.accumulated,
                    book_value: v.book_value,
                    fully_depreciated: v.fully_depreciated,
                })
            })()
            .ctx("reading assets for depreciation")?;
            totals.add(&row, group_by);
            f(&row)?;
        }
        Ok(totals)
    }

    /// Total cost of ownership per asset (one row per asset and currency), streamed to `f`:
    /// purchase + maintenance - disposal proceeds, and per year in service (purchase to
    /// disposal, else `as_of`).
    pub fn tco_report(
        &self,
        as_of: NaiveDate,
        group_by: Option<GroupBy>,
        mut f: impl FnMut(&TcoRow) -> Result<()>,
    ) -> Result<TcoTotals> {
        let mut upkeep: HashMap<i64, Vec<(String, Decimal)>> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT asset_id, COALESCE(currency, 'USD'), cost FROM maintenance
                     WHERE cost IS NOT NULL",
                )
                .ctx("reading maintenance costs")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .ctx("reading maintenance costs")?;
            for row in rows {
                let (id, cur, cost) = row.ctx("reading maintenance costs")?;
                let Some(cost) = money::stored(&cost) else {
                    continue;
                };
                let list = upkeep.entry(id).or_default();
                match list.iter_mut().find(|(c, _)| *c == cur) {
                    Some((_, sum)) => *sum += cost,
                    None => list.push((cur, cost)),
                }
            }
        }
        let mut totals = TcoTotals::default();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, a.tag, m.name, c.name, a.purchase_cost, COALESCE(a.currency, 'USD'),
                        COALESCE(a.purchase_date, substr(a.created_at, 1, 10)), d.proceeds,
                        d.disposed_on
                 FROM assets a
                 LEFT JOIN models m ON m.id = a.model_id
                 LEFT JOIN categories c ON c.id = a.category_id
                 LEFT JOIN disposals d ON d.asset_id = a.id
                 ORDER BY a.tag",
            )
            .ctx("reading assets for TCO")?;
        let mut rows = stmt.query([]).ctx("reading assets for TCO")?;
        while let Some(r) = rows.next().ctx("reading assets for TCO")? {
            #[allow(clippy::type_complexity)]
            let read = || -> super::sql::Result<(
                i64,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
                String,
                Option<String>,
                Option<String>,
            )> {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            };
            let (id, tag, model, category, cost, cur, start, proceeds, disposed) =
                read().ctx("reading assets for TCO")?;
            let cost = cost.as_deref().and_then(money::stored);
            let maint = upkeep.remove(&id).unwrap_or_default();
            if cost.is_none() && maint.is_empty() {
                continue;
            }
            let start = date(&start).unwrap_or(as_of);
            let end = disposed.as_deref().and_then(date).unwrap_or(as_of);
            let years = years_in_service(start, end.max(start));
            let proceeds = proceeds
                .as_deref()
                .and_then(money::stored)
                .unwrap_or_default();
            let mut currencies = vec![cur.clone()];
            for (c, _) in &maint {
                if !currencies.contains(c) {
                    currencies.push(c.clone());
                }
            }
            for c in currencies {
                let own = c == cur;
                let purchase = if own {
                    cost.unwrap_or_default()
                } else {
                    Decimal::ZERO
                };
                let upkeep: Decimal = maint
                    .iter()
                    .filter(|(mc, _)| *mc == c)
                    .map(|(_, v)| *v)
                    .sum();
                let back = if own { proceeds } else { Decimal::ZERO };
                let total = tco(purchase, upkeep, back);
                let row = TcoRow {
                    tag: tag.clone(),
                    model: model.clone(),
                    category: category.clone(),
                    purchase: currency::round(purchase, &c),
                    maintenance: currency::round(upkeep, &c),
                    proceeds: currency::round(back, &c),
                    tco: currency::round(total, &c),
                    years_in_service: years.round_dp(2),
                    per_year: currency::round(total / years, &c),
                    currency: c,
                };
                totals.add(&row, group_by);
                f(&row)?;
            }
        }
        Ok(totals)
    }

    /// The refresh forecast: assets in service (not retired, disposed or lost) reaching end of
    /// life or the end of their warranty from `as_of` to `as_of` + `months`, by quarter, with
    /// their replacement cost at today's prices.
    pub fn eol_report(&self, as_of: NaiveDate, months: u32) -> Result<EolReport> {
        let until = as_of
            .checked_add_months(Months::new(months))
            .unwrap_or(as_of);
        // Today's price of each model, per currency: what its most recent purchase cost.
        let mut prices: HashMap<(i64, String), Decimal> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    // The newest purchase's price per model and currency (a window, not
                    // SQLite's bare column beside max(), which PostgreSQL refuses).
                    "SELECT model_id, cur, purchase_cost FROM (
                       SELECT model_id, COALESCE(currency, 'USD') AS cur, purchase_cost,
                              row_number() OVER (PARTITION BY model_id, COALESCE(currency, 'USD')
                                                 ORDER BY purchase_date DESC, id DESC) AS n
                       FROM assets WHERE model_id IS NOT NULL AND purchase_cost IS NOT NULL
                         AND purchase_date IS NOT NULL) newest
                     WHERE n = 1",
                )
                .ctx("reading model prices")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .ctx("reading model prices")?;
            for row in rows {
                let (m, c, p) = row.ctx("reading model prices")?;
                if let Some(p) = money::stored(&p) {
                    prices.insert((m, c), p);
                }
            }
        }
        let rules = Rules::load(&self.conn)?;
        let mut items = Vec::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, a.tag, m.name, c.name, a.status, a.model_id, a.category_id,
                        COALESCE(a.currency, 'USD'), a.purchase_cost, a.purchase_date,
                        a.eol_date, a.warranty_until
                 FROM assets a
                 LEFT JOIN models m ON m.id = a.model_id
                 LEFT JOIN categories c ON c.id = a.category_id
                 WHERE a.status NOT IN ('retired', 'disposed', 'lost')
                 ORDER BY a.tag",
            )
            .ctx("reading assets for the forecast")?;
        let mut rows = stmt.query([]).ctx("reading assets for the forecast")?;
        while let Some(r) = rows.next().ctx("reading assets for the forecast")? {
            let g = |i: usize| r.get::<_, Option<String>>(i);
            let (eol, warranty, purchased) =
                (|| Ok((g(10)?, g(11)?, g(9)?)))().ctx("reading assets for the forecast")?;
            // Cheap filter first: most assets are nowhere near either date.
            let eol_date = match eol.as_deref().and_then(date) {
                Some(d) => Some((d, "eol_date")),
                None => match purchased.as_deref().and_then(date) {
                    Some(p) => {
                        let id: i64 = r.get(0).ctx("reading assets for the forecast")?;
                        let model: Option<i64> = r.get(5).ctx("reading assets")?;
                        let cat: Option<i64> = r.get(6).ctx("reading assets")?;
                        Some((
                            rules.for_asset(id, model, cat).0.end_of_life(p),
                            "depreciation",
                        ))
                    }
                    None => None,
                },
            };
            let warranty = warranty.as_deref().and_then(date);
            let in_window = |d: NaiveDate| d >= as_of && d <= until;
            let mut events = Vec::new();
            if let Some((d, src)) = eol_date.filter(|(d, _)| in_window(*d)) {
                events.push(("end_of_life", d, src));
            }
            if let Some(d) = warranty.filter(|d| in_window(*d)) {
                events.push(("warranty_end", d, "warranty_until"));
            }
            if events.is_empty() {
                continue;
            }
            let item = (|| -> super::sql::Result<_> {
                let model_id: Option<i64> = r.get(5)?;
                let cur: String = r.get(7)?;
                let own: Option<String> = r.get(8)?;
                let latest = model_id.and_then(|m| prices.get(&(m, cur.clone())).copied());
                let (price, price_from) = match (latest, own.and_then(|o| money::stored(&o))) {
                    (Some(p), _) => (Some(p), Some("model_latest")),
                    (None, Some(o)) => (Some(o), Some("own_cost")),
                    (None, None) => (None, None),
                };
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    cur,
                    price,
                    price_from,
                ))
            })()
            .ctx("reading assets for the forecast")?;
            let (tag, model, category, status, cur, price, price_from) = item;
            let price = price.map(|p| currency::round(p, &cur));
            for (event, d, src) in events {
                items.push(EolItem {
                    tag: tag.clone(),
                    model: model.clone(),
                    category: category.clone(),
                    status: status.clone(),
                    event,
                    date: d,
                    quarter: quarter_of(d),
                    date_from: src,
                    currency: cur.clone(),
                    replacement_cost: price,
                    price_from,
                });
            }
        }
        items.sort_by(|a, b| (a.date, &a.tag, a.event).cmp(&(b.date, &b.tag, b.event)));
        let mut quarters: BTreeMap<String, EolQuarter> = BTreeMap::new();
        let mut replacement = Totals::new();
        for i in &items {
            let q = quarters
                .entry(i.quarter.clone())
                .or_insert_with(|| EolQuarter {
                    quarter: i.quarter.clone(),
                    ..Default::default()
                });
            match i.event {
                "end_of_life" => {
                    q.end_of_life += 1;
                    if let Some(p) = i.replacement_cost {
                        q.replacement.add(&i.currency, p);
                        replacement.add(&i.currency, p);
                    }
                }
                _ => {
                    q.warranty_end += 1;
                    if let Some(p) = i.replacement_cost {
                        q.warranty_replacement.add(&i.currency, p);
                    }
                }
            }
        }
        Ok(EolReport {
            as_of,
            until,
            quarters: quarters.into_values().collect(),
            replacement,
            items,
        })
    }
}
