//! Locations: rooms, shelves and sites, each with a scannable code and an optional parent.

use super::sql::{params, OptionalExtension, Row};
use super::{Context, Result, Store, StoreError};
use crate::domain::text::visible;
use crate::domain::LocationCode;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Default)]
pub struct NewLocation {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocationView {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub assets: i64,
}

const SELECT_LOCATION: &str = "
SELECT l.code, l.name, p.code, (SELECT count(*) FROM assets a WHERE a.location_id = l.id)
FROM locations l LEFT JOIN locations p ON p.id = l.parent_id";

fn location_from_row(r: &Row) -> super::sql::Result<LocationView> {
    Ok(LocationView {
        code: r.get(0)?,
        name: r.get(1)?,
        parent: r.get(2)?,
        assets: r.get(3)?,
    })
}

impl Store {
    pub fn add_location(&mut self, l: &NewLocation) -> Result<LocationView> {
        let code = LocationCode::parse(&l.code)?.into_string();
        let name = l.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "a location needs a name (--name)".into(),
            ));
        }
        self.write(|tx| {
            let exists: bool = tx
                .conn
                .prepare_cached("SELECT 1 FROM locations WHERE code = ?1")
                .ctx("checking a location")?
                .query_row([&code], |_| Ok(()))
                .optional()
                .ctx("checking a location")?
                .is_some();
            if exists {
                return Err(StoreError::Refused(format!("location code '{}' is already in use", visible(&code))));
            }
            let parent: Option<i64> = match l.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                Some(p) => Some(
                    tx.conn
                        .prepare_cached("SELECT id FROM locations WHERE code = ?1")
                        .ctx("looking up the parent")?
                        .query_row([p], |r| r.get(0))
                        .optional()
                        .ctx("looking up the parent")?
                        .ok_or_else(|| StoreError::NotFound(format!("no parent location has the code '{}'", visible(p))))?,
                ),
                None => None,
            };
            tx.conn
                .prepare_cached("INSERT INTO locations(code, name, parent_id, created_at) VALUES (?1, ?2, ?3, ?4)")
                .ctx("adding a location")?
                .execute(params![code, name, parent, tx.now])
                .ctx("adding a location")?;
            tx.subject_event(&format!("location:{code}"), "location_add", json!({"code": code, "name": name, "parent": l.parent}))?;
            Ok(())
        })?;
        self.location(&code)?
            .ok_or_else(|| StoreError::NotFound(format!("location '{}' vanished", visible(&code))))
    }

    /// Rename a location or change its parent (`Some("")` makes it top level).
    pub fn edit_location(
        &mut self,
        code: &str,
        name: Option<&str>,
        parent: Option<&str>,
    ) -> Result<LocationView> {
        let cur = self.location(code)?.ok_or_else(|| {
            StoreError::NotFound(format!("no location has the code '{}'", visible(code)))
        })?;
        let name = name
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty());
        let code = cur.code.clone();
        self.write(|tx| {
            let parent_id: Option<Option<i64>> = match parent.map(str::trim) {
                None => None,
                Some("") => Some(None),
                Some(p) if p.eq_ignore_ascii_case(&code) => {
                    return Err(StoreError::Refused(format!(
                        "{} cannot be its own parent",
                        visible(&code)
                    )))
                }
                Some(p) => Some(Some(
                    tx.conn
                        .prepare_cached("SELECT id FROM locations WHERE code = ?1")
                        .ctx("looking up the parent")?
                        .query_row([p], |r| r.get(0))
                        .optional()
                        .ctx("looking up the parent")?
                        .ok_or_else(|| {
                            StoreError::NotFound(format!(
                                "no parent location has the code '{}'",
                                visible(p)
                            ))
                        })?,
                )),
            };
            // The new parent may not sit below this location: that would make a loop.
            if let Some(Some(pid)) = parent_id {
                let below: bool = tx
                    .conn
                    .prepare_cached(
                        "WITH RECURSIVE up(id, depth) AS (
                             SELECT CAST(?1 AS INTEGER), 0
                             UNION SELECT l.parent_id, up.depth + 1 FROM locations l JOIN up ON l.id = up.id
                             WHERE l.parent_id IS NOT NULL AND up.depth < 10000)
                         SELECT EXISTS (SELECT 1 FROM up JOIN locations me ON me.id = up.id WHERE me.code = ?2)",
                    )
                    .ctx("checking the location tree")?
                    .query_row(params![pid, code], |r| r.get(0))
                    .ctx("checking the location tree")?;
                if below {
                    return Err(StoreError::Refused(format!(
                        "{} is inside {} already: making it the parent would put {} inside itself",
                        visible(parent.unwrap_or_default().trim()),
                        visible(&code),
                        visible(&code)
                    )));
                }
            }
            tx.conn
                .prepare_cached(
                    "UPDATE locations SET name = COALESCE(?2, name),
                       parent_id = CASE WHEN ?3 THEN ?4 ELSE parent_id END WHERE code = ?1",
                )
                .ctx("editing a location")?
                .execute(params![
                    code,
                    name,
                    parent_id.is_some(),
                    parent_id.flatten()
                ])
                .ctx("editing a location")?;
            tx.subject_event(
                &format!("location:{code}"),
                "location_edit",
                json!({"name": name, "parent": parent.map(str::trim)}),
            )?;
            Ok(())
        })?;
        self.location(&code)?
            .ok_or_else(|| StoreError::NotFound(format!("location '{}' vanished", visible(&code))))
    }

    pub fn location(&self, code: &str) -> Result<Option<LocationView>> {
        self.conn
            .prepare_cached(&format!("{SELECT_LOCATION} WHERE l.code = ?1"))
            .ctx("reading a location")?
            .query_row([code.trim()], location_from_row)
            .optional()
            .ctx("reading a location")
    }

    pub fn locations(&self) -> Result<Vec<LocationView>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_LOCATION} ORDER BY l.code"))
            .ctx("listing locations")?;
        let rows = stmt
            .query_map([], location_from_row)
            .ctx("listing locations")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("listing locations")
    }
}
