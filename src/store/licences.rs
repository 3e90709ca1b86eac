//! Software licences and their seats. Every write appends a `licence:<id>` event (and an asset
//! event when a seat goes to or leaves an asset) in the same transaction.

use super::assets::enum_col;
use super::assets::{not_found, resolve};
use super::sql::{params, Conn, OptionalExtension, Row};
use super::values;
use super::{Context, Result, Store, StoreError, Tx};
use crate::domain::licence::{
    check_assign, mask_key, seat_count, CostBasis, CostPeriod, LicenceKind, NewLicence,
};
use crate::domain::money::parse_currency;
use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use crate::domain::{currency, Status};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

/// Who or what a seat goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatTarget {
    /// Username or badge.
    Person(String),
    /// Asset tag or serial.
    Asset(String),
}

/// One licence as lists, `show` and reports print it. `key` is masked unless revealed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceView {
    pub id: i64,
    pub product: String,
    pub vendor: Option<String>,
    pub kind: LicenceKind,
    /// `null`: unlimited.
    pub seats: Option<u32>,
    pub assigned: u32,
    pub free: Option<u32>,
    pub over_deployed: u32,
    pub cost: Option<Decimal>,
    pub currency: Option<String>,
    pub cost_basis: CostBasis,
    pub cost_period: CostPeriod,
    pub starts_on: Option<NaiveDate>,
    pub renews_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub key: Option<String>,
    pub notes: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeatView {
    pub person: Option<String>,
    pub person_name: Option<String>,
    pub asset: Option<String>,
    pub assigned_at: Timestamp,
    /// Assigned past the seats owned, with --force.
    pub breach: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenceDetail {
    #[serde(flatten)]
    pub licence: LicenceView,
    /// Who and what holds a seat.
    pub assignments: Vec<SeatView>,
}

/// What an assignment did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeatOutcome {
    pub licence: LicenceView,
    /// True when the seat was forced past the seats owned (a compliance breach was recorded).
    pub breach: bool,
}

const SELECT_LICENCE: &str = "
SELECT l.id, l.product, l.vendor, l.kind, l.seats, l.cost, l.currency, l.cost_basis,
       l.cost_period, l.starts_on, l.renews_on, l.expires_on, l.licence_key, l.notes,
       l.created_at, l.updated_at,
       (SELECT count(*) FROM licence_seats s WHERE s.licence_id = l.id)
FROM licences l";

fn licence_from_row(r: &Row, reveal: bool) -> super::sql::Result<LicenceView> {
    let seats: Option<u32> = r.get(4)?;
    let assigned: u32 = r.get(16)?;
    let c = seat_count(seats, assigned);
    let key: Option<String> = r.get(12)?;
    Ok(LicenceView {
        id: r.get(0)?,
        product: r.get(1)?,
        vendor: r.get(2)?,
        kind: enum_col(r, 3)?,
        seats,
        assigned,
        free: c.free,
        over_deployed: c.over_deployed,
        cost: values::opt_amount(r, 5)?,
        currency: r.get(6)?,
        cost_basis: enum_col(r, 7)?,
        cost_period: enum_col(r, 8)?,
        starts_on: values::opt_date(r, 9)?,
        renews_on: values::opt_date(r, 10)?,
        expires_on: values::opt_date(r, 11)?,
        key: key.map(|k| if reveal { k } else { mask_key(&k) }),
        notes: r.get(13)?,
        created_at: values::stamp(r, 14)?,
        updated_at: values::stamp(r, 15)?,
    })
}

fn licence_by_id(conn: &Conn, id: i64, reveal: bool) -> Result<LicenceView> {
    conn.prepare_cached(&format!("{SELECT_LICENCE} WHERE l.id = ?1"))
        .ctx("reading a licence")?
        .query_row([id], |r| licence_from_row(r, reveal))
        .ctx("reading a licence")
}

/// The licence a reference names: its id (`7` or `#7`), else its exact product name when only
/// one licence has it.
pub(super) fn licence_id(conn: &Conn, reference: &str) -> Result<i64> {
    let t = reference.trim();
    if let Ok(id) = t.trim_start_matches('#').parse::<i64>() {
        let found: Option<i64> = conn
            .prepare_cached("SELECT id FROM licences WHERE id = ?1")
            .ctx("looking up a licence")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("looking up a licence")?;
        return found.ok_or_else(|| {
            StoreError::NotFound(format!(
                "no licence has the id {id} (see `itam licence list`)"
            ))
        });
    }
    let mut stmt = conn
        .prepare_cached("SELECT id FROM licences WHERE product = ?1 COLLATE NOCASE LIMIT 2")
        .ctx("looking up a licence")?;
    let ids = stmt
        .query_map([t], |r| r.get::<_, i64>(0))
        .ctx("looking up a licence")?
        .collect::<std::result::Result<Vec<_>, _>>()
        .ctx("looking up a licence")?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(StoreError::NotFound(format!(
            "no licence has the id or product '{}' (see `itam licence list`)",
            visible(t)
        ))),
        _ => Err(StoreError::Refused(format!(
            "several licences are called '{}'; name one by its id (see `itam licence list`)",
            visible(t)
        ))),
    }
}

fn subject(id: i64) -> String {
    format!("licence:{id}")
}

/// A person's (id, username, active) by username or badge.
fn person(tx: &Tx, who: &str) -> Result<(i64, String, bool)> {
    tx.conn
        .prepare_cached(
            "SELECT id, username, active FROM people WHERE username = ?1 OR badge = ?1
             ORDER BY username = ?1 DESC LIMIT 1",
        )
        .ctx("looking up a person")?
        .query_row([who.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .ctx("looking up a person")?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "no person has the username or badge '{}'",
                visible(who)
            ))
        })
}

/// An asset's (id, tag, status) by tag or serial.
fn asset(tx: &Tx, code: &str) -> Result<(i64, String, Status)> {
    let id = resolve(tx.conn, code)?.ok_or_else(|| not_found(code))?;
    let (tag, status): (String, String) = tx
        .conn
        .prepare_cached("SELECT tag, status FROM assets WHERE id = ?1")
        .ctx("reading an asset")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("reading an asset")?;
    let status = status.parse::<Status>()?;
    Ok((id, tag, status))
}

fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Insert a licence inside an open transaction (shared by `licence add` and the importer).
pub fn insert_licence(tx: &Tx, l: &NewLicence) -> Result<i64> {
    l.validate().map_err(StoreError::Invalid)?;
    let product = super::lookup::clean_name(&l.product);
    let currency_code = match (&l.currency, l.cost) {
        (Some(c), _) => Some(parse_currency(c)?),
        (None, Some(_)) => Some("USD".to_string()),
        (None, None) => None,
    };
    let cost = match (l.cost, &currency_code) {
        (Some(c), Some(cur)) if c.is_sign_negative() && !c.is_zero() => {
            return Err(StoreError::Invalid(format!("cost {c} {cur} is negative")))
        }
        (Some(c), Some(cur)) => Some(currency::round(c, cur).to_string()),
        _ => None,
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let key = opt_text(&l.key);
    let id: i64 = tx.conn
        .prepare_cached(
            "INSERT INTO licences(product, vendor, kind, seats, cost, currency, cost_basis,
               cost_period, starts_on, renews_on, expires_on, licence_key, notes, created_at,
               updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14) RETURNING id",
        )
        .ctx("adding a licence")?
        .insert(params![
            product,
            opt_text(&l.vendor),
            l.kind.as_str(),
            l.seats,
            cost,
            currency_code,
            l.cost_basis.as_str(),
            l.cost_period.as_str(),
            date(l.starts_on),
            date(l.renews_on),
            date(l.expires_on),
            key,
            opt_text(&l.notes),
            tx.now,
        ])
        .ctx("adding a licence")?;
    tx.subject_event(
        &subject(id),
        "licence_add",
        json!({
            "product": product, "vendor": opt_text(&l.vendor), "kind": l.kind,
            "seats": l.seats, "cost": cost, "currency": currency_code,
            "cost_basis": l.cost_basis, "cost_period": l.cost_period,
            "starts_on": date(l.starts_on), "renews_on": date(l.renews_on),
            "expires_on": date(l.expires_on),
            // The key itself never goes into the history.
            "key": key.as_deref().map(mask_key),
        }),
    )?;
    Ok(id)
}

/// Assign one seat inside an open transaction. Refused past the seats owned unless `force`,
/// which records a `compliance_breach` event. Returns whether it was a breach.
pub fn assign_seat_tx(
    tx: &Tx,
    licence: i64,
    target: &SeatTarget,
    force: bool,
    note: Option<&str>,
) -> Result<bool> {
    let (product, kind, owned): (String, String, Option<u32>) = tx
        .conn
        .prepare_cached("SELECT product, kind, seats FROM licences WHERE id = ?1")
        .ctx("reading a licence")?
        .query_row([licence], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .ctx("reading a licence")?;
    let kind: LicenceKind = kind.parse()?;
    let (person_id, asset_id, who) = match target {
        SeatTarget::Person(p) => {
            if kind == LicenceKind::PerDevice {
                return Err(StoreError::Refused(format!(
                    "{} is licensed per device; assign its seats to assets (--asset)",
                    visible(&product)
                )));
            }
            let (id, username, active) = person(tx, p)?;
            if !active {
                return Err(StoreError::Refused(format!(
                    "{} is inactive (offboarded); cannot assign them a seat",
                    visible(&username)
                )));
            }
            (Some(id), None, json!({"person": username}))
        }
        SeatTarget::Asset(code) => {
            if kind == LicenceKind::PerUser {
                return Err(StoreError::Refused(format!(
                    "{} is licensed per user; assign its seats to people (--person)",
                    visible(&product)
                )));
            }
            let (id, tag, status) = asset(tx, code)?;
            if status == Status::Disposed {
                return Err(StoreError::Refused(format!(
                    "{} is disposed; cannot assign it a seat",
                    visible(&tag)
                )));
            }
            (None, Some(id), json!({"asset": tag}))
        }
    };
    let taken: Option<i64> = tx
        .conn
        .prepare_cached(
            "SELECT id FROM licence_seats WHERE licence_id = ?1
               AND (person_id = ?2 OR asset_id = ?3)",
        )
        .ctx("checking seats")?
        .query_row(params![licence, person_id, asset_id], |r| r.get(0))
        .optional()
        .ctx("checking seats")?;
    if taken.is_some() {
        return Err(StoreError::Refused(format!(
            "{} already has a seat of {}",
            visible(&target_name(&who)),
            visible(&product)
        )));
    }
    let assigned: u32 = tx
        .conn
        .prepare_cached("SELECT count(*) FROM licence_seats WHERE licence_id = ?1")
        .ctx("counting seats")?
        .query_row([licence], |r| r.get(0))
        .ctx("counting seats")?;
    let breach = check_assign(owned, assigned, force)
        .map_err(|e| StoreError::Refused(format!("{}: {e}", visible(&product))))?;
    tx.conn
        .prepare_cached(
            "INSERT INTO licence_seats(licence_id, person_id, asset_id, assigned_at, breach, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .ctx("assigning a seat")?
        .execute(params![
            licence,
            person_id,
            asset_id,
            tx.now,
            breach,
            note.map(str::trim).filter(|n| !n.is_empty())
        ])
        .ctx("assigning a seat")?;
    let mut after = who.clone();
    after["breach"] = json!(breach);
    after["note"] = json!(note);
    tx.subject_event(&subject(licence), "seat_assign", after)?;
    if let Some(aid) = asset_id {
        tx.asset_event(
            aid,
            "licence_assign",
            serde_json::Value::Null,
            json!({"licence": licence, "product": product}),
            note,
        )?;
    }
    if breach {
        let mut b = who;
        b["owned"] = json!(owned);
        b["assigned"] = json!(assigned + 1);
        tx.subject_event(&subject(licence), "compliance_breach", b)?;
    }
    Ok(breach)
}

fn target_name(who: &serde_json::Value) -> String {
    who.get("person")
        .or_else(|| who.get("asset"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

/// Release every seat a person holds (what offboarding does), with one `seat_release` event per
/// licence. Returns how many seats were released.
pub fn release_person_seats(tx: &Tx, person_id: i64) -> Result<usize> {
    let username: String = tx
        .conn
        .prepare_cached("SELECT username FROM people WHERE id = ?1")
        .ctx("reading a person")?
        .query_row([person_id], |r| r.get(0))
        .optional()
        .ctx("reading a person")?
        .ok_or_else(|| StoreError::NotFound(format!("no person has the id {person_id}")))?;
    let licences: Vec<i64> = tx
        .conn
        .prepare_cached(
            "SELECT licence_id FROM licence_seats WHERE person_id = ?1 ORDER BY licence_id",
        )
        .ctx("reading seats")?
        .query_map([person_id], |r| r.get(0))
        .ctx("reading seats")?
        .collect::<std::result::Result<_, _>>()
        .ctx("reading seats")?;
    tx.conn
        .prepare_cached("DELETE FROM licence_seats WHERE person_id = ?1")
        .ctx("releasing seats")?
        .execute([person_id])
        .ctx("releasing seats")?;
    for l in &licences {
        tx.subject_event(
            &subject(*l),
            "seat_release",
            json!({"person": username, "reason": "offboarding"}),
        )?;
    }
    Ok(licences.len())
}

impl Store {
    pub fn add_licence(&mut self, l: &NewLicence, reveal: bool) -> Result<LicenceView> {
        let id = self.write(|tx| insert_licence(tx, l))?;
        licence_by_id(&self.conn, id, reveal)
    }

    pub fn assign_seat(
        &mut self,
        reference: &str,
        target: &SeatTarget,
        force: bool,
        note: Option<&str>,
    ) -> Result<SeatOutcome> {
        let (id, breach) = self.write(|tx| {
            let id = licence_id(tx.conn, reference)?;
            Ok((id, assign_seat_tx(tx, id, target, force, note)?))
        })?;
        Ok(SeatOutcome {
            licence: licence_by_id(&self.conn, id, false)?,
            breach,
        })
    }

    pub fn unassign_seat(
        &mut self,
        reference: &str,
        target: &SeatTarget,
        note: Option<&str>,
    ) -> Result<LicenceView> {
        let id = self.write(|tx| {
            let id = licence_id(tx.conn, reference)?;
            let product: String = tx
                .conn
                .query_row("SELECT product FROM licences WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .ctx("reading a licence")?;
            let (person_id, asset_id, who) = match target {
                SeatTarget::Person(p) => {
                    let (pid, username, _) = person(tx, p)?;
                    (Some(pid), None, json!({"person": username}))
                }
                SeatTarget::Asset(code) => {
                    let (aid, tag, _) = asset(tx, code)?;
                    (None, Some(aid), json!({"asset": tag}))
                }
            };
            let n = tx
                .conn
                .prepare_cached(
                    "DELETE FROM licence_seats WHERE licence_id = ?1
                       AND (person_id = ?2 OR asset_id = ?3)",
                )
                .ctx("releasing a seat")?
                .execute(params![id, person_id, asset_id])
                .ctx("releasing a seat")?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "{} has no seat of {}",
                    visible(&target_name(&who)),
                    visible(&product)
                )));
            }
            let mut after = who;
            after["note"] = json!(note);
            tx.subject_event(&subject(id), "seat_unassign", after)?;
            if let Some(aid) = asset_id {
                tx.asset_event(
                    aid,
                    "licence_unassign",
                    json!({"licence": id, "product": product}),
                    serde_json::Value::Null,
                    note,
                )?;
            }
            Ok(id)
        })?;
        licence_by_id(&self.conn, id, false)
    }

    /// Every licence, by product.
    pub fn licences(&self, reveal: bool) -> Result<Vec<LicenceView>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_LICENCE} ORDER BY l.product COLLATE NOCASE, l.id"
            ))
            .ctx("listing licences")?;
        let rows = stmt
            .query_map([], |r| licence_from_row(r, reveal))
            .ctx("listing licences")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("listing licences")
    }

    /// One licence with its seats.
    pub fn licence(&self, reference: &str, reveal: bool) -> Result<LicenceDetail> {
        let id = licence_id(&self.conn, reference)?;
        let licence = licence_by_id(&self.conn, id, reveal)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT p.username, p.full_name, a.tag, s.assigned_at, s.breach, s.note
                 FROM licence_seats s LEFT JOIN people p ON p.id = s.person_id
                 LEFT JOIN assets a ON a.id = s.asset_id
                 WHERE s.licence_id = ?1 ORDER BY s.id",
            )
            .ctx("reading seats")?;
        let seats = stmt
            .query_map([id], |r| {
                Ok(SeatView {
                    person: r.get(0)?,
                    person_name: r.get(1)?,
                    asset: r.get(2)?,
                    assigned_at: values::stamp(r, 3)?,
                    breach: r.get(4)?,
                    note: r.get(5)?,
                })
            })
            .ctx("reading seats")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading seats")?;
        Ok(LicenceDetail {
            licence,
            assignments: seats,
        })
    }

    /// A licence's history (its `licence:<id>` events), oldest first.
    pub fn licence_history(&self, reference: &str) -> Result<Vec<crate::domain::HistoryEntry>> {
        let id = licence_id(&self.conn, reference)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, actor, kind, note, after FROM events WHERE subject = ?1 ORDER BY id",
            )
            .ctx("reading history")?;
        let rows = stmt
            .query_map([subject(id)], |r| {
                let after: Option<String> = r.get(4)?;
                Ok(crate::domain::HistoryEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    kind: r.get(2)?,
                    note: r.get(3)?,
                    before: serde_json::Value::Null,
                    after: after
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or(serde_json::Value::Null),
                })
            })
            .ctx("reading history")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading history")
    }
}
