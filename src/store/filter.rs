//! Exact filters over assets (`itam find --status --location --assignee --model --category`):
//! every value must name something that exists, so a typo is an error rather than no rows.

use super::lookup::clean_name;
use super::sql::OptionalExtension;
use super::sql::Value;
use super::{Context, Result, Store, StoreError};
use crate::domain::text::visible;
use crate::domain::Status;

/// What an asset must be to pass; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetFilter {
    pub status: Option<Status>,
    /// A location code (that location only, not the ones inside it).
    pub location: Option<String>,
    /// The username of who has it.
    pub assignee: Option<String>,
    /// A model name, any case.
    pub model: Option<String>,
    /// A category name, any case.
    pub category: Option<String>,
}

impl AssetFilter {
    pub fn is_empty(&self) -> bool {
        *self == AssetFilter::default()
    }
}

impl Store {
    /// The id `name` has in `sql`'s table, or an error that says what does not exist.
    fn filter_id(&self, sql: &str, name: &str, what: &str) -> Result<i64> {
        let name = clean_name(name);
        self.conn
            .prepare_cached(sql)
            .ctx("reading a filter")?
            .query_row([&name], |r| r.get(0))
            .optional()
            .ctx("reading a filter")?
            .ok_or_else(|| StoreError::NotFound(format!("no {what} '{}'", visible(&name))))
    }

    /// Ids of the assets that pass every filter, in tag order, at most `limit` of them.
    pub fn filter_asset_ids(&self, f: &AssetFilter, limit: Option<usize>) -> Result<Vec<i64>> {
        // Each clause is a constant; every value is a bound parameter.
        let mut clauses: Vec<&str> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(s) = f.status {
            clauses.push("a.status = ?");
            params.push(Value::Text(s.as_str().into()));
        }
        if let Some(code) = &f.location {
            let id = self.filter_id(
                "SELECT id FROM locations WHERE code = ?1",
                code,
                "location has the code",
            )?;
            clauses.push("a.location_id = ?");
            params.push(Value::Integer(id));
        }
        if let Some(user) = &f.assignee {
            let id = self.filter_id(
                "SELECT id FROM people WHERE username = ?1",
                user,
                "person has the username",
            )?;
            clauses.push("a.assignee_id = ?");
            params.push(Value::Integer(id));
        }
        if let Some(m) = &f.model {
            let id =
                self.filter_id("SELECT id FROM models WHERE name = ?1", m, "model is named")?;
            clauses.push("a.model_id = ?");
            params.push(Value::Integer(id));
        }
        if let Some(c) = &f.category {
            let id = self.filter_id(
                "SELECT id FROM categories WHERE name = ?1",
                c,
                "category is named",
            )?;
            clauses.push(
                "COALESCE(a.category_id, (SELECT category_id FROM models m WHERE m.id = a.model_id)) = ?",
            );
            params.push(Value::Integer(id));
        }
        let mut sql = String::from("SELECT a.id FROM assets a");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY a.tag");
        if let Some(n) = limit {
            sql.push_str(" LIMIT ?");
            params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        }
        let mut stmt = self.conn.prepare(&sql).ctx("filtering assets")?;
        let rows = stmt
            .query_map(super::sql::params_from_iter(params), |r| r.get(0))
            .ctx("filtering assets")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("filtering assets")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewAsset;

    #[test]
    fn filters_combine_and_unknown_names_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        s.add_location(&crate::store::NewLocation {
            code: "R1".into(),
            name: "Room".into(),
            parent: None,
        })
        .unwrap();
        for (tag, model, cat, loc) in [
            ("A1", "T14", "Laptop", Some("R1")),
            ("A2", "T14", "Laptop", None),
            ("A3", "P24", "Monitor", Some("R1")),
        ] {
            s.add_asset(&NewAsset {
                tag: tag.into(),
                model: Some(model.into()),
                category: Some(cat.into()),
                location: loc.map(Into::into),
                ..Default::default()
            })
            .unwrap();
        }
        let tags = |f: &AssetFilter| {
            let ids = s.filter_asset_ids(f, None).unwrap();
            s.assets_by_ids(&ids)
                .unwrap()
                .into_iter()
                .map(|a| a.tag)
                .collect::<Vec<_>>()
        };
        let f = AssetFilter {
            location: Some("r1".into()),
            category: Some("laptop".into()),
            ..Default::default()
        };
        assert_eq!(tags(&f), ["A1"]);
        let f = AssetFilter {
            model: Some("t14".into()),
            status: Some(Status::InStock),
            ..Default::default()
        };
        assert_eq!(tags(&f), ["A1", "A2"]);
        assert_eq!(s.filter_asset_ids(&f, Some(1)).unwrap().len(), 1);
        let f = AssetFilter {
            location: Some("R9".into()),
            ..Default::default()
        };
        let err = s.filter_asset_ids(&f, None).unwrap_err().to_string();
        assert!(err.contains("no location has the code 'R9'"), "{err}");
    }
}
