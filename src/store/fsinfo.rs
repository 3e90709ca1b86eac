//! Facts about the file the database lives in: writable, on a network filesystem, its mode.

use super::{Result, StoreError};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

pub(super) fn writable(path: &Path) -> bool {
    let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: c is a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// Whether SQLite can write the database at `path` as far as its folder goes: the folder is
/// writable, or the `-wal` and `-shm` it needs exist already (and are writable).
pub(super) fn folder_writable_for_wal(path: &Path) -> bool {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if writable(dir) {
        return true;
    }
    ["-wal", "-shm"].iter().all(|ext| {
        let mut p = path.as_os_str().to_os_string();
        p.push(ext);
        writable(Path::new(&p))
    })
}

/// Create the database's folder with group-shared permissions (setgid, 2770) so a team on a jump
/// box can share it when the folder's group is theirs.
pub(super) fn create_parent(path: &Path) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
        context: format!("creating {}", dir.display()),
        source,
    })?;
    use std::os::unix::fs::PermissionsExt;
    // Best effort: the folder works without it, only sharing is harder.
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o2770));
    Ok(())
}

pub(super) fn world_writable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o002 != 0)
}

/// A new database file is made group read-write (0660) so teammates in the group can write.
pub(super) fn set_shared_mode(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660));
}

/// The name of the network filesystem holding `path` (or its folder), if it is on one.
pub(super) fn network_filesystem(path: &Path) -> Option<&'static str> {
    let probe = if path.exists() { path } else { path.parent()? };
    let probe = if probe.as_os_str().is_empty() {
        Path::new(".")
    } else {
        probe
    };
    let c = CString::new(probe.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs is plain old data; the call only writes into it.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid path and st a valid out-pointer.
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    fs_name(st.f_type as i64)
}

/// Magic numbers from linux/magic.h of the filesystems on which WAL's shared memory is unsafe.
pub(super) fn fs_name(magic: i64) -> Option<&'static str> {
    match magic as u32 {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF53_4D42 => Some("CIFS"),
        0xFE53_4D42 => Some("SMB2"),
        0x6573_5546 => Some("FUSE (e.g. sshfs)"),
        0x0102_1997 => Some("9P"),
        0x5346_414F => Some("AFS"),
        _ => None,
    }
}

/// Whether user `uid` belongs to group `gid` (as primary or supplementary group).
fn user_in_group(uid: u32, gid: u32) -> bool {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data filled by getpwuid_r into buf, which outlives its use.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the sizes given.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() {
        return false;
    }
    if pw.pw_gid == gid {
        return true;
    }
    let mut groups = vec![0 as libc::gid_t; 256];
    let mut n = groups.len() as libc::c_int;
    // SAFETY: pw_name points into buf (alive); groups has room for n entries.
    let rc = unsafe { libc::getgrouplist(pw.pw_name, pw.pw_gid, groups.as_mut_ptr(), &mut n) };
    rc >= 0 && groups.iter().take(n.max(0) as usize).any(|g| *g == gid)
}

/// Refuse a database whose folder anyone may write to, or beside which SQLite's `-wal`, `-shm`
/// or `-journal` belongs to someone outside the database's owner and group: SQLite applies a
/// `-wal` it finds, so a planted one replaces the ledger's contents.
pub(super) fn refuse_planted(path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(m) = std::fs::metadata(dir) {
        if m.mode() & 0o002 != 0 {
            return Err(StoreError::Refused(format!(
                "the folder {} is writable by everyone (mode {:o}): anyone could put a -wal file beside {} \
                 that replaces the ledger. Keep the database in a folder only its group can write \
                 (e.g. mkdir -m 2770 /srv/itam && chgrp itam /srv/itam, then move it there).",
                dir.display(),
                m.mode() & 0o7777,
                path.display()
            )));
        }
    }
    let Ok(db) = std::fs::metadata(path) else {
        return Ok(());
    };
    for ext in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_os_string();
        side.push(ext);
        let side = Path::new(&side);
        let Ok(m) = std::fs::symlink_metadata(side) else {
            continue;
        };
        let stranger = m.file_type().is_symlink()
            || !(m.uid() == db.uid() || m.uid() == 0 || user_in_group(m.uid(), db.gid()));
        if stranger {
            return Err(StoreError::Refused(format!(
                "{} belongs to user {} (or is a link), who is neither the database's owner nor in its group: \
                 SQLite would apply it and replace the ledger. Nothing was read; move it aside and look at it \
                 (ls -l {}), then run itam again.",
                side.display(),
                m.uid(),
                side.display()
            )));
        }
    }
    Ok(())
}

/// Who holds SQLite's write lock on the database at `path`, as far as Linux says
/// (`/proc/locks`): the WAL write lock is byte 120 of the `-shm` file, the rollback journal's
/// reserved lock byte 0x40000001 of the database. One "pid N (command, user U)" per holder.
pub(super) fn write_lock_holders(path: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let id = |p: &Path| {
        std::fs::metadata(p).ok().map(|m| {
            let dev = m.dev();
            format!(
                "{:02x}:{:02x}:{}",
                libc::major(dev),
                libc::minor(dev),
                m.ino()
            )
        })
    };
    let mut shm = path.as_os_str().to_os_string();
    shm.push("-shm");
    let targets: Vec<(String, &str)> = [(id(Path::new(&shm)), "120"), (id(path), "1073741825")]
        .into_iter()
        .filter_map(|(i, byte)| i.map(|i| (i, byte)))
        .collect();
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        return Vec::new();
    };
    let me = std::process::id().to_string();
    let mut out: Vec<String> = Vec::new();
    for line in locks.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // "1: POSIX  ADVISORY  WRITE 8846 fe:00:10011055 120 120"
        let [_, _, _, "WRITE", pid, file, start, ..] = f.as_slice() else {
            continue;
        };
        if *pid == me || !targets.iter().any(|(i, b)| i == file && b == start) {
            continue;
        }
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let uid = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|st| {
                st.lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .and_then(|u| {
                        u.split_whitespace()
                            .next()
                            .and_then(|u| u.parse::<u32>().ok())
                    })
            });
        let who = uid.map(user_name).unwrap_or_else(|| "?".into());
        let d = format!("pid {pid} ({}, user {who})", comm.trim());
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

fn user_name(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data filled by getpwuid_r into buf, which outlives its use.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the sizes given.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() {
        return uid.to_string();
    }
    // SAFETY: pw_name points to a NUL-terminated string inside buf.
    unsafe { std::ffi::CStr::from_ptr(pw.pw_name) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_network_filesystems() {
        assert_eq!(fs_name(0x6969), Some("NFS"));
        assert_eq!(fs_name(0xFF53_4D42), Some("CIFS"));
        assert_eq!(fs_name(0xEF53), None); // ext4
        assert_eq!(network_filesystem(Path::new("/tmp")), None);
    }
}
