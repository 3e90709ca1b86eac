//! The asset list: every asset (a million rows cost one screenful to draw), sorted, filtered,
//! or narrowed by fuzzy search as you type. The rows themselves and their live refresh are in
//! model.rs; the drawing (and the welcome page shown when the database is empty) in draw.rs.

use super::forms::{Form, FormKind, Open};
use super::picker::{Pick, Source};
use super::{Context, Effect, Screen};
use crate::domain::text::{normalize_code, visible};
use crate::domain::Status;
use crate::store::{Interner, ListRow, Resolved, Store};
use crate::tui::keymap::{ListCmd, SearchCmd};
use crate::tui::worker::SearchReq;
use crossterm::event::KeyEvent;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

mod draw;
pub mod model;
pub mod refresh;
pub use draw::draw;
pub use model::{Catalog, Changes};

/// A filter picker's choice.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterChoice {
    Clear,
    Status(Status),
    Location(String),
    Assignee(String),
}

/// How many search results are kept (more than any screen shows).
pub const SEARCH_LIMIT: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortCol {
    Tag,
    Name,
    Status,
    Condition,
    Assignee,
    Location,
}

impl SortCol {
    pub const ALL: [SortCol; 6] = [
        SortCol::Tag,
        SortCol::Name,
        SortCol::Status,
        SortCol::Condition,
        SortCol::Assignee,
        SortCol::Location,
    ];
    pub fn label(self) -> &'static str {
        match self {
            SortCol::Tag => "tag",
            SortCol::Name => "name",
            SortCol::Status => "status",
            SortCol::Condition => "condition",
            SortCol::Assignee => "assignee",
            SortCol::Location => "location",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub status: Option<Status>,
    pub location: Option<String>,
    pub assignee: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.location.is_none() && self.assignee.is_none()
    }
    pub(crate) fn keeps(&self, r: &ListRow) -> bool {
        self.status.is_none_or(|s| r.status == s)
            && self.location.as_deref().is_none_or(|l| {
                r.location
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(l))
            })
            && self.assignee.as_deref().is_none_or(|a| {
                r.assignee
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(a))
            })
    }
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={s}"));
        }
        if let Some(l) = &self.location {
            parts.push(format!("location={l}"));
        }
        if let Some(a) = &self.assignee {
            parts.push(format!("assignee={a}"));
        }
        parts.join(" ")
    }
}

#[derive(Debug, Default)]
pub struct SearchState {
    pub input: Input,
    pub generation: u64,
    /// The query the results belong to.
    pub answered: String,
    pub results: Vec<i64>,
    pub total: usize,
    pub selected: usize,
}

#[derive(Debug)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub sort: Option<(SortCol, bool)>,
    pub filter: Filter,
    pub search: Option<SearchState>,
    /// Search open with the cursor in its input (typing goes to the query).
    pub typing: bool,
    /// Rows the list can show (set by the view at draw time), for paging.
    pub page: usize,
    /// Every asset's row and the live refresh (model.rs).
    pub catalog: Catalog,
    /// When the current search query was sent, and (once its results arrive) the same instant
    /// handed to the latency log.
    pub search_asked: Option<std::time::Instant>,
    pub search_answered: Option<std::time::Instant>,
}

impl ListState {
    pub fn new(store: &Store) -> ListState {
        ListState {
            selected: 0,
            offset: 0,
            sort: None,
            filter: Filter::default(),
            search: None,
            typing: false,
            page: 10,
            catalog: Catalog::new(store),
            search_asked: None,
            search_answered: None,
        }
    }

    /// Recompute the visible order from the filter and sort.
    pub fn rebuild_order(&mut self) {
        self.catalog.rebuild_order(&self.filter, self.sort);
        self.selected = self
            .selected
            .min(self.catalog.order.len().saturating_sub(1));
    }

    /// Every row was read (by the loader, or now).
    pub fn loaded(&mut self, l: model::Loaded) {
        self.catalog.loaded(l);
        self.rebuild_order();
    }

    /// Read every row synchronously (tests and small databases without a loader thread).
    pub fn load_now(&mut self, store: &Store) -> crate::store::Result<()> {
        let (rows, interner, index) = Catalog::read_all(store)?;
        self.catalog.inline_index = Some(index);
        self.loaded(model::Loaded::new(rows, interner));
        Ok(())
    }

    /// Merge what changed in the database; the changes, for the other open screens.
    pub fn merge(&mut self, delta: refresh::Delta) -> Changes {
        let ch = self.catalog.merge(delta);
        if !ch.reloading
            && self.catalog.loaded
            && (ch.reordered || !self.filter.is_empty() || self.sort.is_some())
        {
            self.rebuild_order();
        }
        ch
    }

    /// Search results arrived from the worker; stale ones are dropped.
    pub fn search_done(&mut self, generation: u64, query: String, top: Vec<i64>, total: usize) {
        if let Some(s) = self.search.as_mut() {
            if generation == s.generation {
                self.search_answered = self.search_asked.take();
                s.answered = query;
                s.results = top;
                s.total = total;
                s.selected = s.selected.min(s.results.len().saturating_sub(1));
            }
        }
    }

    /// The rows the list shows now: search results, else the filtered/sorted catalog.
    pub fn visible_len(&self) -> usize {
        match &self.search {
            Some(s) if !s.input.value().trim().is_empty() => s.results.len(),
            _ if self.catalog.loaded => self.catalog.order.len(),
            _ => self.catalog.preview.len(),
        }
    }

    pub fn visible_row(&self, i: usize, store: &Store) -> Option<ListRow> {
        let c = &self.catalog;
        match &self.search {
            Some(s) if !s.input.value().trim().is_empty() => {
                let id = *s.results.get(i)?;
                c.row_by_id(id).cloned().or_else(|| {
                    store
                        .list_row(id, &mut Interner::default())
                        .ok()
                        .flatten()
                        .map(|x| x.0)
                })
            }
            _ if c.loaded => c.order.get(i).map(|&p| c.rows[p as usize].clone()),
            _ => c.preview.get(i).cloned(),
        }
    }

    pub(crate) fn selected_index(&self) -> usize {
        match &self.search {
            Some(s) if !s.input.value().trim().is_empty() => s.selected,
            _ => self.selected,
        }
    }

    pub(crate) fn set_selected(&mut self, i: usize) {
        let n = self.visible_len();
        let i = i.min(n.saturating_sub(1));
        match self.search.as_mut() {
            Some(s) if !s.input.value().trim().is_empty() => s.selected = i,
            _ => self.selected = i,
        }
    }

    pub fn selected_row(&self, store: &Store) -> Option<ListRow> {
        self.visible_row(self.selected_index(), store)
    }

    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        if self.typing {
            return self.search_key(cx, k);
        }
        let i = self.selected_index();
        let Some(cmd) = cx.keymap.list.command(&k) else {
            return vec![];
        };
        match cmd {
            ListCmd::Up => self.set_selected(i.saturating_sub(1)),
            ListCmd::Down => self.set_selected(i + 1),
            ListCmd::PageUp => self.set_selected(i.saturating_sub(self.page.max(1))),
            ListCmd::PageDown => self.set_selected(i + self.page.max(1)),
            ListCmd::Top => self.set_selected(0),
            ListCmd::Bottom => self.set_selected(usize::MAX),
            ListCmd::Open => {
                if let Some(r) = self.selected_row(cx.store) {
                    return vec![Effect::OpenAsset(r.id)];
                }
            }
            ListCmd::Search => {
                if self.search.is_none() {
                    self.search = Some(SearchState::default());
                }
                self.typing = true;
            }
            ListCmd::Clear => {
                self.search = None;
                self.filter = Filter::default();
                self.rebuild_order();
                return vec![Effect::Say("search and filters cleared".into())];
            }
            ListCmd::Filter => return vec![Effect::Pick(Source::Filter)],
            ListCmd::Sort => {
                if !self.catalog.loaded {
                    return vec![Effect::Say(
                        "sorting is available once the list has loaded".into(),
                    )];
                }
                let next = match self.sort {
                    None => SortCol::Name,
                    Some((c, _)) => {
                        SortCol::ALL[(SortCol::ALL.iter().position(|x| *x == c).unwrap_or(0) + 1)
                            % SortCol::ALL.len()]
                    }
                };
                self.sort = Some((next, true));
                self.rebuild_order();
            }
            ListCmd::Reverse => {
                if !self.catalog.loaded {
                    return vec![];
                }
                let (c, asc) = self.sort.unwrap_or((SortCol::Tag, true));
                self.sort = Some((c, !asc));
                self.rebuild_order();
            }
            ListCmd::Scan => return vec![Effect::Push(Screen::Scan)],
            ListCmd::Person => {
                return match self
                    .selected_row(cx.store)
                    .and_then(|r| r.assignee.as_deref().map(str::to_owned))
                {
                    Some(u) => vec![Effect::OpenPerson(u)],
                    None => vec![Effect::Say(
                        "the selected asset is not checked out to anyone".into(),
                    )],
                };
            }
            ListCmd::AddAsset => return vec![Effect::Form(Open::AddAsset)],
            ListCmd::AddPerson => {
                return vec![Effect::Push(Screen::Form(Form::new(FormKind::AddPerson)))]
            }
            ListCmd::AddLocation => {
                return vec![Effect::Push(Screen::Form(Form::new(FormKind::AddLocation)))]
            }
            ListCmd::EditLocation => {
                return vec![Effect::Pick(Source::Locations {
                    title: "edit which location?".into(),
                    then: Box::new(Pick::EditLocation),
                })]
            }
            ListCmd::Import => {
                return vec![Effect::Push(Screen::Form(Form::new(FormKind::Import)))]
            }
            ListCmd::Ghosts => {
                return vec![Effect::Write(super::ghosts::job(180, cx.now_text(), false))]
            }
            ListCmd::Drift => return vec![Effect::Write(super::drift::open(cx.now_text()))],
            ListCmd::Licences => {
                return vec![Effect::Write(super::licences::job(cx.today(), false))]
            }
            ListCmd::Finance => return vec![Effect::Write(super::finance::job(cx.today(), false))],
            ListCmd::Forecast => {
                return vec![Effect::Write(super::forecast::job(cx.today(), false))]
            }
            ListCmd::Demo => return vec![Effect::Demo],
            ListCmd::Refresh => return vec![Effect::Reload],
            ListCmd::Messages => return vec![Effect::Messages],
            ListCmd::Help => return vec![Effect::Help],
            ListCmd::Quit => return vec![Effect::Quit],
        }
        vec![]
    }

    fn search_key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        match cx.keymap.search.command(&k) {
            Some(SearchCmd::Cancel) => {
                self.search = None;
                self.typing = false;
            }
            Some(SearchCmd::Open) => {
                self.typing = false;
                if let Some(r) = self.selected_row(cx.store) {
                    return vec![Effect::OpenAsset(r.id)];
                }
            }
            Some(SearchCmd::Up) => {
                let i = self.selected_index();
                self.set_selected(i.saturating_sub(1));
            }
            Some(SearchCmd::Down) => {
                let i = self.selected_index();
                self.set_selected(i + 1);
            }
            Some(SearchCmd::Quit) => return vec![Effect::Quit],
            None => {
                if let Some(s) = self.search.as_mut() {
                    s.input.handle_event(&crossterm::event::Event::Key(k));
                    s.selected = 0;
                }
                self.run_search();
            }
        }
        vec![]
    }

    /// Pasted text goes into the search query when it has the cursor.
    pub fn paste(&mut self, text: &str) {
        if !self.typing {
            return;
        }
        if let Some(s) = self.search.as_mut() {
            s.input = Input::new(format!("{}{text}", s.input.value()));
        }
        self.run_search();
    }

    /// Ask for results of the current query: from the worker, or inline without one.
    pub(crate) fn run_search(&mut self) {
        let Some(s) = self.search.as_mut() else {
            return;
        };
        s.generation += 1;
        let text = s.input.value().to_string();
        let generation = s.generation;
        if text.trim().is_empty() {
            s.results.clear();
            s.total = 0;
            s.answered.clear();
            return;
        }
        if let Some(tx) = &self.catalog.search_tx {
            self.search_asked
                .get_or_insert_with(std::time::Instant::now);
            self.catalog
                .search_waiting
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let _ = tx.send(SearchReq::Query {
                generation,
                text,
                limit: SEARCH_LIMIT,
            });
        } else if let Some(idx) = &self.catalog.inline_index {
            let m = idx.search(&text, SEARCH_LIMIT, None);
            s.results = m.top.iter().map(|t| t.0).collect();
            s.total = m.all.len();
            s.answered = text;
        }
    }

    pub(crate) fn apply_filter(&mut self, choice: FilterChoice) -> Vec<Effect> {
        if !self.catalog.loaded {
            return vec![Effect::Say(
                "filters are available once the list has loaded".into(),
            )];
        }
        let f = &mut self.filter;
        match choice {
            FilterChoice::Status(s) => f.status = Some(s),
            FilterChoice::Location(l) => f.location = Some(l),
            FilterChoice::Assignee(a) => f.assignee = Some(a),
            FilterChoice::Clear => *f = Filter::default(),
        }
        self.selected = 0;
        self.rebuild_order();
        vec![]
    }

    /// A scan outside the scan view (in the list, an asset or a person): an asset opens, a
    /// badge opens its person, a location label filters the list to that place.
    pub fn scanned(&mut self, cx: &Context, code: &str, on_detail: bool) -> Vec<Effect> {
        let code = normalize_code(code);
        match cx.store.resolve_code(code) {
            Ok(Resolved::Asset(a)) => {
                self.typing = false;
                // Replace a detail on top rather than stacking one per scan.
                let mut out = if on_detail { vec![Effect::Pop] } else { vec![] };
                out.push(Effect::OpenAsset(a.id));
                out.push(Effect::Say(format!("scanned {}", a.tag)));
                out
            }
            Ok(Resolved::Badge(p)) => vec![Effect::OpenPerson(p.username)],
            Ok(Resolved::Location(l)) => {
                self.filter = Filter {
                    location: Some(l.code.clone()),
                    ..Default::default()
                };
                self.rebuild_order();
                vec![Effect::Say(format!(
                    "showing what is at {} ({})",
                    l.code, l.name
                ))]
            }
            Ok(Resolved::Command(c)) => vec![Effect::Say(format!(
                "CMD-{} is a scan-view command: press {} for the scan view first",
                c.to_ascii_uppercase(),
                cx.keymap.list.first_key(ListCmd::Scan)
            ))],
            Ok(Resolved::Unknown) => vec![Effect::Fail(format!(
                "scanned '{}': no asset, serial, badge or location has that code",
                visible(code)
            ))],
            Err(e) => vec![Effect::Fail(e.to_string())],
        }
    }
}

/// The filter picker's choices: clear, each status, each location, each person.
pub fn filter_choices(store: &Store) -> crate::store::Result<(Vec<String>, Vec<FilterChoice>)> {
    let mut labels = vec!["(clear all filters)".to_string()];
    let mut choices = vec![FilterChoice::Clear];
    for s in Status::ALL {
        labels.push(format!("status: {s}"));
        choices.push(FilterChoice::Status(*s));
    }
    for l in store.locations()? {
        labels.push(format!("location: {} {}", l.code, l.name));
        choices.push(FilterChoice::Location(l.code));
    }
    for p in store.people()? {
        labels.push(format!("assignee: {} {}", p.username, p.full_name));
        choices.push(FilterChoice::Assignee(p.username));
    }
    Ok((labels, choices))
}

/// Fill an empty database with demo data on the worker, then read the list again.
pub fn demo(store: &Store) -> Vec<Effect> {
    if store.asset_count().unwrap_or(1) > 0 {
        return vec![Effect::Say(
            "demo data goes only into an empty database".into(),
        )];
    }
    let job: crate::tui::db::Job = Box::new(|store, _| {
        let r = crate::demo::generate(store, 500, 1).map_err(|e| e.to_string());
        Box::new(move |app: &mut crate::tui::app::App| match r {
            Ok(s) => {
                app.say(format!(
                    "loaded demo data: {} assets, {} people",
                    s.assets, s.people
                ));
                app.reload();
            }
            Err(e) => app.fail(e),
        })
    });
    vec![Effect::Say("loading demo data…".into()), Effect::Write(job)]
}
