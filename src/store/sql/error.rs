//! The layer's error: what the backend said, kept whole so the store can explain it.

/// A database error from any backend.
#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// `query_row` found no row ([`OptionalExtension::optional`] turns it into `None`).
    NoRows,
    /// Sending rows to the server failed below the protocol (a `COPY`'s stream).
    Io(std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Sqlite(e) => e.fmt(f),
            // The server's own words (message, detail), not the client's "db error: ..." wrapper.
            Error::Postgres(e) => match e.as_db_error() {
                Some(d) => {
                    f.write_str(d.message())?;
                    if let Some(detail) = d.detail() {
                        write!(f, " ({detail})")?;
                    }
                    Ok(())
                }
                None => e.fmt(f),
            },
            Error::NoRows => f.write_str("Query returned no rows"),
            Error::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Sqlite(e) => e.source(),
            Error::Postgres(e) => match e.as_db_error() {
                Some(_) => None,
                None => e.source(),
            },
            Error::NoRows => None,
            Error::Io(e) => e.source(),
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

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // The postgres client reports a server error met while streaming as an io::Error
        // around it: keep the server's error, with its SQLSTATE.
        if e.get_ref().is_some_and(|i| i.is::<postgres::Error>()) {
            if let Some(Ok(pg)) = e.into_inner().map(|i| i.downcast::<postgres::Error>()) {
                return Error::Postgres(*pg);
            }
            return Error::Io(std::io::Error::other("a COPY stream failed"));
        }
        Error::Io(e)
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

impl Error {
    /// PostgreSQL's SQLSTATE, when PostgreSQL said it.
    pub fn sqlstate(&self) -> Option<&postgres::error::SqlState> {
        match self {
            Error::Postgres(e) => e.code(),
            _ => None,
        }
    }

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
            _ => None,
        }
    }

    /// Another connection held the lock for longer than the busy timeout.
    pub fn is_busy(&self) -> bool {
        use postgres::error::SqlState;
        matches!(
            self.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ) || self.sqlstate().is_some_and(|s| {
            *s == SqlState::LOCK_NOT_AVAILABLE
                || *s == SqlState::T_R_SERIALIZATION_FAILURE
                || *s == SqlState::T_R_DEADLOCK_DETECTED
        })
    }

    /// The database (or this connection) refuses writes.
    pub fn is_read_only(&self) -> bool {
        self.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
            || self.sqlstate() == Some(&postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION)
            || self.is_denied()
    }

    /// PostgreSQL refused it to this role (an auditor writing, a technician altering history).
    pub fn is_denied(&self) -> bool {
        self.sqlstate() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    }

    /// A UNIQUE constraint refused the row.
    pub fn is_unique_violation(&self) -> bool {
        (self.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
            && self.to_string().contains("UNIQUE"))
            || self.sqlstate() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
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
