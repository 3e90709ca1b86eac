//! The list's model: every asset's row (in tag order), the visible order, and the live refresh
//! that keeps them (and the open screens) up to date with the database.

use crate::store::{Interner, ListRow};
use crate::tui::app::{Action, App, Screen};
use crate::tui::screens::person::PersonState;
use crate::tui::worker::SearchReq;

/// Tags in the store's order (`COLLATE NOCASE`: ASCII letters fold to lower case).
fn tag_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// More changed assets than this are re-read by the background loader, not on the UI thread.
const BIG_CHANGE: usize = 2_000;

impl App {
    /// Load every row synchronously (tests and small databases without a loader thread).
    pub fn load_now(&mut self) -> crate::store::Result<()> {
        let mut rows = Vec::new();
        let mut index = crate::search::Index::default();
        let mut interner = Interner::default();
        let fields = crate::tui::worker::field_text(&self.store)?;
        self.store.for_each_list_row(&mut interner, |r, hay| {
            index.push(
                r.id,
                &crate::tui::worker::with_fields(hay, fields.get(&r.id)),
            );
            rows.push(r);
        })?;
        self.inline_index = Some(index);
        self.update(Action::Loaded(rows, interner));
        Ok(())
    }

    pub(crate) fn reindex(&mut self) {
        self.by_id = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i as u32))
            .collect();
        self.by_id.sort_unstable();
    }

    pub fn row_by_id(&self, id: i64) -> Option<&ListRow> {
        self.by_id
            .binary_search_by_key(&id, |x| x.0)
            .ok()
            .map(|i| &self.rows[self.by_id[i].1 as usize])
    }

    /// Reload everything (ctrl-r, or after demo data).
    pub fn refresh_all(&mut self) {
        if let Err(e) = self.load_now() {
            self.fail(e.to_string());
        }
        self.last_event = self.store.last_event_id().unwrap_or(self.last_event);
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
        if let Some(tx) = &self.search_tx {
            if let Some(idx) = self.inline_index.take() {
                let _ = tx.send(SearchReq::Index(idx));
            }
        }
    }

    /// After our own write: pick up the change the same way as anyone else's.
    pub(crate) fn after_write(&mut self) {
        self.apply_changes();
    }

    /// Poll `PRAGMA data_version`; when another process committed, apply what changed.
    pub fn poll(&mut self) {
        match self.store.data_version() {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                self.apply_changes();
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// Read the event log since we last looked and refresh exactly those assets on screen.
    pub(crate) fn apply_changes(&mut self) {
        let Ok((ids, subjects, last)) = self.store.changes_since(self.last_event) else {
            return;
        };
        self.last_event = last;
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
        // People and locations changed (names, badges): open person screens are refreshed below.
        if ids.is_empty() && !subjects {
            return;
        }
        // An import of thousands of rows: reading each row here would hold the screen for
        // seconds, so the loader re-reads the whole list off the UI thread instead.
        if ids.len() > BIG_CHANGE && self.loaded && self.reload.is_some() {
            // One reload at a time: changes made while it reads are picked up by one more.
            if self.reloading {
                self.reload_again = true;
            } else if let Some(reload) = &self.reload {
                reload();
                self.reloading = true;
            }
            self.refresh_reports();
            return;
        }
        let mut added = false;
        let mut retagged = false;
        for id in &ids {
            let Ok(Some((row, mut hay))) = self.store.list_row(*id, &mut self.interner) else {
                continue;
            };
            for v in self.store.asset_fields_by_id(*id).unwrap_or_default() {
                hay.push(' ');
                hay.push_str(&v.value);
            }
            if let Some(tx) = &self.search_tx {
                let _ = tx.send(SearchReq::Replace {
                    id: *id,
                    text: hay.clone(),
                });
            } else if let Some(idx) = self.inline_index.as_mut() {
                idx.replace(*id, &hay);
            }
            match self.by_id.binary_search_by_key(id, |x| x.0) {
                Ok(i) => {
                    let slot = &mut self.rows[self.by_id[i].1 as usize];
                    retagged |= slot.tag != row.tag;
                    *slot = row;
                }
                Err(_) if self.loaded => {
                    self.rows.push(row);
                    added = true;
                }
                Err(_) => {}
            }
        }
        if added || retagged {
            // `rows` stays in tag order (what every sort builds on), so a row that arrived
            // live or by import, or was renamed, takes its place instead of sitting last.
            if !self
                .rows
                .is_sorted_by(|a, b| tag_order(&a.tag, &b.tag).is_le())
            {
                self.rows.sort_by(|a, b| tag_order(&a.tag, &b.tag));
            }
            self.reindex();
            self.total_assets = self.rows.len() as i64;
            added = true;
        }
        if !self.loaded {
            self.total_assets = self.store.asset_count().unwrap_or(self.total_assets);
            self.preview = self.store.list_first_page(200).unwrap_or_default();
        }
        if self.loaded && (added || !self.list.filter.is_empty() || self.list.sort.is_some()) {
            self.rebuild_order();
        }
        // Refresh open detail and person screens.
        for i in 0..self.screens.len() {
            let refresh = match &self.screens[i] {
                Screen::Detail(d) => ids.contains(&d.asset.id).then_some(d.asset.id),
                _ => None,
            };
            if let Some(id) = refresh {
                if let Ok(d) = self.detail_state(id) {
                    self.screens[i] = Screen::Detail(Box::new(d));
                }
            }
            if let Screen::Person(p) = &self.screens[i] {
                let u = p.person.username.clone();
                if let (Ok(person), Ok(assets)) = (self.store.person(&u), self.store.held_by(&u)) {
                    let selected = p.selected.min(assets.len().saturating_sub(1));
                    self.screens[i] = Screen::Person(PersonState {
                        person,
                        assets,
                        selected,
                    });
                }
            }
        }
        self.refresh_reports();
        if let Some(Screen::Scan) = self.screens.last() {
            if let Some(last) = &self.scan.last {
                if ids.contains(&last.id) {
                    self.scan.last = self.store.asset_by_id(last.id).ok();
                }
            }
        }
    }
}
