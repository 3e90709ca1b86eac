//! Every write to an asset: add, edit, check-out/in, move, condition, status, dispose.
//! Each runs in one `BEGIN IMMEDIATE` transaction that re-reads the asset, applies the lifecycle
//! rule to what is in the database *now* (so a lost race is refused, never overwritten), writes,
//! and appends its event.

use super::assets::{not_found, resolve, view_by_id};
use super::lookup::{clean_name, get_or_create, get_or_create_model, NameTable};
use super::sql::{params, OptionalExtension};
use super::values::{amount_text, date_text};
use super::{Context, Result, Store, StoreError, Tx};
use crate::domain::identifier::{self, Serial, Tag};
use crate::domain::lifecycle::{action_to_reach, transition};
use crate::domain::money::parse_currency;
use crate::domain::text::visible;
use crate::domain::{Action, AssetView, Condition, DisposalMethod, Status, WipeMethod};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

/// A new asset. Dates and the cost arrive parsed (each front end parses its own text with
/// [`crate::domain::time::optional_date`] and [`crate::domain::money::optional_amount`]); the
/// store applies the rules that need the database or each other (codes, the currency's rounding).
#[derive(Debug, Clone, Default)]
pub struct NewAsset {
    pub tag: String,
    pub serial: Option<String>,
    pub name: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    pub location: Option<String>,
    pub owner: Option<String>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub purchase_cost: Option<Decimal>,
    pub currency: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    pub warranty_until: Option<NaiveDate>,
    pub eol_date: Option<NaiveDate>,
    pub status: Option<Status>,
    pub condition: Option<Condition>,
    pub notes: Option<String>,
}

/// Fields to change; `None` leaves a field alone, `Some("")` (text) or `Some(None)` (dates and
/// the cost) clears it.
#[derive(Debug, Clone, Default)]
pub struct AssetEdit {
    pub tag: Option<String>,
    pub serial: Option<String>,
    pub name: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub purchase_cost: Option<Option<Decimal>>,
    pub currency: Option<String>,
    pub purchase_date: Option<Option<NaiveDate>>,
    pub warranty_until: Option<Option<NaiveDate>>,
    pub eol_date: Option<Option<NaiveDate>>,
    pub notes: Option<String>,
    /// When set, the edit is refused if someone else changed the asset since it was read.
    pub expected_version: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct DisposalInput {
    pub method: DisposalMethod,
    pub wipe: WipeMethod,
    pub certificate: Option<String>,
    pub proceeds: Option<Decimal>,
    pub recipient: Option<String>,
    /// Today (UTC) when not given.
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

/// `YYYY-MM-DD`, or an error naming the field.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    Ok(crate::domain::time::parse_date(field, s)?)
}

fn opt_text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// An amount rounded half-even to `currency`'s minor unit (USD when none is known), as the
/// README promises: `12.345` is stored as `12.34`.
fn rounded(d: Option<Decimal>, currency: Option<&str>) -> Option<Decimal> {
    d.map(|d| crate::domain::currency::round(d, currency.unwrap_or("USD")))
}

fn opt_currency(s: Option<&str>) -> Result<Option<String>> {
    match s.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Ok(Some(parse_currency(t)?)),
        None => Ok(None),
    }
}

/// A tag as stored (the rules are [`Tag::parse`]'s).
fn clean_tag(tag: &str) -> Result<String> {
    Ok(Tag::parse(tag)?.into_string())
}

/// A serial as stored: blank is none, else [`Serial::parse`]'s rules.
fn clean_serial(serial: Option<&str>) -> Result<Option<String>> {
    Ok(identifier::optional(serial, Serial::parse)?.map(Serial::into_string))
}

pub(super) fn location_id(tx: &Tx, code: &str) -> Result<i64> {
    tx.conn
        .prepare_cached("SELECT id FROM locations WHERE code = ?1")
        .ctx("looking up a location")?
        .query_row([code.trim()], |r| r.get(0))
        .optional()
        .ctx("looking up a location")?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "no location has the code '{}' (add it with `itam location add`)",
                visible(code)
            ))
        })
}

/// An owner is a person when a username matches, else a team (created when new).
fn owner_ids(tx: &Tx, owner: &str) -> Result<(Option<i64>, Option<i64>)> {
    let owner = clean_name(owner);
    if owner.is_empty() {
        return Ok((None, None));
    }
    let person: Option<i64> = tx
        .conn
        .prepare_cached("SELECT id FROM people WHERE username = ?1")
        .ctx("looking up an owner")?
        .query_row([&owner], |r| r.get(0))
        .optional()
        .ctx("looking up an owner")?;
    match person {
        Some(id) => Ok((Some(id), None)),
        None => Ok((None, get_or_create(tx.conn, NameTable::Teams, &owner)?)),
    }
}

fn unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Db { source, .. } if source.is_unique_violation())
}

fn serial_taken(tx: &Tx, serial: &str, except: Option<i64>) -> Result<Option<String>> {
    tx.conn
        .prepare_cached("SELECT tag FROM assets WHERE serial = ?1 AND id IS NOT ?2")
        .ctx("checking the serial")?
        .query_row(params![serial, except], |r| r.get(0))
        .optional()
        .ctx("checking the serial")
}

fn tag_taken(tx: &Tx, tag: &str, except: Option<i64>) -> Result<bool> {
    Ok(tx
        .conn
        .prepare_cached("SELECT 1 FROM assets WHERE tag = ?1 AND id IS NOT ?2")
        .ctx("checking the tag")?
        .query_row(params![tag, except], |_| Ok(()))
        .optional()
        .ctx("checking the tag")?
        .is_some())
}

/// The asset row to change, re-read inside the write transaction.
pub(super) fn current(tx: &Tx, code: &str) -> Result<AssetView> {
    let id = resolve(tx.conn, code)?.ok_or_else(|| not_found(code))?;
    view_by_id(tx.conn, id)
}

pub(super) fn touch(tx: &Tx, id: i64) -> Result<()> {
    tx.conn
        .prepare_cached("UPDATE assets SET updated_at = ?2, version = version + 1 WHERE id = ?1")
        .ctx("updating an asset")?
        .execute(params![id, tx.now])
        .ctx("updating an asset")?;
    Ok(())
}

/// Insert one asset inside an open transaction (shared by `add` and the importers).
pub fn insert_asset(tx: &Tx, a: &NewAsset, note: Option<&str>) -> Result<AssetView> {
    let tag = clean_tag(&a.tag)?;
    let serial = clean_serial(a.serial.as_deref())?;
    if tag_taken(tx, &tag, None)? {
        return Err(StoreError::Refused(format!(
            "tag '{}' is already in use",
            visible(&tag)
        )));
    }
    if let Some(s) = &serial {
        if let Some(other) = serial_taken(tx, s, None)? {
            return Err(StoreError::Refused(format!(
                "serial '{}' is already on asset {}",
                visible(s),
                visible(&other)
            )));
        }
    }
    let status = a.status.unwrap_or(Status::InStock);
    if !matches!(status, Status::Ordered | Status::InStock) {
        return Err(StoreError::Invalid(format!(
            "a new asset starts as ordered or in_stock, not {status}"
        )));
    }
    let mut manufacturer = match &a.manufacturer {
        Some(m) => get_or_create(tx.conn, NameTable::Manufacturers, m)?,
        None => None,
    };
    let mut category = match &a.category {
        Some(c) => get_or_create(tx.conn, NameTable::Categories, c)?,
        None => None,
    };
    let model = match &a.model {
        Some(m) => get_or_create_model(tx.conn, m, manufacturer, category)?,
        None => None,
    };
    if let Some((_, mf, cat)) = model {
        manufacturer = manufacturer.or(mf);
        category = category.or(cat);
    }
    let location = match a
        .location
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(code) => Some(location_id(tx, code)?),
        None => None,
    };
    let (owner_person, owner_team) = match &a.owner {
        Some(o) => owner_ids(tx, o)?,
        None => (None, None),
    };
    let supplier = match &a.supplier {
        Some(s) => get_or_create(tx.conn, NameTable::Suppliers, s)?,
        None => None,
    };
    let currency = opt_currency(a.currency.as_deref())?;
    let cost = amount_text(rounded(a.purchase_cost, currency.as_deref()));
    let condition = a.condition.unwrap_or(Condition::New);
    let id: i64 = tx
        .conn
        .prepare_cached(
            "INSERT INTO assets(tag, serial, name, model_id, manufacturer_id, category_id, status,
                condition, location_id, owner_person_id, owner_team_id, supplier_id, order_number,
                purchase_date, purchase_cost, currency, warranty_until, eol_date, notes,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?20) RETURNING id",
        )
        .ctx("adding an asset")?
        .insert(params![
            tag,
            serial,
            opt_text(a.name.as_deref()),
            model.map(|m| m.0),
            manufacturer,
            category,
            status.as_str(),
            condition.as_str(),
            location,
            owner_person,
            owner_team,
            supplier,
            opt_text(a.order_number.as_deref()),
            date_text(a.purchase_date),
            cost,
            // A currency is stored with a cost (USD unless said), or when given explicitly.
            if a.purchase_cost.is_some() || currency.is_some() {
                currency.or(Some("USD".into()))
            } else {
                None
            },
            date_text(a.warranty_until),
            date_text(a.eol_date),
            opt_text(a.notes.as_deref()),
            tx.now,
        ])
        .ctx("adding an asset")?;
    let view = view_by_id(tx.conn, id)?;
    tx.asset_event(id, "create", Value::Null, snapshot(&view), note)?;
    Ok(view)
}

/// The fields of an asset that its history records on creation.
pub fn snapshot(v: &AssetView) -> Value {
    let mut m = serde_json::to_value(v).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut m {
        for k in [
            "created_at",
            "updated_at",
            "location_name",
            "assignee_name",
            "last_seen_at",
        ] {
            map.remove(k);
        }
        map.retain(|_, v| !v.is_null());
    }
    m
}

impl Store {
    pub fn add_asset(&mut self, a: &NewAsset) -> Result<AssetView> {
        self.add_asset_and(a, |_, _| Ok(()))
    }

    /// [`Store::add_asset`] and more writes to the new asset (its custom fields, its home
    /// location) in the same transaction: `also` gets its id; a refusal saves nothing.
    pub fn add_asset_and(
        &mut self,
        a: &NewAsset,
        also: impl FnOnce(&Tx<'_>, i64) -> Result<()>,
    ) -> Result<AssetView> {
        self.write(|tx| {
            let v = insert_asset(tx, a, None)?;
            also(tx, v.id)?;
            view_by_id(tx.conn, v.id)
        })
        .map_err(|e| {
            if unique_violation(&e) {
                StoreError::Refused(format!(
                    "tag or serial of '{}' is already in use",
                    visible(&a.tag)
                ))
            } else {
                e
            }
        })
    }

    pub fn edit_asset(
        &mut self,
        code: &str,
        e: &AssetEdit,
        note: Option<&str>,
    ) -> Result<AssetView> {
        self.edit_asset_and(code, e, note, |_, _| Ok(()))
    }

    /// [`Store::edit_asset`] and more writes to the same asset (its custom fields, its home
    /// location) in the same transaction: `also` gets the asset's id after the edit, and a
    /// refusal from either saves nothing.
    pub fn edit_asset_and(
        &mut self,
        code: &str,
        e: &AssetEdit,
        note: Option<&str>,
        also: impl FnOnce(&Tx<'_>, i64) -> Result<()>,
    ) -> Result<AssetView> {
        self.write(|tx| {
            let v = edit_asset_tx(tx, code, e, note)?;
            also(tx, v.id)?;
            view_by_id(tx.conn, v.id)
        })
    }

    /// Check an asset out to a person. Refused unless in_stock; a lost race names the holder.
    pub fn checkout(
        &mut self,
        code: &str,
        username: &str,
        due: Option<NaiveDate>,
        note: Option<&str>,
    ) -> Result<AssetView> {
        self.write(|tx| checkout_tx(tx, code, username, due, note))
    }

    /// Check an asset back in, optionally grading its condition and shelving it somewhere.
    pub fn checkin(
        &mut self,
        code: &str,
        condition: Option<Condition>,
        to_location: Option<&str>,
        note: Option<&str>,
    ) -> Result<AssetView> {
        self.write(|tx| checkin_tx(tx, code, condition, to_location, note))
    }

    pub fn move_asset(
        &mut self,
        code: &str,
        location: &str,
        note: Option<&str>,
    ) -> Result<AssetView> {
        self.write(|tx| move_asset_tx(tx, code, location, note))
    }

    pub fn set_condition(
        &mut self,
        code: &str,
        condition: Condition,
        note: Option<&str>,
    ) -> Result<AssetView> {
        self.write(|tx| {
            let cur = current(tx, code)?;
            transition(cur.status, Action::Modify)?;
            tx.conn
                .prepare_cached(
                    "UPDATE assets SET condition = ?2, condition_note = ?3 WHERE id = ?1",
                )
                .ctx("grading an asset")?
                .execute(params![cur.id, condition.as_str(), opt_text(note)])
                .ctx("grading an asset")?;
            touch(tx, cur.id)?;
            // Recorded even when the grade is unchanged: a fresh inspection is history too.
            tx.asset_event(
                cur.id,
                "condition",
                json!({"condition": cur.condition}),
                json!({"condition": condition}),
                note,
            )?;
            view_by_id(tx.conn, cur.id)
        })
    }

    /// Change status along the lifecycle (repair, lost, found, retire, receive).
    pub fn set_status(
        &mut self,
        code: &str,
        target: Status,
        note: Option<&str>,
    ) -> Result<AssetView> {
        self.write(|tx| set_status_tx(tx, code, target, note))
    }

    pub fn dispose(&mut self, code: &str, d: &DisposalInput) -> Result<AssetView> {
        self.write(|tx| {
            let cur = current(tx, code)?;
            let to = transition(cur.status, Action::Dispose)?;
            let date = date_text(d.date).unwrap_or_else(|| tx.now[..10].to_string());
            let proceeds = amount_text(rounded(d.proceeds, cur.currency.as_deref()));
            tx.conn
                .prepare_cached(
                    "INSERT INTO disposals(asset_id, method, disposed_on, wipe, certificate, proceeds,
                       recipient, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .ctx("recording the disposal")?
                .execute(params![
                    cur.id,
                    d.method.as_str(),
                    date,
                    d.wipe.as_str(),
                    opt_text(d.certificate.as_deref()),
                    proceeds,
                    opt_text(d.recipient.as_deref()),
                    opt_text(d.note.as_deref()),
                    tx.now
                ])
                .ctx("recording the disposal")?;
            tx.conn
                .prepare_cached("UPDATE assets SET status = ?2 WHERE id = ?1")
                .ctx("disposing")?
                .execute(params![cur.id, to.as_str()])
                .ctx("disposing")?;
            touch(tx, cur.id)?;
            let after = json!({
                "status": to, "method": d.method, "date": date, "wipe": d.wipe,
                "certificate": opt_text(d.certificate.as_deref()), "proceeds": proceeds,
                "recipient": opt_text(d.recipient.as_deref()),
            });
            tx.asset_event(cur.id, "dispose", json!({"status": cur.status}), after, d.note.as_deref())?;
            view_by_id(tx.conn, cur.id)
        })
    }

    /// The disposal record of an asset, if it was disposed.
    pub fn disposal(&self, id: i64) -> Result<Option<Value>> {
        self.conn
            .prepare_cached(
                "SELECT method, disposed_on, wipe, certificate, proceeds, recipient, note
                 FROM disposals WHERE asset_id = ?1",
            )
            .ctx("reading a disposal")?
            .query_row([id], |r| {
                Ok(json!({
                    "method": r.get::<_, String>(0)?, "date": r.get::<_, String>(1)?,
                    "wipe": r.get::<_, String>(2)?, "certificate": r.get::<_, Option<String>>(3)?,
                    "proceeds": r.get::<_, Option<String>>(4)?, "recipient": r.get::<_, Option<String>>(5)?,
                    "note": r.get::<_, Option<String>>(6)?,
                }))
            })
            .optional()
            .ctx("reading a disposal")
    }
}

/// The body of `Store::checkout`, for callers that hold a transaction already.
pub fn checkout_tx(
    tx: &Tx,
    code: &str,
    username: &str,
    due: Option<NaiveDate>,
    note: Option<&str>,
) -> Result<AssetView> {
    let cur = current(tx, code)?;
    if cur.status == Status::Deployed {
        return Err(StoreError::Refused(format!(
            "{} is already checked out to {}{} since {}",
            visible(&cur.tag),
            cur.assignee.as_deref().map(visible).unwrap_or_default(),
            cur.assignee_name
                .as_deref()
                .map(|n| format!(" ({})", visible(n)))
                .unwrap_or_default(),
            cur.assigned_at
                .map_or_else(|| "an unknown time".to_string(), |t| t.to_string()),
        )));
    }
    let to = transition(cur.status, Action::CheckOut)?;
    let person: Option<(i64, String, bool)> = tx
        .conn
        .prepare_cached("SELECT id, username, active FROM people WHERE username = ?1 OR badge = ?1 ORDER BY username = ?1 DESC LIMIT 1")
        .ctx("looking up a person")?
        .query_row([username.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .ctx("looking up a person")?;
    let Some((pid, uname, active)) = person else {
        return Err(StoreError::NotFound(format!(
            "no person has the username or badge '{}' (add them with `itam person add`)",
            visible(username)
        )));
    };
    if !active {
        return Err(StoreError::Refused(format!(
            "{} is inactive (offboarded); cannot check out to them",
            visible(&uname)
        )));
    }
    let due = date_text(due);
    tx.conn
        .prepare_cached(
            "UPDATE assets SET status = ?2, assignee_id = ?3, assigned_at = ?4, due_date = ?5,
             last_seen_at = ?4 WHERE id = ?1",
        )
        .ctx("checking out")?
        .execute(params![cur.id, to.as_str(), pid, tx.now, due])
        .ctx("checking out")?;
    touch(tx, cur.id)?;
    let mut after = json!({"status": to, "assignee": uname});
    if let Some(d) = &due {
        after["due_date"] = json!(d);
    }
    tx.asset_event(
        cur.id,
        "checkout",
        json!({"status": cur.status, "assignee": Value::Null}),
        after,
        note,
    )?;
    view_by_id(tx.conn, cur.id)
}

/// The body of `Store::checkin`, for callers that hold a transaction already.
pub fn checkin_tx(
    tx: &Tx,
    code: &str,
    condition: Option<Condition>,
    to_location: Option<&str>,
    note: Option<&str>,
) -> Result<AssetView> {
    let cur = current(tx, code)?;
    let to = transition(cur.status, Action::CheckIn)?;
    let loc = match to_location {
        Some(c) => Some((location_id(tx, c)?, c.trim().to_string())),
        // No place scanned: the asset goes back to its home (Snipe-IT's rtd_location).
        None => super::fields::home_location(tx.conn, cur.id)?
            .filter(|h| cur.location.as_deref() != Some(h.code.as_str()))
            .map(|h| -> Result<(i64, String)> { Ok((location_id(tx, &h.code)?, h.code)) })
            .transpose()?,
    };
    let cond = condition.unwrap_or(cur.condition);
    tx.conn
            .prepare_cached(
                "UPDATE assets SET status = ?2, assignee_id = NULL, assigned_at = NULL, due_date = NULL,
                 condition = ?3, location_id = COALESCE(?4, location_id), last_seen_at = ?5 WHERE id = ?1",
            )
            .ctx("checking in")?
            .execute(params![cur.id, to.as_str(), cond.as_str(), loc.as_ref().map(|l| l.0), tx.now])
            .ctx("checking in")?;
    touch(tx, cur.id)?;
    let mut before = json!({"status": cur.status, "assignee": cur.assignee});
    let mut after = json!({"status": to, "assignee": Value::Null});
    if condition.is_some() {
        before["condition"] = json!(cur.condition);
        after["condition"] = json!(cond);
    }
    if let Some((_, code)) = &loc {
        before["location"] = json!(cur.location);
        after["location"] = json!(code);
    }
    tx.asset_event(cur.id, "checkin", before, after, note)?;
    view_by_id(tx.conn, cur.id)
}

/// The body of `Store::set_status`, for callers that hold a transaction already.
pub fn set_status_tx(tx: &Tx, code: &str, target: Status, note: Option<&str>) -> Result<AssetView> {
    let cur = current(tx, code)?;
    let action = action_to_reach(cur.status, target)?;
    let to = transition(cur.status, action)?;
    // Leaving `deployed` (to repair or lost) ends the assignment.
    let clears = cur.status == Status::Deployed;
    tx.conn
        .prepare_cached(
            "UPDATE assets SET status = ?2,
                   assignee_id = CASE WHEN ?3 THEN NULL ELSE assignee_id END,
                   assigned_at = CASE WHEN ?3 THEN NULL ELSE assigned_at END,
                   due_date = CASE WHEN ?3 THEN NULL ELSE due_date END
                 WHERE id = ?1",
        )
        .ctx("changing status")?
        .execute(params![cur.id, to.as_str(), clears])
        .ctx("changing status")?;
    touch(tx, cur.id)?;
    let mut before = json!({"status": cur.status});
    let mut after = json!({"status": to});
    if clears {
        before["assignee"] = json!(cur.assignee);
        after["assignee"] = Value::Null;
    }
    let kind = if action == Action::CheckIn {
        "checkin"
    } else {
        "status"
    };
    tx.asset_event(cur.id, kind, before, after, note)?;
    view_by_id(tx.conn, cur.id)
}

/// The body of `Store::edit_asset`, for callers that hold a transaction already: one `edit`
/// event for all the fields that change, none when nothing does.
pub fn edit_asset_tx(tx: &Tx, code: &str, e: &AssetEdit, note: Option<&str>) -> Result<AssetView> {
    let cur = current(tx, code)?;
    transition(cur.status, Action::Modify)?;
    if let Some(v) = e.expected_version {
        if v != cur.version {
            return Err(StoreError::Refused(format!(
                "{} was changed by someone else since you opened it (last change {}); \
                 nothing was saved — look at it again and redo the edit",
                visible(&cur.tag),
                cur.updated_at
            )));
        }
    }
    let id = cur.id;
    let mut before = Map::new();
    let mut after = Map::new();
    let mut set =
        |col: &str, key: &str, old: Value, new: Value, sql_val: super::sql::Value| -> Result<()> {
            if old == new {
                return Ok(());
            }
            // Column names come from the fixed list below, never from user text.
            tx.conn
                .prepare_cached(&format!("UPDATE assets SET {col} = ?2 WHERE id = ?1"))
                .ctx("editing an asset")?
                .execute(params![id, sql_val])
                .ctx("editing an asset")?;
            before.insert(key.into(), old);
            after.insert(key.into(), new);
            Ok(())
        };
    use super::sql::Value as Sql;
    let text = |s: Option<String>| s.map(Sql::Text).unwrap_or(Sql::Null);
    let jv = |s: &Option<String>| s.clone().map(Value::String).unwrap_or(Value::Null);

    if let Some(t) = &e.tag {
        let t = clean_tag(t)?;
        if t != cur.tag {
            if tag_taken(tx, &t, Some(id))? {
                return Err(StoreError::Refused(format!(
                    "tag '{}' is already in use",
                    visible(&t)
                )));
            }
            set("tag", "tag", json!(cur.tag), json!(t), Sql::Text(t.clone()))?;
        }
    }
    if let Some(s) = &e.serial {
        let s = clean_serial(Some(s))?;
        if let Some(sv) = &s {
            if let Some(other) = serial_taken(tx, sv, Some(id))? {
                return Err(StoreError::Refused(format!(
                    "serial '{}' is already on asset {}",
                    visible(sv),
                    visible(&other)
                )));
            }
        }
        set("serial", "serial", jv(&cur.serial), jv(&s), text(s.clone()))?;
    }
    let round_in = match &e.currency {
        Some(c) => opt_currency(Some(c))?,
        None => cur.currency.clone(),
    };
    for (field, col, key, old) in [
        (&e.name, "name", "name", &cur.name),
        (
            &e.order_number,
            "order_number",
            "order_number",
            &cur.order_number,
        ),
        (&e.notes, "notes", "notes", &cur.notes),
    ] {
        let Some(raw) = field else { continue };
        let new = opt_text(Some(raw));
        set(col, key, jv(old), jv(&new), text(new.clone()))?;
    }
    for (field, col, old) in [
        (e.purchase_date, "purchase_date", cur.purchase_date),
        (e.warranty_until, "warranty_until", cur.warranty_until),
        (e.eol_date, "eol_date", cur.eol_date),
    ] {
        let Some(new) = field else { continue };
        set(col, col, json!(old), json!(new), text(date_text(new)))?;
    }
    if let Some(new) = e.purchase_cost {
        let new = rounded(new, round_in.as_deref());
        set(
            "purchase_cost",
            "purchase_cost",
            json!(cur.purchase_cost),
            json!(new),
            text(amount_text(new)),
        )?;
    }
    if let Some(raw) = &e.currency {
        let new = opt_currency(Some(raw))?;
        set(
            "currency",
            "currency",
            jv(&cur.currency),
            jv(&new),
            text(new.clone()),
        )?;
    }
    if let Some(m) = &e.manufacturer {
        let mid = get_or_create(tx.conn, NameTable::Manufacturers, m)?;
        set(
            "manufacturer_id",
            "manufacturer",
            jv(&cur.manufacturer),
            jv(&opt_text(Some(&clean_name(m)))),
            mid.map(Sql::Integer).unwrap_or(Sql::Null),
        )?;
    }
    if let Some(c) = &e.category {
        let cid = get_or_create(tx.conn, NameTable::Categories, c)?;
        set(
            "category_id",
            "category",
            jv(&cur.category),
            jv(&opt_text(Some(&clean_name(c)))),
            cid.map(Sql::Integer).unwrap_or(Sql::Null),
        )?;
    }
    if let Some(m) = &e.model {
        let mid = get_or_create_model(tx.conn, m, None, None)?.map(|x| x.0);
        set(
            "model_id",
            "model",
            jv(&cur.model),
            jv(&opt_text(Some(&clean_name(m)))),
            mid.map(Sql::Integer).unwrap_or(Sql::Null),
        )?;
    }
    if let Some(s) = &e.supplier {
        let sid = get_or_create(tx.conn, NameTable::Suppliers, s)?;
        set(
            "supplier_id",
            "supplier",
            jv(&cur.supplier),
            jv(&opt_text(Some(&clean_name(s)))),
            sid.map(Sql::Integer).unwrap_or(Sql::Null),
        )?;
    }
    if let Some(o) = &e.owner {
        let (p, t) = owner_ids(tx, o)?;
        let new = opt_text(Some(&clean_name(o)));
        if jv(&cur.owner) != jv(&new) {
            tx.conn
                .prepare_cached(
                    "UPDATE assets SET owner_person_id = ?2, owner_team_id = ?3 WHERE id = ?1",
                )
                .ctx("editing an asset")?
                .execute(params![id, p, t])
                .ctx("editing an asset")?;
            before.insert("owner".into(), jv(&cur.owner));
            after.insert("owner".into(), jv(&new));
        }
    }
    if after.is_empty() {
        return Ok(cur);
    }
    touch(tx, id)?;
    tx.asset_event(
        id,
        "edit",
        Value::Object(before),
        Value::Object(after),
        note,
    )?;
    view_by_id(tx.conn, id)
}

/// The body of `Store::move_asset`, for callers that hold a transaction already. Refused when
/// the asset is already there.
pub fn move_asset_tx(tx: &Tx, code: &str, location: &str, note: Option<&str>) -> Result<AssetView> {
    let cur = current(tx, code)?;
    transition(cur.status, Action::Modify)?;
    let lid = location_id(tx, location)?;
    let new_code: String = tx
        .conn
        .query_row("SELECT code FROM locations WHERE id = ?1", [lid], |r| {
            r.get(0)
        })
        .ctx("reading a location")?;
    if cur.location.as_deref() == Some(new_code.as_str()) {
        return Err(StoreError::Refused(format!(
            "{} is already at {}",
            visible(&cur.tag),
            visible(&new_code)
        )));
    }
    tx.conn
        .prepare_cached("UPDATE assets SET location_id = ?2, last_seen_at = ?3 WHERE id = ?1")
        .ctx("moving an asset")?
        .execute(params![cur.id, lid, tx.now])
        .ctx("moving an asset")?;
    touch(tx, cur.id)?;
    tx.asset_event(
        cur.id,
        "move",
        json!({"location": cur.location}),
        json!({"location": new_code}),
        note,
    )?;
    view_by_id(tx.conn, cur.id)
}
