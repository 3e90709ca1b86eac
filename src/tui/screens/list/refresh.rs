//! The live refresh's reader: a thread with its own read-only connection reads what changed in
//! the database (the event log since it last looked, then each changed asset's row and search
//! line) and sends the rows to the UI thread, which only merges them. A change too large to
//! send row by row (an import of thousands) and a reload (start-up, ctrl-r, demo data) read the
//! whole list instead, on this thread too: one thread doing both keeps them in order, so rows
//! read live never arrive before an older whole list that would overwrite them.

use crate::store::{Interner, ListRow, OpenOptions, Store};
use crate::tui::app::App;
use crate::tui::worker::SearchReq;
use crate::tui::Msg;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};

/// More changed assets than this are not sent one by one: the whole list is read again.
pub const BIG_CHANGE: usize = 2_000;

/// What the reader is asked for.
pub enum Req {
    /// Something was committed (`PRAGMA data_version` moved, or our worker wrote).
    Changes,
    /// Read the whole list again.
    Reload,
}

/// What changed since the reader last looked.
#[derive(Debug, Default)]
pub struct Delta {
    /// Assets whose rows changed (or were added), people or locations (names, badges).
    pub ids: Vec<i64>,
    pub subjects: bool,
    /// Each changed asset's row and search line (its custom field values after it); empty
    /// when `reloading`.
    pub rows: Vec<(ListRow, String)>,
    /// Too many to send: the whole list follows.
    pub reloading: bool,
}

/// The changes since `*last` (which moves on); `None` when nothing changed. Over `big` changed
/// assets, only their ids are returned, marked `reloading`.
pub fn read(
    store: &Store,
    last: &mut i64,
    interner: &mut Interner,
    big: usize,
) -> crate::store::Result<Option<Delta>> {
    // Thousands of new events (an import): the whole list is read again anyway, so reading
    // each changed id first is wasted (a 100k import's 155,000 events: ~0.15 s).
    let newest = store.last_event_id()?;
    if newest - *last > i64::try_from(big).unwrap_or(i64::MAX) {
        *last = newest;
        return Ok(Some(Delta {
            ids: Vec::new(),
            subjects: true,
            rows: Vec::new(),
            reloading: true,
        }));
    }
    let (ids, subjects, now) = store.changes_since(*last)?;
    *last = now;
    if ids.is_empty() && !subjects {
        return Ok(None);
    }
    if ids.len() > big {
        return Ok(Some(Delta {
            ids,
            subjects,
            rows: Vec::new(),
            reloading: true,
        }));
    }
    let mut rows = Vec::with_capacity(ids.len());
    for id in &ids {
        // Deleted meanwhile (an undone import): nothing to show.
        let Some((row, mut hay)) = store.list_row(*id, interner)? else {
            continue;
        };
        for v in store.asset_fields_by_id(*id)? {
            hay.push(' ');
            hay.push_str(&v.value);
        }
        rows.push((row, hay));
    }
    Ok(Some(Delta {
        ids,
        subjects,
        rows,
        reloading: false,
    }))
}

/// Start the reader on the database at `path`; it reads the whole list first. Rows go to the
/// UI thread (`ui`), search lines to the search worker.
pub fn spawn(path: PathBuf, ui: Sender<Msg>, search: Sender<SearchReq>) -> Sender<Req> {
    let (tx, rx) = channel::<Req>();
    let _ = tx.send(Req::Reload);
    std::thread::spawn(move || {
        crate::tui::priority::lower_this_thread();
        let store = match Store::open(&path, &OpenOptions { read_only: true }) {
            Ok(s) => s,
            Err(e) => {
                let _ = ui.send(Msg::LoadFailed(e.to_string()));
                return;
            }
        };
        let mut last = 0;
        let mut interner = Interner::default();
        let load = |last: &mut i64| {
            // Events from here on are read again after the list: reading a row twice is
            // harmless, missing one is not.
            *last = store.last_event_id().unwrap_or(*last);
            crate::tui::worker::load(path.clone(), ui.clone(), search.clone());
        };
        while let Ok(first) = rx.recv() {
            // Many polls while busy are one read; a reload among them covers them all.
            let reload = std::iter::once(first)
                .chain(rx.try_iter())
                .any(|r| matches!(r, Req::Reload));
            if reload {
                load(&mut last);
                continue;
            }
            // An error is retried by the next poll (the events stay where they are).
            let Ok(Some(delta)) = read(&store, &mut last, &mut interner, BIG_CHANGE) else {
                continue;
            };
            for (row, hay) in &delta.rows {
                let _ = search.send(SearchReq::Replace {
                    id: row.id,
                    text: hay.clone(),
                });
            }
            let reloading = delta.reloading;
            let merge: crate::tui::db::Reply = Box::new(move |app: &mut App| app.changed(delta));
            if ui.send(Msg::Db(merge, false)).is_err() {
                return;
            }
            if reloading {
                load(&mut last);
            }
        }
    });
    tx
}
