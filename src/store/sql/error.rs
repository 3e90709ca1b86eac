//! The layer's error: what the backend said, kept whole so the store can explain it.

/// A database error from any backend.
#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    /// `query_row` found no row ([`OptionalExtension::optional`] turns it into `None`).
    NoRows,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Sqlite(e) => e.fmt(f),
            Error::NoRows => f.write_str("Query returned no rows"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Sqlite(e) => e.source(),
            Error::NoRows => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// A column that holds something the store cannot read as its type (an unknown status).
    pub fn conversion(idx: usize, message: String) -> Error {
        Error::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            message.into(),
        ))
    }

    /// The SQLite error code, when SQLite said it.
    pub fn sqlite_error_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            Error::NoRows => None,
        }
    }

    /// Another connection held the lock for longer than the busy timeout.
    pub fn is_busy(&self) -> bool {
        matches!(
            self.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }

    /// The database (or this connection) refuses writes.
    pub fn is_read_only(&self) -> bool {
        self.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
    }

    /// A UNIQUE constraint refused the row.
    pub fn is_unique_violation(&self) -> bool {
        self.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
            && self.to_string().contains("UNIQUE")
    }
}

/// `.optional()` on a one-row result: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
