//! The search index on disk, so `itam find` need not re-read a million rows through joins:
//! `$XDG_CACHE_HOME/itam/<hash of the database path>.idx`, valid while the database's newest
//! event id and asset count are the ones it was built at (every change appends an event).
//! A stale, damaged or unwritable cache is simply rebuilt: it is never the source of truth.

use super::Index;
use crate::store::{Result, Store};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"ITAMIDX1";

fn cache_path(db: &Path) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(db)
        .unwrap_or_else(|_| db.to_path_buf())
        .hash(&mut h);
    let dir = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    dir.join("itam").join(format!("{:016x}.idx", h.finish()))
}

fn key(store: &Store) -> Result<(i64, i64)> {
    Ok((store.last_event_id()?, store.asset_count()?))
}

impl Index {
    fn encode(&self, key: (i64, i64)) -> Vec<u8> {
        let n = self.ids.len();
        let mut out = Vec::with_capacity(40 + n * 20 + self.text.len());
        out.extend_from_slice(MAGIC);
        for v in [key.0 as u64, key.1 as u64, n as u64, self.text.len() as u64] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        self.ids
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        self.ends
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        self.masks
            .iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    /// The index in `bytes`, if they are a complete cache built at `key`.
    fn decode(bytes: &[u8], key: (i64, i64)) -> Option<Index> {
        let word = |i: usize| -> Option<u64> {
            Some(u64::from_le_bytes(
                bytes.get(8 + i * 8..16 + i * 8)?.try_into().ok()?,
            ))
        };
        if bytes.get(..8)? != MAGIC || word(0)? != key.0 as u64 || word(1)? != key.1 as u64 {
            return None;
        }
        let n = usize::try_from(word(2)?).ok()?;
        let text_len = usize::try_from(word(3)?).ok()?;
        let mut at: usize = 40;
        let mut take = |len: usize| -> Option<&[u8]> {
            let s = bytes.get(at..at.checked_add(len)?)?;
            at += len;
            Some(s)
        };
        let ids = take(n.checked_mul(8)?)?
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        let ends: Vec<u32> = take(n.checked_mul(4)?)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
            .collect();
        let masks = take(n.checked_mul(8)?)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        let text = String::from_utf8(take(text_len)?.to_vec()).ok()?;
        // Offsets must stay inside the text and on character boundaries, or rows would panic.
        let mut prev = 0u32;
        for &e in &ends {
            if e < prev || e as usize > text.len() || !text.is_char_boundary(e as usize) {
                return None;
            }
            prev = e;
        }
        Some(Index {
            text,
            ends,
            ids,
            masks,
        })
    }

    /// The cached index when it is current, else a fresh one (then cached, best effort).
    pub fn load_or_build(store: &Store) -> Result<Index> {
        let path = cache_path(store.path());
        let k = key(store)?;
        if let Some(idx) = std::fs::read(&path).ok().and_then(|b| Index::decode(&b, k)) {
            return Ok(idx);
        }
        let idx = Index::build(store)?;
        if let Some(dir) = path.parent() {
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            let written =
                std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, idx.encode(k)).is_ok();
            if !written || std::fs::rename(&tmp, &path).is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
        }
        Ok(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_stale_or_damaged_bytes() {
        let mut idx = Index::default();
        idx.push(7, "IT-1 Latitude 7440 jdoe");
        idx.push(9, "IT-2 MacBook Pro ünïcode");
        let bytes = idx.encode((42, 2));
        let back = Index::decode(&bytes, (42, 2)).unwrap();
        assert_eq!(
            (
                back.ids.clone(),
                back.ends.clone(),
                back.masks.clone(),
                back.text.clone()
            ),
            (
                idx.ids.clone(),
                idx.ends.clone(),
                idx.masks.clone(),
                idx.text.clone()
            )
        );
        assert_eq!(back.search("lat74", 5, None).top[0].0, 7);
        assert!(
            Index::decode(&bytes, (43, 2)).is_none(),
            "a newer event invalidates it"
        );
        assert!(
            Index::decode(&bytes[..bytes.len() - 3], (42, 2)).is_none(),
            "truncated"
        );
        let mut bad = bytes.clone();
        let ends_at = 40 + 2 * 8;
        bad[ends_at..ends_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            Index::decode(&bad, (42, 2)).is_none(),
            "offsets outside the text"
        );
    }
}
