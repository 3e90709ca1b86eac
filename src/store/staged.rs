//! An import's staged rows, shown to SQLite as read-only virtual tables over memory.
//!
//! The write transaction copies them with one set-based `INSERT ... SELECT` per table, so the
//! write lock covers only SQLite's own work. Staging them in TEMP tables first (as before)
//! spent ~0.45 s of a 100,000-row import writing rows into b-trees only to read them back;
//! reading the plan's rows in place costs nothing before the lock.

use rusqlite::vtab::{
    eponymous_only_module, sqlite3_vtab, sqlite3_vtab_cursor, Context, Filters, IndexInfo, VTab,
    VTabConfig, VTabConnection, VTabCursor,
};
use rusqlite::Connection;
use std::ffi::c_int;
use std::marker::PhantomData;
use std::sync::Arc;

/// Rows that a virtual table reads: a fixed schema and a value per (row, column).
pub(super) trait Rows: Send + Sync + 'static {
    /// The `CREATE TABLE` statement SQLite learns the columns from.
    const SCHEMA: &'static str;
    fn len(&self) -> usize;
    /// Put column `col` of row `row` (0-based, `row < len()`) into `ctx`.
    fn column(&self, row: usize, col: c_int, ctx: &mut Context) -> rusqlite::Result<()>;
}

/// Make `rows` readable as the table `name` on `conn`, replacing what it showed before.
/// SQLite replaces a module registered under the same name and frees the old rows once no
/// statement uses them. A statement prepared before this call keeps reading the old rows:
/// read these tables with fresh statements, never through `prepare_cached`.
pub(super) fn show<T: Rows>(conn: &Connection, name: &str, rows: Arc<T>) -> rusqlite::Result<()> {
    conn.create_module(name, eponymous_only_module::<Tab<T>>(), Some(rows))
}

#[repr(C)]
struct Tab<T: Rows> {
    /// SQLite's part of the table; must come first (the C side casts the pointer).
    base: sqlite3_vtab,
    rows: Arc<T>,
}

unsafe impl<'vtab, T: Rows> VTab<'vtab> for Tab<T> {
    type Aux = Arc<T>;
    type Cursor = Cursor<'vtab, T>;

    fn connect(
        db: &mut VTabConnection,
        aux: Option<&Arc<T>>,
        _args: &[&[u8]],
    ) -> rusqlite::Result<(String, Self)> {
        let rows = aux
            .cloned()
            .ok_or_else(|| rusqlite::Error::ModuleError("no staged rows".into()))?;
        // Only statements this program runs may read it, never a trigger or view.
        db.config(VTabConfig::DirectOnly)?;
        Ok((
            T::SCHEMA.to_owned(),
            Tab {
                base: sqlite3_vtab::default(),
                rows,
            },
        ))
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<()> {
        // Rows come out in staging order, which is rowid order: say so, so that an
        // `ORDER BY rowid` (kept in the SQL to make the order explicit) needs no sort.
        let ascending_rowid = {
            let mut by = info.order_bys();
            matches!((by.next(), by.next()), (Some(o), None) if o.column() == -1 && !o.is_order_by_desc())
        };
        if ascending_rowid {
            info.set_order_by_consumed(true);
        }
        info.set_estimated_rows(self.rows.len() as i64);
        Ok(())
    }

    fn open(&'vtab mut self) -> rusqlite::Result<Cursor<'vtab, T>> {
        Ok(Cursor {
            base: sqlite3_vtab_cursor::default(),
            rows: Arc::clone(&self.rows),
            at: 0,
            phantom: PhantomData,
        })
    }
}

#[repr(C)]
struct Cursor<'vtab, T: Rows> {
    /// SQLite's part of the cursor; must come first.
    base: sqlite3_vtab_cursor,
    rows: Arc<T>,
    at: usize,
    phantom: PhantomData<&'vtab Tab<T>>,
}

unsafe impl<T: Rows> VTabCursor for Cursor<'_, T> {
    fn filter(&mut self, _: c_int, _: Option<&str>, _: &Filters<'_>) -> rusqlite::Result<()> {
        self.at = 0;
        Ok(())
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.at += 1;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.at >= self.rows.len()
    }

    fn column(&self, ctx: &mut Context, col: c_int) -> rusqlite::Result<()> {
        self.rows.column(self.at, col, ctx)
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.at as i64 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Squares(Vec<i64>);

    impl Rows for Squares {
        const SCHEMA: &'static str = "CREATE TABLE x(n, square)";
        fn len(&self) -> usize {
            self.0.len()
        }
        fn column(&self, row: usize, col: c_int, ctx: &mut Context) -> rusqlite::Result<()> {
            let n = self.0[row];
            ctx.set_result(&if col == 0 { n } else { n * n })
        }
    }

    #[test]
    fn rows_read_in_order_and_replaced_when_shown_again() {
        let c = Connection::open_in_memory().unwrap();
        show(&c, "sq", Arc::new(Squares(vec![3, 1, 2]))).unwrap();
        let got: Vec<(i64, i64, i64)> = c
            .prepare("SELECT rowid, n, square FROM sq ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, vec![(1, 3, 9), (2, 1, 1), (3, 2, 4)]);
        show(&c, "sq", Arc::new(Squares(vec![5]))).unwrap();
        let n: i64 = c
            .query_row("SELECT sum(square) FROM sq", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 25);
        // The plan says no sort is needed for the rowid order the rows already come in.
        let plan: Vec<String> = c
            .prepare("EXPLAIN QUERY PLAN SELECT n FROM sq ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!plan.iter().any(|p| p.contains("TEMP B-TREE")), "{plan:?}");
    }
}
