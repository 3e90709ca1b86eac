//! Maintenance records: repairs, upgrades, warranty work, calibration. Each is an asset event.

use super::assets::{not_found, resolve};
use super::sql::params;
use super::values::{self, date_text};
use super::{Context, Result, Store, StoreError};
use crate::domain::currency;
use crate::domain::maintenance::MaintenanceKind;
use crate::domain::money::parse_currency;
use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use crate::domain::Status;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct NewMaintenance {
    pub kind: MaintenanceKind,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    /// Rounded to the currency's minor unit when stored.
    pub cost: Option<Decimal>,
    /// Defaults to the asset's currency, else USD.
    pub currency: Option<String>,
    pub vendor: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MaintenanceView {
    pub id: i64,
    pub tag: String,
    pub kind: String,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub cost: Option<Decimal>,
    pub currency: Option<String>,
    pub vendor: Option<String>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

const SELECT_MAINTENANCE: &str = "
SELECT m.id, a.tag, m.kind, m.started_on, m.completed_on, m.cost, m.currency, m.vendor, m.note,
       m.created_at
FROM maintenance m JOIN assets a ON a.id = m.asset_id";

fn from_row(r: &super::sql::Row) -> super::sql::Result<MaintenanceView> {
    Ok(MaintenanceView {
        id: r.get(0)?,
        tag: r.get(1)?,
        kind: r.get(2)?,
        started_on: values::date(r, 3)?,
        completed_on: values::opt_date(r, 4)?,
        cost: values::opt_amount(r, 5)?,
        currency: r.get(6)?,
        vendor: r.get(7)?,
        note: r.get(8)?,
        created_at: values::stamp(r, 9)?,
    })
}

impl Store {
    /// Record maintenance on an asset (refused for a disposed asset or dates out of order).
    pub fn add_maintenance(&mut self, code: &str, m: &NewMaintenance) -> Result<MaintenanceView> {
        let (started, completed) = (m.started_on, m.completed_on);
        if let Some(c) = completed {
            if c < started {
                return Err(StoreError::Invalid(format!(
                    "the maintenance ends ({c}) before it starts ({started})"
                )));
            }
        }
        let cost = m.cost;
        let cur = match clean(&m.currency) {
            Some(c) => Some(parse_currency(&c)?),
            None => None,
        };
        let id = self.write(|tx| {
            let aid = resolve(tx.conn, code)?.ok_or_else(|| not_found(code))?;
            let (tag, status, asset_cur): (String, String, Option<String>) = tx
                .conn
                .prepare_cached("SELECT tag, status, currency FROM assets WHERE id = ?1")
                .ctx("reading an asset")?
                .query_row([aid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ctx("reading an asset")?;
            if status.parse::<Status>()? == Status::Disposed {
                return Err(StoreError::Refused(format!(
                    "{} is disposed; maintenance cannot be recorded on it",
                    visible(&tag)
                )));
            }
            let currency_code = cost
                .map(|_| cur.clone().or(asset_cur).unwrap_or_else(|| "USD".into()))
                .or(cur.clone());
            let cost_text = match (cost, &currency_code) {
                (Some(c), Some(code)) => Some(currency::round(c, code).to_string()),
                _ => None,
            };
            let started_s = date_text(Some(started));
            let completed_s = date_text(completed);
            let id: i64 = tx
                .conn
                .prepare_cached(
                    "INSERT INTO maintenance(asset_id, kind, started_on, completed_on, cost,
                       currency, vendor, note, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                )
                .ctx("recording maintenance")?
                .insert(params![
                    aid,
                    m.kind.as_str(),
                    started_s,
                    completed_s,
                    cost_text,
                    currency_code,
                    clean(&m.vendor),
                    clean(&m.note),
                    tx.now
                ])
                .ctx("recording maintenance")?;
            tx.asset_event(
                aid,
                "maintenance",
                serde_json::Value::Null,
                json!({"kind": m.kind, "started_on": started_s, "completed_on": completed_s,
                       "cost": cost_text, "currency": currency_code, "vendor": clean(&m.vendor)}),
                m.note.as_deref(),
            )?;
            Ok(id)
        })?;
        self.conn
            .prepare_cached(&format!("{SELECT_MAINTENANCE} WHERE m.id = ?1"))
            .ctx("reading maintenance")?
            .query_row([id], from_row)
            .ctx("reading maintenance")
    }

    /// Maintenance records, oldest first: one asset's, or all.
    pub fn maintenance(&self, code: Option<&str>) -> Result<Vec<MaintenanceView>> {
        let asset = match code {
            Some(c) => Some(resolve(&self.conn, c)?.ok_or_else(|| not_found(c))?),
            None => None,
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_MAINTENANCE} WHERE ?1 IS NULL OR m.asset_id = ?1
                 ORDER BY m.started_on, m.id"
            ))
            .ctx("listing maintenance")?;
        let rows = stmt
            .query_map([asset], from_row)
            .ctx("listing maintenance")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("listing maintenance")
    }
}
