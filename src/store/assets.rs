//! Reading assets: by code, by id, filtered pages for the list view, and search haystacks.

use super::sql::{Conn, OptionalExtension, Row};
use super::{events, values, Context, Result, Store, StoreError};
use crate::domain::{AssetView, HistoryEntry, Status};

/// Every column of [`AssetView`], joined to the names people read.
pub(super) const SELECT_VIEW: &str = "
SELECT a.id, a.tag, a.serial, a.name, m.name, mf.name, c.name, a.status, a.condition,
       l.code, l.name, p.username, p.full_name, a.assigned_at, a.due_date,
       COALESCE(op.username, ot.name), s.name, a.order_number, a.purchase_date, a.purchase_cost,
       a.currency, a.warranty_until, a.eol_date, a.notes, a.last_seen_at, a.created_at,
       a.updated_at, a.version
FROM assets a
LEFT JOIN models m ON m.id = a.model_id
LEFT JOIN manufacturers mf ON mf.id = a.manufacturer_id
LEFT JOIN categories c ON c.id = a.category_id
LEFT JOIN locations l ON l.id = a.location_id
LEFT JOIN people p ON p.id = a.assignee_id
LEFT JOIN people op ON op.id = a.owner_person_id
LEFT JOIN teams ot ON ot.id = a.owner_team_id
LEFT JOIN suppliers s ON s.id = a.supplier_id";

/// A text column parsed into one of the domain's enums (status, condition, kind, ...).
pub(super) fn enum_col<T: std::str::FromStr>(r: &Row, i: usize) -> super::sql::Result<T> {
    let s: String = r.get(i)?;
    s.parse()
        .map_err(|_| super::sql::Error::conversion(i, format!("unexpected value '{s}'")))
}

/// Text as stored, with any byte that is not UTF-8 written as `\xFF`: one bad byte in a name
/// (written by another tool) must not make `show`, `find` or `export` fail outright, and the
/// escaped form keeps the byte's value for whoever repairs it.
pub(super) fn text_escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// An optional text column read with [`text_escaped`].
pub(super) fn opt_text(r: &Row, i: usize) -> super::sql::Result<Option<String>> {
    use super::sql::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(match std::str::from_utf8(b) {
            Ok(s) => s.to_owned(),
            Err(_) => text_escaped(b),
        }),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
    })
}

fn text(r: &Row, i: usize) -> super::sql::Result<String> {
    Ok(opt_text(r, i)?.unwrap_or_default())
}

pub(super) fn view_from_row(r: &Row) -> super::sql::Result<AssetView> {
    Ok(AssetView {
        id: r.get(0)?,
        tag: text(r, 1)?,
        serial: opt_text(r, 2)?,
        name: opt_text(r, 3)?,
        model: opt_text(r, 4)?,
        manufacturer: opt_text(r, 5)?,
        category: opt_text(r, 6)?,
        status: enum_col(r, 7)?,
        condition: enum_col(r, 8)?,
        location: opt_text(r, 9)?,
        location_name: opt_text(r, 10)?,
        assignee: opt_text(r, 11)?,
        assignee_name: opt_text(r, 12)?,
        assigned_at: values::opt_stamp(r, 13)?,
        due_date: values::opt_date(r, 14)?,
        owner: opt_text(r, 15)?,
        supplier: opt_text(r, 16)?,
        order_number: opt_text(r, 17)?,
        purchase_date: values::opt_date(r, 18)?,
        purchase_cost: values::opt_amount(r, 19)?,
        currency: opt_text(r, 20)?,
        warranty_until: values::opt_date(r, 21)?,
        eol_date: values::opt_date(r, 22)?,
        notes: opt_text(r, 23)?,
        last_seen_at: values::opt_stamp(r, 24)?,
        created_at: values::stamp(r, 25)?,
        updated_at: values::stamp(r, 26)?,
        version: r.get(27)?,
    })
}

/// The asset id a scanned or typed code names: an exact tag first, else an exact serial.
pub(super) fn resolve(conn: &Conn, code: &str) -> Result<Option<i64>> {
    let code = crate::domain::text::normalize_code(code);
    // No tag or serial holds a NUL (PostgreSQL text cannot, and would refuse the parameter
    // with an error rather than find nothing): a wand's stray NUL is simply not found.
    if code.is_empty() || code.contains('\0') {
        return Ok(None);
    }
    let by_tag = conn
        .prepare_cached("SELECT id FROM assets WHERE tag = ?1")
        .ctx("looking up a tag")?
        .query_row([code], |r| r.get(0))
        .optional()
        .ctx("looking up a tag")?;
    if by_tag.is_some() {
        return Ok(by_tag);
    }
    conn.prepare_cached("SELECT id FROM assets WHERE serial = ?1")
        .ctx("looking up a serial")?
        .query_row([code], |r| r.get(0))
        .optional()
        .ctx("looking up a serial")
}

pub(super) fn view_by_id(conn: &Conn, id: i64) -> Result<AssetView> {
    conn.prepare_cached(&format!("{SELECT_VIEW} WHERE a.id = ?1"))
        .ctx("reading an asset")?
        .query_row([id], view_from_row)
        .ctx("reading an asset")
}

pub(super) fn not_found(code: &str) -> StoreError {
    StoreError::NotFound(format!(
        "no asset has the tag or serial '{}'",
        crate::domain::text::visible(code)
    ))
}

/// The columns of the list view for one asset, kept small: a million of these stay in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub id: i64,
    pub tag: Box<str>,
    /// The asset's name, else its model.
    pub name: std::sync::Arc<str>,
    pub status: Status,
    pub condition: crate::domain::Condition,
    pub assignee: Option<std::sync::Arc<str>>,
    pub location: Option<std::sync::Arc<str>>,
}

/// Shares repeated strings (models, usernames, location codes) between rows.
#[derive(Debug, Default)]
pub struct Interner(std::collections::HashMap<Box<str>, std::sync::Arc<str>>);

impl Interner {
    pub fn get(&mut self, s: &str) -> std::sync::Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: std::sync::Arc<str> = s.into();
        self.0.insert(s.into(), a.clone());
        a
    }
}

const SELECT_LIST: &str = "
SELECT a.id, a.tag, a.serial, a.name, m.name, a.status, a.condition, p.username, p.full_name,
       l.code, l.name, mf.name, c.name
FROM assets a
LEFT JOIN models m ON m.id = a.model_id
LEFT JOIN people p ON p.id = a.assignee_id
LEFT JOIN locations l ON l.id = a.location_id
LEFT JOIN manufacturers mf ON mf.id = a.manufacturer_id
LEFT JOIN categories c ON c.id = a.category_id";

/// The search line of a `SELECT_LIST` row: tag, serial, name, manufacturer, model, category,
/// assignee (username and full name) and location (code and name). The one definition of what
/// search looks at.
fn haystack(r: &Row, hay: &mut String) -> super::sql::Result<()> {
    hay.clear();
    for i in [1, 2, 3, 11, 4, 12, 7, 8, 9, 10] {
        if let Some(s) = r.get_ref(i)?.as_str_or_null().ok().flatten() {
            if !hay.is_empty() {
                hay.push(' ');
            }
            hay.push_str(s);
        }
    }
    Ok(())
}

fn list_row(r: &Row, interner: &mut Interner, hay: &mut String) -> super::sql::Result<ListRow> {
    haystack(r, hay)?;
    let name: Option<&str> = r.get_ref(3)?.as_str_or_null().ok().flatten();
    let model: Option<&str> = r.get_ref(4)?.as_str_or_null().ok().flatten();
    let tag: String = text(r, 1)?;
    let display = name.or(model).unwrap_or("");
    Ok(ListRow {
        id: r.get(0)?,
        name: interner.get(display),
        tag: tag.into_boxed_str(),
        status: enum_col(r, 5)?,
        condition: enum_col(r, 6)?,
        assignee: r
            .get_ref(7)?
            .as_str_or_null()
            .ok()
            .flatten()
            .map(|s| interner.get(s)),
        location: r
            .get_ref(9)?
            .as_str_or_null()
            .ok()
            .flatten()
            .map(|s| interner.get(s)),
    })
}

impl Store {
    /// The asset a code names (tag wins over serial), or None.
    pub fn find_code(&self, code: &str) -> Result<Option<AssetView>> {
        match resolve(&self.conn, code)? {
            Some(id) => Ok(Some(view_by_id(&self.conn, id)?)),
            None => Ok(None),
        }
    }

    /// The asset a code names, or a NotFound error that says which code.
    pub fn asset(&self, code: &str) -> Result<AssetView> {
        self.find_code(code)?.ok_or_else(|| not_found(code))
    }

    pub fn asset_by_id(&self, id: i64) -> Result<AssetView> {
        view_by_id(&self.conn, id)
    }

    /// Several assets by id, in the order given (ids that vanished are skipped).
    pub fn assets_by_ids(&self, ids: &[i64]) -> Result<Vec<AssetView>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_VIEW} WHERE a.id = ?1"))
            .ctx("reading assets")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = stmt
                .query_row([id], view_from_row)
                .optional()
                .ctx("reading assets")?
            {
                out.push(v);
            }
        }
        Ok(out)
    }

    pub fn history(&self, code: &str) -> Result<Vec<HistoryEntry>> {
        let id = resolve(&self.conn, code)?.ok_or_else(|| not_found(code))?;
        events::history(&self.conn, id)
    }

    pub fn history_by_id(&self, id: i64) -> Result<Vec<HistoryEntry>> {
        events::history(&self.conn, id)
    }

    pub fn asset_count(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))
            .ctx("counting assets")
    }

    /// Everything one person holds now.
    pub fn held_by(&self, username: &str) -> Result<Vec<AssetView>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_VIEW} WHERE a.assignee_id = (SELECT id FROM people WHERE username = ?1) ORDER BY a.tag"
            ))
            .ctx("listing a person's assets")?;
        let rows = stmt
            .query_map([username], view_from_row)
            .ctx("listing a person's assets")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("listing a person's assets")
    }

    /// Every asset's list row and search line, in tag order, streamed through `f`.
    pub fn for_each_list_row(
        &self,
        interner: &mut Interner,
        mut f: impl FnMut(ListRow, &str),
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_LIST} ORDER BY a.tag"))
            .ctx("reading the asset list")?;
        let mut hay = String::with_capacity(128);
        // Streamed: a million rows are never all in memory at once (on PostgreSQL `query`
        // would hold them all before the first is read).
        stmt.for_each([], |r| {
            let row = list_row(r, interner, &mut hay)?;
            f(row, &hay);
            Ok(())
        })
        .ctx("reading the asset list")
    }

    /// The first `limit` list rows in tag order: what the list shows before everything loads.
    pub fn list_first_page(&self, limit: usize) -> Result<Vec<ListRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_LIST} ORDER BY a.tag LIMIT ?1"))
            .ctx("reading the asset list")?;
        let mut rows = stmt.query([limit as i64]).ctx("reading the asset list")?;
        let mut interner = Interner::default();
        let mut hay = String::new();
        let mut out = Vec::new();
        while let Some(r) = rows.next().ctx("reading the asset list")? {
            out.push(list_row(r, &mut interner, &mut hay).ctx("reading the asset list")?);
        }
        Ok(out)
    }

    /// One asset's list row and search line (after it changed).
    pub fn list_row(&self, id: i64, interner: &mut Interner) -> Result<Option<(ListRow, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_LIST} WHERE a.id = ?1"))
            .ctx("reading an asset")?;
        let mut rows = stmt.query([id]).ctx("reading an asset")?;
        let mut hay = String::new();
        match rows.next().ctx("reading an asset")? {
            Some(r) => {
                let row = list_row(r, interner, &mut hay).ctx("reading an asset")?;
                Ok(Some((row, hay)))
            }
            None => Ok(None),
        }
    }

    /// The newest event id: the live view remembers it and asks what changed since.
    pub fn last_event_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(max(id), 0) FROM events", [], |r| r.get(0))
            .ctx("reading the history")
    }

    /// Assets touched by events after `after` (the change feed), and the newest event id.
    /// `subjects` is true when people or locations changed too.
    pub fn changes_since(&self, after: i64) -> Result<(Vec<i64>, bool, i64)> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, asset_id FROM events WHERE id > ?1 ORDER BY id")
            .ctx("reading changes")?;
        let mut rows = stmt.query([after]).ctx("reading changes")?;
        let mut ids = Vec::new();
        // After an import this is 100,000+ events on the UI thread: a set keeps it linear
        // (a `Vec::contains` per event held the screen for 0.75 s at 100k).
        let mut seen = std::collections::HashSet::new();
        let mut subjects = false;
        let mut last = after;
        while let Some(r) = rows.next().ctx("reading changes")? {
            last = r.get(0).ctx("reading changes")?;
            match r.get::<_, Option<i64>>(1).ctx("reading changes")? {
                Some(id) if seen.insert(id) => ids.push(id),
                Some(_) => {}
                None => subjects = true,
            }
        }
        Ok((ids, subjects, last))
    }

    /// Every asset's id and search line, in tag order (for `itam find`'s index).
    pub fn for_each_haystack(&self, mut f: impl FnMut(i64, &str)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_LIST} ORDER BY a.tag"))
            .ctx("reading the search haystack")?;
        let mut hay = String::with_capacity(128);
        stmt.for_each([], |r| {
            haystack(r, &mut hay)?;
            f(r.get(0)?, &hay);
            Ok(())
        })
        .ctx("reading the search haystack")
    }
}
