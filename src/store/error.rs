//! The store's typed errors. Each says what went wrong in words a technician can act on.

use crate::domain::money::MoneyError;
use crate::domain::{ParseEnumError, TransitionError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A code, username or location that matches nothing.
    #[error("{0}")]
    NotFound(String),
    /// The lifecycle refuses this change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Another rule refuses it (a holder already set, an inactive person, a duplicate tag, ...).
    #[error("{0}")]
    Refused(String),
    /// Bad user input (a date, an amount, an enum value).
    #[error("{0}")]
    Invalid(String),
    /// The database is open read-only, and why.
    #[error("{0}")]
    ReadOnly(String),
    #[error("{path} has schema version {found}, newer than this itam understands (up to {supported}); upgrade itam. The file was not modified.")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{context}: {message}")]
    Db {
        context: String,
        message: String,
        #[source]
        source: super::sql::Error,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<ParseEnumError> for StoreError {
    fn from(e: ParseEnumError) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

impl From<crate::domain::IdentifierError> for StoreError {
    fn from(e: crate::domain::IdentifierError) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

impl From<crate::domain::time::DateError> for StoreError {
    fn from(e: crate::domain::time::DateError) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

impl From<MoneyError> for StoreError {
    fn from(e: MoneyError) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

/// Words for the database failures a user can meet, so "database is locked" never surfaces bare.
fn explain(e: &super::sql::Error) -> String {
    if e.is_denied() {
        return format!(
            "the server refuses it to this database role ({e}); nothing was changed \
             (an itam admin grants roles with itam db grant)"
        );
    }
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        _ if e.is_busy() => {
            format!(
                "the database stayed busy for more than {} s (another itam is writing); nothing was changed, try again",
                super::BUSY_TIMEOUT.as_secs()
            )
        }
        Some(C::ReadOnly) => {
            "the database file is read-only for this user; nothing was changed".into()
        }
        Some(C::DiskFull) => {
            "the disk (or the database's size limit) is full; nothing was changed".into()
        }
        Some(C::CannotOpen) => {
            "cannot open the database file (check the path and permissions)".into()
        }
        Some(C::NotADatabase) => "the file is not an itam (SQLite) database".into(),
        Some(C::DatabaseCorrupt) => "the database file is damaged; restore it from a backup".into(),
        _ => e.to_string(),
    }
}

/// Whether the database gave up waiting for another connection's lock.
pub(super) fn is_busy(e: &super::sql::Error) -> bool {
    e.is_busy()
}

/// Attach context to a rusqlite result: `q(conn.execute(..), "adding a person")`.
pub trait Context<T> {
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, super::sql::Error> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(|source| {
            if source.is_read_only() {
                return StoreError::ReadOnly(format!("{context}: {}", explain(&source)));
            }
            StoreError::Db {
                context: context.to_string(),
                message: explain(&source),
                source,
            }
        })
    }
}

/// [`Context`] for the SQLite-only paths (opening, backups, the import's virtual tables),
/// which still meet rusqlite's errors. A trait of its own, so that closures elsewhere infer
/// their error type.
pub trait SqliteContext<T> {
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> SqliteContext<T> for std::result::Result<T, rusqlite::Error> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(super::sql::Error::from).ctx(context)
    }
}
