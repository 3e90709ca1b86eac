//! The PostgreSQL backend of the layer: a synchronous `postgres` client, the store's SQLite
//! SQL translated once per text, parameters encoded by the type PostgreSQL inferred for them,
//! and every column decoded by its type into SQLite's five storage classes.

use super::translate::translate;
use super::{Error, Result, Value, ValueRef};
use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// Statements kept prepared per connection; past this the cache starts over (the store's SQL
/// is a few hundred texts, but filters build some at run time).
const CACHE_MAX: usize = 512;

pub(super) struct PgConn {
    client: RefCell<postgres::Client>,
    cache: RefCell<HashMap<String, postgres::Statement>>,
    in_tx: Cell<bool>,
}

impl PgConn {
    pub(super) fn connect(config: &postgres::Config) -> Result<PgConn> {
        let client = config.connect(postgres::NoTls)?;
        Ok(PgConn {
            client: RefCell::new(client),
            cache: RefCell::new(HashMap::new()),
            in_tx: Cell::new(false),
        })
    }

    /// Wait up to `timeout` for a notification on a channel this connection LISTENs to; true
    /// when one (or more: they are drained) arrived.
    pub(super) fn wait_notification(&self, timeout: std::time::Duration) -> Result<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = self.client.borrow_mut();
        let mut notes = client.notifications();
        let heard = notes.timeout_iter(timeout).next()?.is_some();
        // Several commits may be announced at once: one read covers them all.
        while notes.iter().next()?.is_some() {}
        Ok(heard)
    }

    /// Prepare `sql` (cached), translated from SQLite's dialect unless `translated` is false
    /// (SQL already written for PostgreSQL).
    pub(super) fn prepare(&self, sql: &str, translated: bool) -> Result<postgres::Statement> {
        let key = if translated {
            std::borrow::Cow::Borrowed(sql)
        } else {
            std::borrow::Cow::Owned(format!("native\0{sql}"))
        };
        if let Some(s) = self.cache.borrow().get(key.as_ref()) {
            return Ok(s.clone());
        }
        let translated = if translated {
            translate(sql)
        } else {
            sql.to_string()
        };
        let mut client = self.client.borrow_mut();
        // A failed prepare aborts an open transaction: try it under a savepoint (once per
        // statement text; the cache keeps what succeeds).
        let guard = self.in_tx.get();
        if guard {
            client.batch_execute("SAVEPOINT itam_prepare")?;
        }
        let first = client.prepare(&translated);
        if guard {
            client.batch_execute(if first.is_ok() {
                "RELEASE SAVEPOINT itam_prepare"
            } else {
                "ROLLBACK TO SAVEPOINT itam_prepare"
            })?;
        }
        let stmt = match first {
            Ok(s) => s,
            // `?1 IS NULL OR col = ?1`: SQLite types a parameter by its value, PostgreSQL by
            // where it first appears, and a null test says nothing. Learn the types from the
            // statement without its null tests, then prepare it with them.
            Err(e)
                if e.code() == Some(&postgres::error::SqlState::INDETERMINATE_DATATYPE)
                    || e.code() == Some(&postgres::error::SqlState::AMBIGUOUS_PARAMETER) =>
            {
                // Preparing cannot fail on a statement PostgreSQL could already parse.
                let known = client
                    .prepare(&without_null_tests(&translated))
                    .map(|p| p.params().to_vec())
                    .unwrap_or_default();
                let types: Vec<Type> = (0..max_param(&translated))
                    .map(|i| known.get(i).cloned().unwrap_or(Type::TEXT))
                    .collect();
                client.prepare_typed(&translated, &types)?
            }
            Err(e) => return Err(e.into()),
        };
        drop(client);
        let mut cache = self.cache.borrow_mut();
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(key.into_owned(), stmt.clone());
        Ok(stmt)
    }

    pub(super) fn execute(
        &self,
        stmt: &postgres::Statement,
        params: &[PgParam<'_>],
    ) -> Result<usize> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let n = self.client.borrow_mut().execute(stmt, &refs)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// [`PgConn::query`]'s rows one at a time as they arrive (`query_raw`), each converted and
    /// handed to `f`, never all held at once.
    pub(super) fn for_each(
        &self,
        stmt: &postgres::Statement,
        params: &[PgParam<'_>],
        f: &mut dyn FnMut(&PgRow) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let names: Arc<[String]> = stmt
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let mut client = self.client.borrow_mut();
        let mut rows = client.query_raw(stmt, refs.iter().copied())?;
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                values.push(r.try_get::<_, AnyValue>(i)?.0);
            }
            f(&PgRow {
                values,
                names: Arc::clone(&names),
            })?;
        }
        Ok(())
    }

    pub(super) fn query(
        &self,
        stmt: &postgres::Statement,
        params: &[PgParam<'_>],
    ) -> Result<PgRows> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let rows = self.client.borrow_mut().query(stmt, &refs)?;
        let names: Arc<[String]> = stmt
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut values = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                values.push(r.try_get::<_, AnyValue>(i)?.0);
            }
            out.push(PgRow {
                values,
                names: Arc::clone(&names),
            });
        }
        Ok(PgRows { rows: out, next: 0 })
    }

    pub(super) fn batch_execute(&self, sql: &str) -> Result<()> {
        let head = sql.trim_start().to_ascii_uppercase();
        let sql = if head.starts_with("BEGIN DEFERRED") {
            // A read snapshot: one consistent view for every query until COMMIT.
            "BEGIN ISOLATION LEVEL REPEATABLE READ".to_string()
        } else {
            translate(sql)
        };
        let r = self.client.borrow_mut().batch_execute(&sql);
        if head.starts_with("BEGIN") {
            self.in_tx.set(r.is_ok());
        } else if head.starts_with("COMMIT") || head.starts_with("ROLLBACK") {
            self.in_tx.set(false);
        }
        Ok(r?)
    }

    /// PostgreSQL's own SQL, untranslated; statements only (no BEGIN or COMMIT, which the
    /// connection tracks in [`PgConn::batch_execute`]).
    pub(super) fn batch_execute_native(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    /// `COPY ... FROM STDIN` (untranslated): `fill` writes the rows in the format the COPY
    /// names; the rows sent, or the server's refusal (the copy is then aborted, and with it the
    /// transaction it is in).
    pub(super) fn copy_in(
        &self,
        sql: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut client = self.client.borrow_mut();
        let mut writer = client.copy_in(sql)?;
        // Dropped unfinished on a failed write, the writer aborts the COPY.
        fill(&mut writer)?;
        Ok(writer.finish()?)
    }

    pub(super) fn in_transaction(&self) -> bool {
        self.in_tx.get()
    }

    /// `BEGIN` and the history chain's write lock: every write appends to the one chain, so
    /// writers take turns on its head as SQLite's BEGIN IMMEDIATE makes them. Waits at most
    /// `timeout` for another writer; then fails with lock_not_available (busy).
    pub(super) fn begin_write(&self, timeout: std::time::Duration) -> Result<()> {
        // One round trip for the three: a scan's write is a dozen, each a wake-up of the
        // server process, and on a busy machine the wake-ups are what its p99 is made of.
        let locked = self.batch_execute(&format!(
            "BEGIN; SET LOCAL lock_timeout = '{}ms'; SELECT id FROM chain_lock WHERE id = 1 FOR UPDATE",
            timeout.as_millis()
        ));
        if let Err(e) = locked {
            // The transaction began and then failed (or never began: ROLLBACK only warns).
            let _ = self.batch_execute("ROLLBACK");
            return Err(e);
        }
        Ok(())
    }
}

/// The highest `$N` in `sql`.
fn max_param(sql: &str) -> usize {
    let b = sql.as_bytes();
    let mut max = 0;
    for (i, _) in sql.match_indices('$') {
        let digits: String = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .map(|&c| c as char)
            .collect();
        max = max.max(digits.parse().unwrap_or(0));
    }
    max
}

/// `sql` with each `$N IS [NOT] NULL` made `TRUE`: only to learn the other places' types.
fn without_null_tests(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let n = tail.bytes().take_while(u8::is_ascii_digit).count();
        let after = &tail[n..];
        let upper = after.to_ascii_uppercase();
        let skip = [" IS NOT NULL", " IS NULL"]
            .iter()
            .find(|t| n > 0 && upper.starts_with(*t))
            .map(|t| t.len());
        match skip {
            Some(len) => {
                out.push_str("TRUE");
                rest = &after[len..];
            }
            None => {
                out.push('$');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A query's rows, decoded.
pub(super) struct PgRows {
    pub(super) rows: Vec<PgRow>,
    pub(super) next: usize,
}

pub(super) struct PgRow {
    values: Vec<Value>,
    names: Arc<[String]>,
}

impl super::RowAccess for PgRow {
    fn value_ref(&self, idx: usize) -> Result<ValueRef<'_>> {
        self.values
            .get(idx)
            .map(ValueRef::from)
            .ok_or(Error::Sqlite(rusqlite::Error::InvalidColumnIndex(idx)))
    }

    fn column_name(&self, idx: usize) -> Option<&str> {
        self.names.get(idx).map(String::as_str)
    }

    fn decode_with(
        &self,
        idx: usize,
        f: &mut dyn FnMut(ValueRef<'_>) -> rusqlite::types::FromSqlResult<()>,
    ) -> Result<()> {
        let v = self.value_ref(idx)?;
        // The same words as on SQLite for a column that does not convert.
        f(v).map_err(|e| {
            let name = self.names.get(idx).cloned().unwrap_or_default();
            Error::Sqlite(match e {
                rusqlite::types::FromSqlError::InvalidType => {
                    rusqlite::Error::InvalidColumnType(idx, name, v.data_type())
                }
                rusqlite::types::FromSqlError::OutOfRange(i) => {
                    rusqlite::Error::IntegralValueOutOfRange(idx, i)
                }
                other => {
                    rusqlite::Error::FromSqlConversionFailure(idx, v.data_type(), Box::new(other))
                }
            })
        })
    }
}

/// A column of any type, as one of SQLite's storage classes.
struct AnyValue(Value);

impl<'a> FromSql<'a> for AnyValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(AnyValue(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::NUMERIC => {
                // sum() of BIGINTs is NUMERIC: a whole number reads as SQLite's integer.
                let d = rust_decimal::Decimal::from_sql(ty, raw)?;
                use rust_decimal::prelude::ToPrimitive;
                match (d.fract().is_zero(), d.to_i64()) {
                    (true, Some(i)) => Value::Integer(i),
                    _ => Value::Real(d.to_f64().unwrap_or(f64::NAN)),
                }
            }
            Type::BYTEA => Value::Blob(raw.to_vec()),
            // JSONB's binary form is a version byte and the text.
            Type::JSONB => {
                Value::Text(String::from_utf8_lossy(raw.get(1..).unwrap_or_default()).into_owned())
            }
            // text, varchar, name, bpchar, json, unknown and anything else sent as text.
            _ => match std::str::from_utf8(raw) {
                Ok(s) => Value::Text(s.to_string()),
                Err(_) => Value::Blob(raw.to_vec()),
            },
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(AnyValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A parameter, encoded as the type PostgreSQL inferred for its place: an integer bound where
/// a text is expected is sent as its decimal text, as SQLite would compare it.
#[derive(Debug)]
pub(super) struct PgParam<'a>(pub(super) ValueRef<'a>);

fn bad(v: &ValueRef<'_>, ty: &Type) -> BoxError {
    format!("cannot send {:?} as PostgreSQL {ty}", v.data_type()).into()
}

impl ToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        let text_like = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR | Type::UNKNOWN | Type::JSON
        );
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::NUMERIC => rust_decimal::Decimal::from(i).to_sql(ty, out),
                _ if text_like => i.to_string().as_str().to_sql(&Type::TEXT, out),
                _ => Err(bad(&self.0, ty)),
            },
            ValueRef::Real(x) => match *ty {
                Type::FLOAT8 => x.to_sql(ty, out),
                Type::FLOAT4 => (x as f32).to_sql(ty, out),
                Type::INT8 if x.fract() == 0.0 => (x as i64).to_sql(ty, out),
                Type::NUMERIC => rust_decimal::Decimal::try_from(x)?.to_sql(ty, out),
                _ if text_like => x.to_string().as_str().to_sql(&Type::TEXT, out),
                _ => Err(bad(&self.0, ty)),
            },
            ValueRef::Text(b) => {
                let s = std::str::from_utf8(b)?;
                match *ty {
                    Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                    Type::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                    Type::INT2 => s.trim().parse::<i16>()?.to_sql(ty, out),
                    Type::FLOAT8 => s.trim().parse::<f64>()?.to_sql(ty, out),
                    Type::FLOAT4 => s.trim().parse::<f32>()?.to_sql(ty, out),
                    Type::NUMERIC => s.trim().parse::<rust_decimal::Decimal>()?.to_sql(ty, out),
                    Type::BYTEA => b.to_sql(ty, out),
                    Type::BOOL => (s != "0" && !s.is_empty()).to_sql(ty, out),
                    Type::JSONB => {
                        out.extend_from_slice(&[1]);
                        out.extend_from_slice(b);
                        Ok(IsNull::No)
                    }
                    _ => {
                        out.extend_from_slice(b);
                        Ok(IsNull::No)
                    }
                }
            }
            ValueRef::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ if text_like => std::str::from_utf8(b)?.to_sql(&Type::TEXT, out),
                _ => Err(bad(&self.0, ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}
