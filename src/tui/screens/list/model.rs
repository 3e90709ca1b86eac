//! The list's model: every asset's row (in tag order), the order the view shows them in, the
//! search index's feed, and the live refresh that keeps them up to date with the database
//! (our own writes and other processes' alike). Rows, whole or changed, are read by the reader
//! thread (refresh.rs) and only merged here; without it (tests) changes are read inline.

use super::refresh::{Delta, Req};
use super::{Filter, SortCol};
use crate::domain::Condition;
use crate::store::{Interner, ListRow, Store};
use crate::tui::worker::SearchReq;
use std::sync::mpsc::Sender;

/// Tags in the store's order (`COLLATE NOCASE`: ASCII letters fold to lower case).
fn tag_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// What changed in the database since the model last looked.
#[derive(Debug, Default)]
pub struct Changes {
    /// Assets whose rows changed (or were added).
    pub ids: Vec<i64>,
    /// People or locations changed (names, badges).
    pub subjects: bool,
    /// Too many to send row by row: the reader re-reads the whole list instead.
    pub reloading: bool,
    /// Rows were added or retagged: the view's order must be rebuilt.
    pub reordered: bool,
}

pub struct Catalog {
    /// Every asset's list row, once loaded (in tag order), and the current view's order.
    pub rows: Vec<ListRow>,
    pub order: Vec<u32>,
    /// (id, position in rows), sorted by id, to find a row after a change.
    by_id: Vec<(i64, u32)>,
    pub loaded: bool,
    pub load_progress: (usize, usize),
    /// Rows shown before the full load finishes.
    pub preview: Vec<ListRow>,
    pub interner: Interner,
    /// Assets in the database; -1 until the loader has counted them.
    pub total: i64,
    /// The search worker; without one (tests) searches run inline on `inline_index`.
    pub search_tx: Option<Sender<SearchReq>>,
    /// Queries sent to the search worker and not yet taken by it (it stops preparing an
    /// answer for the next keystroke when one is waiting).
    pub search_waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub inline_index: Option<crate::search::Index>,
    data_version: i64,
    /// The last event read inline (without a reader; the reader keeps its own).
    last_event: i64,
    /// The reader thread (whole list, and what changed); set by the event loop.
    pub refresher: Option<Sender<Req>>,
    /// Commits are announced by a watcher thread (`Msg::Changed`), so `outdated` is not polled.
    pub watched: bool,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("rows", &self.rows.len())
            .field("loaded", &self.loaded)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// Every row as read by the loader, with their look-up by id built there too: sorting a
/// million ids took the UI thread ~50 ms after each reload.
pub struct Loaded {
    rows: Vec<ListRow>,
    interner: Interner,
    by_id: Vec<(i64, u32)>,
}

impl Loaded {
    pub fn new(rows: Vec<ListRow>, interner: Interner) -> Loaded {
        let by_id = by_id(&rows);
        Loaded {
            rows,
            interner,
            by_id,
        }
    }
}

/// (id, position), sorted by id.
fn by_id(rows: &[ListRow]) -> Vec<(i64, u32)> {
    let mut v: Vec<(i64, u32)> = (0u32..).zip(rows).map(|(i, r)| (r.id, i)).collect();
    v.sort_unstable();
    v
}

impl Catalog {
    pub fn new(store: &Store) -> Catalog {
        Catalog {
            rows: Vec::new(),
            order: Vec::new(),
            by_id: Vec::new(),
            loaded: false,
            load_progress: (0, 0),
            // Counting a million rows takes longer than a frame: the loader reports the total.
            preview: store.list_first_page(200).unwrap_or_default(),
            interner: Interner::default(),
            total: -1,
            search_tx: None,
            search_waiting: Default::default(),
            inline_index: None,
            data_version: store.data_version().unwrap_or(0),
            last_event: store.last_event_id().unwrap_or(0),
            refresher: None,
            watched: false,
        }
    }

    /// Read every row synchronously (tests, ctrl-r, demo data) with its search index.
    pub fn read_all(
        store: &Store,
    ) -> crate::store::Result<(Vec<ListRow>, Interner, crate::search::Index)> {
        let mut rows = Vec::new();
        let mut index = crate::search::Index::default();
        let mut interner = Interner::default();
        let fields = crate::tui::worker::field_text(store)?;
        store.for_each_list_row(&mut interner, |r, hay| {
            index.push(
                r.id,
                &crate::tui::worker::with_fields(hay, fields.get(&r.id)),
            );
            rows.push(r);
        })?;
        Ok((rows, interner, index))
    }

    /// The loader's rows arrived (or a synchronous read's).
    pub fn loaded(&mut self, l: Loaded) {
        // Freeing a million rows takes a while: not on the UI thread.
        let old = std::mem::replace(&mut self.rows, l.rows);
        let old_interner = std::mem::replace(&mut self.interner, l.interner);
        let old_ids = std::mem::replace(&mut self.by_id, l.by_id);
        if self.refresher.is_some() {
            std::thread::spawn(move || drop((old, old_interner, old_ids)));
        }
        self.loaded = true;
        self.total = self.rows.len() as i64;
        self.preview.clear();
    }

    /// Everything again, now: the rows, and the index for the search worker (or inline).
    pub fn reload_now(&mut self, store: &Store) -> crate::store::Result<()> {
        let (rows, interner, index) = Catalog::read_all(store)?;
        match &self.search_tx {
            Some(tx) => {
                let _ = tx.send(SearchReq::Index(index));
            }
            None => self.inline_index = Some(index),
        }
        self.loaded(Loaded::new(rows, interner));
        self.last_event = store.last_event_id().unwrap_or(self.last_event);
        self.data_version = store.data_version().unwrap_or(self.data_version);
        Ok(())
    }

    fn reindex(&mut self) {
        self.by_id = by_id(&self.rows);
    }

    pub fn row_by_id(&self, id: i64) -> Option<&ListRow> {
        self.by_id
            .binary_search_by_key(&id, |x| x.0)
            .ok()
            .map(|i| &self.rows[self.by_id[i].1 as usize])
    }

    /// Whether another process (or our worker) committed since we last looked
    /// (`PRAGMA data_version`).
    pub fn outdated(&mut self, store: &Store) -> bool {
        match store.data_version() {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                true
            }
            _ => false,
        }
    }

    /// Ask for what changed since we last looked: the reader's reply is merged when it
    /// arrives (`None` here), or without a reader it is read now.
    pub fn ask_changes(&mut self, store: &Store) -> Option<Delta> {
        if let Some(tx) = &self.refresher {
            let _ = tx.send(Req::Changes);
            return None;
        }
        let delta =
            super::refresh::read(store, &mut self.last_event, &mut self.interner, usize::MAX);
        self.data_version = store.data_version().unwrap_or(self.data_version);
        if !self.loaded {
            self.total = store.asset_count().unwrap_or(self.total);
            self.preview = store.list_first_page(200).unwrap_or_default();
        }
        delta.ok().flatten()
    }

    /// Read the whole list again: by the reader, else now.
    pub fn reload(&mut self, store: &Store) -> crate::store::Result<()> {
        match &self.refresher {
            Some(tx) => {
                let _ = tx.send(Req::Reload);
                Ok(())
            }
            None => self.reload_now(store),
        }
    }

    /// Merge changed rows (and their search lines, without a search worker: the reader sends
    /// those to it). Returns what changed, for the other open screens.
    pub fn merge(&mut self, delta: Delta) -> Changes {
        let Delta {
            ids,
            subjects,
            rows,
            reloading,
        } = delta;
        if reloading {
            return Changes {
                ids,
                subjects,
                reloading: true,
                reordered: false,
            };
        }
        // New rows, and the positions of renamed ones: both go to their place by tag below.
        let mut added: Vec<ListRow> = Vec::new();
        let mut retagged: Vec<usize> = Vec::new();
        for (mut row, hay) in rows {
            let id = row.id;
            if self.search_tx.is_none() {
                if let Some(idx) = self.inline_index.as_mut() {
                    idx.replace(id, &hay);
                }
            }
            // The reader's rows share its strings: share ours instead, as loaded rows do.
            row.name = self.interner.get(&row.name);
            row.assignee = row.assignee.map(|a| self.interner.get(&a));
            row.location = row.location.map(|l| self.interner.get(&l));
            match self.by_id.binary_search_by_key(&id, |x| x.0) {
                Ok(i) => {
                    let at = self.by_id[i].1 as usize;
                    let slot = &mut self.rows[at];
                    if slot.tag != row.tag {
                        retagged.push(at);
                    }
                    *slot = row;
                }
                Err(_) if self.loaded => added.push(row),
                Err(_) => {}
            }
        }
        let reordered = !added.is_empty() || !retagged.is_empty();
        if reordered {
            self.place(added, retagged);
            self.reindex();
            self.total = self.rows.len() as i64;
        }
        Changes {
            ids,
            subjects,
            reloading: false,
            reordered,
        }
    }

    /// Put `added` rows and the renamed rows at `retagged` in their place by tag: `rows` stays
    /// in tag order (what every sort builds on), so a row that arrived live or by import, or
    /// was renamed, takes its place instead of sitting last. One merge pass: sorting a million
    /// rows again held the screen for 0.4 s.
    fn place(&mut self, mut moving: Vec<ListRow>, mut retagged: Vec<usize>) {
        retagged.sort_unstable();
        retagged.dedup();
        let old = std::mem::take(&mut self.rows);
        let stay = if retagged.is_empty() {
            old
        } else {
            let mut stay = Vec::with_capacity(old.len());
            let mut next = retagged.iter().peekable();
            for (i, r) in old.into_iter().enumerate() {
                if next.next_if(|&&at| at == i).is_some() {
                    moving.push(r);
                } else {
                    stay.push(r);
                }
            }
            stay
        };
        moving.sort_by(|a, b| tag_order(&a.tag, &b.tag));
        let mut merged = Vec::with_capacity(stay.len() + moving.len());
        let mut moving = moving.into_iter().peekable();
        for r in stay {
            while let Some(m) = moving.next_if(|m| tag_order(&m.tag, &r.tag).is_lt()) {
                merged.push(m);
            }
            merged.push(r);
        }
        merged.extend(moving);
        self.rows = merged;
    }

    /// The order the view shows: `rows` filtered, then sorted (tag order when unsorted).
    pub fn rebuild_order(&mut self, f: &Filter, sort: Option<(SortCol, bool)>) {
        let mut order: Vec<u32> = if f.is_empty() {
            (0..self.rows.len() as u32).collect()
        } else {
            (0..self.rows.len() as u32)
                .filter(|&i| f.keeps(&self.rows[i as usize]))
                .collect()
        };
        if let Some((col, asc)) = sort {
            let rows = &self.rows;
            let key = |i: &u32| {
                let r = &rows[*i as usize];
                match col {
                    SortCol::Tag => r.tag.to_ascii_lowercase(),
                    SortCol::Name => r.name.to_ascii_lowercase(),
                    SortCol::Status => r.status.as_str().to_string(),
                    SortCol::Condition => format!(
                        "{}",
                        Condition::ALL
                            .iter()
                            .position(|c| *c == r.condition)
                            .unwrap_or(0)
                    ),
                    SortCol::Assignee => r
                        .assignee
                        .as_deref()
                        .unwrap_or("\u{10FFFF}")
                        .to_ascii_lowercase(),
                    SortCol::Location => r
                        .location
                        .as_deref()
                        .unwrap_or("\u{10FFFF}")
                        .to_ascii_lowercase(),
                }
            };
            if col != SortCol::Tag {
                // Stable sort keeps tag order within equal keys.
                order.sort_by_cached_key(key);
            }
            if !asc {
                order.reverse();
            }
        }
        self.order = order;
    }
}
