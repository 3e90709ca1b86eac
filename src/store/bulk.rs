//! Bulk reads and writes for import and export: read-only look-ups that an importer uses to
//! plan without taking the write lock, a writer that applies a planned import inside one
//! `BEGIN IMMEDIATE` transaction with cached statements and in-memory id caches, and streaming
//! reads of whole tables for export.

use super::assets::{view_from_row, SELECT_VIEW};
use super::error::SqliteContext;
pub use super::lookup::ModelIds;
use super::lookup::{clean_name, get_or_create, NameTable};
use super::sql::{params, OptionalExtension, Param, ValueRef};
use super::staged;
use super::values::{amount_text, date_text};
use super::{Context, NewPerson, PersonDetails, Result, Store, StoreError, Tx};
use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use crate::domain::{AssetView, Condition, Status};
use chrono::NaiveDate;
use rusqlite::types::ToSqlOutput;
use rusqlite::vtab::Context as SqlContext;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::ffi::c_int;
use std::sync::Arc;

mod resolve;

/// One asset to insert, its names not yet resolved to ids (the writer resolves them).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkAsset {
    pub tag: String,
    pub serial: Option<String>,
    pub name: Option<String>,
    pub model: Option<String>,
    pub model_number: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    pub status: Status,
    pub condition: Condition,
    /// A location code that exists, or that the import creates before this asset.
    pub location: Option<String>,
    /// Name of a location the import creates (else the code is used).
    pub location_name: Option<String>,
    /// A username that exists, or that the import creates before this asset.
    pub assignee: Option<String>,
    /// Full name and email of an assignee the import creates.
    pub assignee_name: Option<String>,
    pub assignee_email: Option<String>,
    pub assigned_at: Option<Timestamp>,
    pub due_date: Option<NaiveDate>,
    pub owner: Option<String>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_cost: Option<Decimal>,
    pub currency: Option<String>,
    pub warranty_until: Option<NaiveDate>,
    pub eol_date: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// A field an update may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetField {
    Serial,
    Name,
    Model,
    Manufacturer,
    Category,
    Location,
    Owner,
    Supplier,
    OrderNumber,
    PurchaseDate,
    PurchaseCost,
    Currency,
    WarrantyUntil,
    EolDate,
    Notes,
    Condition,
}

/// One row of the history as export writes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    /// The asset's tag, for asset events.
    pub asset: Option<String>,
    pub subject: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: Option<String>,
}

/// A read transaction held open while an importer plans: without it every look-up (two or
/// three per row) is its own transaction, and taking and dropping the WAL read lock that many
/// times costs more than the look-ups. Ends (COMMIT of a read-only transaction) on drop.
pub struct ReadSnapshot<'a> {
    conn: Option<&'a super::sql::Conn>,
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn {
            // Nothing was written, so ending the transaction cannot lose anything; an error
            // here (there is none to expect) leaves the connection in autocommit regardless.
            let _ = c.execute_batch("COMMIT");
        }
    }
}

impl Store {
    /// Read everything until the returned guard drops from one consistent snapshot. Inside an
    /// open transaction (a caller's own), reads already share one; nothing more is done.
    pub fn read_snapshot(&self) -> Result<ReadSnapshot<'_>> {
        if !self.conn.is_autocommit() {
            return Ok(ReadSnapshot { conn: None });
        }
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .ctx("starting a read")?;
        Ok(ReadSnapshot {
            conn: Some(&self.conn),
        })
    }

    /// Set `PRAGMA wal_autocheckpoint` (pages; 0 turns it off) and return the old value.
    pub fn set_wal_autocheckpoint(&self, pages: i64) -> Result<i64> {
        if self.conn.sqlite().is_none() {
            return Ok(0);
        }
        let old: i64 = self
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .ctx("reading wal_autocheckpoint")?;
        // A pragma takes no bound parameters; `pages` is an integer, never text.
        self.conn
            .query_row(&format!("PRAGMA wal_autocheckpoint = {pages}"), [], |_| {
                Ok(())
            })
            .ctx("setting wal_autocheckpoint")?;
        Ok(old)
    }

    /// Copy what the WAL holds into the database where no reader needs it (never waits).
    pub fn checkpoint_passive(&self) -> Result<()> {
        if self.conn.sqlite().is_none() {
            return Ok(());
        }
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .ctx("checkpointing")
    }

    /// Give this connection a page cache big enough (`mib` MiB) that a bulk write does not spill
    /// pages to the WAL in the middle of its transaction, which keeps the write lock short.
    pub fn set_cache_mib(&self, mib: i64) -> Result<()> {
        if self.conn.sqlite().is_none() {
            return Ok(());
        }
        self.conn
            .execute_batch(&format!(
                "PRAGMA cache_size = {}",
                -(mib.clamp(2, 4096) * 1024)
            ))
            .ctx("setting the page cache size")
    }

    /// The id of the asset with exactly this tag (ignoring case).
    pub fn asset_id_by_tag(&self, tag: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM assets WHERE tag = ?1")
            .ctx("looking up a tag")?
            .query_row([tag], |r| r.get(0))
            .optional()
            .ctx("looking up a tag")
    }

    /// (id, tag) of the asset that has this serial, if any.
    pub fn serial_holder(&self, serial: &str) -> Result<Option<(i64, String)>> {
        self.conn
            .prepare_cached("SELECT id, tag FROM assets WHERE serial = ?1")
            .ctx("looking up a serial")?
            .query_row([serial], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .ctx("looking up a serial")
    }

    /// A person's username as stored and whether they are active, by username (ignoring case).
    pub fn person_status(&self, username: &str) -> Result<Option<(String, bool)>> {
        self.conn
            .prepare_cached("SELECT username, active FROM people WHERE username = ?1")
            .ctx("looking up a person")?
            .query_row([username], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .ctx("looking up a person")
    }

    /// The username of whoever has this badge.
    pub fn badge_holder(&self, badge: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT username FROM people WHERE badge = ?1")
            .ctx("looking up a badge")?
            .query_row([badge], |r| r.get(0))
            .optional()
            .ctx("looking up a badge")
    }

    /// The code of the location whose code, else whose name, is `key` (ignoring case).
    pub fn location_code_for(&self, key: &str) -> Result<Option<String>> {
        let key = clean_name(key);
        self.conn
            .prepare_cached(
                "SELECT code FROM locations WHERE code = ?1
                 UNION ALL SELECT code FROM locations WHERE name = ?1 COLLATE NOCASE LIMIT 1",
            )
            .ctx("looking up a location")?
            .query_row([&key], |r| r.get(0))
            .optional()
            .ctx("looking up a location")
    }

    /// Whether a model of this name exists (ignoring case).
    pub fn model_exists(&self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM models WHERE name = ?1")
            .ctx("looking up a model")?
            .query_row([clean_name(name)], |_| Ok(()))
            .optional()
            .ctx("looking up a model")?
            .is_some())
    }

    /// Many look-ups in one statement: `keys` (deduplicated) go as one JSON array parameter,
    /// joined on the server (`sqlite` for SQLite, `pg` for PostgreSQL, each reading `?1`/`$1`
    /// as that array and returning the key as given in column 0); `f` reads the rest of a row.
    /// A key may match several rows: the first one returned is kept.
    fn look_up_many<T>(
        &self,
        what: &str,
        keys: &[&str],
        sqlite: &str,
        pg: &str,
        f: impl Fn(&super::sql::Row<'_>) -> super::sql::Result<T>,
    ) -> Result<HashMap<String, T>> {
        let sql = if self.conn.is_postgres() { pg } else { sqlite };
        resolve::query_keys(&self.conn, what, keys, sql, f)
    }

    /// [`Store::asset_id_by_tag`] for many tags in one statement: the tags found, as given.
    pub fn asset_ids_by_tags(&self, tags: &[&str]) -> Result<HashMap<String, i64>> {
        self.look_up_many(
            "looking up tags",
            tags,
            "SELECT k.value, a.id FROM json_each(?1) k JOIN main.assets a ON a.tag = k.value",
            "SELECT k.v, a.id FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN assets a ON lower(a.tag) = lower(k.v)",
            |r| r.get(1),
        )
    }

    /// [`Store::serial_holder`] for many serials in one statement.
    pub fn serial_holders(&self, serials: &[&str]) -> Result<HashMap<String, (i64, String)>> {
        self.look_up_many(
            "looking up serials",
            serials,
            "SELECT k.value, a.id, a.tag FROM json_each(?1) k
             JOIN main.assets a ON a.serial = k.value",
            "SELECT k.v, a.id, a.tag FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN assets a ON lower(a.serial) = lower(k.v)",
            |r| Ok((r.get(1)?, r.get(2)?)),
        )
    }

    /// [`Store::person_status`] for many usernames in one statement.
    pub fn people_status(&self, usernames: &[&str]) -> Result<HashMap<String, (String, bool)>> {
        self.look_up_many(
            "looking up people",
            usernames,
            "SELECT k.value, p.username, p.active FROM json_each(?1) k
             JOIN main.people p ON p.username = k.value",
            "SELECT k.v, p.username, p.active FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN people p ON lower(p.username) = lower(k.v)",
            |r| Ok((r.get(1)?, r.get(2)?)),
        )
    }

    /// [`Store::location_code_for`] for many keys in two statements (by code, then by name):
    /// the keys found, as given.
    pub fn location_codes_for(&self, keys: &[&str]) -> Result<HashMap<String, String>> {
        let mut by_clean: HashMap<String, Vec<&str>> = HashMap::with_capacity(keys.len());
        for k in keys {
            by_clean.entry(clean_name(k)).or_default().push(k);
        }
        let clean: Vec<&str> = by_clean.keys().map(String::as_str).collect();
        let mut found = self.look_up_many(
            "looking up locations",
            &clean,
            "SELECT k.value, l.code FROM json_each(?1) k JOIN main.locations l ON l.code = k.value",
            "SELECT k.v, l.code FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN locations l ON lower(l.code) = lower(k.v)",
            |r| r.get::<_, String>(1),
        )?;
        let rest: Vec<&str> = clean
            .iter()
            .copied()
            .filter(|k| !found.contains_key(*k))
            .collect();
        // A location named so, when no code is: the oldest (the one-at-a-time look-up takes
        // the first it meets, which on SQLite's scan in id order is the oldest too).
        let named = self.look_up_many(
            "looking up locations",
            &rest,
            "SELECT k.value, l.code FROM json_each(?1) k
             JOIN main.locations l ON l.name = k.value COLLATE NOCASE ORDER BY l.id",
            "SELECT k.v, l.code FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN locations l ON lower(l.name) = lower(k.v) ORDER BY l.id",
            |r| r.get::<_, String>(1),
        )?;
        found.extend(named);
        let mut out = HashMap::with_capacity(keys.len());
        for (c, code) in found {
            for k in by_clean.get(&c).into_iter().flatten() {
                out.insert((*k).to_string(), code.clone());
            }
        }
        Ok(out)
    }

    /// Every asset, in id order, streamed through `f`.
    pub fn for_each_asset<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(AssetView) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_VIEW} ORDER BY a.id"))
            .ctx("reading assets")?;
        let mut rows = stmt.query([]).ctx("reading assets")?;
        while let Some(r) = rows.next().ctx("reading assets")? {
            f(view_from_row(r).ctx("reading assets")?)?;
        }
        Ok(())
    }

    /// The whole history, oldest first, streamed through `f`.
    pub fn for_each_event<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(EventRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.id, e.at, e.actor, e.kind, a.tag, e.subject, e.before, e.after, e.note
                 FROM events e LEFT JOIN assets a ON a.id = e.asset_id ORDER BY e.id",
            )
            .ctx("reading history")?;
        let mut rows = stmt.query([]).ctx("reading history")?;
        while let Some(r) = rows.next().ctx("reading history")? {
            let row = (|| {
                Ok::<_, super::sql::Error>(EventRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    kind: r.get(3)?,
                    asset: r.get(4)?,
                    subject: r.get(5)?,
                    before: r.get(6)?,
                    after: r.get(7)?,
                    note: r.get(8)?,
                })
            })()
            .ctx("reading history")?;
            f(row)?;
        }
        Ok(())
    }
}

fn key(s: &str) -> String {
    clean_name(s).to_lowercase()
}

/// Applies an import inside one open write transaction. Names are resolved to ids once and
/// cached; every row written appends its event in the same transaction.
pub struct BulkWriter<'a, 'c> {
    tx: &'a Tx<'c>,
    note: Option<String>,
    names: HashMap<(NameTable, String), Option<i64>>,
    models: HashMap<String, ModelIds>,
    people: HashMap<String, i64>,
    locations: HashMap<String, i64>,
    owners: HashMap<String, (Option<i64>, Option<i64>)>,
    /// Events appended so far.
    pub events: u64,
}

impl<'a, 'c> BulkWriter<'a, 'c> {
    /// `note` is recorded on every event (e.g. "imported from assets.csv").
    pub fn new(tx: &'a Tx<'c>, note: Option<String>) -> Self {
        BulkWriter {
            tx,
            note,
            names: HashMap::new(),
            models: HashMap::new(),
            people: HashMap::new(),
            locations: HashMap::new(),
            owners: HashMap::new(),
            events: 0,
        }
    }

    fn event(
        &mut self,
        asset_id: i64,
        kind: &str,
        before: Option<&str>,
        after: &str,
    ) -> Result<()> {
        self.tx
            .conn
            .prepare_cached(
                "INSERT INTO events(asset_id, kind, actor, at, before, after, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .ctx("recording history")?
            .execute(params![
                asset_id,
                kind,
                self.tx.actor,
                self.tx.now,
                before,
                after,
                self.note
            ])
            .ctx("recording history")?;
        self.events += 1;
        Ok(())
    }

    fn subject_event(&mut self, subject: &str, kind: &str, after: serde_json::Value) -> Result<()> {
        self.tx
            .conn
            .prepare_cached(
                "INSERT INTO events(subject, kind, actor, at, after, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .ctx("recording history")?
            .execute(params![subject, kind, self.tx.actor, self.tx.now, after.to_string(), self.note])
            .ctx("recording history")?;
        self.events += 1;
        Ok(())
    }

    /// Id in a small name table (created when new); None for an empty name.
    pub fn name_id(&mut self, table: NameTable, name: Option<&str>) -> Result<Option<i64>> {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return Ok(None);
        };
        let k = (table, key(name));
        if let Some(id) = self.names.get(&k) {
            return Ok(*id);
        }
        let id = get_or_create(self.tx.conn, table, name)?;
        self.names.insert(k, id);
        Ok(id)
    }

    /// (model id, its manufacturer id, its category id), created when new.
    pub fn model(
        &mut self,
        name: Option<&str>,
        number: Option<&str>,
        manufacturer: Option<i64>,
        category: Option<i64>,
    ) -> Result<Option<ModelIds>> {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return Ok(None);
        };
        let k = key(name);
        if let Some(m) = self.models.get(&k) {
            return Ok(Some(*m));
        }
        let clean = clean_name(name);
        let found: Option<(i64, Option<i64>, Option<i64>)> = self
            .tx
            .conn
            .prepare_cached("SELECT id, manufacturer_id, category_id FROM models WHERE name = ?1")
            .ctx("looking up a model")?
            .query_row([&clean], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()
            .ctx("looking up a model")?;
        let m = match found {
            Some(m) => m,
            None => {
                let new_id: i64 = self
                    .tx
                    .conn
                    .prepare_cached(
                        "INSERT INTO models(name, manufacturer_id, category_id, model_number)
                         VALUES (?1, ?2, ?3, ?4) RETURNING id",
                    )
                    .ctx("adding a model")?
                    .insert(params![clean, manufacturer, category, number])
                    .ctx("adding a model")?;
                (new_id, manufacturer, category)
            }
        };
        self.models.insert(k, m);
        Ok(Some(m))
    }

    /// The person's id, added (with a `person_add` event) when no one has the username.
    pub fn person(&mut self, p: &NewPerson) -> Result<i64> {
        let k = p.username.trim().to_lowercase();
        if let Some(id) = self.people.get(&k) {
            return Ok(*id);
        }
        let found: Option<i64> = self
            .tx
            .conn
            .prepare_cached("SELECT id FROM people WHERE username = ?1")
            .ctx("looking up a person")?
            .query_row([p.username.trim()], |r| r.get(0))
            .optional()
            .ctx("looking up a person")?;
        let id =
            match found {
                Some(id) => id,
                None => {
                    let team = self.name_id(NameTable::Teams, p.team.as_deref())?;
                    let username = p.username.trim();
                    let full_name = clean_name(&p.full_name);
                    let id: i64 = self.tx
                    .conn
                    .prepare_cached(
                        "INSERT INTO people(username, full_name, email, badge, team_id, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                    )
                    .ctx("adding a person")?
                    .insert(params![username, full_name, p.email, p.badge, team, self.tx.now])
                    .map_err(|e| unique_to_refused(e, "person", username))?;
                    self.subject_event(
                        &format!("person:{username}"),
                        "person_add",
                        serde_json::json!({"username": username, "full_name": full_name,
                        "email": p.email, "badge": p.badge, "team": p.team}),
                    )?;
                    id
                }
            };
        self.people.insert(k, id);
        Ok(id)
    }

    /// Change an existing person's name, email, badge, team, title, phone or location (a code)
    /// (None leaves a field alone).
    pub fn update_person(
        &mut self,
        p: &NewPerson,
        d: &PersonDetails,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Result<()> {
        let team = self.name_id(NameTable::Teams, p.team.as_deref())?;
        let full_name = Some(clean_name(&p.full_name)).filter(|n| !n.is_empty());
        self.tx
            .conn
            .prepare_cached(
                "UPDATE people SET full_name = COALESCE(?2, full_name), email = COALESCE(?3, email),
                   badge = COALESCE(?4, badge), team_id = COALESCE(?5, team_id) WHERE username = ?1",
            )
            .ctx("updating a person")?
            .execute(params![p.username.trim(), full_name, p.email, p.badge, team])
            .map_err(|e| unique_to_refused(e, "person", &p.username))?;
        if !d.is_empty() {
            self.tx
                .conn
                .prepare_cached(
                    "UPDATE people SET title = COALESCE(?2, title), phone = COALESCE(?3, phone),
                       location_id = COALESCE((SELECT id FROM locations WHERE code = ?4), location_id)
                     WHERE username = ?1",
                )
                .ctx("updating a person")?
                .execute(params![p.username.trim(), d.title, d.phone, d.location])
                .ctx("updating a person")?;
        }
        if d.active == Some(false) {
            self.tx
                .conn
                .prepare_cached("UPDATE people SET active = 0 WHERE username = ?1")
                .ctx("updating a person")?
                .execute(params![p.username.trim()])
                .ctx("updating a person")?;
        }
        let mut change = serde_json::Map::new();
        change.insert("before".into(), before);
        change.insert("after".into(), after);
        self.subject_event(
            &format!("person:{}", p.username.trim()),
            "person_edit",
            serde_json::Value::Object(change),
        )
    }

    /// The location's id by code, added (with a `location_add` event) when new.
    pub fn location(&mut self, code: &str, name: &str, parent: Option<&str>) -> Result<i64> {
        let k = key(code);
        if let Some(id) = self.locations.get(&k) {
            return Ok(*id);
        }
        let code = clean_name(code);
        let found: Option<i64> = self
            .tx
            .conn
            .prepare_cached("SELECT id FROM locations WHERE code = ?1")
            .ctx("looking up a location")?
            .query_row([&code], |r| r.get(0))
            .optional()
            .ctx("looking up a location")?;
        let id = match found {
            Some(id) => id,
            None => {
                let parent_id = match parent {
                    Some(p) => Some(self.location(p, p, None)?),
                    None => None,
                };
                let name = Some(clean_name(name))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| code.clone());
                let id: i64 = self.tx
                    .conn
                    .prepare_cached(
                        "INSERT INTO locations(code, name, parent_id, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                    )
                    .ctx("adding a location")?
                    .insert(params![code, name, parent_id, self.tx.now])
                    .map_err(|e| unique_to_refused(e, "location", &code))?;
                self.subject_event(
                    &format!("location:{code}"),
                    "location_add",
                    serde_json::json!({"code": code, "name": name, "parent": parent}),
                )?;
                id
            }
        };
        self.locations.insert(k, id);
        Ok(id)
    }

    fn owner_ids(&mut self, owner: Option<&str>) -> Result<(Option<i64>, Option<i64>)> {
        let Some(o) = owner.map(clean_name).filter(|o| !o.is_empty()) else {
            return Ok((None, None));
        };
        if let Some(ids) = self.owners.get(&o) {
            return Ok(*ids);
        }
        let ids = self.owner_lookup(&o)?;
        self.owners.insert(o, ids);
        Ok(ids)
    }

    fn owner_lookup(&mut self, o: &str) -> Result<(Option<i64>, Option<i64>)> {
        let person: Option<i64> = self
            .tx
            .conn
            .prepare_cached("SELECT id FROM people WHERE username = ?1")
            .ctx("looking up an owner")?
            .query_row([o], |r| r.get(0))
            .optional()
            .ctx("looking up an owner")?;
        match person {
            Some(id) => Ok((Some(id), None)),
            None => Ok((None, self.name_id(NameTable::Teams, Some(o))?)),
        }
    }

    fn location_id(&mut self, code: Option<&str>) -> Result<Option<i64>> {
        match code.filter(|c| !c.trim().is_empty()) {
            Some(c) => Ok(Some(self.location(c, c, None)?)),
            None => Ok(None),
        }
    }

    /// Change the given fields of asset `id`, bump its version, and record one `edit` event.
    pub fn update_asset(
        &mut self,
        id: i64,
        changes: &[(AssetField, Option<String>)],
        before: &str,
        after: &str,
    ) -> Result<()> {
        use super::sql::Value as Sql;
        for (field, value) in changes {
            let text = |v: &Option<String>| v.clone().map(Sql::Text).unwrap_or(Sql::Null);
            let int = |v: Option<i64>| v.map(Sql::Integer).unwrap_or(Sql::Null);
            let v = value.as_deref();
            let (col, val): (&str, Sql) = match field {
                AssetField::Serial => ("serial", text(value)),
                AssetField::Name => ("name", text(value)),
                AssetField::Model => (
                    "model_id",
                    int(self.model(v, None, None, None)?.map(|m| m.0)),
                ),
                AssetField::Manufacturer => (
                    "manufacturer_id",
                    int(self.name_id(NameTable::Manufacturers, v)?),
                ),
                AssetField::Category => {
                    ("category_id", int(self.name_id(NameTable::Categories, v)?))
                }
                AssetField::Supplier => {
                    ("supplier_id", int(self.name_id(NameTable::Suppliers, v)?))
                }
                AssetField::Location => ("location_id", int(self.location_id(v)?)),
                AssetField::OrderNumber => ("order_number", text(value)),
                AssetField::PurchaseDate => ("purchase_date", text(value)),
                AssetField::PurchaseCost => ("purchase_cost", text(value)),
                AssetField::Currency => ("currency", text(value)),
                AssetField::WarrantyUntil => ("warranty_until", text(value)),
                AssetField::EolDate => ("eol_date", text(value)),
                AssetField::Notes => ("notes", text(value)),
                AssetField::Condition => ("condition", text(value)),
                AssetField::Owner => {
                    let (p, t) = self.owner_ids(v)?;
                    self.tx
                        .conn
                        .prepare_cached("UPDATE assets SET owner_person_id = ?2, owner_team_id = ?3 WHERE id = ?1")
                        .ctx("updating an asset")?
                        .execute(params![id, p, t])
                        .ctx("updating an asset")?;
                    continue;
                }
            };
            // Column names come from the fixed list above, never from the file.
            self.tx
                .conn
                .prepare_cached(&format!("UPDATE assets SET {col} = ?2 WHERE id = ?1"))
                .ctx("updating an asset")?
                .execute(params![id, val])
                .map_err(|e| unique_to_refused(e, "asset", &id.to_string()))?;
        }
        self.tx
            .conn
            .prepare_cached(
                "UPDATE assets SET updated_at = ?2, version = version + 1 WHERE id = ?1",
            )
            .ctx("updating an asset")?
            .execute(params![id, self.tx.now])
            .ctx("updating an asset")?;
        self.event(id, "edit", Some(before), after)
    }

    /// Add a model (with its manufacturer and category) unless one of that name exists.
    pub fn add_model(
        &mut self,
        name: &str,
        manufacturer: Option<&str>,
        category: Option<&str>,
        number: Option<&str>,
    ) -> Result<i64> {
        let mf = self.name_id(NameTable::Manufacturers, manufacturer)?;
        let cat = self.name_id(NameTable::Categories, category)?;
        let m = self
            .model(Some(name), number, mf, cat)?
            .ok_or_else(|| StoreError::Invalid("a model needs a name".into()))?;
        self.subject_event(
            &format!("model:{}", clean_name(name)),
            "model_add",
            serde_json::json!({"name": clean_name(name), "manufacturer": manufacturer,
                "category": category, "model_number": number}),
        )?;
        Ok(m.0)
    }
}

/// An asset written with its own past (demo data): names already resolved to ids through the
/// same [`BulkWriter`], its own timestamps, and the events that led to its state.
#[derive(Debug, Clone, PartialEq)]
pub struct PastAsset {
    pub tag: String,
    pub serial: Option<String>,
    pub model: ModelIds,
    pub status: Status,
    pub condition: Condition,
    pub location: Option<i64>,
    pub assignee: Option<i64>,
    pub assigned_at: Option<Timestamp>,
    pub owner_team: Option<i64>,
    pub supplier: Option<i64>,
    pub order_number: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_cost: Option<Decimal>,
    pub currency: Option<String>,
    pub warranty_until: Option<NaiveDate>,
    pub eol_date: Option<NaiveDate>,
    pub last_seen_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One event of a [`PastAsset`]'s history, with the time it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct PastEvent {
    pub kind: &'static str,
    pub at: Timestamp,
    pub before: Option<String>,
    pub after: String,
}

/// How a disposed [`PastAsset`] left.
#[derive(Debug, Clone, PartialEq)]
pub struct PastDisposal {
    pub method: crate::domain::DisposalMethod,
    pub disposed_on: NaiveDate,
    pub wipe: crate::domain::WipeMethod,
    pub certificate: Option<String>,
    pub proceeds: Option<Decimal>,
    pub recipient: Option<String>,
    pub at: Timestamp,
}

impl BulkWriter<'_, '_> {
    /// Write an asset with its history (oldest event first) and disposal; its new id.
    pub fn insert_past(
        &mut self,
        a: &PastAsset,
        history: &[PastEvent],
        disposal: Option<&PastDisposal>,
    ) -> Result<i64> {
        let conn = self.tx.conn;
        let id: i64 = conn
            .prepare_cached(
                "INSERT INTO assets(tag, serial, model_id, manufacturer_id, category_id, status,
               condition, location_id, assignee_id, assigned_at, owner_team_id, supplier_id,
               order_number, purchase_date, purchase_cost, currency, warranty_until, eol_date,
               last_seen_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
               ?18, ?19, ?20, ?21) RETURNING id",
            )
            .ctx("writing an asset")?
            .insert(params![
                a.tag,
                a.serial,
                a.model.0,
                a.model.1,
                a.model.2,
                a.status.as_str(),
                a.condition.as_str(),
                a.location,
                a.assignee,
                a.assigned_at.map(|t| t.to_string()),
                a.owner_team,
                a.supplier,
                a.order_number,
                date_text(a.purchase_date),
                amount_text(a.purchase_cost),
                a.currency,
                date_text(a.warranty_until),
                date_text(a.eol_date),
                a.last_seen_at.map(|t| t.to_string()),
                a.created_at.to_string(),
                a.updated_at.to_string(),
            ])
            .map_err(|e| unique_to_refused(e, "asset", &a.tag))?;
        let mut ins = conn
            .prepare_cached(
                "INSERT INTO events(asset_id, kind, actor, at, before, after, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .ctx("recording history")?;
        for e in history {
            ins.execute(params![
                id,
                e.kind,
                self.tx.actor,
                e.at.to_string(),
                e.before,
                e.after,
                self.note
            ])
            .ctx("recording history")?;
        }
        self.events += history.len() as u64;
        if let Some(d) = disposal {
            conn.prepare_cached(
                "INSERT INTO disposals(asset_id, method, disposed_on, wipe, certificate,
                   proceeds, recipient, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .ctx("recording a disposal")?
            .execute(params![
                id,
                d.method.as_str(),
                date_text(Some(d.disposed_on)),
                d.wipe.as_str(),
                d.certificate,
                amount_text(d.proceeds),
                d.recipient,
                d.at.to_string()
            ])
            .ctx("recording a disposal")?;
        }
        Ok(id)
    }
}

/// A UNIQUE failure inside an import means someone else wrote the same tag, serial, code or
/// username after the import was checked: say so in words.
fn unique_to_refused(e: super::sql::Error, what: &str, key: &str) -> StoreError {
    let msg = e.to_string();
    if msg.contains("UNIQUE") || e.is_unique_violation() {
        StoreError::Refused(format!(
            "{what} '{}' conflicts with a row written after the file was checked ({msg}); \
             nothing was imported, run the import again",
            visible(key)
        ))
    } else {
        Err::<(), _>(e)
            .ctx(&format!("writing {what} '{}'", visible(key)))
            .err()
            .unwrap_or(StoreError::Invalid(msg))
    }
}

/// Something an import's rows refer to by name, resolved to ids inside the write transaction
/// (get-or-create, as the row-by-row writer did), in the order the rows first need it so that
/// ids and creation events come out as a row-by-row import would make them. `slot`s index the
/// ids that the staged rows hold in place of names.
#[derive(Debug, Clone)]
enum Need {
    Name {
        table: NameTable,
        name: String,
        slot: i64,
    },
    /// A model is created with the manufacturer and category of the first row naming it;
    /// `mf_slot`/`cat_slot` receive the model's own, for rows that give none.
    Model {
        name: String,
        number: Option<String>,
        mf: Option<i64>,
        cat: Option<i64>,
        slot: i64,
        mf_slot: i64,
        cat_slot: i64,
    },
    Location {
        code: String,
        name: String,
        slot: i64,
    },
    Person {
        person: NewPerson,
        slot: i64,
    },
    /// An owner is a person when one has the username, else a team (created when new).
    Owner {
        name: String,
        person_slot: i64,
        team_slot: i64,
    },
}

/// New assets (and their events) ready for [`BulkWriter::insert_staged`], built in memory
/// without touching the database: every value final except the ids of names, which are slots
/// (see [`Need`]) resolved inside the write transaction.
#[derive(Debug)]
pub struct StagedAssets {
    needs: Vec<Need>,
    slots: i64,
    creates: Arc<Vec<(BulkAsset, String)>>,
    assets: Arc<Vec<StagedAsset>>,
    history: Arc<Vec<StagedEvent>>,
    /// Assets staged.
    pub rows: u64,
    /// Events staged (a create for each asset, a checkout for each deployed one).
    pub events: u64,
}

/// The slots a staged asset's names resolve through (the row itself is the plan's).
#[derive(Debug)]
struct StagedAsset {
    model: Option<i64>,
    manufacturer: Option<i64>,
    category: Option<i64>,
    location: Option<i64>,
    assignee: Option<i64>,
    owner_person: Option<i64>,
    owner_team: Option<i64>,
    supplier: Option<i64>,
}

/// A staged event of the `n`th staged asset (1-based): its create event (whose JSON is the
/// plan's), or a checkout to the assignee the file gives.
#[derive(Debug)]
struct StagedEvent {
    n: usize,
    checkout: Option<String>,
}

/// What a checked-out asset was before its import-time checkout.
const CHECKOUT_BEFORE: &str = r#"{"assignee":null,"status":"in_stock"}"#;

/// The virtual tables the write transaction copies from (see [`staged`]).
const STAGED_ASSETS: &str = "itam_staged_assets";
const STAGED_EVENTS: &str = "itam_staged_events";

/// While alive, the staged rows may be shown on the connection; dropping it shows empty
/// tables instead (each on its own), so an import's rows are not held until the next one.
struct Shown<'c>(&'c rusqlite::Connection);

impl Drop for Shown<'_> {
    fn drop(&mut self) {
        let empty = AssetRows {
            creates: Arc::default(),
            rows: Arc::default(),
            ids: Vec::new(),
            now: String::new(),
        };
        // Registering a module only fails when SQLite is out of memory; the rows are then
        // freed with the connection instead.
        let _ = staged::show(self.0, STAGED_ASSETS, Arc::new(empty));
        let events = EventRows {
            creates: Arc::default(),
            events: Arc::default(),
        };
        let _ = staged::show(self.0, STAGED_EVENTS, Arc::new(events));
    }
}

/// Staged assets with their slots resolved: the rows of `itam_staged_assets`.
struct AssetRows {
    creates: Arc<Vec<(BulkAsset, String)>>,
    rows: Arc<Vec<StagedAsset>>,
    ids: Vec<Option<i64>>,
    now: String,
}

impl AssetRows {
    fn id(&self, slot: Option<i64>) -> Option<i64> {
        slot.and_then(|s| self.ids.get(s as usize).copied().flatten())
    }
}

impl staged::Rows for AssetRows {
    // Named as the `assets` columns they fill, in the order the insert lists them.
    const SCHEMA: &'static str = "CREATE TABLE x(tag, serial, name, model_id, manufacturer_id,
        category_id, status, condition, location_id, assignee_id, assigned_at, due_date,
        owner_person_id, owner_team_id, supplier_id, order_number, purchase_date,
        purchase_cost, currency, warranty_until, eol_date, notes)";

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn column(&self, row: usize, col: c_int, ctx: &mut SqlContext) -> rusqlite::Result<()> {
        ctx.set_result(&ToSqlOutput::Borrowed(self.value(row, col).as_value()))
    }
}

impl AssetRows {
    /// Column `col` of row `row`, as the insert gets it (SQLite reads it through the virtual
    /// table, PostgreSQL as a parameter).
    fn value(&self, row: usize, col: c_int) -> Cell<'_> {
        let r = &self.rows[row];
        let a = &self.creates[row].0;
        Cell::Lent(match col {
            0 => Param::value(&a.tag),
            1 => Param::value(&a.serial),
            2 => Param::value(&a.name),
            3 => int(self.id(r.model)),
            4 => int(self.id(r.manufacturer)),
            5 => int(self.id(r.category)),
            6 => ValueRef::from(a.status.as_str()),
            7 => ValueRef::from(a.condition.as_str()),
            8 => int(self.id(r.location)),
            9 => int(self.id(r.assignee)),
            // Checked out now unless the file says when.
            10 => match (r.assignee, a.assigned_at) {
                (None, _) => ValueRef::Null,
                (Some(_), Some(t)) => return Cell::Text(t.to_string()),
                (Some(_), None) => ValueRef::from(self.now.as_str()),
            },
            11 => return Cell::text(date_text(a.due_date)),
            12 => int(self.id(r.owner_person)),
            13 => int(self.id(r.owner_team)),
            14 => int(self.id(r.supplier)),
            15 => Param::value(&a.order_number),
            16 => return Cell::text(date_text(a.purchase_date)),
            17 => return Cell::text(amount_text(a.purchase_cost)),
            18 => Param::value(&a.currency),
            19 => return Cell::text(date_text(a.warranty_until)),
            20 => return Cell::text(date_text(a.eol_date)),
            _ => Param::value(&a.notes),
        })
    }
}

/// A staged column: lent from the plan, or the stored text of a typed value (a date, an
/// amount, a time), made when it is read.
enum Cell<'a> {
    Lent(ValueRef<'a>),
    Text(String),
}

impl Cell<'_> {
    fn text(s: Option<String>) -> Cell<'static> {
        s.map_or(Cell::Lent(ValueRef::Null), Cell::Text)
    }

    fn as_value(&self) -> ValueRef<'_> {
        match self {
            Cell::Lent(v) => *v,
            Cell::Text(s) => ValueRef::from(s.as_str()),
        }
    }
}

fn int(id: Option<i64>) -> ValueRef<'static> {
    id.map_or(ValueRef::Null, ValueRef::Integer)
}

/// The rows of `itam_staged_events`.
struct EventRows {
    creates: Arc<Vec<(BulkAsset, String)>>,
    events: Arc<Vec<StagedEvent>>,
}

impl staged::Rows for EventRows {
    const SCHEMA: &'static str = "CREATE TABLE x(n, kind, before, after)";

    fn len(&self) -> usize {
        self.events.len()
    }

    fn column(&self, row: usize, col: c_int, ctx: &mut SqlContext) -> rusqlite::Result<()> {
        ctx.set_result(&ToSqlOutput::Borrowed(self.value(row, col)))
    }
}

impl EventRows {
    fn value(&self, row: usize, col: c_int) -> ValueRef<'_> {
        let e = &self.events[row];
        match (col, &e.checkout) {
            (0, _) => ValueRef::Integer(e.n as i64),
            (1, None) => ValueRef::from("create"),
            (1, Some(_)) => ValueRef::from("checkout"),
            (2, None) => ValueRef::Null,
            (2, Some(_)) => ValueRef::from(CHECKOUT_BEFORE),
            (_, None) => Param::value(&self.creates[e.n - 1].1),
            (_, Some(after)) => Param::value(after),
        }
    }
}

/// Slots for the names of the rows being staged, deduplicated with the same keys as the
/// [`BulkWriter`] caches (so a slot resolves to the id the writer would have used).
#[derive(Default)]
struct Slots {
    needs: Vec<Need>,
    next: i64,
    names: HashMap<(NameTable, String), i64>,
    models: HashMap<String, (i64, i64, i64)>,
    locations: HashMap<String, i64>,
    people: HashMap<String, i64>,
    owners: HashMap<String, (i64, i64)>,
}

impl Slots {
    fn take(&mut self) -> i64 {
        self.next += 1;
        self.next
    }

    fn name(&mut self, table: NameTable, name: Option<&str>) -> Option<i64> {
        let name = name.filter(|n| !n.trim().is_empty())?;
        let k = (table, key(name));
        if let Some(s) = self.names.get(&k) {
            return Some(*s);
        }
        let slot = self.take();
        self.needs.push(Need::Name {
            table,
            name: name.to_string(),
            slot,
        });
        self.names.insert(k, slot);
        Some(slot)
    }

    fn model(
        &mut self,
        name: Option<&str>,
        number: Option<&str>,
        mf: Option<i64>,
        cat: Option<i64>,
    ) -> Option<(i64, i64, i64)> {
        let name = name.filter(|n| !n.trim().is_empty())?;
        let k = key(name);
        if let Some(m) = self.models.get(&k) {
            return Some(*m);
        }
        let m = (self.take(), self.take(), self.take());
        self.needs.push(Need::Model {
            name: name.to_string(),
            number: number.map(str::to_string),
            mf,
            cat,
            slot: m.0,
            mf_slot: m.1,
            cat_slot: m.2,
        });
        self.models.insert(k, m);
        Some(m)
    }

    fn location(&mut self, code: &str, name: &str) -> i64 {
        let k = key(code);
        if let Some(s) = self.locations.get(&k) {
            return *s;
        }
        let slot = self.take();
        self.needs.push(Need::Location {
            code: code.to_string(),
            name: name.to_string(),
            slot,
        });
        self.locations.insert(k, slot);
        slot
    }

    fn person(&mut self, p: NewPerson) -> i64 {
        let k = p.username.trim().to_lowercase();
        if let Some(s) = self.people.get(&k) {
            return *s;
        }
        let slot = self.take();
        self.needs.push(Need::Person { person: p, slot });
        self.people.insert(k, slot);
        slot
    }

    fn owner(&mut self, owner: Option<&str>) -> (Option<i64>, Option<i64>) {
        let Some(o) = owner.map(clean_name).filter(|o| !o.is_empty()) else {
            return (None, None);
        };
        if let Some((p, t)) = self.owners.get(&o) {
            return (Some(*p), Some(*t));
        }
        let (p, t) = (self.take(), self.take());
        self.needs.push(Need::Owner {
            name: o.clone(),
            person_slot: p,
            team_slot: t,
        });
        self.owners.insert(o, (p, t));
        (Some(p), Some(t))
    }
}

impl StagedAssets {
    /// Stage `creates` (each asset with its `create` event's JSON). Touches no database, so
    /// it takes no lock. `progress` gets rows staged.
    pub fn stage(creates: &Arc<Vec<(BulkAsset, String)>>, progress: &mut dyn FnMut(u64)) -> Self {
        let mut slots = Slots::default();
        let mut assets = Vec::with_capacity(creates.len());
        let mut history = Vec::with_capacity(creates.len());
        for (i, (a, _)) in creates.iter().enumerate() {
            let n = i + 1;
            // The same names, in the same order, as the row-by-row writer resolved them.
            let mut manufacturer = slots.name(NameTable::Manufacturers, a.manufacturer.as_deref());
            let mut category = slots.name(NameTable::Categories, a.category.as_deref());
            let model = slots.model(
                a.model.as_deref(),
                a.model_number.as_deref(),
                manufacturer,
                category,
            );
            if let Some((_, mf, cat)) = model {
                manufacturer = manufacturer.or(Some(mf));
                category = category.or(Some(cat));
            }
            let location = a
                .location
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(|c| slots.location(c, a.location_name.as_deref().unwrap_or(c)));
            let assignee = a.assignee.as_ref().map(|u| {
                slots.person(NewPerson {
                    username: u.clone(),
                    full_name: a.assignee_name.clone().unwrap_or_else(|| u.clone()),
                    email: a.assignee_email.clone(),
                    ..Default::default()
                })
            });
            let (owner_person, owner_team) = slots.owner(a.owner.as_deref());
            let supplier = slots.name(NameTable::Suppliers, a.supplier.as_deref());
            history.push(StagedEvent { n, checkout: None });
            if let Some(u) = &a.assignee {
                let mut after = serde_json::json!({"status": "deployed", "assignee": u});
                if let Some(d) = &a.due_date {
                    after["due_date"] = serde_json::json!(d);
                }
                history.push(StagedEvent {
                    n,
                    checkout: Some(after.to_string()),
                });
            }
            assets.push(StagedAsset {
                model: model.map(|m| m.0),
                manufacturer,
                category,
                location,
                assignee,
                owner_person,
                owner_team,
                supplier,
            });
            if n % 1000 == 0 {
                progress(n as u64);
            }
        }
        StagedAssets {
            rows: assets.len() as u64,
            events: history.len() as u64,
            needs: slots.needs,
            slots: slots.next,
            creates: Arc::clone(creates),
            assets: Arc::new(assets),
            history: Arc::new(history),
        }
    }
}

impl BulkWriter<'_, '_> {
    /// Write staged assets and their events: resolve (creating when new) the names they
    /// refer to (one at a time on SQLite, in sets on PostgreSQL: see `resolve`), then two
    /// set-based `INSERT ... SELECT`s from the staged rows (SQLite) or two COPYs (PostgreSQL,
    /// see `insert_rows`). Ids are
    /// assigned here, in the write transaction, after the last asset and event (as row-by-row
    /// inserts would): assets and their events keep file order and events keep increasing
    /// ids. A tag or serial someone else took since the plan is refused by the UNIQUE indexes,
    /// naming it; the caller's transaction then rolls back.
    pub fn insert_staged(&mut self, staged: &StagedAssets) -> Result<()> {
        let ctx = "writing staged assets";
        let ids = if self.tx.conn.is_postgres() {
            self.resolve_needs_set(staged)?
        } else {
            self.resolve_needs(staged)?
        };
        let conn = self.tx.conn;
        self.check_slot_ids(staged, &ids)?;
        // The staged rows are SQLite virtual tables over memory; no other backend has them.
        let Some(sqlite) = conn.sqlite() else {
            return self.insert_rows(staged, ids);
        };
        let last_asset: i64 = conn
            .query_row("SELECT COALESCE(max(id), 0) FROM main.assets", [], |r| {
                r.get(0)
            })
            .ctx(ctx)?;
        let rows = AssetRows {
            creates: Arc::clone(&staged.creates),
            rows: Arc::clone(&staged.assets),
            ids,
            now: self.tx.now.clone(),
        };
        // From here on, whatever happens, the connection lets go of the rows when `shown` drops.
        let shown = Shown(sqlite);
        staged::show(sqlite, STAGED_ASSETS, Arc::new(rows)).ctx(ctx)?;
        let events = EventRows {
            creates: Arc::clone(&staged.creates),
            events: Arc::clone(&staged.history),
        };
        staged::show(sqlite, STAGED_EVENTS, Arc::new(events)).ctx(ctx)?;
        let copied = self.copy_staged(staged, last_asset);
        drop(shown);
        copied
    }

    /// [`StagedAssets`]' needs resolved to ids (indexed by slot) one at a time, in order,
    /// through the writer's get-or-create (SQLite: each look-up is a function call).
    fn resolve_needs(&mut self, staged: &StagedAssets) -> Result<Vec<Option<i64>>> {
        let mut ids: Vec<Option<i64>> = vec![None; staged.slots as usize + 1];
        let id_of = |ids: &[Option<i64>], slot: &Option<i64>| {
            slot.and_then(|s| ids.get(s as usize).copied().flatten())
        };
        for need in &staged.needs {
            let got: Vec<(i64, Option<i64>)> = match need {
                Need::Name { table, name, slot } => {
                    vec![(*slot, self.name_id(*table, Some(name))?)]
                }
                Need::Model {
                    name,
                    number,
                    mf,
                    cat,
                    slot,
                    mf_slot,
                    cat_slot,
                } => {
                    let (mf, cat) = (id_of(&ids, mf), id_of(&ids, cat));
                    match self.model(Some(name), number.as_deref(), mf, cat)? {
                        Some((id, m, c)) => vec![(*slot, Some(id)), (*mf_slot, m), (*cat_slot, c)],
                        None => Vec::new(),
                    }
                }
                Need::Location { code, name, slot } => {
                    vec![(*slot, Some(self.location(code, name, None)?))]
                }
                Need::Person { person, slot } => vec![(*slot, Some(self.person(person)?))],
                Need::Owner {
                    name,
                    person_slot,
                    team_slot,
                } => {
                    let (p, t) = self.owner_ids(Some(name))?;
                    vec![(*person_slot, p), (*team_slot, t)]
                }
            };
            for (slot, id) in got {
                if let Some(s) = ids.get_mut(slot as usize) {
                    *s = id;
                }
            }
        }
        Ok(ids)
    }

    fn copy_staged(&mut self, staged: &StagedAssets, last_asset: i64) -> Result<()> {
        let conn = self.tx.conn;
        let inserted = conn.execute(
            "INSERT INTO main.assets(tag, serial, name, model_id, manufacturer_id,
                category_id, status, condition, location_id, assignee_id, assigned_at, due_date,
                owner_person_id, owner_team_id, supplier_id, order_number, purchase_date,
                purchase_cost, currency, warranty_until, eol_date, notes, created_at, updated_at,
                home_location_id)
             SELECT tag, serial, name, model_id, manufacturer_id,
                category_id, status, condition, location_id, assignee_id, assigned_at, due_date,
                owner_person_id, owner_team_id, supplier_id, order_number, purchase_date,
                purchase_cost, currency, warranty_until, eol_date, notes, ?1, ?1,
                location_id
             FROM itam_staged_assets ORDER BY rowid",
            params![self.tx.now],
        );
        if let Err(e) = inserted {
            return Err(self.staged_conflict(e));
        }
        // Without an id, SQLite gives each row the largest id + 1, so row n got last + n (and
        // skips the uniqueness probe an explicit id needs). Checked, not assumed: the events
        // below point at these ids.
        let last_rowid = conn.sqlite().map_or(0, |c| c.last_insert_rowid());
        if last_rowid != last_asset + staged.rows as i64 {
            return Err(StoreError::Invalid(format!(
                "imported assets did not get consecutive ids after {last_asset}; nothing was imported"
            )));
        }
        conn.execute(
            "INSERT INTO main.events(asset_id, kind, actor, at, before, after, note)
             SELECT ?1 + n, kind, ?2, ?3, before, after, ?4
             FROM itam_staged_events ORDER BY rowid",
            params![last_asset, self.tx.actor, self.tx.now, self.note],
        )
        .ctx("recording history")?;
        self.events += staged.events;
        Ok(())
    }

    /// Every id a staged row may hold is a row of the table it points into. The ids come from
    /// get-or-create in this transaction, so this holds by construction; checking the few
    /// hundred distinct ids here turns a broken resolution into a clear error before the two
    /// big inserts (SQLite's own foreign-key checks stay on as well). Asset ids in events are
    /// checked by the consecutive-id check after the asset insert.
    fn check_slot_ids(&self, staged: &StagedAssets, ids: &[Option<i64>]) -> Result<()> {
        let mut pairs: Vec<(i64, &'static str)> = Vec::new();
        for need in &staged.needs {
            match need {
                Need::Name { table, slot, .. } => pairs.push((*slot, table.table())),
                Need::Model {
                    slot,
                    mf_slot,
                    cat_slot,
                    ..
                } => pairs.extend([
                    (*slot, "models"),
                    (*mf_slot, "manufacturers"),
                    (*cat_slot, "categories"),
                ]),
                Need::Location { slot, .. } => pairs.push((*slot, "locations")),
                Need::Person { slot, .. } => pairs.push((*slot, "people")),
                Need::Owner {
                    person_slot,
                    team_slot,
                    ..
                } => pairs.extend([(*person_slot, "people"), (*team_slot, "teams")]),
            }
        }
        if self.tx.conn.is_postgres() {
            // A round trip per id would cost what the set-based resolution saved: one
            // statement per table.
            let mut by_table: HashMap<&'static str, Vec<String>> = HashMap::new();
            for (slot, table) in pairs {
                if let Some(id) = ids.get(slot as usize).copied().flatten() {
                    by_table.entry(table).or_default().push(id.to_string());
                }
            }
            for (table, ids) in by_table {
                let keys: Vec<&str> = ids.iter().map(String::as_str).collect();
                // `table` is one of the fixed names above, never user text.
                let missing = resolve::query_keys(
                    self.tx.conn,
                    "checking an import's names",
                    &keys,
                    &format!(
                        "SELECT k.v FROM jsonb_array_elements_text($1::jsonb) AS k(v)
                         WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = k.v::bigint)"
                    ),
                    |_| Ok(()),
                )?;
                if let Some(id) = missing.keys().min() {
                    return Err(StoreError::Invalid(format!(
                        "an imported asset would point at {table} row {id}, which does not exist; \
                         nothing was imported"
                    )));
                }
            }
            return Ok(());
        }
        for (slot, table) in pairs {
            let Some(id) = ids.get(slot as usize).copied().flatten() else {
                continue;
            };
            // `table` is one of the fixed names above, never user text.
            let found: bool = self
                .tx
                .conn
                // SQLite names the main schema, past any temp table of the same name.
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM main.{table} WHERE id = ?1)"
                ))
                .ctx("checking an import's names")?
                .query_row([id], |r| r.get(0))
                .ctx("checking an import's names")?;
            if !found {
                return Err(StoreError::Invalid(format!(
                    "an imported asset would point at {table} row {id}, which does not exist; \
                     nothing was imported"
                )));
            }
        }
        Ok(())
    }

    /// Without SQLite's virtual tables (PostgreSQL): the staged rows go straight into `assets`
    /// and `events` with `COPY ... FROM STDIN` (text format). The assets' ids are drawn from
    /// their sequence first, one per row in file order, so each event is sent with its asset's
    /// id and both keep file order. (A TEMP staging table and two `INSERT ... SELECT`s cost
    /// two more passes over the rows and two sorts.) All of it in the caller's transaction,
    /// checked by every constraint and trigger as any insert is: a refused row leaves nothing.
    fn insert_rows(&mut self, staged: &StagedAssets, ids: Vec<Option<i64>>) -> Result<()> {
        const ASSET_COLS: c_int = 22;
        let ctx = "writing imported assets";
        let conn = self.tx.conn;
        let n = staged.creates.len();
        let seq: String = conn
            .query_row("SELECT pg_get_serial_sequence('assets', 'id')", [], |r| {
                r.get(0)
            })
            .ctx(ctx)?;
        // The sequence by name, given once: as an expression it would be looked up per row.
        let mut asset_ids: Vec<i64> = conn
            .prepare_native(
                "SELECT nextval($1::text::regclass) FROM generate_series(1, $2::bigint)",
            )
            .ctx(ctx)?
            .query_map(params![seq, n as i64], |r| r.get(0))
            .ctx(ctx)?
            .collect::<std::result::Result<_, _>>()
            .ctx(ctx)?;
        // Drawn in series order, so already increasing; sorted to depend on nothing.
        asset_ids.sort_unstable();
        if asset_ids.len() != n {
            return Err(StoreError::Invalid(format!(
                "{} ids drawn for {n} imported assets; nothing was imported",
                asset_ids.len()
            )));
        }
        let rows = AssetRows {
            creates: Arc::clone(&staged.creates),
            rows: Arc::clone(&staged.assets),
            ids,
            now: self.tx.now.clone(),
        };
        let now = self.tx.now.clone();
        let copied = copy_rows(
            conn,
            "COPY assets (id, tag, serial, name, model_id, manufacturer_id,
                category_id, status, condition, location_id, assignee_id, assigned_at, due_date,
                owner_person_id, owner_team_id, supplier_id, order_number, purchase_date,
                purchase_cost, currency, warranty_until, eol_date, notes, created_at, updated_at,
                home_location_id) FROM STDIN",
            n,
            &mut |row, line| {
                copy_value(line, ValueRef::Integer(asset_ids[row]));
                for col in 0..ASSET_COLS {
                    line.push(b'\t');
                    if !copy_value(line, rows.value(row, col).as_value()) {
                        return Err(nul_refused(
                            &rows.creates[row].0.tag,
                            ASSET_FIELDS[col as usize],
                        ));
                    }
                }
                for v in [now.as_str(), now.as_str()] {
                    line.push(b'\t');
                    copy_value(line, ValueRef::from(v));
                }
                // A new asset's home is where it is.
                line.push(b'\t');
                copy_value(line, rows.value(row, 8).as_value());
                Ok(())
            },
        );
        match copied {
            Ok(Ok(got)) if got == n as u64 => {}
            Ok(Ok(got)) => {
                return Err(StoreError::Invalid(format!(
                    "{got} of {n} imported assets were written; nothing was imported"
                )))
            }
            Ok(Err(e)) => {
                // The server names the key it refused (lower(tag))=(a2): find its row.
                let key = e.to_string();
                let taken = staged.creates.iter().find_map(|(a, _)| {
                    let tag = format!("=({})", a.tag.to_lowercase());
                    let serial = a
                        .serial
                        .as_ref()
                        .map(|s| format!("=({})", s.to_lowercase()));
                    (key.contains(&tag) || serial.is_some_and(|s| key.contains(&s)))
                        .then_some(a.tag.as_str())
                });
                return Err(unique_to_refused(e, "asset", taken.unwrap_or("?")));
            }
            Err(refused) => return Err(refused),
        }
        let events = EventRows {
            creates: Arc::clone(&staged.creates),
            events: Arc::clone(&staged.history),
        };
        let (actor, note) = (self.tx.actor, self.note.as_deref());
        copy_rows(
            conn,
            "COPY events (asset_id, kind, actor, at, before, after, note) FROM STDIN",
            events.events.len(),
            &mut |row, line| {
                let n = events.events[row].n;
                copy_value(line, ValueRef::Integer(asset_ids[n - 1]));
                for v in [
                    events.value(row, 1),
                    ValueRef::from(actor),
                    ValueRef::from(now.as_str()),
                    events.value(row, 2),
                    events.value(row, 3),
                    note.map_or(ValueRef::Null, ValueRef::from),
                ] {
                    line.push(b'\t');
                    if !copy_value(line, v) {
                        return Err(nul_refused(&events.creates[n - 1].0.tag, "history"));
                    }
                }
                Ok(())
            },
        )?
        .ctx("recording history")?;
        self.events += staged.events;
        Ok(())
    }

    /// The staged row whose tag or serial another writer took since the plan, in words.
    fn staged_conflict(&self, e: super::sql::Error) -> StoreError {
        let taken: Option<String> = if e.to_string().contains("UNIQUE") {
            self.tx
                .conn
                .query_row(
                    "SELECT s.tag FROM itam_staged_assets s
                     WHERE EXISTS (SELECT 1 FROM main.assets a WHERE a.tag = s.tag)
                        OR EXISTS (SELECT 1 FROM main.assets a WHERE a.serial = s.serial)
                     ORDER BY s.rowid LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .ok()
                .flatten()
        } else {
            None
        };
        unique_to_refused(e, "asset", taken.as_deref().unwrap_or("?"))
    }
}

/// The staged asset columns, in [`AssetRows::value`]'s order, as messages name them.
const ASSET_FIELDS: [&str; 22] = [
    "tag",
    "serial",
    "name",
    "model",
    "manufacturer",
    "category",
    "status",
    "condition",
    "location",
    "assignee",
    "assigned_at",
    "due_date",
    "owner",
    "owner",
    "supplier",
    "order_number",
    "purchase_date",
    "purchase_cost",
    "currency",
    "warranty_until",
    "eol_date",
    "notes",
];

/// PostgreSQL's text cannot hold a NUL byte (SQLite's can): refused by name, before the server
/// would refuse the whole COPY without saying where.
fn nul_refused(tag: &str, field: &str) -> StoreError {
    StoreError::Invalid(format!(
        "asset {}: {field} holds a NUL byte (\\0), which PostgreSQL cannot store; \
         nothing was imported",
        visible(tag)
    ))
}

/// Rows to `COPY ... FROM STDIN` in text format, `fill` writing each one's tab-separated
/// fields (see [`copy_value`]) or refusing it; sent in blocks of about 256 KiB. A refused row
/// aborts the COPY (and so the transaction): nothing is written. The outer error is a row
/// refused here (or no COPY on this backend); the inner result is the server's answer (rows
/// copied), left to the caller to put in words.
fn copy_rows(
    conn: &super::sql::Conn,
    sql: &str,
    rows: usize,
    fill: &mut dyn FnMut(usize, &mut Vec<u8>) -> Result<()>,
) -> Result<super::sql::Result<u64>> {
    const BLOCK: usize = 256 * 1024;
    let mut refused: Option<StoreError> = None;
    let mut send = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(BLOCK + 4096);
        for row in 0..rows {
            if let Err(e) = fill(row, &mut buf) {
                refused = Some(e);
                return Err(std::io::Error::other("a staged row was refused"));
            }
            buf.push(b'\n');
            if buf.len() >= BLOCK {
                w.write_all(&buf)?;
                buf.clear();
            }
        }
        w.write_all(&buf)
    };
    let sent = conn.copy_in(sql, &mut send);
    if let Some(e) = refused {
        return Err(e);
    }
    match sent {
        Some(done) => Ok(done),
        // Only the PostgreSQL path stages with COPY.
        None => Err(StoreError::Invalid(
            "COPY is PostgreSQL's; SQLite stages an import through virtual tables".to_string(),
        )),
    }
}

/// One field of COPY's text format: `\N` for NULL, else the text with backslash, tab,
/// newline and carriage return escaped (the only bytes the format gives a meaning). False
/// for a text holding a NUL byte, which no PostgreSQL text can.
fn copy_value(out: &mut Vec<u8>, v: ValueRef<'_>) -> bool {
    use std::io::Write as _;
    match v {
        ValueRef::Null => out.extend_from_slice(b"\\N"),
        // Writing to a Vec cannot fail.
        ValueRef::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        ValueRef::Real(x) => {
            let _ = write!(out, "{x}");
        }
        ValueRef::Text(b) | ValueRef::Blob(b) => {
            for &c in b {
                match c {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    0 => return false,
                    _ => out.push(c),
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod copy_tests {
    use super::*;

    fn field(v: ValueRef<'_>) -> Option<String> {
        let mut out = Vec::new();
        copy_value(&mut out, v).then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn copy_text_escapes_only_what_the_format_reads() {
        assert_eq!(field(ValueRef::Null).unwrap(), "\\N");
        assert_eq!(field(ValueRef::Integer(-42)).unwrap(), "-42");
        assert_eq!(
            field(ValueRef::from("a\tb\nc\rd\\N é,\"'")).unwrap(),
            "a\\tb\\nc\\rd\\\\N é,\"'"
        );
        assert_eq!(field(ValueRef::from("nul\0byte")), None);
    }
}
