//! Backups while others keep writing, and restores while others keep writing.

use super::error::SqliteContext;
use super::outfile::{OutFile, OutOptions};
use super::{migrate, OpenOptions, Result, Store, StoreError, BUSY_TIMEOUT};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn io(context: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copy everything from `from` into `to` in one step, waiting (up to the busy timeout) while
/// another connection holds `to`'s write lock. One step is one write transaction on `to`: other
/// processes see the old database or the new one, never a mixture.
fn copy_all(from: &Connection, to: &mut Connection, what: &str) -> Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let b = Backup::new(from, to).ctx(&format!("starting the {what}"))?;
    loop {
        match b.step(-1).ctx(&format!("copying the {what}"))? {
            StepResult::Done => return Ok(()),
            StepResult::More => continue,
            StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            _ => {
                return Err(StoreError::Refused(format!(
                    "the database stayed busy for {} s (another itam is writing); nothing was changed, try again",
                    BUSY_TIMEOUT.as_secs()
                )))
            }
        }
    }
}

/// Open the copy just written and make sure it is sound; returns its asset count.
fn verify(path: &Path, dest: &Path) -> Result<i64> {
    let copy = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ctx("checking the copy")?;
    let ok: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .ctx("checking the copy")?;
    if ok != "ok" {
        return Err(StoreError::Refused(format!(
            "the copy failed its integrity check ({ok}); nothing was written to {}",
            dest.display()
        )));
    }
    copy.query_row("SELECT count(*) FROM assets", [], |r| r.get(0))
        .ctx("checking the copy")
}

impl Store {
    /// Copy the database to `dest` with SQLite's online backup API, in one step: it reads one
    /// consistent snapshot (WAL readers never block writers), writes a `.partial` file with the
    /// database's mode and group and renames it into place, so `dest` is either absent or
    /// complete. Returns the asset count and the copy's history chain head (to log).
    pub fn backup_to(&self, dest: &Path) -> Result<(i64, super::chain::ChainHead)> {
        let out = OutFile::create(
            dest,
            &OutOptions {
                force: false,
                database: Some(&self.path),
            },
        )
        .map_err(|e| match e {
            StoreError::Refused(m) if m.contains("already exists") => StoreError::Refused(format!(
                "{} already exists; choose a new file (backups are never overwritten)",
                dest.display()
            )),
            other => other,
        })?;
        {
            let mut to = Connection::open(out.tmp_path())
                .ctx(&format!("creating {}", out.tmp_path().display()))?;
            copy_all(self.sqlite_only("itam backup")?, &mut to, "backup")?;
            // A self-contained file: no -wal beside it for anyone to lose.
            let _: String = to
                .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
                .ctx("finishing the backup")?;
        }
        let n = verify(out.tmp_path(), dest)?;
        let head = {
            let copy =
                Connection::open_with_flags(out.tmp_path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .ctx("checking the copy")?;
            super::chain::head(&super::sql::Conn::from_sqlite(copy))?
        };
        out.commit()?;
        Ok((n, head))
    }
}

/// `a` and `b` are the same file (by device and inode, so links and `./x` count).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// A private folder beside the target for the staged copy of the backup; removed on drop.
struct Stage(PathBuf);

impl Stage {
    fn new(target: &Path) -> Result<Stage> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Folders left by restores that were killed: their process is gone.
        let prefix = format!(".{name}.restore-");
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let file = entry.file_name();
            let pid = file
                .to_str()
                .and_then(|f| f.strip_prefix(&prefix))
                .and_then(|p| p.parse::<i32>().ok());
            // SAFETY: kill with signal 0 only asks whether the process exists.
            if pid.is_some_and(|p| unsafe { libc::kill(p, 0) } != 0) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let path = dir.join(format!("{prefix}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(io(format!("creating {}", path.display())))?;
        Ok(Stage(path))
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Replace the database at `target` with the backup at `src`, while others may have it open.
///
/// The backup is copied (with its `-wal`, if any) into a private folder and opened there, so
/// the source is never modified and nothing is left beside it; the copy is migrated to this
/// version's schema and must pass `itam check`. Then SQLite's backup API writes it into the live
/// target in one write transaction: writers wait for it like for any other writer, readers
/// keep their snapshot, the target keeps its mode, owner and group, and no `-wal`/`-shm` that
/// another process may hold is ever deleted.
pub fn restore(src: &Path, target: &Path) -> Result<i64> {
    if same_file(src, target) {
        return Err(StoreError::Refused(format!(
            "{} is the database itself; restore from a backup file (itam backup FILE makes one). Nothing was changed.",
            src.display()
        )));
    }
    if !src.is_file() {
        return Err(StoreError::NotFound(format!(
            "{} does not exist or is not a file",
            src.display()
        )));
    }
    let stage = Stage::new(target)?;
    let staged = stage.0.join("restore.db");
    std::fs::copy(src, &staged).map_err(io(format!("reading {}", src.display())))?;
    let src_wal = with_suffix(src, "-wal");
    if src_wal.is_file() {
        std::fs::copy(&src_wal, with_suffix(&staged, "-wal"))
            .map_err(io(format!("reading {}", src_wal.display())))?;
    }
    let source = Store::open(&staged, &OpenOptions::default()).map_err(|e| match e {
        StoreError::TooNew {
            found, supported, ..
        } => StoreError::TooNew {
            path: src.display().to_string(),
            found,
            supported,
        },
        other => other,
    })?;
    let report = source.check()?;
    if let Some(f) = report.findings.first() {
        return Err(StoreError::Refused(format!(
            "{} fails `itam check` ({}: {}); not restored",
            src.display(),
            f.check,
            f.message
        )));
    }
    debug_assert_eq!(
        source
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .ok(),
        Some(migrate::LATEST)
    );
    if !target.exists() {
        // Nobody can hold a file that does not exist yet: write it beside and rename it in.
        let out = OutFile::create(target, &OutOptions::default())?;
        {
            let mut to = Connection::open(out.tmp_path())
                .ctx(&format!("creating {}", out.tmp_path().display()))?;
            copy_all(source.sqlite_only("itam restore")?, &mut to, "restore")?;
        }
        let n = verify(out.tmp_path(), target)?;
        // A new database is shared with its group, like one `itam init` makes.
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(out.tmp_path(), std::fs::Permissions::from_mode(0o660));
        out.commit()?;
        return Ok(n);
    }
    let mut to = Connection::open_with_flags(
        target,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ctx(&format!("opening {}", target.display()))?;
    to.busy_timeout(BUSY_TIMEOUT).ctx("setting busy_timeout")?;
    let page = |c: &Connection| -> Result<i64> {
        c.query_row("PRAGMA page_size", [], |r| r.get(0))
            .ctx("reading the page size")
    };
    let (from_page, to_page) = (page(source.sqlite_only("itam restore")?)?, page(&to)?);
    if from_page != to_page {
        return Err(StoreError::Refused(format!(
            "{} has {from_page}-byte pages and {} has {to_page}-byte pages: a database in use cannot change its page size. Nothing was changed.",
            src.display(),
            target.display()
        )));
    }
    copy_all(source.sqlite_only("itam restore")?, &mut to, "restore")?;
    drop(to);
    drop(source);
    drop(stage);
    Ok(report.assets)
}
