//! The asset list: every asset (a million rows cost one screenful to draw), sorted, filtered,
//! or narrowed by fuzzy search as you type; its drawing (and the welcome page shown when the
//! database is empty) is in draw.rs.

use super::forms::{Form, FormKind};
use super::picker::{Pick, Picker};
use super::Screen;
use crate::domain::{Condition, Status};
use crate::store::{Interner, ListRow};
use crate::tui::app::App;
use crate::tui::keymap::{ListCmd, SearchCmd};
use crate::tui::worker::SearchReq;
use crossterm::event::KeyEvent;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

mod draw;
mod model;
pub use draw::draw;

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

#[derive(Debug, Default)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub sort: Option<(SortCol, bool)>,
    pub filter: Filter,
    pub search: Option<SearchState>,
    /// Search open with the cursor in its input (typing goes to the query).
    pub typing: bool,
}

impl App {
    /// Recompute the visible order from the filter and sort.
    pub fn rebuild_order(&mut self) {
        let f = &self.list.filter;
        let mut order: Vec<u32> = if f.is_empty() {
            (0..self.rows.len() as u32).collect()
        } else {
            (0..self.rows.len() as u32)
                .filter(|&i| f.keeps(&self.rows[i as usize]))
                .collect()
        };
        if let Some((col, asc)) = self.list.sort {
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
        self.list.selected = self.list.selected.min(self.order.len().saturating_sub(1));
    }

    /// The rows the list shows now: search results, else the filtered/sorted catalog.
    pub fn visible_len(&self) -> usize {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => s.results.len(),
            _ if self.loaded => self.order.len(),
            _ => self.preview.len(),
        }
    }

    pub fn visible_row(&self, i: usize) -> Option<ListRow> {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => {
                let id = *s.results.get(i)?;
                self.row_by_id(id).cloned().or_else(|| {
                    self.store
                        .list_row(id, &mut Interner::default())
                        .ok()
                        .flatten()
                        .map(|x| x.0)
                })
            }
            _ if self.loaded => self.order.get(i).map(|&p| self.rows[p as usize].clone()),
            _ => self.preview.get(i).cloned(),
        }
    }

    pub(crate) fn selected_index(&self) -> usize {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => s.selected,
            _ => self.list.selected,
        }
    }

    pub(crate) fn set_selected(&mut self, i: usize) {
        let n = self.visible_len();
        let i = i.min(n.saturating_sub(1));
        match self.list.search.as_mut() {
            Some(s) if !s.input.value().trim().is_empty() => s.selected = i,
            _ => self.list.selected = i,
        }
    }

    pub fn selected_row(&self) -> Option<ListRow> {
        self.visible_row(self.selected_index())
    }

    pub(crate) fn list_key(&mut self, k: KeyEvent) {
        let i = self.selected_index();
        let Some(cmd) = self.keymap.list.command(&k) else {
            return;
        };
        match cmd {
            ListCmd::Up => self.set_selected(i.saturating_sub(1)),
            ListCmd::Down => self.set_selected(i + 1),
            ListCmd::PageUp => self.set_selected(i.saturating_sub(self.page.max(1))),
            ListCmd::PageDown => self.set_selected(i + self.page.max(1)),
            ListCmd::Top => self.set_selected(0),
            ListCmd::Bottom => self.set_selected(usize::MAX),
            ListCmd::Open => {
                if let Some(r) = self.selected_row() {
                    self.open_detail(r.id);
                }
            }
            ListCmd::Search => {
                if self.list.search.is_none() {
                    self.list.search = Some(SearchState::default());
                }
                self.list.typing = true;
            }
            ListCmd::Clear => {
                self.list.search = None;
                self.list.filter = Filter::default();
                self.rebuild_order();
                self.say("search and filters cleared");
            }
            ListCmd::Filter => self.open_filter_picker(),
            ListCmd::Sort => {
                if !self.loaded {
                    return self.say("sorting is available once the list has loaded");
                }
                let next = match self.list.sort {
                    None => SortCol::Name,
                    Some((c, _)) => {
                        SortCol::ALL[(SortCol::ALL.iter().position(|x| *x == c).unwrap_or(0) + 1)
                            % SortCol::ALL.len()]
                    }
                };
                self.list.sort = Some((next, true));
                self.rebuild_order();
            }
            ListCmd::Reverse => {
                if !self.loaded {
                    return;
                }
                let (c, asc) = self.list.sort.unwrap_or((SortCol::Tag, true));
                self.list.sort = Some((c, !asc));
                self.rebuild_order();
            }
            ListCmd::Scan => self.screens.push(Screen::Scan),
            ListCmd::Person => {
                if let Some(u) = self
                    .selected_row()
                    .and_then(|r| r.assignee.as_deref().map(str::to_owned))
                {
                    self.open_person(&u);
                } else {
                    self.say("the selected asset is not checked out to anyone");
                }
            }
            ListCmd::AddAsset => match self.store.fields() {
                Ok(defined) => self.screens.push(Screen::Form(Form::add_with(&defined))),
                Err(e) => self.fail(e.to_string()),
            },
            ListCmd::AddPerson => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddPerson))),
            ListCmd::AddLocation => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddLocation))),
            ListCmd::EditLocation => {
                match self.locations_picker("edit which location?", Pick::EditLocation) {
                    Ok(p) => self.screens.push(Screen::Picker(p)),
                    Err(e) => self.fail(e.to_string()),
                }
            }
            ListCmd::Import => self.screens.push(Screen::Form(Form::new(FormKind::Import))),
            ListCmd::Ghosts => self.write(super::ghosts::job(180, self.now_text(), false)),
            ListCmd::Drift => self.write(super::drift::open(self.now_text())),
            ListCmd::Licences => self.write(super::licences::job(self.today(), false)),
            ListCmd::Finance => self.write(super::finance::job(self.today(), false)),
            ListCmd::Forecast => self.write(super::forecast::job(self.today(), false)),
            ListCmd::Demo => self.load_demo(),
            ListCmd::Refresh => self.refresh_all(),
            ListCmd::Messages => self.screens.push(Screen::Messages { scroll: 0 }),
            ListCmd::Help => self.screens.push(Screen::Help { scroll: 0 }),
            ListCmd::Quit => self.quit = true,
        }
    }

    pub(crate) fn search_key(&mut self, k: KeyEvent) {
        match self.keymap.search.command(&k) {
            Some(SearchCmd::Cancel) => {
                self.list.search = None;
                self.list.typing = false;
            }
            Some(SearchCmd::Open) => {
                self.list.typing = false;
                if let Some(r) = self.selected_row() {
                    self.open_detail(r.id);
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
            Some(SearchCmd::Quit) => self.quit = true,
            None => {
                if let Some(s) = self.list.search.as_mut() {
                    s.input.handle_event(&crossterm::event::Event::Key(k));
                    s.selected = 0;
                }
                self.run_search();
            }
        }
    }

    /// Ask for results of the current query: from the worker, or inline without one.
    pub(crate) fn run_search(&mut self) {
        let Some(s) = self.list.search.as_mut() else {
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
        if let Some(tx) = &self.search_tx {
            self.search_asked
                .get_or_insert_with(std::time::Instant::now);
            let _ = tx.send(SearchReq::Query {
                generation,
                text,
                limit: SEARCH_LIMIT,
            });
        } else if let Some(idx) = &self.inline_index {
            let m = idx.search(&text, SEARCH_LIMIT, None);
            s.results = m.top.iter().map(|t| t.0).collect();
            s.total = m.all.len();
            s.answered = text;
        }
    }

    fn open_filter_picker(&mut self) {
        let mut labels = vec!["(clear all filters)".to_string()];
        let mut choices = vec![FilterChoice::Clear];
        for s in Status::ALL {
            labels.push(format!("status: {s}"));
            choices.push(FilterChoice::Status(*s));
        }
        match (self.store.locations(), self.store.people()) {
            (Ok(locs), Ok(people)) => {
                for l in locs {
                    labels.push(format!("location: {} {}", l.code, l.name));
                    choices.push(FilterChoice::Location(l.code));
                }
                for p in people {
                    labels.push(format!("assignee: {} {}", p.username, p.full_name));
                    choices.push(FilterChoice::Assignee(p.username));
                }
                self.screens.push(Screen::Picker(Picker::new(
                    "filter by",
                    labels,
                    Pick::Filter(choices),
                )));
            }
            (Err(e), _) | (_, Err(e)) => self.fail(e.to_string()),
        }
    }

    pub(crate) fn apply_filter(&mut self, choice: FilterChoice) {
        if !self.loaded {
            return self.say("filters are available once the list has loaded");
        }
        let f = &mut self.list.filter;
        match choice {
            FilterChoice::Status(s) => f.status = Some(s),
            FilterChoice::Location(l) => f.location = Some(l),
            FilterChoice::Assignee(a) => f.assignee = Some(a),
            FilterChoice::Clear => *f = Filter::default(),
        }
        self.list.selected = 0;
        self.rebuild_order();
    }

    /// Today (UTC), unless pinned for stable test snapshots.
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        self.pinned_today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
}
