//! Small name tables (manufacturers, categories, suppliers, teams, models): found or created by
//! name, case- and whitespace-insensitively, so "Dell", " dell " and "DELL" are one row.

use super::sql::{params, Conn, OptionalExtension};
use super::{Context, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameTable {
    Manufacturers,
    Categories,
    Suppliers,
    Teams,
}

impl NameTable {
    pub(super) fn table(self) -> &'static str {
        match self {
            NameTable::Manufacturers => "manufacturers",
            NameTable::Categories => "categories",
            NameTable::Suppliers => "suppliers",
            NameTable::Teams => "teams",
        }
    }
}

/// Trim and collapse runs of whitespace, so names compare as a person reads them.
pub fn clean_name(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The row id for `name` in `table`, created when new. Empty names mean "none".
pub fn get_or_create(conn: &Conn, table: NameTable, name: &str) -> Result<Option<i64>> {
    let name = clean_name(name);
    if name.is_empty() {
        return Ok(None);
    }
    // The table name is one of four constants above, never user text.
    let t = table.table();
    let found: Option<i64> = conn
        .prepare_cached(&format!("SELECT id FROM {t} WHERE name = ?1"))
        .ctx("looking up a name")?
        .query_row([&name], |r| r.get(0))
        .optional()
        .ctx("looking up a name")?;
    if let Some(id) = found {
        return Ok(Some(id));
    }
    let new_id: i64 = conn
        .prepare_cached(&format!("INSERT INTO {t}(name) VALUES (?1) RETURNING id"))
        .ctx("adding a name")?
        .insert([&name])
        .ctx(&format!("adding to {t}"))?;
    Ok(Some(new_id))
}

/// A model's id with its manufacturer and category ids.
pub type ModelIds = (i64, Option<i64>, Option<i64>);

/// The model's id, created when new with the manufacturer and category given alongside it.
/// Returns (model id, its manufacturer id, its category id) so an asset can inherit them.
pub fn get_or_create_model(
    conn: &Conn,
    name: &str,
    manufacturer: Option<i64>,
    category: Option<i64>,
) -> Result<Option<ModelIds>> {
    let name = clean_name(name);
    if name.is_empty() {
        return Ok(None);
    }
    let found = conn
        .prepare_cached("SELECT id, manufacturer_id, category_id FROM models WHERE name = ?1")
        .ctx("looking up a model")?
        .query_row([&name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .ctx("looking up a model")?;
    if let Some(row) = found {
        return Ok(Some(row));
    }
    let new_id: i64 = conn.prepare_cached(
        "INSERT INTO models(name, manufacturer_id, category_id) VALUES (?1, ?2, ?3) RETURNING id",
    )
    .ctx("adding a model")?
    .insert(params![name, manufacturer, category])
    .ctx("adding a model")?;
    Ok(Some((new_id, manufacturer, category)))
}

impl super::Store {
    /// Whether `--owner NAME` names a person (username) or a team, ignoring case: two index
    /// look-ups, so the common case never reads every name.
    pub fn owner_exists(&self, name: &str) -> Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM people WHERE username = ?1 COLLATE NOCASE)
                     OR EXISTS(SELECT 1 FROM teams WHERE name = ?1 COLLATE NOCASE)",
            )
            .ctx("looking up an owner")?
            .query_row([name], |r| r.get(0))
            .ctx("looking up an owner")
    }

    /// Every name `--owner` can take: people's usernames and team names.
    pub fn owner_names(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT username FROM people UNION ALL SELECT name FROM teams")
            .ctx("reading owners")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .ctx("reading owners")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading owners")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deduplicated_ignoring_case_and_spacing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            crate::store::Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        let ids = store
            .write(|tx| {
                let a = get_or_create(tx.conn, NameTable::Manufacturers, "Dell  Inc")?;
                let b = get_or_create(tx.conn, NameTable::Manufacturers, "  DELL inc ")?;
                let c = get_or_create(tx.conn, NameTable::Manufacturers, "HP")?;
                let none = get_or_create(tx.conn, NameTable::Manufacturers, "   ")?;
                Ok((a, b, c, none))
            })
            .unwrap();
        assert_eq!(ids.0, ids.1);
        assert_ne!(ids.0, ids.2);
        assert_eq!(ids.3, None);
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM manufacturers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}
