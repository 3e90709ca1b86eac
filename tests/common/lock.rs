//! Another session holding itam's write lock, as another process would: on SQLite an open
//! `BEGIN IMMEDIATE`; on PostgreSQL an open transaction holding the history chain's head row
//! (`SELECT … FROM chain_lock FOR UPDATE`), which every itam write takes first. Shared by the
//! tests and the TUI latency benchmark.
#![allow(dead_code)]

use itam::store::DbTarget;
use std::path::Path;

pub enum WriteLock {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl WriteLock {
    /// Takes the lock on `db` (what `--db` gets), waiting for it like any writer.
    pub fn take(db: &std::ffi::OsStr) -> WriteLock {
        match DbTarget::parse(Path::new(db)) {
            DbTarget::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).expect("open the SQLite file");
                c.execute_batch("BEGIN IMMEDIATE")
                    .expect("take the write lock");
                WriteLock::Sqlite(c)
            }
            DbTarget::Postgres(url) => {
                let mut c = postgres::Client::connect(&url, postgres::NoTls)
                    .expect("connect to PostgreSQL");
                c.batch_execute("BEGIN; SELECT id FROM chain_lock FOR UPDATE")
                    .expect("take the chain's row lock");
                WriteLock::Postgres(c)
            }
        }
    }

    /// Rolls back, releasing the lock.
    pub fn release(self) {
        match self {
            WriteLock::Sqlite(c) => c.execute_batch("ROLLBACK").expect("release"),
            WriteLock::Postgres(mut c) => c.batch_execute("ROLLBACK").expect("release"),
        }
    }
}
