//! The reads (and two small writes) that `itam serve` needs beyond the CLI's: rows by integer
//! id, filtered and sorted pages with totals, the history as a feed. Every value is bound; the
//! only SQL text chosen at run time comes from the fixed lists below.

use super::assets::{enum_col, not_found, view_by_id, view_from_row, SELECT_VIEW};
use super::lookup::{clean_name, NameTable};
use super::ops::{current, touch};
use super::sql::Value as Sql;
use super::sql::{params, params_from_iter, OptionalExtension};
use super::values;
use super::{Context, Result, Store, StoreError};
use crate::domain::lifecycle::transition;
use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use crate::domain::{Action, AssetView, Status};
use serde_json::{json, Value};

/// An id and a display name: how Snipe-IT refers to a related row.
#[derive(Debug, Clone, PartialEq)]
pub struct IdName {
    pub id: i64,
    pub name: String,
}

/// An asset with the integer ids of what it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiAsset {
    pub view: AssetView,
    pub model_id: Option<i64>,
    pub model_number: Option<String>,
    pub manufacturer_id: Option<i64>,
    pub category_id: Option<i64>,
    pub location_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub assignee_email: Option<String>,
}

/// Which column a list is sorted by. The SQL for each is fixed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssetSort {
    #[default]
    Id,
    Tag,
    Serial,
    Name,
    Model,
    Category,
    Manufacturer,
    Location,
    Status,
    Assignee,
    PurchaseDate,
    PurchaseCost,
    OrderNumber,
    UpdatedAt,
    ExpectedCheckin,
}

impl AssetSort {
    /// Snipe-IT's sort names; unknown names sort by id, as Snipe-IT falls back to created_at.
    pub fn from_snipeit(s: &str) -> AssetSort {
        match s {
            "asset_tag" => AssetSort::Tag,
            "serial" => AssetSort::Serial,
            "name" => AssetSort::Name,
            "model" => AssetSort::Model,
            "category" => AssetSort::Category,
            "manufacturer" => AssetSort::Manufacturer,
            "location" => AssetSort::Location,
            "status_label" => AssetSort::Status,
            "assigned_to" => AssetSort::Assignee,
            "purchase_date" => AssetSort::PurchaseDate,
            "purchase_cost" => AssetSort::PurchaseCost,
            "order_number" => AssetSort::OrderNumber,
            "updated_at" => AssetSort::UpdatedAt,
            "expected_checkin" => AssetSort::ExpectedCheckin,
            _ => AssetSort::Id,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            AssetSort::Id => "a.id",
            AssetSort::Tag => "a.tag",
            AssetSort::Serial => "a.serial",
            AssetSort::Name => "a.name",
            AssetSort::Model => "m.name",
            AssetSort::Category => "c.name",
            AssetSort::Manufacturer => "mf.name",
            AssetSort::Location => "l.name",
            AssetSort::Status => "a.status",
            AssetSort::Assignee => "p.username",
            AssetSort::PurchaseDate => "a.purchase_date",
            AssetSort::PurchaseCost => "CAST(a.purchase_cost AS REAL)",
            AssetSort::OrderNumber => "a.order_number",
            AssetSort::UpdatedAt => "a.updated_at",
            AssetSort::ExpectedCheckin => "a.due_date",
        }
    }
}

/// A page of assets: filters are ANDed; `search` matches tag, serial, name, model, assignee
/// and location as a substring.
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    pub limit: i64,
    pub offset: i64,
    pub search: Option<String>,
    pub sort: AssetSort,
    pub desc: bool,
    pub statuses: Option<Vec<Status>>,
    pub model_id: Option<i64>,
    pub category_id: Option<i64>,
    pub manufacturer_id: Option<i64>,
    pub location_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub tag: Option<String>,
    pub serial: Option<String>,
    pub order_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiPerson {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub badge: Option<String>,
    pub team: Option<IdName>,
    pub active: bool,
    pub assets: i64,
    pub licences: i64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiLocation {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent: Option<IdName>,
    pub assets: i64,
    pub assigned_assets: i64,
    pub children: Vec<IdName>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiModel {
    pub id: i64,
    pub name: String,
    pub model_number: Option<String>,
    pub manufacturer: Option<IdName>,
    pub category: Option<IdName>,
    pub assets: i64,
    /// When it was created through the API, else when its first asset was (models have no
    /// timestamp of their own).
    pub created_at: Option<Timestamp>,
}

/// A row of a small name table with how many assets use it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedCount {
    pub id: i64,
    pub name: String,
    pub assets: i64,
}

/// One event of the history, as the feed serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiEvent {
    pub id: i64,
    pub asset_id: Option<i64>,
    pub asset_tag: Option<String>,
    pub subject: Option<String>,
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub before: Value,
    pub after: Value,
    pub note: Option<String>,
}

/// One seat of a licence in use, in the order seats were taken.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSeat {
    pub person: Option<(i64, String, String, Option<String>)>,
    pub asset: Option<(i64, String)>,
    pub assigned_at: Timestamp,
    pub note: Option<String>,
}

/// A search box's text as a LIKE pattern; none when it is blank.
fn search_pattern(search: Option<&str>) -> Option<String> {
    search.filter(|s| !s.trim().is_empty()).map(like)
}

fn like(s: &str) -> String {
    let escaped: String = s
        .trim()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

fn json_col(s: Option<String>) -> Value {
    s.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

fn table_sql(t: NameTable) -> &'static str {
    t.table()
}

fn asset_id_col(t: NameTable) -> &'static str {
    match t {
        NameTable::Manufacturers => "manufacturer_id",
        NameTable::Categories => "category_id",
        NameTable::Suppliers => "supplier_id",
        NameTable::Teams => "owner_team_id",
    }
}

impl Store {
    fn with_ids(&self, view: AssetView) -> Result<ApiAsset> {
        let (model_id, model_number, manufacturer_id, category_id, location_id, supplier_id, assignee_id, email) = self
            .conn
            .prepare_cached(
                "SELECT a.model_id, m.model_number, a.manufacturer_id, a.category_id, a.location_id,
                        a.supplier_id, a.assignee_id, p.email
                 FROM assets a LEFT JOIN models m ON m.id = a.model_id
                 LEFT JOIN people p ON p.id = a.assignee_id WHERE a.id = ?1",
            )
            .ctx("reading an asset")?
            .query_row([view.id], super::sql::FromRow::from_row)
            .ctx("reading an asset")?;
        Ok(ApiAsset {
            view,
            model_id,
            model_number,
            manufacturer_id,
            category_id,
            location_id,
            supplier_id,
            assignee_id,
            assignee_email: email,
        })
    }

    /// One asset by its integer id, or None.
    pub fn api_asset(&self, id: i64) -> Result<Option<ApiAsset>> {
        let view = self
            .conn
            .prepare_cached(&format!("{SELECT_VIEW} WHERE a.id = ?1"))
            .ctx("reading an asset")?
            .query_row([id], view_from_row)
            .optional()
            .ctx("reading an asset")?;
        view.map(|v| self.with_ids(v)).transpose()
    }

    /// The asset with exactly this tag (tags are unique, compared without case), or None.
    pub fn api_asset_by_tag(&self, tag: &str) -> Result<Option<ApiAsset>> {
        let view = self
            .conn
            .prepare_cached(&format!("{SELECT_VIEW} WHERE a.tag = ?1"))
            .ctx("looking up a tag")?
            .query_row([tag], view_from_row)
            .optional()
            .ctx("looking up a tag")?;
        view.map(|v| self.with_ids(v)).transpose()
    }

    /// A page of assets and how many match in all.
    pub fn api_assets(&self, q: &AssetQuery) -> Result<(i64, Vec<ApiAsset>)> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Sql> = Vec::new();
        if let Some(s) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
            args.push(Sql::Text(like(s)));
            let n = args.len();
            clauses.push(
                [
                    "a.tag",
                    "a.serial",
                    "a.name",
                    "m.name",
                    "p.username",
                    "p.full_name",
                    "l.name",
                    "l.code",
                ]
                .iter()
                .map(|c| format!("{c} LIKE ?{n} ESCAPE '\\'"))
                .collect::<Vec<_>>()
                .join(" OR "),
            );
            if let Some(last) = clauses.last_mut() {
                *last = format!("({last})");
            }
        }
        if let Some(list) = &q.statuses {
            let inner: Vec<String> = list.iter().map(|s| format!("'{}'", s.as_str())).collect();
            // Status names are the domain's own constants, never request text.
            clauses.push(format!("a.status IN ({})", inner.join(",")));
        }
        let ids = [
            ("a.model_id", q.model_id),
            ("a.category_id", q.category_id),
            ("a.manufacturer_id", q.manufacturer_id),
            ("a.location_id", q.location_id),
            ("a.supplier_id", q.supplier_id),
            ("a.assignee_id", q.assignee_id),
        ];
        for (col, v) in ids {
            if let Some(id) = v {
                args.push(Sql::Integer(id));
                clauses.push(format!("{col} = ?{}", args.len()));
            }
        }
        for (col, v) in [
            ("a.tag", &q.tag),
            ("a.serial", &q.serial),
            ("a.order_number", &q.order_number),
        ] {
            if let Some(s) = v {
                args.push(Sql::Text(s.trim().to_string()));
                clauses.push(format!("{col} = ?{}", args.len()));
            }
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let count_sql = if where_sql.is_empty() {
            "SELECT count(*) FROM assets a".to_string()
        } else {
            format!(
                "SELECT count(*) FROM assets a LEFT JOIN models m ON m.id = a.model_id
                 LEFT JOIN people p ON p.id = a.assignee_id LEFT JOIN locations l ON l.id = a.location_id{where_sql}"
            )
        };
        let total: i64 = self
            .conn
            .prepare_cached(&count_sql)
            .ctx("counting assets")?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))
            .ctx("counting assets")?;
        let dir = if q.desc { "DESC" } else { "ASC" };
        let n = args.len();
        let sql = format!(
            "{SELECT_VIEW}{where_sql} ORDER BY {} {dir}, a.id {dir} LIMIT ?{} OFFSET ?{}",
            q.sort.sql(),
            n + 1,
            n + 2
        );
        args.push(Sql::Integer(q.limit));
        args.push(Sql::Integer(q.offset));
        let mut stmt = self.conn.prepare_cached(&sql).ctx("listing assets")?;
        let views: Vec<AssetView> = stmt
            .query_map(params_from_iter(args.iter()), view_from_row)
            .ctx("listing assets")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing assets")?;
        let rows = views
            .into_iter()
            .map(|v| self.with_ids(v))
            .collect::<Result<Vec<_>>>()?;
        Ok((total, rows))
    }

    /// Record that an asset was seen and checked (Snipe-IT's audit), optionally moving it.
    pub fn audit_seen(&mut self, code: &str, note: Option<&str>) -> Result<AssetView> {
        self.write(|tx| audit_seen_tx(tx, code, note))
    }

    /// The tag of an asset by id (what the store's writes take), or a not-found error.
    pub fn asset_tag_by_id(&self, id: i64) -> Result<String> {
        self.conn
            .prepare_cached("SELECT tag FROM assets WHERE id = ?1")
            .ctx("reading an asset")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("reading an asset")?
            .ok_or_else(|| not_found(&format!("#{id}")))
    }

    pub fn person_username_by_id(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT username FROM people WHERE id = ?1")
            .ctx("reading a person")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("reading a person")
    }

    pub fn location_code_by_id(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT code FROM locations WHERE id = ?1")
            .ctx("reading a location")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("reading a location")
    }

    pub fn model_name_by_id(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT name FROM models WHERE id = ?1")
            .ctx("reading a model")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("reading a model")
    }

    /// The name of a row of a small name table by id.
    pub fn name_by_id(&self, table: NameTable, id: i64) -> Result<Option<String>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT name FROM {} WHERE id = ?1",
                table_sql(table)
            ))
            .ctx("reading a name")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("reading a name")
    }

    /// How many rows of `from` (a table and its alias) `filter` keeps; the filter's ?1 is the
    /// search pattern and ?2 the id, as in every paged API list.
    fn count_matching(
        &self,
        from: &str,
        filter: &str,
        pattern: &Option<String>,
        id: Option<i64>,
        context: &str,
    ) -> Result<i64> {
        self.conn
            .prepare_cached(&format!("SELECT count(*) FROM {from} WHERE {filter}"))
            .ctx(context)?
            .query_row(params![pattern, id], |r| r.get(0))
            .ctx(context)
    }

    /// People, a page at a time, with a substring search over username, name, email and badge.
    pub fn api_people(
        &self,
        limit: i64,
        offset: i64,
        search: Option<&str>,
        id: Option<i64>,
    ) -> Result<(i64, Vec<ApiPerson>)> {
        let pattern = search_pattern(search);
        let filter = "(?1 IS NULL OR p.username LIKE ?1 ESCAPE '\\' OR p.full_name LIKE ?1 ESCAPE '\\'
                       OR p.email LIKE ?1 ESCAPE '\\' OR p.badge LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR p.id = ?2)";
        let total = self.count_matching("people p", filter, &pattern, id, "counting people")?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT p.id, p.username, p.full_name, p.email, p.badge, t.id, t.name, p.active,
                        (SELECT count(*) FROM assets a WHERE a.assignee_id = p.id),
                        (SELECT count(*) FROM licence_seats s WHERE s.person_id = p.id), p.created_at
                 FROM people p LEFT JOIN teams t ON t.id = p.team_id
                 WHERE {filter} ORDER BY p.id LIMIT ?3 OFFSET ?4"
            ))
            .ctx("listing people")?;
        let rows = stmt
            .query_map(params![pattern, id, limit, offset], |r| {
                let team_id: Option<i64> = r.get(5)?;
                let team_name: Option<String> = r.get(6)?;
                Ok(ApiPerson {
                    id: r.get(0)?,
                    username: r.get(1)?,
                    full_name: r.get(2)?,
                    email: r.get(3)?,
                    badge: r.get(4)?,
                    team: team_id.zip(team_name).map(|(id, name)| IdName { id, name }),
                    active: r.get(7)?,
                    assets: r.get(8)?,
                    licences: r.get(9)?,
                    created_at: values::stamp(r, 10)?,
                })
            })
            .ctx("listing people")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing people")?;
        Ok((total, rows))
    }

    pub fn person_id_by_username(&self, username: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM people WHERE username = ?1")
            .ctx("reading a person")?
            .query_row([username.trim()], |r| r.get(0))
            .optional()
            .ctx("reading a person")
    }

    /// Locations, a page at a time, with their counts and children.
    pub fn api_locations(
        &self,
        limit: i64,
        offset: i64,
        search: Option<&str>,
        id: Option<i64>,
    ) -> Result<(i64, Vec<ApiLocation>)> {
        let pattern = search_pattern(search);
        let filter = "(?1 IS NULL OR l.code LIKE ?1 ESCAPE '\\' OR l.name LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR l.id = ?2)";
        let total =
            self.count_matching("locations l", filter, &pattern, id, "counting locations")?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT l.id, l.code, l.name, p.id, p.name,
                        (SELECT count(*) FROM assets a WHERE a.location_id = l.id),
                        (SELECT count(*) FROM assets a WHERE a.location_id = l.id AND a.assignee_id IS NOT NULL),
                        l.created_at
                 FROM locations l LEFT JOIN locations p ON p.id = l.parent_id
                 WHERE {filter} ORDER BY l.id LIMIT ?3 OFFSET ?4"
            ))
            .ctx("listing locations")?;
        let mut rows: Vec<ApiLocation> = stmt
            .query_map(params![pattern, id, limit, offset], |r| {
                let pid: Option<i64> = r.get(3)?;
                let pname: Option<String> = r.get(4)?;
                Ok(ApiLocation {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    parent: pid.zip(pname).map(|(id, name)| IdName { id, name }),
                    assets: r.get(5)?,
                    assigned_assets: r.get(6)?,
                    children: Vec::new(),
                    created_at: values::stamp(r, 7)?,
                })
            })
            .ctx("listing locations")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing locations")?;
        let mut kids = self
            .conn
            .prepare_cached("SELECT id, name FROM locations WHERE parent_id = ?1 ORDER BY id")
            .ctx("listing locations")?;
        for loc in &mut rows {
            loc.children = kids
                .query_map([loc.id], |r| {
                    Ok(IdName {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                })
                .ctx("listing locations")?
                .collect::<std::result::Result<_, _>>()
                .ctx("listing locations")?;
        }
        Ok((total, rows))
    }

    pub fn location_id_by_code(&self, code: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM locations WHERE code = ?1")
            .ctx("reading a location")?
            .query_row([code.trim()], |r| r.get(0))
            .optional()
            .ctx("reading a location")
    }

    /// Models, a page at a time.
    pub fn api_models(
        &self,
        limit: i64,
        offset: i64,
        search: Option<&str>,
        id: Option<i64>,
    ) -> Result<(i64, Vec<ApiModel>)> {
        let pattern = search_pattern(search);
        let filter = "(?1 IS NULL OR m.name LIKE ?1 ESCAPE '\\' OR m.model_number LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR m.id = ?2)";
        let total = self.count_matching("models m", filter, &pattern, id, "counting models")?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT m.id, m.name, m.model_number, mf.id, mf.name, c.id, c.name,
                        (SELECT count(*) FROM assets a WHERE a.model_id = m.id),
                        COALESCE((SELECT min(e.at) FROM events e WHERE e.subject = 'model:' || m.id),
                                 (SELECT min(a.created_at) FROM assets a WHERE a.model_id = m.id))
                 FROM models m LEFT JOIN manufacturers mf ON mf.id = m.manufacturer_id
                 LEFT JOIN categories c ON c.id = m.category_id
                 WHERE {filter} ORDER BY m.id LIMIT ?3 OFFSET ?4"
            ))
            .ctx("listing models")?;
        let rows = stmt
            .query_map(params![pattern, id, limit, offset], |r| {
                let mf: Option<i64> = r.get(3)?;
                let mfn: Option<String> = r.get(4)?;
                let c: Option<i64> = r.get(5)?;
                let cn: Option<String> = r.get(6)?;
                Ok(ApiModel {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    model_number: r.get(2)?,
                    manufacturer: mf.zip(mfn).map(|(id, name)| IdName { id, name }),
                    category: c.zip(cn).map(|(id, name)| IdName { id, name }),
                    assets: r.get(7)?,
                    created_at: values::opt_stamp(r, 8)?,
                })
            })
            .ctx("listing models")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing models")?;
        Ok((total, rows))
    }

    /// Create a model from ids (Snipe-IT's POST /models). A name already in use is refused.
    pub fn create_model(
        &mut self,
        name: &str,
        model_number: Option<&str>,
        manufacturer_id: Option<i64>,
        category_id: Option<i64>,
    ) -> Result<i64> {
        let name = clean_name(name);
        if name.is_empty() {
            return Err(StoreError::Invalid("name: a model needs a name".into()));
        }
        let number = model_number.map(str::trim).filter(|s| !s.is_empty());
        self.write(|tx| {
            let taken = tx
                .conn
                .prepare_cached("SELECT 1 FROM models WHERE name = ?1")
                .ctx("checking a model")?
                .query_row([&name], |_| Ok(()))
                .optional()
                .ctx("checking a model")?
                .is_some();
            if taken {
                return Err(StoreError::Refused(format!(
                    "name: a model named '{}' already exists",
                    visible(&name)
                )));
            }
            for (table, id, field) in [
                ("manufacturers", manufacturer_id, "manufacturer_id"),
                ("categories", category_id, "category_id"),
            ] {
                if let Some(id) = id {
                    let found = tx
                        .conn
                        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))
                        .ctx("checking a model")?
                        .query_row([id], |_| Ok(()))
                        .optional()
                        .ctx("checking a model")?
                        .is_some();
                    if !found {
                        return Err(StoreError::NotFound(format!("{field}: no {field} {id}")));
                    }
                }
            }
            let id: i64 = tx.conn
                .prepare_cached(
                    "INSERT INTO models(name, manufacturer_id, category_id, model_number) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                )
                .ctx("adding a model")?
                .insert(params![name, manufacturer_id, category_id, number])
                .ctx("adding a model")?;
            tx.subject_event(
                &format!("model:{id}"),
                "model_create",
                json!({"name": name, "model_number": number, "manufacturer_id": manufacturer_id, "category_id": category_id}),
            )?;
            Ok(id)
        })
    }

    /// Rows of a small name table with their asset counts, a page at a time.
    pub fn api_names(
        &self,
        table: NameTable,
        limit: i64,
        offset: i64,
        search: Option<&str>,
        id: Option<i64>,
    ) -> Result<(i64, Vec<NamedCount>)> {
        let t = table_sql(table);
        let col = asset_id_col(table);
        let pattern = search_pattern(search);
        let filter = "(?1 IS NULL OR x.name LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR x.id = ?2)";
        let total =
            self.count_matching(&format!("{t} x"), filter, &pattern, id, "counting names")?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT x.id, x.name, (SELECT count(*) FROM assets a WHERE a.{col} = x.id)
                 FROM {t} x WHERE {filter} ORDER BY x.id LIMIT ?3 OFFSET ?4"
            ))
            .ctx("listing names")?;
        let rows = stmt
            .query_map(params![pattern, id, limit, offset], |r| {
                Ok(NamedCount {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    assets: r.get(2)?,
                })
            })
            .ctx("listing names")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing names")?;
        Ok((total, rows))
    }

    /// How many assets have each status.
    pub fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status, count(*) FROM assets GROUP BY status")
            .ctx("counting statuses")?;
        let rows = stmt
            .query_map([], |r| Ok((enum_col(r, 0)?, r.get(1)?)))
            .ctx("counting statuses")?
            .collect::<std::result::Result<_, _>>()
            .ctx("counting statuses")?;
        Ok(rows)
    }

    /// Events after `since`, oldest first, at most `limit`.
    pub fn api_events(&self, since: i64, limit: i64) -> Result<Vec<ApiEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT e.id, e.asset_id, a.tag, e.subject, e.kind, e.actor, e.at, e.before, e.after, e.note
                 FROM events e LEFT JOIN assets a ON a.id = e.asset_id
                 WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
            )
            .ctx("reading the history")?;
        let rows = stmt
            .query_map(params![since, limit], |r| {
                Ok(ApiEvent {
                    id: r.get(0)?,
                    asset_id: r.get(1)?,
                    asset_tag: r.get(2)?,
                    subject: r.get(3)?,
                    kind: r.get(4)?,
                    actor: r.get(5)?,
                    at: r.get(6)?,
                    before: json_col(r.get(7)?),
                    after: json_col(r.get(8)?),
                    note: r.get(9)?,
                })
            })
            .ctx("reading the history")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading the history")?;
        Ok(rows)
    }

    /// The seats of a licence in use, in the order they were taken.
    pub fn api_seats(&self, licence_id: i64) -> Result<Vec<ApiSeat>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT p.id, p.username, p.full_name, p.email, a.id, a.tag, s.assigned_at, s.note
                 FROM licence_seats s LEFT JOIN people p ON p.id = s.person_id
                 LEFT JOIN assets a ON a.id = s.asset_id
                 WHERE s.licence_id = ?1 ORDER BY s.id",
            )
            .ctx("reading seats")?;
        let rows = stmt
            .query_map([licence_id], |r| {
                let pid: Option<i64> = r.get(0)?;
                let aid: Option<i64> = r.get(4)?;
                Ok(ApiSeat {
                    person: match pid {
                        Some(id) => Some((id, r.get(1)?, r.get(2)?, r.get(3)?)),
                        None => None,
                    },
                    asset: match aid {
                        Some(id) => Some((id, r.get(5)?)),
                        None => None,
                    },
                    assigned_at: values::stamp(r, 6)?,
                    note: r.get(7)?,
                })
            })
            .ctx("reading seats")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading seats")?;
        Ok(rows)
    }
}

/// The body of `Store::audit_seen`, for callers that hold a transaction already.
pub fn audit_seen_tx(tx: &super::Tx, code: &str, note: Option<&str>) -> Result<AssetView> {
    let cur = current(tx, code)?;
    transition(cur.status, Action::Modify)?;
    tx.conn
        .prepare_cached("UPDATE assets SET last_seen_at = ?2 WHERE id = ?1")
        .ctx("recording an audit")?
        .execute(params![cur.id, tx.now])
        .ctx("recording an audit")?;
    touch(tx, cur.id)?;
    tx.asset_event(
        cur.id,
        "audited",
        json!({"last_seen_at": cur.last_seen_at}),
        json!({"at": cur.location, "result": "found"}),
        note,
    )?;
    view_by_id(tx.conn, cur.id)
}
