//! Every file itam writes (exports, labels, backups, restores into a new file) goes through here:
//! a temporary file beside the destination, renamed into place only once complete, never over an
//! existing file unless the caller forces it, and never onto the database or its `-wal`, `-shm`
//! or `-journal`, whichever links lead there. The file gets the database's mode and group (a
//! backup carries licence keys: never the umask's world-readable 0644), else 0600.

use super::{Result, StoreError};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How a destination may be written.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutOptions<'a> {
    /// Replace an existing file (never the database, even so).
    pub force: bool,
    /// The open database: never a destination, and the source of the new file's mode and group.
    pub database: Option<&'a Path>,
}

/// A file being written. [`OutFile::commit`] puts it in place; dropping it uncommitted removes it.
#[derive(Debug)]
pub struct OutFile {
    file: Option<File>,
    tmp: PathBuf,
    dest: PathBuf,
    force: bool,
    database: Option<PathBuf>,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The temporary name beside `dest` (`DEST.partial`). Fixed rather than random so a run killed
/// half-way leaves one name that the next run removes before starting.
pub fn partial(dest: &Path) -> PathBuf {
    with_suffix(dest, ".partial")
}

/// Remove a stale `.partial` and the `-wal`/`-shm`/`-journal` SQLite may have left beside it.
pub fn remove_partial(tmp: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(tmp, suffix));
    }
}

/// Where `p` really leads: symbolic links followed (also dangling ones), the folder made
/// absolute. A name that leads nowhere yet is resolved through its folder.
fn resolve(p: &Path) -> PathBuf {
    let mut p = p.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                Ok(target) => {
                    p = match p.parent() {
                        Some(dir) => dir.join(target),
                        None => target,
                    }
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    if let Ok(c) = std::fs::canonicalize(&p) {
        return c;
    }
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (std::fs::canonicalize(dir), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p,
    }
}

/// Refuse `dest` when it is (or leads to) the database or one of SQLite's files beside it.
pub fn refuse_database(dest: &Path, database: &Path) -> Result<()> {
    let target = resolve(dest);
    let db = resolve(database);
    let hit = ["", "-wal", "-shm", "-journal"]
        .iter()
        .any(|s| with_suffix(&db, s) == target);
    // A hard link to the database has another name but the same file.
    let same_file = match (std::fs::metadata(&target), std::fs::metadata(&db)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    if hit || same_file {
        return Err(StoreError::Refused(format!(
            "{} is the database {} (or one of its own files); choose another file. Nothing was written.",
            dest.display(),
            database.display()
        )));
    }
    Ok(())
}

fn refuse_existing(dest: &Path, force: bool) -> Result<()> {
    match std::fs::symlink_metadata(dest) {
        Ok(m) if m.is_dir() => Err(StoreError::Refused(format!(
            "{} is a folder; give a file name. Nothing was written.",
            dest.display()
        ))),
        Ok(_) if !force => Err(StoreError::Refused(format!(
            "{} already exists; choose a new file, or add --force to replace it. Nothing was written.",
            dest.display()
        ))),
        _ => Ok(()),
    }
}

/// The mode and group a new file gets: the database's, without any access for others.
fn give_mode(file: &File, database: Option<&Path>) {
    let Some(db) = database.and_then(|d| std::fs::metadata(d).ok()) else {
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
        return;
    };
    // SAFETY: fchown on an open descriptor we own; -1 leaves the owner as it is.
    let grouped = unsafe {
        use std::os::fd::AsRawFd;
        libc::fchown(file.as_raw_fd(), u32::MAX, db.gid()) == 0
    } || file.metadata().is_ok_and(|m| m.gid() == db.gid());
    let mode = if grouped {
        db.mode() & 0o660
    } else {
        db.mode() & 0o600
    };
    let _ = file.set_permissions(std::fs::Permissions::from_mode(mode | 0o600));
}

impl OutFile {
    /// Start writing `dest`. Refused at once when it exists (without `force`), is a folder, or
    /// leads to the database.
    pub fn create(dest: &Path, opts: &OutOptions<'_>) -> Result<OutFile> {
        if let Some(db) = opts.database {
            refuse_database(dest, db)?;
        }
        refuse_existing(dest, opts.force)?;
        let tmp = partial(dest);
        remove_partial(&tmp);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)
            .map_err(io(format!("creating {}", tmp.display())))?;
        give_mode(&file, opts.database);
        Ok(OutFile {
            file: Some(file),
            tmp,
            dest: dest.to_path_buf(),
            force: opts.force,
            database: opts.database.map(Path::to_path_buf),
        })
    }

    /// The temporary file, for writers that need a path (SQLite's backup). Its mode is set.
    pub fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flush to disk and put the file in place. Checked again here: a link planted while the
    /// file was written is refused too.
    pub fn commit(mut self) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all()
                .map_err(io(format!("writing {}", self.tmp.display())))?;
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(with_suffix(&self.tmp, suffix));
        }
        if let Some(db) = &self.database {
            refuse_database(&self.dest, db)?;
        }
        let placed = if self.force {
            std::fs::rename(&self.tmp, &self.dest)
        } else {
            // A hard link never replaces an existing name: no window between a check and a rename.
            match std::fs::hard_link(&self.tmp, &self.dest) {
                Ok(()) => std::fs::remove_file(&self.tmp),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(StoreError::Refused(format!(
                        "{} appeared while it was being written; nothing was replaced",
                        self.dest.display()
                    )))
                }
                // Filesystems without hard links: check, then rename.
                Err(_) => {
                    refuse_existing(&self.dest, false)?;
                    std::fs::rename(&self.tmp, &self.dest)
                }
            }
        };
        placed.map_err(io(format!(
            "putting {} in place of {}",
            self.tmp.display(),
            self.dest.display()
        )))?;
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("the file was already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        // Not committed (an error or a panic on the way): leave nothing half-written behind.
        if self.tmp.exists() || std::fs::symlink_metadata(&self.tmp).is_ok() {
            self.file.take();
            remove_partial(&self.tmp);
        }
    }
}

/// Write `bytes` to `dest` in one go, with the same rules.
pub fn write_all(dest: &Path, bytes: &[u8], opts: &OutOptions<'_>) -> Result<()> {
    let mut f = OutFile::create(dest, opts)?;
    f.write_all(bytes)
        .map_err(io(format!("writing {}", f.tmp_path().display())))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(db: &Path, force: bool) -> OutOptions<'_> {
        OutOptions {
            force,
            database: Some(db),
        }
    }

    #[test]
    fn the_database_and_its_files_are_never_a_destination() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("itam.db");
        std::fs::write(&db, b"ledger").unwrap();
        let link = dir.path().join("innocent.csv");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        let wal_link = dir.path().join("wal.csv");
        std::os::unix::fs::symlink(dir.path().join("itam.db-wal"), &wal_link).unwrap();
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&db, &hard).unwrap();
        for dest in [
            db.clone(),
            link,
            wal_link,
            hard,
            dir.path().join("itam.db-shm"),
            dir.path().join("./itam.db-journal"),
        ] {
            for force in [false, true] {
                let err = write_all(&dest, b"x,y\n", &opts(&db, force)).unwrap_err();
                assert!(
                    err.to_string().contains("is the database"),
                    "{dest:?}: {err}"
                );
            }
        }
        assert_eq!(std::fs::read(&db).unwrap(), b"ledger");
        assert!(!dir.path().join("itam.db-wal").exists());
    }

    #[test]
    fn an_existing_file_needs_force_and_a_failure_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("itam.db");
        std::fs::write(&db, b"ledger").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
        let dest = dir.path().join("out.csv");
        std::fs::write(&dest, b"old").unwrap();
        let err = write_all(&dest, b"new", &opts(&db, false)).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        write_all(&dest, b"new", &opts(&db, true)).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert_eq!(
            std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
            0o660
        );
        let fresh = dir.path().join("fresh.csv");
        {
            let mut f = OutFile::create(&fresh, &opts(&db, false)).unwrap();
            f.write_all(b"half").unwrap();
            // dropped without commit
        }
        assert!(!fresh.exists());
        assert!(!partial(&fresh).exists());
    }
}
