//! Custom fields and an asset's home location (both from Snipe-IT: custom fieldsets and
//! rtd_location). Every change is one event in the write's own transaction: `field` for a
//! value (before/after `{"fields": {NAME: value}}`), `home` for the home location, and
//! `field_define` (subject `field:NAME`) for a new field.

use super::assets::{not_found, resolve};
use super::ops::location_id;
use super::sql::{params, Conn, OptionalExtension};
use super::{Context, Result, Store, StoreError, Tx};
use crate::domain::field::{check_value, clean_field_name, parse_format, FieldKind};
use crate::domain::text::visible;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// A defined field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomField {
    pub id: i64,
    pub name: String,
    pub kind: FieldKind,
    pub format: Option<String>,
    pub created_at: crate::domain::time::Timestamp,
}

/// One asset's value of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldValue {
    pub field_id: i64,
    pub name: String,
    pub kind: FieldKind,
    pub format: Option<String>,
    pub value: String,
}

/// One value that a [`Store::set_fields`] changed (`None`: no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Where an asset goes home to: its location's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HomeLocation {
    pub code: String,
    pub name: String,
}

fn field_from_row(r: &super::sql::Row) -> super::sql::Result<CustomField> {
    Ok(CustomField {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: super::assets::enum_col(r, 2)?,
        format: r.get(3)?,
        created_at: super::values::stamp(r, 4)?,
    })
}

/// Every defined field, by name.
pub fn list_fields(conn: &Conn) -> Result<Vec<CustomField>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, name, kind, format, created_at FROM custom_fields ORDER BY name COLLATE NOCASE",
        )
        .ctx("reading custom fields")?;
    let rows = stmt
        .query_map([], field_from_row)
        .ctx("reading custom fields")?;
    rows.collect::<std::result::Result<_, _>>()
        .ctx("reading custom fields")
}

/// The field named `name` (ignoring case), if defined.
pub fn field_by_name(conn: &Conn, name: &str) -> Result<Option<CustomField>> {
    conn.prepare_cached(
        "SELECT id, name, kind, format, created_at FROM custom_fields WHERE name = ?1",
    )
    .ctx("reading a custom field")?
    .query_row([name.trim()], field_from_row)
    .optional()
    .ctx("reading a custom field")
}

/// Define a field inside a write. A field already defined with the same kind and format is
/// returned as it is; with another kind or format it is refused (values would not fit).
pub fn define_field_tx(
    tx: &Tx,
    name: &str,
    kind: FieldKind,
    format: Option<&str>,
) -> Result<CustomField> {
    let name = clean_field_name(name).map_err(StoreError::Invalid)?;
    let format = format
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(parse_format)
        .transpose()
        .map_err(StoreError::Invalid)?;
    if let Some(f) = field_by_name(tx.conn, &name)? {
        if f.kind != kind || f.format != format {
            return Err(StoreError::Refused(format!(
                "field '{}' is already defined as {}{}",
                visible(&f.name),
                f.kind,
                f.format
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            )));
        }
        return Ok(f);
    }
    let id: i64 = tx.conn
        .prepare_cached(
            "INSERT INTO custom_fields(name, kind, format, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )
        .ctx("defining a field")?
        .insert(params![name, kind.as_str(), format, tx.now])
        .ctx("defining a field")?;
    tx.subject_event(
        &format!("field:{name}"),
        "field_define",
        json!({"name": name, "kind": kind, "format": format}),
    )?;
    Ok(CustomField {
        id,
        name,
        kind,
        format,
        created_at: crate::domain::time::Timestamp::parse(&tx.now)
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
    })
}

/// An asset's field values, by field name.
pub fn asset_field_values(conn: &Conn, asset_id: i64) -> Result<Vec<FieldValue>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT f.id, f.name, f.kind, f.format, v.value
             FROM asset_field_values v JOIN custom_fields f ON f.id = v.field_id
             WHERE v.asset_id = ?1 ORDER BY f.name COLLATE NOCASE",
        )
        .ctx("reading an asset's fields")?;
    let rows = stmt
        .query_map([asset_id], |r| {
            Ok(FieldValue {
                field_id: r.get(0)?,
                name: r.get(1)?,
                kind: super::assets::enum_col(r, 2)?,
                format: r.get(3)?,
                value: r.get(4)?,
            })
        })
        .ctx("reading an asset's fields")?;
    rows.collect::<std::result::Result<_, _>>()
        .ctx("reading an asset's fields")
}

/// Set (or, with an empty value, clear) fields of one asset inside a write: one `field` event
/// per value that changes. Every field must be defined; every value must fit its field.
pub fn set_fields_tx(
    tx: &Tx,
    asset_id: i64,
    values: &[(String, String)],
    note: Option<&str>,
) -> Result<Vec<FieldChange>> {
    let mut changes = Vec::new();
    for (name, raw) in values {
        let f = field_by_name(tx.conn, name)?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "no custom field '{}' (see `itam field list`; define it with `itam field add`)",
                visible(name)
            ))
        })?;
        let new = check_value(f.kind, f.format.as_deref(), raw)
            .map_err(|e| StoreError::Invalid(format!("field '{}': {e}", visible(&f.name))))?;
        let old: Option<String> = tx
            .conn
            .prepare_cached(
                "SELECT value FROM asset_field_values WHERE asset_id = ?1 AND field_id = ?2",
            )
            .ctx("reading a field value")?
            .query_row(params![asset_id, f.id], |r| r.get(0))
            .optional()
            .ctx("reading a field value")?;
        if old == new {
            continue;
        }
        match &new {
            Some(v) => tx
                .conn
                .prepare_cached(
                    "INSERT INTO asset_field_values(asset_id, field_id, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT(asset_id, field_id) DO UPDATE SET value = excluded.value",
                )
                .ctx("setting a field")?
                .execute(params![asset_id, f.id, v])
                .ctx("setting a field")?,
            None => tx
                .conn
                .prepare_cached(
                    "DELETE FROM asset_field_values WHERE asset_id = ?1 AND field_id = ?2",
                )
                .ctx("clearing a field")?
                .execute(params![asset_id, f.id])
                .ctx("clearing a field")?,
        };
        tx.asset_event(
            asset_id,
            "field",
            json!({"fields": {f.name.clone(): old}}),
            json!({"fields": {f.name.clone(): new}}),
            note,
        )?;
        changes.push(FieldChange {
            name: f.name,
            before: old,
            after: new,
        });
    }
    if !changes.is_empty() {
        tx.conn
            .prepare_cached(
                "UPDATE assets SET updated_at = ?2, version = version + 1 WHERE id = ?1",
            )
            .ctx("touching an asset")?
            .execute(params![asset_id, tx.now])
            .ctx("touching an asset")?;
    }
    Ok(changes)
}

/// An asset's home location, if it has one.
pub fn home_location(conn: &Conn, asset_id: i64) -> Result<Option<HomeLocation>> {
    conn.prepare_cached(
        "SELECT l.code, l.name FROM assets a JOIN locations l ON l.id = a.home_location_id
         WHERE a.id = ?1",
    )
    .ctx("reading a home location")?
    .query_row([asset_id], |r| {
        Ok(HomeLocation {
            code: r.get(0)?,
            name: r.get(1)?,
        })
    })
    .optional()
    .ctx("reading a home location")
}

/// Set (`Some(code)`) or clear (`None`) an asset's home inside a write, with a `home` event
/// when it changes. Returns whether it changed.
pub fn set_home_location_tx(
    tx: &Tx,
    asset_id: i64,
    location: Option<&str>,
    note: Option<&str>,
) -> Result<bool> {
    let old = home_location(tx.conn, asset_id)?;
    let new_id = location.map(|c| location_id(tx, c)).transpose()?;
    let new_code: Option<String> = match new_id {
        Some(id) => Some(
            tx.conn
                .query_row("SELECT code FROM locations WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .ctx("reading a location")?,
        ),
        None => None,
    };
    if old.as_ref().map(|h| &h.code) == new_code.as_ref() {
        return Ok(false);
    }
    tx.conn
        .prepare_cached(
            "UPDATE assets SET home_location_id = ?2, updated_at = ?3, version = version + 1
             WHERE id = ?1",
        )
        .ctx("setting a home location")?
        .execute(params![asset_id, new_id, tx.now])
        .ctx("setting a home location")?;
    tx.asset_event(
        asset_id,
        "home",
        json!({"home_location": old.map(|h| h.code)}),
        json!({"home_location": new_code}),
        note,
    )?;
    Ok(true)
}

/// Every asset's field values, for exports: asset id -> (field id, value).
pub fn all_field_values(conn: &Conn) -> Result<HashMap<i64, Vec<(i64, String)>>> {
    let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT asset_id, field_id, value FROM asset_field_values")
        .ctx("reading field values")?;
    let mut rows = stmt.query([]).ctx("reading field values")?;
    while let Some(r) = rows.next().ctx("reading field values")? {
        out.entry(r.get(0).ctx("reading field values")?)
            .or_default()
            .push((
                r.get(1).ctx("reading field values")?,
                r.get(2).ctx("reading field values")?,
            ));
    }
    Ok(out)
}

/// Ids of the assets whose field `name` equals `value` (ignoring case and outer spaces).
pub fn assets_with_field(conn: &Conn, name: &str, value: &str) -> Result<Vec<i64>> {
    let Some(f) = field_by_name(conn, name)? else {
        return Err(StoreError::NotFound(format!(
            "no custom field '{}' (see `itam field list`)",
            visible(name)
        )));
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT asset_id FROM asset_field_values
             WHERE field_id = ?1 AND value = ?2 COLLATE NOCASE ORDER BY asset_id",
        )
        .ctx("filtering by a field")?;
    let rows = stmt
        .query_map(params![f.id, value.trim()], |r| r.get(0))
        .ctx("filtering by a field")?;
    rows.collect::<std::result::Result<_, _>>()
        .ctx("filtering by a field")
}

/// Bulk import: the home of the new asset `tag` when it is not the asset's location (a bulk
/// insert makes an asset's location its home; its create event records the home).
pub fn import_home_tx(tx: &Tx, tag: &str, code: Option<&str>) -> Result<()> {
    let loc = code.map(|c| location_id(tx, c)).transpose()?;
    tx.conn
        .prepare_cached("UPDATE assets SET home_location_id = ?2 WHERE tag = ?1")
        .ctx("setting a home location")?
        .execute(params![tag, loc])
        .ctx("setting a home location")?;
    Ok(())
}

/// Bulk import: a custom field value of the new asset `tag` (its create event records it).
pub fn import_field_value_tx(tx: &Tx, tag: &str, field_id: i64, value: &str) -> Result<()> {
    tx.conn
        .prepare_cached(
            "INSERT INTO asset_field_values(asset_id, field_id, value)
             SELECT id, ?2, ?3 FROM assets WHERE tag = ?1",
        )
        .ctx("setting a field")?
        .execute(params![tag, field_id, value])
        .ctx("setting a field")?;
    Ok(())
}

/// The licence named `product` with `key` (none: no key), as Snipe-IT's licence importer
/// finds one (by name and serial), ignoring case.
pub fn licence_id_by_product_and_key(
    conn: &Conn,
    product: &str,
    key: Option<&str>,
) -> Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT id FROM licences WHERE product = ?1 COLLATE NOCASE
         AND COALESCE(licence_key, '') = COALESCE(?2, '') COLLATE NOCASE ORDER BY id LIMIT 1",
    )
    .ctx("looking up a licence")?
    .query_row(params![product.trim(), key.map(str::trim)], |r| r.get(0))
    .optional()
    .ctx("looking up a licence")
}

/// What an export needs beside [`crate::domain::AssetView`], read once for all rows.
#[derive(Debug, Clone, Default)]
pub struct ExportExtras {
    /// Every defined field, in the order their columns are written.
    pub fields: Vec<CustomField>,
    /// asset id -> (field id, value)
    pub values: HashMap<i64, Vec<(i64, String)>>,
    /// lower-case model name -> model number
    pub model_numbers: HashMap<String, String>,
    /// lower-case username -> email
    pub emails: HashMap<String, String>,
    /// asset id -> (disposal method, date)
    pub disposals: HashMap<i64, (String, String)>,
    /// asset id -> home location code
    pub homes: HashMap<i64, String>,
}

/// Read [`ExportExtras`].
pub fn export_extras(conn: &Conn) -> Result<ExportExtras> {
    let ctx = "reading what an export needs";
    let pairs = |sql: &str| -> Result<Vec<(String, String)>> {
        let mut stmt = conn.prepare(sql).ctx(ctx)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx(ctx)?;
        rows.collect::<std::result::Result<_, _>>().ctx(ctx)
    };
    let by_id = |sql: &str| -> Result<Vec<(i64, String, String)>> {
        let mut stmt = conn.prepare(sql).ctx(ctx)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx(ctx)?;
        rows.collect::<std::result::Result<_, _>>().ctx(ctx)
    };
    Ok(ExportExtras {
        fields: list_fields(conn)?,
        values: all_field_values(conn)?,
        model_numbers: pairs(
            "SELECT lower(name), model_number FROM models WHERE model_number IS NOT NULL",
        )?
        .into_iter()
        .collect(),
        emails: pairs("SELECT lower(username), email FROM people WHERE email IS NOT NULL")?
            .into_iter()
            .collect(),
        disposals: by_id("SELECT asset_id, method, disposed_on FROM disposals")?
            .into_iter()
            .map(|(id, m, d)| (id, (m, d)))
            .collect(),
        homes: by_id(
            "SELECT a.id, l.code, '' FROM assets a JOIN locations l ON l.id = a.home_location_id",
        )?
        .into_iter()
        .map(|(id, c, _)| (id, c))
        .collect(),
    })
}

impl Store {
    /// Every defined custom field, by name.
    pub fn fields(&self) -> Result<Vec<CustomField>> {
        list_fields(&self.conn)
    }

    /// Define a custom field (see [`define_field_tx`]).
    pub fn define_field(
        &mut self,
        name: &str,
        kind: FieldKind,
        format: Option<&str>,
    ) -> Result<CustomField> {
        self.write(|tx| define_field_tx(tx, name, kind, format))
    }

    /// The custom field values of the asset with this tag or serial.
    pub fn asset_fields(&self, code: &str) -> Result<Vec<FieldValue>> {
        let id = resolve(&self.conn, code)?.ok_or_else(|| not_found(code))?;
        asset_field_values(&self.conn, id)
    }

    /// The custom field values of the asset with this id.
    pub fn asset_fields_by_id(&self, asset_id: i64) -> Result<Vec<FieldValue>> {
        asset_field_values(&self.conn, asset_id)
    }

    /// Set or clear (empty value) custom fields of one asset, all or nothing, one event per
    /// change. Returns what changed.
    pub fn set_fields(
        &mut self,
        code: &str,
        values: &[(String, String)],
        note: Option<&str>,
    ) -> Result<Vec<FieldChange>> {
        self.write(|tx| {
            let id = resolve(tx.conn, code)?.ok_or_else(|| not_found(code))?;
            set_fields_tx(tx, id, values, note)
        })
    }

    /// Where the asset with this tag or serial goes home to, if set.
    pub fn home_location(&self, code: &str) -> Result<Option<HomeLocation>> {
        let id = resolve(&self.conn, code)?.ok_or_else(|| not_found(code))?;
        home_location(&self.conn, id)
    }

    /// Set (`Some(location code)`) or clear (`None`) the asset's home, with a `home` event.
    pub fn set_home_location(
        &mut self,
        code: &str,
        location: Option<&str>,
        note: Option<&str>,
    ) -> Result<bool> {
        self.write(|tx| {
            let id = resolve(tx.conn, code)?.ok_or_else(|| not_found(code))?;
            set_home_location_tx(tx, id, location, note)
        })
    }

    /// What an export writes beside each asset's own columns.
    pub fn export_extras(&self) -> Result<ExportExtras> {
        export_extras(&self.conn)
    }

    /// Ids of the assets with a custom field value containing `text` (ignoring case), for
    /// search: at most 1,000.
    pub fn assets_with_field_text(&self, text: &str) -> Result<Vec<i64>> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT asset_id FROM asset_field_values
                 WHERE instr(lower(value), lower(?1)) > 0 ORDER BY asset_id LIMIT 1000",
            )
            .ctx("searching custom fields")?;
        let rows = stmt
            .query_map([t], |r| r.get(0))
            .ctx("searching custom fields")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("searching custom fields")
    }

    /// Ids of the assets whose field `name` is `value` (for `find --field`).
    pub fn assets_with_field(&self, name: &str, value: &str) -> Result<Vec<i64>> {
        assets_with_field(&self.conn, name, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewAsset, NewLocation, NewPerson};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        (dir, s)
    }

    fn events(s: &Store, kind: &str) -> i64 {
        s.conn()
            .query_row("SELECT count(*) FROM events WHERE kind = ?1", [kind], |r| {
                r.get(0)
            })
            .unwrap()
    }

    #[test]
    fn fields_are_defined_once_and_set_with_one_event_per_change() {
        let (_d, mut s) = store();
        s.add_asset(&NewAsset {
            tag: "A1".into(),
            ..Default::default()
        })
        .unwrap();
        let ram = s.define_field("RAM", FieldKind::Number, None).unwrap();
        assert_eq!(s.define_field("ram", FieldKind::Number, None).unwrap(), ram);
        assert!(s.define_field("RAM", FieldKind::Text, None).is_err());
        s.define_field("MAC Address", FieldKind::Text, Some("MAC"))
            .unwrap();
        assert_eq!(s.fields().unwrap().len(), 2);
        assert_eq!(events(&s, "field_define"), 2);

        let ch = s
            .set_fields(
                "A1",
                &[
                    ("ram".into(), "16".into()),
                    ("MAC Address".into(), "00:11:22:33:44:55".into()),
                ],
                None,
            )
            .unwrap();
        assert_eq!(ch.len(), 2);
        assert_eq!(events(&s, "field"), 2);
        // The same value again changes nothing and records nothing.
        assert!(s
            .set_fields("A1", &[("RAM".into(), "16".into())], None)
            .unwrap()
            .is_empty());
        assert_eq!(events(&s, "field"), 2);
        // A bad value refuses the whole write.
        let e = s
            .set_fields(
                "A1",
                &[
                    ("RAM".into(), "32".into()),
                    ("MAC Address".into(), "nope".into()),
                ],
                None,
            )
            .unwrap_err();
        assert!(e.to_string().contains("MAC Address"), "{e}");
        let v = s.asset_fields("A1").unwrap();
        assert_eq!(v[1].name, "RAM");
        assert_eq!(v[1].value, "16");
        assert!(s
            .set_fields("A1", &[("IMEI".into(), "1".into())], None)
            .is_err());
        // Clearing removes the value.
        s.set_fields("A1", &[("RAM".into(), String::new())], None)
            .unwrap();
        assert_eq!(s.asset_fields("A1").unwrap().len(), 1);
        assert_eq!(events(&s, "field"), 3);
        let id = s.asset("A1").unwrap().id;
        assert_eq!(
            s.assets_with_field("mac address", "00:11:22:33:44:55")
                .unwrap(),
            vec![id]
        );
    }

    #[test]
    fn a_home_location_is_set_once_and_recorded() {
        let (_d, mut s) = store();
        s.add_location(&NewLocation {
            code: "HQ".into(),
            name: "Head office".into(),
            parent: None,
        })
        .unwrap();
        s.add_asset(&NewAsset {
            tag: "A1".into(),
            ..Default::default()
        })
        .unwrap();
        assert!(s.set_home_location("A1", Some("hq"), None).unwrap());
        assert!(!s.set_home_location("A1", Some("HQ"), None).unwrap());
        assert_eq!(s.home_location("A1").unwrap().unwrap().code, "HQ");
        assert_eq!(events(&s, "home"), 1);
        assert!(s.set_home_location("A1", Some("nowhere"), None).is_err());
        // A check-in with no place scanned takes the asset home; a scanned place wins.
        s.add_location(&NewLocation {
            code: "DESK".into(),
            name: "Desk".into(),
            parent: None,
        })
        .unwrap();
        s.add_person(&NewPerson {
            username: "amy".into(),
            full_name: "Amy".into(),
            email: None,
            badge: None,
            team: None,
        })
        .unwrap();
        s.move_asset("A1", "DESK", None).unwrap();
        s.checkout("A1", "amy", None, None).unwrap();
        let v = s.checkin("A1", None, None, None).unwrap();
        assert_eq!(v.location.as_deref(), Some("HQ"));
        s.checkout("A1", "amy", None, None).unwrap();
        let v = s.checkin("A1", None, Some("DESK"), None).unwrap();
        assert_eq!(v.location.as_deref(), Some("DESK"));
        assert!(s.set_home_location("A1", None, None).unwrap());
        assert_eq!(s.home_location("A1").unwrap(), None);
    }
}
