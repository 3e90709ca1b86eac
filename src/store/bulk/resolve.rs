//! PostgreSQL: the names an import's staged rows refer to, resolved set-based. One at a time
//! (as on SQLite, where a look-up is a function call) each new person, location or model is
//! two or three round trips; a 100,000-row file names 33,000 people. Here what exists is found
//! with one statement per table, what is new is inserted with one statement per table, and
//! their events with one more.
//!
//! The result is what one-at-a-time get-or-create makes: the needs are walked in the same
//! order with the same caches and keys, new rows are inserted in that order (so their ids come
//! out in it), and their `person_add` / `location_add` events keep the interleaving of the
//! walk. Names compare as the server compares them (`lower()` in the "C" collation: ASCII case
//! only), as the one-at-a-time look-ups do.

use super::{clean_name, key, unique_to_refused, BulkWriter, Need, StagedAssets};
use crate::store::lookup::NameTable;
use crate::store::sql::{Conn, Param, Row};
use crate::store::{Context, Result, StoreError};
use std::collections::HashMap;

/// An id known now, or the `n`th new row of a table (known once it is inserted).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Id {
    Known(Option<i64>),
    New(Tab, usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Tab {
    Name(NameTable),
    Model,
    Location,
    Person,
}

const NAME_TABLES: [NameTable; 4] = [
    NameTable::Manufacturers,
    NameTable::Categories,
    NameTable::Suppliers,
    NameTable::Teams,
];

/// `keys` (deduplicated) as one JSON array parameter to `sql`, which is written in the
/// backend's own dialect, reads its first parameter as that array (`json_each(?1)`,
/// `jsonb_array_elements_text($1::jsonb)`) and returns the key as given in column 0; `f` reads
/// the rest of a row. Where a key matches several rows, the first one returned is kept.
pub(super) fn query_keys<T>(
    conn: &Conn,
    what: &str,
    keys: &[&str],
    sql: &str,
    f: impl Fn(&Row<'_>) -> crate::store::sql::Result<T>,
) -> Result<HashMap<String, T>> {
    let mut out = HashMap::with_capacity(keys.len());
    if keys.is_empty() {
        return Ok(out);
    }
    let mut sorted: Vec<&str> = keys.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let array = json(&sorted)?;
    let mut stmt = conn.prepare_native(sql).ctx(what)?;
    let mut rows = stmt.query([&array]).ctx(what)?;
    while let Some(r) = rows.next().ctx(what)? {
        let k: String = r.get(0).ctx(what)?;
        if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(k) {
            slot.insert(f(r).ctx(what)?);
        }
    }
    Ok(out)
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(format!("encoding an import: {e}")))
}

/// The walk's state: what each key resolves to so far, and the rows and events to insert.
#[derive(Default)]
struct Walk {
    names: HashMap<(NameTable, String), Id>,
    models: HashMap<String, (Id, Id, Id)>,
    locations: HashMap<String, Id>,
    people: HashMap<String, Id>,
    /// People this walk creates, by username in the server's case folding (for owners).
    new_people: HashMap<String, Id>,
    owners: HashMap<String, (Id, Id)>,
    new_names: HashMap<NameTable, Vec<String>>,
    /// (name, model number, manufacturer, category)
    new_models: Vec<(String, Option<String>, Id, Id)>,
    /// (code, name)
    new_locations: Vec<(String, String)>,
    new_person_rows: Vec<PersonRow>,
    /// (subject, kind, after)
    events: Vec<(String, &'static str, String)>,
}

/// A new person: (username, full name, email, badge, team).
type PersonRow = (String, String, Option<String>, Option<String>, Id);

/// What the database already holds for the needs' keys (each map keyed by the exact text
/// the one-at-a-time look-up would send).
struct Found {
    names: HashMap<NameTable, HashMap<String, i64>>,
    models: HashMap<String, (i64, Option<i64>, Option<i64>)>,
    locations: HashMap<String, i64>,
    people: HashMap<String, i64>,
}

impl Walk {
    fn name(&mut self, found: &Found, table: NameTable, name: Option<&str>) -> Id {
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            return Id::Known(None);
        };
        let clean = clean_name(name);
        if clean.is_empty() {
            return Id::Known(None);
        }
        let k = (table, key(name));
        if let Some(id) = self.names.get(&k) {
            return *id;
        }
        let id = match found.names.get(&table).and_then(|m| m.get(&clean)) {
            Some(id) => Id::Known(Some(*id)),
            None => {
                let list = self.new_names.entry(table).or_default();
                list.push(clean);
                Id::New(Tab::Name(table), list.len() - 1)
            }
        };
        self.names.insert(k, id);
        id
    }
}

impl BulkWriter<'_, '_> {
    /// [`StagedAssets`]' needs resolved to ids (indexed by slot), set-based; see the module.
    pub(super) fn resolve_needs_set(&mut self, staged: &StagedAssets) -> Result<Vec<Option<i64>>> {
        let found = self.find_existing(staged)?;
        let mut w = Walk::default();
        // The writer's caches first: what it resolved before (home locations) stays resolved.
        for (k, id) in &self.names {
            w.names.insert(k.clone(), Id::Known(*id));
        }
        for (k, m) in &self.models {
            w.models.insert(
                k.clone(),
                (Id::Known(Some(m.0)), Id::Known(m.1), Id::Known(m.2)),
            );
        }
        for (k, id) in &self.locations {
            w.locations.insert(k.clone(), Id::Known(Some(*id)));
        }
        for (k, id) in &self.people {
            w.people.insert(k.clone(), Id::Known(Some(*id)));
        }
        for (k, (p, t)) in &self.owners {
            w.owners.insert(k.clone(), (Id::Known(*p), Id::Known(*t)));
        }
        // Slots are numbered in need order; a model's manufacturer and category slots come
        // before it, so a map from slot to id is all the look-back needed.
        let mut by_slot: HashMap<i64, Id> = HashMap::with_capacity(staged.slots as usize);
        for need in &staged.needs {
            match need {
                Need::Name { table, name, slot } => {
                    let id = w.name(&found, *table, Some(name));
                    by_slot.insert(*slot, id);
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
                    if name.trim().is_empty() {
                        continue;
                    }
                    let k = key(name);
                    let ids = match w.models.get(&k) {
                        Some(m) => *m,
                        None => {
                            let clean = clean_name(name);
                            let m = match found.models.get(&clean) {
                                Some((id, m, c)) => {
                                    (Id::Known(Some(*id)), Id::Known(*m), Id::Known(*c))
                                }
                                None => {
                                    let at = |s: &Option<i64>| {
                                        s.and_then(|s| by_slot.get(&s).copied())
                                            .unwrap_or(Id::Known(None))
                                    };
                                    let (m, c) = (at(mf), at(cat));
                                    w.new_models.push((clean, number.clone(), m, c));
                                    (Id::New(Tab::Model, w.new_models.len() - 1), m, c)
                                }
                            };
                            w.models.insert(k, m);
                            m
                        }
                    };
                    by_slot.insert(*slot, ids.0);
                    by_slot.insert(*mf_slot, ids.1);
                    by_slot.insert(*cat_slot, ids.2);
                }
                Need::Location { code, name, slot } => {
                    let k = key(code);
                    let id = match w.locations.get(&k) {
                        Some(id) => *id,
                        None => {
                            let code = clean_name(code);
                            let id = match found.locations.get(&code) {
                                Some(id) => Id::Known(Some(*id)),
                                None => {
                                    let name = Some(clean_name(name))
                                        .filter(|n| !n.is_empty())
                                        .unwrap_or_else(|| code.clone());
                                    w.events.push((
                                        format!("location:{code}"),
                                        "location_add",
                                        serde_json::json!({"code": code, "name": name, "parent": None::<String>})
                                            .to_string(),
                                    ));
                                    w.new_locations.push((code, name));
                                    Id::New(Tab::Location, w.new_locations.len() - 1)
                                }
                            };
                            w.locations.insert(k, id);
                            id
                        }
                    };
                    by_slot.insert(*slot, id);
                }
                Need::Person { person: p, slot } => {
                    let k = p.username.trim().to_lowercase();
                    let id = match w.people.get(&k) {
                        Some(id) => *id,
                        None => {
                            let username = p.username.trim().to_string();
                            let id = match found.people.get(&username) {
                                Some(id) => Id::Known(Some(*id)),
                                None => {
                                    let team = w.name(&found, NameTable::Teams, p.team.as_deref());
                                    let full_name = clean_name(&p.full_name);
                                    w.events.push((
                                        format!("person:{username}"),
                                        "person_add",
                                        serde_json::json!({"username": username, "full_name": full_name,
                                            "email": p.email, "badge": p.badge, "team": p.team})
                                        .to_string(),
                                    ));
                                    w.new_person_rows.push((
                                        username.clone(),
                                        full_name,
                                        p.email.clone(),
                                        p.badge.clone(),
                                        team,
                                    ));
                                    let id = Id::New(Tab::Person, w.new_person_rows.len() - 1);
                                    w.new_people.insert(username.to_ascii_lowercase(), id);
                                    id
                                }
                            };
                            w.people.insert(k, id);
                            id
                        }
                    };
                    by_slot.insert(*slot, id);
                }
                Need::Owner {
                    name,
                    person_slot,
                    team_slot,
                } => {
                    let o = clean_name(name);
                    let ids = if o.is_empty() {
                        (Id::Known(None), Id::Known(None))
                    } else if let Some(ids) = w.owners.get(&o) {
                        *ids
                    } else {
                        // A person when one has the username now (before the import, or made
                        // by an earlier row), else a team.
                        let person = match found.people.get(&o) {
                            Some(id) => Some(Id::Known(Some(*id))),
                            None => w.new_people.get(&o.to_ascii_lowercase()).copied(),
                        };
                        let ids = match person {
                            Some(p) => (p, Id::Known(None)),
                            None => (Id::Known(None), w.name(&found, NameTable::Teams, Some(&o))),
                        };
                        w.owners.insert(o, ids);
                        ids
                    };
                    by_slot.insert(*person_slot, ids.0);
                    by_slot.insert(*team_slot, ids.1);
                }
            }
        }
        let new_ids = self.insert_new(&w)?;
        let resolve = |id: Id| -> Option<i64> {
            match id {
                Id::Known(id) => id,
                Id::New(t, i) => new_ids.get(&t).and_then(|v| v.get(i)).copied(),
            }
        };
        // The writer's caches learn it all, as one-at-a-time resolution would have left them.
        for (k, id) in &w.names {
            self.names.insert(k.clone(), resolve(*id));
        }
        for (k, (m, mf, cat)) in &w.models {
            if let Some(id) = resolve(*m) {
                self.models
                    .insert(k.clone(), (id, resolve(*mf), resolve(*cat)));
            }
        }
        for (k, id) in &w.locations {
            if let Some(id) = resolve(*id) {
                self.locations.insert(k.clone(), id);
            }
        }
        for (k, id) in &w.people {
            if let Some(id) = resolve(*id) {
                self.people.insert(k.clone(), id);
            }
        }
        for (k, (p, t)) in &w.owners {
            self.owners.insert(k.clone(), (resolve(*p), resolve(*t)));
        }
        let mut ids: Vec<Option<i64>> = vec![None; staged.slots as usize + 1];
        for (slot, id) in by_slot {
            if let Some(s) = ids.get_mut(slot as usize) {
                *s = resolve(id);
            }
        }
        Ok(ids)
    }

    /// One statement per table: the rows that exist for the needs' keys.
    fn find_existing(&self, staged: &StagedAssets) -> Result<Found> {
        let mut names: HashMap<NameTable, Vec<String>> = HashMap::new();
        let (mut models, mut locations, mut people) = (Vec::new(), Vec::new(), Vec::new());
        for need in &staged.needs {
            match need {
                Need::Name { table, name, .. } => {
                    names.entry(*table).or_default().push(clean_name(name))
                }
                Need::Model { name, .. } => models.push(clean_name(name)),
                Need::Location { code, .. } => locations.push(clean_name(code)),
                Need::Person { person, .. } => {
                    people.push(person.username.trim().to_string());
                    if let Some(t) = &person.team {
                        names
                            .entry(NameTable::Teams)
                            .or_default()
                            .push(clean_name(t));
                    }
                }
                Need::Owner { name, .. } => {
                    people.push(clean_name(name));
                    names
                        .entry(NameTable::Teams)
                        .or_default()
                        .push(clean_name(name));
                }
            }
        }
        fn refs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        let conn = self.tx.conn;
        let mut found = Found {
            names: HashMap::new(),
            models: HashMap::new(),
            locations: HashMap::new(),
            people: HashMap::new(),
        };
        for (table, keys) in &names {
            // The table name is one of four constants, never user text.
            let sql = format!(
                "SELECT k.v, t.id FROM jsonb_array_elements_text($1::jsonb) AS k(v)
                 JOIN {} t ON lower(t.name) = lower(k.v)",
                table.table()
            );
            let m = query_keys(conn, "looking up names", &refs(keys), &sql, |r| r.get(1))?;
            found.names.insert(*table, m);
        }
        found.models = query_keys(
            conn,
            "looking up models",
            &refs(&models),
            "SELECT k.v, m.id, m.manufacturer_id, m.category_id
             FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN models m ON lower(m.name) = lower(k.v)",
            |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        found.locations = query_keys(
            conn,
            "looking up locations",
            &refs(&locations),
            "SELECT k.v, l.id FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN locations l ON lower(l.code) = lower(k.v)",
            |r| r.get(1),
        )?;
        found.people = query_keys(
            conn,
            "looking up people",
            &refs(&people),
            "SELECT k.v, p.id FROM jsonb_array_elements_text($1::jsonb) AS k(v)
             JOIN people p ON lower(p.username) = lower(k.v)",
            |r| r.get(1),
        )?;
        Ok(found)
    }

    /// Insert the walk's new rows, one statement per table in the order the walk met them,
    /// then their events; the new ids of each table, in that order.
    fn insert_new(&mut self, w: &Walk) -> Result<HashMap<Tab, Vec<i64>>> {
        let conn = self.tx.conn;
        let mut ids: HashMap<Tab, Vec<i64>> = HashMap::new();
        for table in NAME_TABLES {
            let Some(names) = w.new_names.get(&table).filter(|v| !v.is_empty()) else {
                continue;
            };
            // The table name is one of four constants, never user text.
            let sql = format!(
                "INSERT INTO {}(name)
                 SELECT k.a FROM ROWS FROM (jsonb_array_elements_text($1::jsonb))
                   WITH ORDINALITY AS k(a, n) ORDER BY k.n
                 RETURNING id",
                table.table()
            );
            let got = insert_rows(conn, &sql, &[&json(names)?], "name")?;
            ids.insert(Tab::Name(table), got);
        }
        let id_of = |ids: &HashMap<Tab, Vec<i64>>, id: Id| -> Option<i64> {
            match id {
                Id::Known(id) => id,
                Id::New(t, i) => ids.get(&t).and_then(|v| v.get(i)).copied(),
            }
        };
        if !w.new_models.is_empty() {
            let names: Vec<&str> = w.new_models.iter().map(|m| m.0.as_str()).collect();
            let numbers: Vec<Option<&str>> = w.new_models.iter().map(|m| m.1.as_deref()).collect();
            let mfs: Vec<Option<i64>> = w.new_models.iter().map(|m| id_of(&ids, m.2)).collect();
            let cats: Vec<Option<i64>> = w.new_models.iter().map(|m| id_of(&ids, m.3)).collect();
            let got = insert_rows(
                conn,
                "INSERT INTO models(name, manufacturer_id, category_id, model_number)
                 SELECT k.a, k.b::bigint, k.c::bigint, k.d FROM ROWS FROM (
                   jsonb_array_elements_text($1::jsonb), jsonb_array_elements_text($2::jsonb),
                   jsonb_array_elements_text($3::jsonb), jsonb_array_elements_text($4::jsonb))
                   WITH ORDINALITY AS k(a, b, c, d, n) ORDER BY k.n
                 RETURNING id",
                &[
                    &json(&names)?,
                    &json(&mfs)?,
                    &json(&cats)?,
                    &json(&numbers)?,
                ],
                "model",
            )?;
            ids.insert(Tab::Model, got);
        }
        let now = self.tx.now.as_str();
        if !w.new_locations.is_empty() {
            let codes: Vec<&str> = w.new_locations.iter().map(|l| l.0.as_str()).collect();
            let names: Vec<&str> = w.new_locations.iter().map(|l| l.1.as_str()).collect();
            let got = insert_rows(
                conn,
                "INSERT INTO locations(code, name, created_at)
                 SELECT k.a, k.b, $3::text FROM ROWS FROM (
                   jsonb_array_elements_text($1::jsonb), jsonb_array_elements_text($2::jsonb))
                   WITH ORDINALITY AS k(a, b, n) ORDER BY k.n
                 RETURNING id",
                &[&json(&codes)?, &json(&names)?, &now],
                "location",
            )?;
            ids.insert(Tab::Location, got);
        }
        if !w.new_person_rows.is_empty() {
            let rows = &w.new_person_rows;
            let users: Vec<&str> = rows.iter().map(|p| p.0.as_str()).collect();
            let names: Vec<&str> = rows.iter().map(|p| p.1.as_str()).collect();
            let emails: Vec<Option<&str>> = rows.iter().map(|p| p.2.as_deref()).collect();
            let badges: Vec<Option<&str>> = rows.iter().map(|p| p.3.as_deref()).collect();
            let teams: Vec<Option<i64>> = rows.iter().map(|p| id_of(&ids, p.4)).collect();
            let got = insert_rows(
                conn,
                "INSERT INTO people(username, full_name, email, badge, team_id, created_at)
                 SELECT k.a, k.b, k.c, k.d, k.e::bigint, $6::text FROM ROWS FROM (
                   jsonb_array_elements_text($1::jsonb), jsonb_array_elements_text($2::jsonb),
                   jsonb_array_elements_text($3::jsonb), jsonb_array_elements_text($4::jsonb),
                   jsonb_array_elements_text($5::jsonb))
                   WITH ORDINALITY AS k(a, b, c, d, e, n) ORDER BY k.n
                 RETURNING id",
                &[
                    &json(&users)?,
                    &json(&names)?,
                    &json(&emails)?,
                    &json(&badges)?,
                    &json(&teams)?,
                    &now,
                ],
                "person",
            )?;
            ids.insert(Tab::Person, got);
        }
        if !w.events.is_empty() {
            let subjects: Vec<&str> = w.events.iter().map(|e| e.0.as_str()).collect();
            let kinds: Vec<&str> = w.events.iter().map(|e| e.1).collect();
            let afters: Vec<&str> = w.events.iter().map(|e| e.2.as_str()).collect();
            let actor = self.tx.actor;
            let note = self.note.as_deref();
            conn.prepare_native(
                "INSERT INTO events(subject, kind, actor, at, after, note)
                 SELECT k.a, k.b, $4::text, $5::text, k.c, $6::text FROM ROWS FROM (
                   jsonb_array_elements_text($1::jsonb), jsonb_array_elements_text($2::jsonb),
                   jsonb_array_elements_text($3::jsonb))
                   WITH ORDINALITY AS k(a, b, c, n) ORDER BY k.n",
            )
            .ctx("recording history")?
            .execute([
                &json(&subjects)? as &dyn Param,
                &json(&kinds)?,
                &json(&afters)?,
                &actor,
                &now,
                &note,
            ])
            .ctx("recording history")?;
            self.events += w.events.len() as u64;
        }
        Ok(ids)
    }
}

/// Run an `INSERT ... SELECT ... ORDER BY ... RETURNING id` and return the ids in insertion
/// order (identity values are drawn in that order, so sorting them gives it). A row someone
/// else wrote since the look-ups is refused by a unique index, naming the key.
fn insert_rows(conn: &Conn, sql: &str, params: &[&dyn Param], what: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_native(sql).ctx(what)?;
    let mut rows = match stmt.query(params) {
        Ok(r) => r,
        Err(e) => {
            let msg = e.to_string();
            let key = msg
                .split_once("=(")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(k, _)| k.to_string())
                .unwrap_or_else(|| "?".to_string());
            return Err(unique_to_refused(e, what, &key));
        }
    };
    let mut ids = Vec::new();
    while let Some(r) = rows.next().ctx(what)? {
        ids.push(r.get::<_, i64>(0).ctx(what)?);
    }
    ids.sort_unstable();
    Ok(ids)
}
