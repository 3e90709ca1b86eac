//! Backups while others keep writing, and restores that never clobber a database in use.

use super::{migrate, Context, OpenOptions, Result, Store, StoreError};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

fn io(context: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// A `.partial` file beside `dest`, renamed into place only once complete.
fn partial(dest: &Path) -> std::path::PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    dest.with_file_name(name)
}

impl Store {
    /// Copy the database to `dest` with SQLite's online backup API, in one step: it reads one
    /// consistent snapshot (WAL readers never block writers), writes a `.partial` file and
    /// renames it into place, so `dest` is either absent or complete. Returns the asset count.
    pub fn backup_to(&self, dest: &Path) -> Result<i64> {
        if dest.exists() {
            return Err(StoreError::Refused(format!(
                "{} already exists; choose a new file (backups are never overwritten)",
                dest.display()
            )));
        }
        let tmp = partial(dest);
        let _ = std::fs::remove_file(&tmp);
        {
            let mut out = Connection::open(&tmp).ctx(&format!("creating {}", tmp.display()))?;
            let b = Backup::new(&self.conn, &mut out).ctx("starting the backup")?;
            b.step(-1).ctx("copying the database")?;
        }
        let copy = Connection::open_with_flags(&tmp, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ctx("checking the backup")?;
        let ok: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .ctx("checking the backup")?;
        if ok != "ok" {
            return Err(StoreError::Refused(format!(
                "the copy failed its integrity check ({ok}); nothing was written to {}",
                dest.display()
            )));
        }
        let n: i64 = copy
            .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))
            .ctx("checking the backup")?;
        drop(copy);
        std::fs::rename(&tmp, dest).map_err(io(format!(
            "renaming {} to {}",
            tmp.display(),
            dest.display()
        )))?;
        Ok(n)
    }
}

/// Replace the database at `target` with the backup at `src`. Refused when `src` is not a
/// healthy itam database this version understands, or when any process has `target` open.
pub fn restore(src: &Path, target: &Path) -> Result<i64> {
    let source = Store::open(src, &OpenOptions { read_only: true })?;
    let report = source.check()?;
    if let Some(f) = report.findings.first() {
        return Err(StoreError::Refused(format!(
            "{} fails `itam check` ({}: {}); not restored",
            src.display(),
            f.check,
            f.message
        )));
    }
    let version: i64 = source
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx("reading the backup")?;
    if version > migrate::LATEST {
        return Err(StoreError::TooNew {
            path: src.display().to_string(),
            found: version,
            supported: migrate::LATEST,
        });
    }
    // Hold an exclusive lock on the target while swapping: in WAL mode an exclusive-mode read
    // fails at once if any other connection has the database open.
    let guard = if target.exists() {
        let c = Connection::open(target).ctx(&format!("opening {}", target.display()))?;
        c.busy_timeout(std::time::Duration::ZERO)
            .ctx("setting busy_timeout")?;
        let locked = c
            .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_master; COMMIT;")
            .is_ok();
        if !locked {
            return Err(StoreError::Refused(format!(
                "{} is in use (another itam has it open); close every itam on it first. Nothing was changed.",
                target.display()
            )));
        }
        Some(c)
    } else {
        None
    };
    let tmp = partial(target);
    let _ = std::fs::remove_file(&tmp);
    {
        let mut out = Connection::open(&tmp).ctx(&format!("creating {}", tmp.display()))?;
        let b = Backup::new(&source.conn, &mut out).ctx("starting the restore")?;
        b.step(-1).ctx("copying the backup")?;
    }
    drop(source);
    // Closing the exclusive connection checkpoints the old file; then no stale -wal/-shm may
    // survive to be applied to the restored one.
    drop(guard);
    for ext in ["-wal", "-shm"] {
        let mut p = target.as_os_str().to_os_string();
        p.push(ext);
        let _ = std::fs::remove_file(p);
    }
    std::fs::rename(&tmp, target).map_err(io(format!(
        "renaming {} to {}",
        tmp.display(),
        target.display()
    )))?;
    Ok(report.assets)
}
