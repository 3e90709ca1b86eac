//! What a picker over the store shows, read on the database worker: its labels, the typed
//! values behind them and their exact keys.

use super::Pick;
use crate::store::Store;
use crate::tui::screens::scan::session::PoLine;

/// Builds a picker's `Pick` from the values read for it.
pub type Then = Box<dyn FnOnce(Vec<String>) -> Pick + Send>;

/// A picker over what the store holds, opened by `app.rs` through [`open`].
pub enum Source {
    /// Active people, by username, name, badge or email.
    People {
        title: String,
        then: Then,
    },
    Locations {
        title: String,
        then: Then,
    },
    /// Filter the list by status, location or assignee.
    Filter,
    /// The open purchase-order lines. `auto`: opened by F10 itself, so with no open line it
    /// says so instead of showing an empty picker.
    PoLines {
        auto: bool,
    },
}

/// What the worker read for a picker: its labels, its values and their exact keys.
pub(super) struct Items {
    pub(super) labels: Vec<String>,
    pub(super) then: Pick,
    pub(super) exact: Vec<Vec<String>>,
}

pub(super) fn items(store: &Store, src: Source) -> crate::store::Result<Items> {
    match src {
        Source::People { then, .. } => people(store, then),
        Source::Locations { then, .. } => locations(store, then),
        Source::Filter => {
            let (labels, choices) = crate::tui::screens::list::filter_choices(store)?;
            Ok(Items {
                labels,
                then: Pick::Filter(choices),
                exact: Vec::new(),
            })
        }
        Source::PoLines { .. } => po_lines(store),
    }
}

/// Active people, by username and name; typed or scanned whole, a badge, username, email or
/// full name chooses its person.
fn people(store: &Store, then: Then) -> crate::store::Result<Items> {
    let people: Vec<_> = store.people()?.into_iter().filter(|p| p.active).collect();
    let labels = people
        .iter()
        .map(|p| {
            format!(
                "{:<16} {}{}",
                p.username,
                p.full_name,
                p.email
                    .as_deref()
                    .map(|e| format!(" <{e}>"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let exact = people
        .iter()
        .map(|p| {
            [
                Some(p.username.clone()),
                p.badge.clone(),
                p.email.clone(),
                Some(p.full_name.clone()),
            ]
            .into_iter()
            .flatten()
            .collect()
        })
        .collect();
    let names = people.into_iter().map(|p| p.username).collect();
    Ok(Items {
        labels,
        then: then(names),
        exact,
    })
}

fn locations(store: &Store, then: Then) -> crate::store::Result<Items> {
    let locs = store.locations()?;
    let labels = locs
        .iter()
        .map(|l| format!("{:<12} {}", l.code, l.name))
        .collect();
    let codes = locs.into_iter().map(|l| l.code).collect();
    Ok(Items {
        labels,
        then: then(codes),
        exact: Vec::new(),
    })
}

fn po_lines(store: &Store) -> crate::store::Result<Items> {
    let lines: Vec<PoLine> = store
        .open_po_lines()?
        .into_iter()
        .map(|(po, model, outstanding)| PoLine {
            po,
            model,
            outstanding,
            ordered: 0,
            received: 0,
            next_tag: None,
        })
        .collect();
    let labels = lines
        .iter()
        .map(|l| format!("{} · {} · {} outstanding", l.po, l.model, l.outstanding))
        .collect();
    Ok(Items {
        labels,
        then: Pick::ScanPoLine(lines),
        exact: Vec::new(),
    })
}
