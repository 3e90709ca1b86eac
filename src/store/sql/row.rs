//! Reading a row: each backend lends a column as a [`ValueRef`]; [`FromSql`] converts it with
//! SQLite's rules (rusqlite's conversions), so every backend reads alike.

use super::{Error, Result, ValueRef};

/// One result row of any backend. Used as `&Row`.
pub type Row<'a> = dyn RowAccess + 'a;

/// What a backend's row provides; read it through [`Row::get`] and [`Row::get_ref`].
pub trait RowAccess {
    fn value_ref(&self, idx: usize) -> Result<ValueRef<'_>>;
    /// Column `idx` decoded by `T`'s rules, for the `dyn` path.
    fn decode_with(
        &self,
        idx: usize,
        f: &mut dyn FnMut(ValueRef<'_>) -> rusqlite::types::FromSqlResult<()>,
    ) -> Result<()>;
    /// Column `idx`'s name, for an error that names the column.
    fn column_name(&self, idx: usize) -> Option<&str>;
}

/// A column's position (columns are read by position only).
pub trait RowIndex {
    fn idx(&self) -> usize;
}

impl RowIndex for usize {
    fn idx(&self) -> usize {
        *self
    }
}

/// A Rust type a column converts into (SQLite's conversions: an integer never reads as text).
pub trait FromSql: Sized {
    fn column_result(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self>;
}

macro_rules! from_sql_as_rusqlite {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                <$t as rusqlite::types::FromSql>::column_result(v)
            }
        }
    )*};
}
from_sql_as_rusqlite!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    usize,
    isize,
    f32,
    f64,
    bool,
    String,
    Vec<u8>,
    super::Value
);

impl<T: FromSql> FromSql for Option<T> {
    fn column_result(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::column_result(v).map(Some),
        }
    }
}

impl<'a> Row<'a> {
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let mut out = None;
        self.decode_with(idx.idx(), &mut |v| {
            out = Some(T::column_result(v)?);
            Ok(())
        })?;
        out.ok_or(Error::NoRows)
    }

    pub fn get_ref<I: RowIndex>(&self, idx: I) -> Result<ValueRef<'_>> {
        self.value_ref(idx.idx())
    }
}

impl RowAccess for rusqlite::Row<'_> {
    fn value_ref(&self, idx: usize) -> Result<ValueRef<'_>> {
        Ok(self.get_ref(idx)?)
    }

    fn column_name(&self, idx: usize) -> Option<&str> {
        let stmt: &rusqlite::Statement<'_> = self.as_ref();
        stmt.column_name(idx).ok()
    }

    fn decode_with(
        &self,
        idx: usize,
        f: &mut dyn FnMut(ValueRef<'_>) -> rusqlite::types::FromSqlResult<()>,
    ) -> Result<()> {
        // Same words as rusqlite's `Row::get` for a bad column: index, name and type.
        let v = self.get_ref(idx)?;
        f(v).map_err(|e| {
            let stmt: &rusqlite::Statement<'_> = self.as_ref();
            let name = stmt.column_name(idx).unwrap_or("?").to_string();
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

/// A whole row read as a tuple of its columns, in order.
pub trait FromRow: Sized {
    fn from_row(r: &Row<'_>) -> Result<Self>;
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromSql),+> FromRow for ($($t,)+) {
            fn from_row(r: &Row<'_>) -> Result<Self> {
                Ok(($(r.get::<usize, $t>($i)?,)+))
            }
        }
    };
}
tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
