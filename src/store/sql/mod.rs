//! The store's one door to the database: a thin layer shaped like rusqlite's API (`Conn`,
//! `Stmt`, `Row::get`, `params!`, `.optional()`), so the store's SQL and row decoding are
//! written once and each backend only binds, runs and decodes.
//!
//! The value model is SQLite's five storage classes ([`Value`], [`ValueRef`]): every backend
//! decodes a column into one of them and converts from there, so reading is as lenient as
//! SQLite's everywhere. Parameters are borrowed views ([`Param`]), so the SQLite hot paths copy
//! nothing.
//!
//! SQLite-only code (the import's virtual tables, the bulk writer's fast path, backups, PRAGMA
//! data_version) reaches rusqlite through [`Conn::sqlite`]; everything else goes through here.

mod error;
mod pg;
mod row;
mod translate;
mod value;

pub use error::{Error, OptionalExtension, Result};
pub use row::{FromRow, FromSql, Row, RowAccess, RowIndex};
pub use value::{params_from_iter, Param, Params, ParamsFromIter, Value, ValueRef};

/// `params![a, b, c]`: the parameters of one statement, each borrowed as a [`Param`].
#[macro_export]
macro_rules! sql_params {
    () => {
        &[] as &[&dyn $crate::store::sql::Param]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::sql::Param),+] as &[&dyn $crate::store::sql::Param]
    };
}
pub use crate::sql_params as params;

/// One open connection.
pub struct Conn {
    db: Db,
    /// Statements run so far (see [`Conn::statements`]).
    ran: std::cell::Cell<u64>,
}

enum Db {
    Sqlite(rusqlite::Connection),
    Pg(Box<pg::PgConn>),
}

impl Conn {
    pub fn from_sqlite(conn: rusqlite::Connection) -> Conn {
        Conn {
            db: Db::Sqlite(conn),
            ran: std::cell::Cell::new(0),
        }
    }

    /// A PostgreSQL connection (`config` as parsed from a libpq-style connection string).
    pub fn connect_postgres(config: &postgres::Config) -> Result<Conn> {
        Ok(Conn {
            db: Db::Pg(Box::new(pg::PgConn::connect(config)?)),
            ran: std::cell::Cell::new(0),
        })
    }

    /// The SQLite connection underneath, for the SQLite-only paths (virtual tables, PRAGMAs,
    /// backups); `None` on other backends.
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.db {
            Db::Sqlite(c) => Some(c),
            Db::Pg(_) => None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Pg(_))
    }

    /// PostgreSQL: wait up to `timeout` for a notification on a LISTENed channel (true when one
    /// came). SQLite has none: `Ok(false)` at once.
    pub fn wait_notification(&self, timeout: std::time::Duration) -> Result<bool> {
        match &self.db {
            Db::Sqlite(_) => Ok(false),
            Db::Pg(c) => c.wait_notification(timeout),
        }
    }

    /// How many statements this connection has run (executed, queried, batches, COPYs):
    /// what a test counts to prove a bulk path does not go back to a round trip per row.
    pub fn statements(&self) -> u64 {
        self.ran.get()
    }

    fn count(&self) {
        self.ran.set(self.ran.get() + 1);
    }

    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        match &self.db {
            Db::Sqlite(c) => Ok(Stmt {
                inner: StmtInner::Sqlite(c.prepare(sql)?),
                ran: &self.ran,
            }),
            Db::Pg(c) => Ok(Stmt {
                inner: StmtInner::Pg(c, c.prepare(sql, true)?),
                ran: &self.ran,
            }),
        }
    }

    /// [`Conn::prepare`] through the connection's statement cache.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match &self.db {
            Db::Sqlite(c) => Ok(Stmt {
                inner: StmtInner::SqliteCached(c.prepare_cached(sql)?),
                ran: &self.ran,
            }),
            Db::Pg(c) => Ok(Stmt {
                inner: StmtInner::Pg(c, c.prepare(sql, true)?),
                ran: &self.ran,
            }),
        }
    }

    /// A statement written in this backend's own dialect, prepared as written (cached): for
    /// the few that only one backend runs (PostgreSQL's set-based import paths), where the
    /// SQLite-to-PostgreSQL translation has nothing to do.
    pub fn prepare_native(&self, sql: &str) -> Result<Stmt<'_>> {
        match &self.db {
            Db::Sqlite(c) => Ok(Stmt {
                inner: StmtInner::SqliteCached(c.prepare_cached(sql)?),
                ran: &self.ran,
            }),
            Db::Pg(c) => Ok(Stmt {
                inner: StmtInner::Pg(c, c.prepare(sql, false)?),
                ran: &self.ran,
            }),
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare(sql)?.execute(params)
    }

    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        self.prepare(sql)?.query_row(params, f)
    }

    /// Several statements without parameters (migrations, BEGIN/COMMIT).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        self.count();
        match &self.db {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(c) => c.batch_execute(sql),
        }
    }

    /// SQL written for this backend, run as written (PostgreSQL's migrations: their function
    /// bodies are PostgreSQL's own and must not meet the SQLite-to-PostgreSQL translation).
    pub fn execute_batch_native(&self, sql: &str) -> Result<()> {
        self.count();
        match &self.db {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(c) => c.batch_execute_native(sql),
        }
    }

    /// PostgreSQL's `COPY ... FROM STDIN`, the fast way to send many rows: `fill` writes them
    /// in the format the statement names (run as written, untranslated). `None` on SQLite,
    /// which has no COPY (its bulk path is virtual tables, through [`Conn::sqlite`]).
    pub fn copy_in(
        &self,
        sql: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Option<Result<u64>> {
        self.count();
        match &self.db {
            Db::Sqlite(_) => None,
            Db::Pg(c) => Some(c.copy_in(sql, fill)),
        }
    }

    /// `BEGIN IMMEDIATE`: the write lock is taken now, so a busy database is met here (after
    /// the busy timeout), not half-way through a write. Rolled back when dropped uncommitted.
    /// On PostgreSQL: BEGIN and a row lock on the history chain's head (see `pg.rs`).
    pub fn transaction_immediate(&self) -> Result<Transaction<'_>> {
        match &self.db {
            Db::Sqlite(_) => self.execute_batch("BEGIN IMMEDIATE")?,
            Db::Pg(c) => c.begin_write(crate::store::BUSY_TIMEOUT)?,
        }
        Ok(Transaction {
            conn: self,
            open: true,
        })
    }

    /// A read transaction: every query in it sees one snapshot. Ends (rolled back, nothing
    /// having been written) when dropped.
    pub fn read_transaction(&self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN DEFERRED")?;
        Ok(Transaction {
            conn: self,
            open: true,
        })
    }

    /// A private in-memory SQLite database (to read the shipped schema back).
    pub fn open_in_memory() -> Result<Conn> {
        Ok(Conn::from_sqlite(rusqlite::Connection::open_in_memory()?))
    }

    /// Whether no transaction is open.
    pub fn is_autocommit(&self) -> bool {
        match &self.db {
            Db::Sqlite(c) => c.is_autocommit(),
            Db::Pg(c) => !c.in_transaction(),
        }
    }
}

/// An open transaction; it reads and writes like the connection it is on.
pub struct Transaction<'c> {
    conn: &'c Conn,
    open: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.conn.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        // A statement that failed may already have ended the transaction (SQLite does for
        // some errors); roll back only what is still open.
        if self.open && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A prepared statement.
pub struct Stmt<'c> {
    inner: StmtInner<'c>,
    ran: &'c std::cell::Cell<u64>,
}

enum StmtInner<'c> {
    Sqlite(rusqlite::Statement<'c>),
    SqliteCached(rusqlite::CachedStatement<'c>),
    Pg(&'c pg::PgConn, postgres::Statement),
}

/// Binds one borrowed value for rusqlite without copying it.
struct Bind<'a>(ValueRef<'a>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(self.0))
    }
}

fn sqlite_params<P: Params>(p: &P) -> rusqlite::ParamsFromIter<impl Iterator<Item = Bind<'_>>> {
    rusqlite::params_from_iter(p.values().map(Bind))
}

fn pg_params<P: Params>(p: &P) -> Vec<pg::PgParam<'_>> {
    p.values().map(pg::PgParam).collect()
}

impl<'c> Stmt<'c> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        self.ran.set(self.ran.get() + 1);
        match &mut self.inner {
            StmtInner::Sqlite(s) => Ok(s.execute(sqlite_params(&params))?),
            StmtInner::SqliteCached(s) => Ok(s.execute(sqlite_params(&params))?),
            StmtInner::Pg(c, s) => c.execute(s, &pg_params(&params)),
        }
    }

    pub fn query_row<T, P, F>(&mut self, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(r),
            None => Err(Error::NoRows),
        }
    }

    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        self.ran.set(self.ran.get() + 1);
        let inner = match &mut self.inner {
            StmtInner::Sqlite(s) => RowsInner::Sqlite(s.query(sqlite_params(&params))?),
            StmtInner::SqliteCached(s) => RowsInner::Sqlite(s.query(sqlite_params(&params))?),
            StmtInner::Pg(c, s) => RowsInner::Pg(c.query(s, &pg_params(&params))?),
        };
        Ok(Rows { inner })
    }

    /// Each row to `f` as the backend produces it. On PostgreSQL the result is streamed rather
    /// than read whole first (`query` holds every row, raw and converted, until the last is
    /// read: the TUI's million list rows took ~0.9 GB that way). `f` must not use the same
    /// connection, which is busy streaming.
    pub fn for_each<P: Params>(
        &mut self,
        params: P,
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        if let StmtInner::Pg(c, s) = &self.inner {
            return c.for_each(s, &pg_params(&params), &mut |r| f(r));
        }
        let mut rows = self.query(params)?;
        while let Some(r) = rows.next()? {
            f(r)?;
        }
        Ok(())
    }

    pub fn query_map<T, P, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }

    /// Run an `INSERT ... RETURNING id` and return the new row's id (every backend returns
    /// it this way; none needs a "last insert id" of its own).
    pub fn insert<P: Params>(&mut self, params: P) -> Result<i64> {
        self.query_row(params, |r| r.get(0))
    }

    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }
}

/// The rows of a query, read one at a time.
pub struct Rows<'s> {
    inner: RowsInner<'s>,
}

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Pg(pg::PgRows),
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)] // lends each row: not an Iterator
    pub fn next(&mut self) -> Result<Option<&Row<'_>>> {
        match &mut self.inner {
            RowsInner::Sqlite(r) => Ok(r.next()?.map(|r| r as &Row<'_>)),
            RowsInner::Pg(r) => {
                let row = r.rows.get(r.next);
                r.next += 1;
                Ok(row.map(|r| r as &Row<'_>))
            }
        }
    }
}

/// [`Stmt::query_map`]'s iterator: each row through the closure.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
