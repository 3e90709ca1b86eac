//! What one asset looks like to a reader: names resolved, dates and money typed (they print as
//! ISO-8601 and decimal text).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::time::Timestamp;
use super::{Condition, Status};

/// One asset as `itam show --json` prints it. Field names are a contract with scripts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetView {
    #[serde(skip)]
    pub id: i64,
    pub tag: String,
    pub serial: Option<String>,
    pub name: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    pub status: Status,
    pub condition: Condition,
    pub location: Option<String>,
    pub location_name: Option<String>,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    pub assigned_at: Option<Timestamp>,
    #[serde(serialize_with = "super::time::serialize_opt_date")]
    pub due_date: Option<NaiveDate>,
    pub owner: Option<String>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    #[serde(serialize_with = "super::time::serialize_opt_date")]
    pub purchase_date: Option<NaiveDate>,
    pub purchase_cost: Option<Decimal>,
    pub currency: Option<String>,
    #[serde(serialize_with = "super::time::serialize_opt_date")]
    pub warranty_until: Option<NaiveDate>,
    #[serde(serialize_with = "super::time::serialize_opt_date")]
    pub eol_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub last_seen_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(skip)]
    pub version: i64,
}

impl AssetView {
    /// The name a person would use: the asset's own name, else its model, else its tag.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.model.as_deref())
            .unwrap_or(self.tag.as_str())
    }
}

/// One line of an asset's history, as `itam history --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub note: Option<String>,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}
