//! Work off the UI thread: loading every asset (the list and the search index, in one pass)
//! and answering search queries, newest first. Both report on the UI's event channel.

use super::Msg;
use crate::search::{Index, Matches};
use crate::store::{Interner, ListRow, OpenOptions, Store};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

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

/// Every asset's custom field values as one line each, to join its search line: one query
/// over the (small) values table, so searching finds a MAC address or an IMEI (issue 14).
pub fn field_text(store: &Store) -> crate::store::Result<std::collections::HashMap<i64, String>> {
    let mut out: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    for (id, values) in crate::store::all_field_values(store.conn())? {
        let line = out.entry(id).or_default();
        for (_, v) in values {
            line.push(' ');
            line.push_str(&v);
        }
    }
    Ok(out)
}

/// An asset's search line with its custom field values after it.
pub fn with_fields<'a>(hay: &'a str, fields: Option<&String>) -> std::borrow::Cow<'a, str> {
    match fields {
        Some(f) => std::borrow::Cow::Owned(format!("{hay}{f}")),
        None => std::borrow::Cow::Borrowed(hay),
    }
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
        let fields = field_text(&store)?;
        store.for_each_list_row(&mut interner, |row, hay| {
            index.push(row.id, &with_fields(hay, fields.get(&row.id)));
            rows.push(row);
            if rows.len().is_multiple_of(50_000) {
                let _ = ui.send(Msg::LoadProgress(rows.len(), total));
            }
        })?;
        let _ = search.send(SearchReq::Index(index));
        let loaded = crate::tui::screens::list::model::Loaded::new(rows, interner);
        let _ = ui.send(Msg::Loaded(Box::new(loaded)));
        Ok(())
    })();
    if let Err(e) = result {
        let _ = ui.send(Msg::LoadFailed(e.to_string()));
    }
}

/// The search loop: holds the index, drains requests, answers only the newest query, then
/// prepares that answer for the next keystroke unless one is already `waiting` (queries sent
/// and not yet taken, counted by the sender).
pub fn search(rx: Receiver<SearchReq>, ui: Sender<Msg>, waiting: Arc<AtomicUsize>) {
    let mut index: Option<Index> = None;
    let mut previous: Option<Matches> = None;
    let mut pending: Option<(u64, String, usize)> = None;
    let mut log = super::latency_log();
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
                } => {
                    let _ = waiting.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                        Some(n.saturating_sub(1))
                    });
                    pending = Some((generation, text, limit));
                }
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
        let started = std::time::Instant::now();
        let m = idx.search(text, *limit, previous.as_ref());
        if let Some(f) = log.as_mut() {
            // The search alone, beside the UI's keystroke → drawn (`search N`): where it goes.
            let _ = writeln!(f, "search-compute {}", started.elapsed().as_micros());
        }
        let _ = ui.send(Msg::SearchDone {
            generation: *generation,
            query: text.clone(),
            total: m.all.len(),
            top: m.top.iter().map(|t| t.0).collect(),
        });
        let mut m = m;
        if !m.prepared() {
            let started = std::time::Instant::now();
            // Below the UI thread, which is drawing this answer meanwhile.
            super::priority::behind_the_ui(|| {
                idx.prepare(&mut m, &|| waiting.load(Ordering::Relaxed) > 0)
            });
            if let Some(f) = log.as_mut() {
                let _ = writeln!(f, "search-prepare {}", started.elapsed().as_micros());
            }
        }
        previous = Some(m);
        pending = None;
    }
}
