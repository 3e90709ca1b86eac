//! Work off the UI thread: loading every asset (the list and the search index, in one pass)
//! and answering search queries, newest first. Both report on the UI's event channel.

use super::Msg;
use crate::search::{Index, Matches};
use crate::store::{Interner, ListRow, OpenOptions, Store};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

/// Requests to the search worker.
pub enum SearchReq {
    /// The freshly built index.
    Index(Index),
    /// Search; only the newest query (highest generation) is answered.
    Query {
        generation: u64,
        text: String,
        limit: usize,
    },
    /// An asset's search line changed.
    Replace { id: i64, text: String },
}

/// Read every asset in tag order; send progress, then the rows (to the UI) and the index (to
/// the search worker).
pub fn load(path: PathBuf, ui: Sender<Msg>, search: Sender<SearchReq>) {
    let result = (|| -> crate::store::Result<()> {
        let store = Store::open(&path, &OpenOptions { read_only: true })?;
        let total = store.asset_count()?.max(0) as usize;
        let _ = ui.send(Msg::LoadProgress(0, total));
        let mut rows: Vec<ListRow> = Vec::with_capacity(total);
        let mut index = Index::with_capacity(total);
        let mut interner = Interner::default();
        store.for_each_list_row(&mut interner, |row, hay| {
            index.push(row.id, hay);
            rows.push(row);
            if rows.len().is_multiple_of(50_000) {
                let _ = ui.send(Msg::LoadProgress(rows.len(), total));
            }
        })?;
        let _ = search.send(SearchReq::Index(index));
        let _ = ui.send(Msg::Loaded(rows, interner));
        Ok(())
    })();
    if let Err(e) = result {
        let _ = ui.send(Msg::LoadFailed(e.to_string()));
    }
}

/// The search loop: holds the index, drains requests, answers only the newest query.
pub fn search(rx: Receiver<SearchReq>, ui: Sender<Msg>) {
    let mut index: Option<Index> = None;
    let mut previous: Option<Matches> = None;
    let mut pending: Option<(u64, String, usize)> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        for req in batch {
            match req {
                SearchReq::Index(i) => {
                    index = Some(i);
                    previous = None;
                }
                SearchReq::Query {
                    generation,
                    text,
                    limit,
                } => pending = Some((generation, text, limit)),
                SearchReq::Replace { id, text } => {
                    if let Some(i) = index.as_mut() {
                        i.replace(id, &text);
                    }
                    previous = None;
                }
            }
        }
        let (Some(idx), Some((generation, text, limit))) = (index.as_ref(), pending.as_ref())
        else {
            continue;
        };
        let m = idx.search(text, *limit, previous.as_ref());
        let _ = ui.send(Msg::SearchDone {
            generation: *generation,
            query: text.clone(),
            total: m.all.len(),
            top: m.top.iter().map(|t| t.0).collect(),
        });
        previous = Some(m);
        pending = None;
    }
}
