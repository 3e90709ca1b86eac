//! The application state and `update`: every input becomes an action applied here. Nothing in
//! this file touches the terminal, so the whole app can be driven and checked in tests.

use super::form::{Form, FormKind};
use super::keymap::Keymap;
use super::picker::{Picker, Purpose};
use super::worker::SearchReq;
use crate::domain::text::normalize_code;
use crate::domain::{AssetView, Condition, HistoryEntry, Status};
use crate::store::{Interner, ListRow, PersonView, Store, StoreError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashSet;
use std::sync::mpsc::Sender;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

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
    fn keeps(&self, r: &ListRow) -> bool {
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

#[derive(Debug)]
pub struct DetailState {
    pub asset: AssetView,
    pub history: Vec<HistoryEntry>,
    pub scroll: usize,
    /// Shown instead of the timeline when toggled.
    pub curve: Option<Curve>,
}

#[derive(Debug)]
pub struct PersonState {
    pub person: PersonView,
    pub assets: Vec<AssetView>,
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanMode {
    Lookup,
    Checkout,
    Checkin,
    Move,
    Condition,
    Audit,
    Receive,
    Offboard,
}

impl ScanMode {
    pub fn label(self) -> &'static str {
        match self {
            ScanMode::Lookup => "LOOK UP",
            ScanMode::Checkout => "CHECK OUT",
            ScanMode::Checkin => "CHECK IN",
            ScanMode::Move => "MOVE",
            ScanMode::Condition => "CONDITION",
            ScanMode::Audit => "AUDIT",
            ScanMode::Receive => "RECEIVE",
            ScanMode::Offboard => "OFFBOARD",
        }
    }
}

/// An audit in progress in the scan view, with its live counts.
#[derive(Debug, Clone)]
pub struct AuditRun {
    pub id: i64,
    pub location: String,
    /// (expected, found, missing, unexpected, unknown)
    pub counts: (usize, usize, usize, usize, usize),
    /// The last asset scanned that is recorded elsewhere: ctrl-t moves it here.
    pub last_unexpected: Option<String>,
}

/// The money views: licence compliance, book value by category, the refresh forecast.
#[derive(Debug)]
pub enum Report {
    Licences(crate::store::LicenceReport),
    Finance {
        as_of: chrono::NaiveDate,
        groups: Vec<crate::store::DepreciationGroup>,
        skipped: u64,
    },
    Forecast(crate::store::EolReport),
}

#[derive(Debug)]
pub struct ReportState {
    pub report: Report,
    pub scroll: usize,
}

/// An asset's book value month by month over its life: (months since purchase, value), the
/// month of today, and the currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub points: Vec<(f64, f64)>,
    pub today: f64,
    pub currency: String,
    pub rule: String,
}

/// The ghosts view: active assets unseen for a long time.
#[derive(Debug)]
pub struct GhostState {
    pub days: i64,
    pub list: Vec<crate::store::Ghost>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub ok: bool,
    pub warn: bool,
    pub text: String,
}

/// How to take back one scan.
#[derive(Debug, Clone)]
enum Undo {
    CheckedOut {
        tag: String,
    },
    CheckedIn {
        tag: String,
        assignee: String,
        condition: Condition,
        location: Option<String>,
    },
    Moved {
        tag: String,
        from: Option<String>,
    },
    Graded {
        tag: String,
        from: Condition,
    },
}

#[derive(Debug)]
pub struct ScanState {
    pub mode: ScanMode,
    pub input: Input,
    pub person: Option<PersonView>,
    pub location: Option<String>,
    pub grade: Condition,
    pub log: Vec<LogLine>,
    pub last: Option<AssetView>,
    pub audit: Option<AuditRun>,
    /// (po number, model) being received against.
    pub receiving: Option<(String, String)>,
    /// The person being offboarded and the tags handed back so far.
    pub offboarding: Option<(PersonView, Vec<String>)>,
    done: HashSet<(String, i64)>,
    undo: Vec<Undo>,
}

/// A checked import waiting for the user's go-ahead.
#[derive(Debug)]
pub struct ImportReview {
    pub plan: crate::interop::import::Plan,
    pub scroll: usize,
}

impl ImportReview {
    /// Whether `apply` would write (no blocking errors).
    pub fn can_apply(&self) -> bool {
        let p = &self.plan;
        p.file_errors == 0
            && (p.summary.errors == 0 || p.skip_bad_rows)
            && p.summary.create + p.summary.update > 0
    }
}

#[derive(Debug)]
pub enum Screen {
    List,
    Detail(Box<DetailState>),
    Scan,
    Person(PersonState),
    Help { scroll: usize },
    Form(Form),
    Picker(Picker),
    Import(Box<ImportReview>),
    Ghosts(GhostState),
    Report(ReportState),
}

impl Screen {
    pub fn keymap_view(&self) -> &'static str {
        match self {
            Screen::List => "list",
            Screen::Detail(_) => "detail",
            Screen::Scan => "scan",
            Screen::Person(_) => "person",
            Screen::Help { .. } => "help",
            Screen::Form(_) => "form",
            Screen::Picker(_) => "picker",
            Screen::Import(_) => "import",
            Screen::Ghosts(_) => "ghosts",
            Screen::Report(_) => "report",
        }
    }
}

/// Everything the UI reacts to, after keys have been through the scan assembler.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Scan(String),
    Paste(String),
    /// Poll the database for other people's changes.
    Tick,
    LoadProgress(usize, usize),
    Loaded(Vec<ListRow>, Interner),
    LoadFailed(String),
    SearchDone {
        generation: u64,
        query: String,
        top: Vec<i64>,
        total: usize,
    },
}

pub struct App {
    pub store: Store,
    pub keymap: Keymap,
    pub screens: Vec<Screen>,
    pub list: ListState,
    pub scan: ScanState,
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
    pub message: Option<(String, bool)>,
    pub bell: bool,
    pub quit: bool,
    pub color: bool,
    /// The search worker; without one (tests) searches run inline on `inline_index`.
    pub search_tx: Option<Sender<SearchReq>>,
    pub inline_index: Option<crate::search::Index>,
    data_version: i64,
    last_event: i64,
    pub total_assets: i64,
    /// Rows the list can show (set by the view at draw time), for paging.
    pub page: usize,
    /// Set when something on screen changed and a redraw is due.
    pub dirty: bool,
    /// The database path as the header shows it.
    pub display_path: String,
    /// When the current search query was sent, and (once its results arrive) the same instant
    /// handed to the latency log.
    pub search_asked: Option<std::time::Instant>,
    pub search_answered: Option<std::time::Instant>,
    /// Tests pin "today" for the money views and the ghosts list.
    pub pinned_today: Option<chrono::NaiveDate>,
    /// `[receiving] tag_pattern` from config.
    pub tag_pattern: String,
    /// `[labels]` from config: size, dpi and the printer.
    pub labels: crate::config::LabelsConfig,
    /// In receive mode, print each new asset's label at once.
    pub print_on_receive: bool,
}

impl App {
    pub fn new(store: Store, keymap: Keymap, color: bool) -> App {
        let data_version = store.data_version().unwrap_or(0);
        let last_event = store.last_event_id().unwrap_or(0);
        // Counting a million rows takes longer than a frame: the loader reports the total.
        let total_assets = -1;
        let preview = store.list_first_page(200).unwrap_or_default();
        let display_path = store.path().display().to_string();
        App {
            store,
            keymap,
            screens: vec![Screen::List],
            list: ListState::default(),
            scan: ScanState {
                mode: ScanMode::Lookup,
                input: Input::default(),
                person: None,
                location: None,
                grade: Condition::Good,
                log: Vec::new(),
                last: None,
                audit: None,
                receiving: None,
                offboarding: None,
                done: HashSet::new(),
                undo: Vec::new(),
            },
            rows: Vec::new(),
            order: Vec::new(),
            by_id: Vec::new(),
            loaded: false,
            load_progress: (0, total_assets.max(0) as usize),
            preview,
            interner: Interner::default(),
            message: None,
            bell: false,
            quit: false,
            color,
            search_tx: None,
            inline_index: None,
            data_version,
            last_event,
            total_assets,
            page: 10,
            dirty: true,
            display_path,
            tag_pattern: crate::config::ReceivingConfig::default().tag_pattern,
            labels: crate::config::LabelsConfig::default(),
            print_on_receive: false,
            search_asked: None,
            search_answered: None,
            pinned_today: None,
        }
    }

    /// Load every row synchronously (tests and small databases without a loader thread).
    pub fn load_now(&mut self) -> crate::store::Result<()> {
        let mut rows = Vec::new();
        let mut index = crate::search::Index::default();
        let mut interner = Interner::default();
        self.store.for_each_list_row(&mut interner, |r, hay| {
            index.push(r.id, hay);
            rows.push(r);
        })?;
        self.inline_index = Some(index);
        self.update(Action::Loaded(rows, interner));
        Ok(())
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::List)
    }

    fn pop(&mut self) {
        if self.screens.len() > 1 {
            self.screens.pop();
        }
    }

    fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), false));
    }

    fn fail(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), true));
        self.bell = true;
    }

    /// Apply one action. This is the only place state changes.
    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        match action {
            Action::Key(k) => self.key(k),
            Action::Scan(code) => self.scanned(&code),
            Action::Paste(text) => self.paste(&text),
            Action::Tick => {
                self.dirty = false;
                self.poll();
            }
            Action::LoadProgress(n, total) => {
                self.load_progress = (n, total);
                self.total_assets = total as i64;
            }
            Action::Loaded(rows, interner) => {
                self.rows = rows;
                self.interner = interner;
                self.loaded = true;
                self.total_assets = self.rows.len() as i64;
                self.preview.clear();
                self.reindex();
                self.rebuild_order();
            }
            Action::LoadFailed(e) => self.fail(format!("could not load the asset list: {e}")),
            Action::SearchDone {
                generation,
                query,
                top,
                total,
            } => {
                if let Some(s) = self.list.search.as_mut() {
                    if generation == s.generation {
                        self.search_answered = self.search_asked.take();
                        s.answered = query;
                        s.results = top;
                        s.total = total;
                        s.selected = s.selected.min(s.results.len().saturating_sub(1));
                    }
                }
            }
        }
    }

    fn reindex(&mut self) {
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

    fn selected_index(&self) -> usize {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => s.selected,
            _ => self.list.selected,
        }
    }

    fn set_selected(&mut self, i: usize) {
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

    // ---- keys ----

    fn key(&mut self, k: KeyEvent) {
        let view = self.screen().keymap_view();
        let view = if view == "list" && self.list.typing {
            "search"
        } else {
            view
        };
        let cmd = self.keymap.command(view, &k).map(str::to_owned);
        if cmd.as_deref() == Some("quit") {
            self.quit = true;
            return;
        }
        match view {
            "list" => self.list_key(cmd.as_deref(), k),
            "search" => self.search_key(cmd.as_deref(), k),
            "detail" => self.detail_key(cmd.as_deref()),
            "scan" => self.scan_key(cmd.as_deref(), k),
            "person" => self.person_key(cmd.as_deref()),
            "help" => self.help_key(cmd.as_deref()),
            "form" => self.form_key(cmd.as_deref(), k),
            "picker" => self.picker_key(cmd.as_deref(), k),
            "import" => self.import_key(cmd.as_deref()),
            "ghosts" => self.ghosts_key(cmd.as_deref()),
            "report" => self.report_key(cmd.as_deref()),
            _ => {}
        }
    }

    fn list_key(&mut self, cmd: Option<&str>, _k: KeyEvent) {
        let i = self.selected_index();
        match cmd {
            Some("up") => self.set_selected(i.saturating_sub(1)),
            Some("down") => self.set_selected(i + 1),
            Some("page_up") => self.set_selected(i.saturating_sub(self.page.max(1))),
            Some("page_down") => self.set_selected(i + self.page.max(1)),
            Some("top") => self.set_selected(0),
            Some("bottom") => self.set_selected(usize::MAX),
            Some("open") => {
                if let Some(r) = self.selected_row() {
                    self.open_detail(r.id);
                }
            }
            Some("search") => {
                if self.list.search.is_none() {
                    self.list.search = Some(SearchState::default());
                }
                self.list.typing = true;
            }
            Some("clear") => {
                self.list.search = None;
                self.list.filter = Filter::default();
                self.rebuild_order();
                self.say("search and filters cleared");
            }
            Some("filter") => self.open_filter_picker(),
            Some("sort") => {
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
            Some("reverse") => {
                if !self.loaded {
                    return;
                }
                let (c, asc) = self.list.sort.unwrap_or((SortCol::Tag, true));
                self.list.sort = Some((c, !asc));
                self.rebuild_order();
            }
            Some("scan") => self.screens.push(Screen::Scan),
            Some("person") => {
                if let Some(u) = self
                    .selected_row()
                    .and_then(|r| r.assignee.as_deref().map(str::to_owned))
                {
                    self.open_person(&u);
                } else {
                    self.say("the selected asset is not checked out to anyone");
                }
            }
            Some("add_asset") => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddAsset))),
            Some("add_person") => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddPerson))),
            Some("add_location") => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddLocation))),
            Some("edit_location") => match self.locations_picker(Purpose::EditLocation) {
                Ok(mut p) => {
                    p.title = "edit which location?".into();
                    self.screens.push(Screen::Picker(p));
                }
                Err(e) => self.fail(e.to_string()),
            },
            Some("import") => self.screens.push(Screen::Form(Form::new(FormKind::Import))),
            Some("ghosts") => self.open_ghosts(180),
            Some(c @ ("licences" | "finance" | "forecast")) => self.open_report(c),
            Some("demo") => self.load_demo(),
            Some("refresh") => self.refresh_all(),
            Some("help") => self.screens.push(Screen::Help { scroll: 0 }),
            _ => {}
        }
    }

    fn search_key(&mut self, cmd: Option<&str>, k: KeyEvent) {
        match cmd {
            Some("cancel") => {
                self.list.search = None;
                self.list.typing = false;
            }
            Some("open") => {
                self.list.typing = false;
                if let Some(r) = self.selected_row() {
                    self.open_detail(r.id);
                }
            }
            Some("up") => {
                let i = self.selected_index();
                self.set_selected(i.saturating_sub(1));
            }
            Some("down") => {
                let i = self.selected_index();
                self.set_selected(i + 1);
            }
            _ => {
                if let Some(s) = self.list.search.as_mut() {
                    s.input.handle_event(&crossterm::event::Event::Key(k));
                    s.selected = 0;
                }
                self.run_search();
            }
        }
    }

    /// Ask for results of the current query: from the worker, or inline without one.
    fn run_search(&mut self) {
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

    fn open_detail(&mut self, id: i64) {
        match self.detail_state(id) {
            Ok(d) => self.screens.push(Screen::Detail(Box::new(d))),
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn detail_state(&self, id: i64) -> crate::store::Result<DetailState> {
        Ok(DetailState {
            asset: self.store.asset_by_id(id)?,
            history: self.store.history_by_id(id)?,
            scroll: 0,
            curve: None,
        })
    }

    fn open_person(&mut self, username: &str) {
        match (self.store.person(username), self.store.held_by(username)) {
            (Ok(person), Ok(assets)) => self.screens.push(Screen::Person(PersonState {
                person,
                assets,
                selected: 0,
            })),
            (Err(e), _) | (_, Err(e)) => self.fail(e.to_string()),
        }
    }

    fn current_asset(&self) -> Option<&AssetView> {
        match self.screen() {
            Screen::Detail(d) => Some(&d.asset),
            _ => None,
        }
    }

    fn detail_key(&mut self, cmd: Option<&str>) {
        let Some(a) = self.current_asset().cloned() else {
            return;
        };
        let tag = a.tag.clone();
        match cmd {
            Some("back") => self.pop(),
            Some("up") => {
                if let Some(Screen::Detail(d)) = self.screens.last_mut() {
                    d.scroll = d.scroll.saturating_sub(1);
                }
            }
            Some("down") => {
                if let Some(Screen::Detail(d)) = self.screens.last_mut() {
                    d.scroll = (d.scroll + 1).min(d.history.len().saturating_sub(1));
                }
            }
            Some("checkout") => match self.people_picker(Purpose::CheckoutTo(tag)) {
                Ok(p) => self.screens.push(Screen::Picker(p)),
                Err(e) => self.fail(e.to_string()),
            },
            Some("checkin") => self.screens.push(Screen::Picker(Picker::grades(
                Purpose::CheckinGrade(tag),
                Condition::Good,
            ))),
            Some("condition") => self.screens.push(Screen::Picker(Picker::grades(
                Purpose::SetGrade(tag),
                a.condition,
            ))),
            Some("move") => match self.locations_picker(Purpose::MoveTo(tag)) {
                Ok(p) => self.screens.push(Screen::Picker(p)),
                Err(e) => self.fail(e.to_string()),
            },
            Some("status") => self.screens.push(Screen::Picker(Picker::statuses(
                Purpose::SetStatus(tag),
                a.status,
            ))),
            Some("edit") => self.screens.push(Screen::Form(Form::edit(&a))),
            Some("dispose") => self.screens.push(Screen::Form(Form::dispose(&a))),
            Some("label") => match self.print_label(&a) {
                Ok(to) => self.say(format!("label for {} sent to {to}", a.tag)),
                Err(e) => self.fail(e),
            },
            Some("curve") => {
                let shown =
                    matches!(self.screens.last(), Some(Screen::Detail(d)) if d.curve.is_some());
                let curve = if shown {
                    Ok(None)
                } else {
                    self.curve(&tag).map(Some)
                };
                match curve {
                    Ok(c) => {
                        if let Some(Screen::Detail(d)) = self.screens.last_mut() {
                            d.curve = c;
                        }
                    }
                    Err(e) => self.fail(e),
                }
            }
            Some("person") => match &a.assignee {
                Some(u) => self.open_person(&u.clone()),
                None => self.say("not checked out to anyone"),
            },
            Some("help") => self.screens.push(Screen::Help { scroll: 0 }),
            _ => {}
        }
    }

    fn person_key(&mut self, cmd: Option<&str>) {
        let Some(Screen::Person(p)) = self.screens.last_mut() else {
            return;
        };
        match cmd {
            Some("back") => self.pop(),
            Some("up") => p.selected = p.selected.saturating_sub(1),
            Some("down") => p.selected = (p.selected + 1).min(p.assets.len().saturating_sub(1)),
            Some("open") => {
                if let Some(id) = p.assets.get(p.selected).map(|a| a.id) {
                    self.open_detail(id);
                }
            }
            Some("help") => self.screens.push(Screen::Help { scroll: 0 }),
            Some("edit") => {
                let form = Form::edit_person(&p.person);
                self.screens.push(Screen::Form(form));
            }
            _ => {}
        }
    }

    fn help_key(&mut self, cmd: Option<&str>) {
        let Some(Screen::Help { scroll }) = self.screens.last_mut() else {
            return;
        };
        match cmd {
            Some("back") => self.pop(),
            Some("up") => *scroll = scroll.saturating_sub(1),
            Some("down") => *scroll += 1,
            _ => {}
        }
    }

    fn paste(&mut self, text: &str) {
        // A paste is one input: into the focused text field, never interpreted as commands.
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        let input = match self.screens.last_mut() {
            Some(Screen::Scan) => Some(&mut self.scan.input),
            Some(Screen::Form(f)) => f.focused_input(),
            Some(Screen::Picker(p)) => Some(&mut p.input),
            Some(Screen::List) if self.list.typing => {
                self.list.search.as_mut().map(|s| &mut s.input)
            }
            _ => None,
        };
        if let Some(i) = input {
            let v = format!("{}{}", i.value(), clean);
            *i = Input::new(v);
        }
        if let Some(Screen::Picker(p)) = self.screens.last_mut() {
            p.refilter();
        }
        if self.list.typing {
            self.run_search();
        }
    }

    // ---- pickers and forms ----

    fn people_picker(&self, purpose: Purpose) -> crate::store::Result<Picker> {
        let people = self.store.people()?;
        let items = people
            .into_iter()
            .filter(|p| p.active)
            .map(|p| (format!("{:<16} {}", p.username, p.full_name), p.username))
            .collect();
        Ok(Picker::new("check out to whom?", items, purpose))
    }

    fn locations_picker(&self, purpose: Purpose) -> crate::store::Result<Picker> {
        let items = self
            .store
            .locations()?
            .into_iter()
            .map(|l| (format!("{:<12} {}", l.code, l.name), l.code))
            .collect();
        Ok(Picker::new("to which location?", items, purpose))
    }

    fn open_filter_picker(&mut self) {
        let mut items: Vec<(String, String)> = vec![("(clear all filters)".into(), "clear".into())];
        items.extend(
            Status::ALL
                .iter()
                .map(|s| (format!("status: {s}"), format!("status={s}"))),
        );
        match (self.store.locations(), self.store.people()) {
            (Ok(locs), Ok(people)) => {
                items.extend(locs.into_iter().map(|l| {
                    (
                        format!("location: {} {}", l.code, l.name),
                        format!("location={}", l.code),
                    )
                }));
                items.extend(people.into_iter().map(|p| {
                    (
                        format!("assignee: {} {}", p.username, p.full_name),
                        format!("assignee={}", p.username),
                    )
                }));
                self.screens.push(Screen::Picker(Picker::new(
                    "filter by",
                    items,
                    Purpose::Filter,
                )));
            }
            (Err(e), _) | (_, Err(e)) => self.fail(e.to_string()),
        }
    }

    fn picker_key(&mut self, cmd: Option<&str>, k: KeyEvent) {
        let Some(Screen::Picker(p)) = self.screens.last_mut() else {
            return;
        };
        match cmd {
            Some("cancel") => self.pop(),
            Some("up") => p.selected = p.selected.saturating_sub(1),
            Some("down") => p.selected = (p.selected + 1).min(p.filtered.len().saturating_sub(1)),
            Some("choose") => {
                let choice = p.choice();
                let purpose = p.purpose.clone();
                self.pop();
                if let Some(value) = choice {
                    self.picked(purpose, value);
                }
            }
            _ => {
                p.input.handle_event(&crossterm::event::Event::Key(k));
                p.refilter();
            }
        }
    }

    /// A picker's choice, applied.
    fn picked(&mut self, purpose: Purpose, value: String) {
        let result: Result<Option<String>, StoreError> = match purpose {
            Purpose::CheckoutTo(tag) => self
                .store
                .checkout(&tag, &value, None, None)
                .map(|v| Some(format!("{} checked out to {value}", v.tag))),
            Purpose::CheckinGrade(tag) => value
                .parse::<Condition>()
                .map_err(StoreError::from)
                .and_then(|c| self.store.checkin(&tag, Some(c), None, None))
                .map(|v| Some(format!("{} checked in ({})", v.tag, v.condition))),
            Purpose::SetGrade(tag) => value
                .parse::<Condition>()
                .map_err(StoreError::from)
                .and_then(|c| self.store.set_condition(&tag, c, None))
                .map(|v| Some(format!("{} graded {}", v.tag, v.condition))),
            Purpose::MoveTo(tag) => self
                .store
                .move_asset(&tag, &value, None)
                .map(|v| Some(format!("{} moved to {value}", v.tag))),
            Purpose::SetStatus(tag) => value
                .parse::<Status>()
                .map_err(StoreError::from)
                .and_then(|s| self.store.set_status(&tag, s, None))
                .map(|v| Some(format!("{} is now {}", v.tag, v.status))),
            Purpose::Filter => {
                self.apply_filter(&value);
                Ok(None)
            }
            Purpose::ScanPerson => {
                match self.store.person(&value) {
                    Ok(p) => {
                        self.scan_log(
                            true,
                            false,
                            format!("now checking out to {} ({})", p.username, p.full_name),
                        );
                        self.scan.person = Some(p);
                        self.scan.done.clear();
                    }
                    Err(e) => self.fail(e.to_string()),
                }
                Ok(None)
            }
            Purpose::EditLocation => {
                match self.store.location(&value) {
                    Ok(Some(l)) => self.screens.push(Screen::Form(Form::edit_location(&l))),
                    Ok(None) => self.fail(format!("location {value} vanished")),
                    Err(e) => self.fail(e.to_string()),
                }
                Ok(None)
            }
            Purpose::ScanPoLine => {
                if let Some((po, model)) = value.split_once('\t') {
                    self.scan_log(
                        true,
                        false,
                        format!("receiving against {po}: {model} — scan serials"),
                    );
                    self.scan.receiving = Some((po.to_string(), model.to_string()));
                }
                Ok(None)
            }
            Purpose::ScanOffboardPerson => {
                self.start_offboarding(&value);
                Ok(None)
            }
            Purpose::FinishOffboarding => {
                self.finish_offboarding(value == "lost");
                Ok(None)
            }
            Purpose::ScanLocation => {
                self.scan_log(true, false, format!("now moving to {value}"));
                self.scan.location = Some(value);
                self.scan.done.clear();
                Ok(None)
            }
        };
        match result {
            Ok(Some(msg)) => {
                self.say(msg);
                self.after_write();
            }
            Ok(None) => {}
            Err(e) => {
                self.fail(e.to_string());
                self.after_write();
            }
        }
    }

    fn apply_filter(&mut self, value: &str) {
        if !self.loaded {
            return self.say("filters are available once the list has loaded");
        }
        let f = &mut self.list.filter;
        match value.split_once('=') {
            Some(("status", s)) => f.status = s.parse().ok(),
            Some(("location", l)) => f.location = Some(l.to_string()),
            Some(("assignee", a)) => f.assignee = Some(a.to_string()),
            _ => *f = Filter::default(),
        }
        self.list.selected = 0;
        self.rebuild_order();
    }

    fn form_key(&mut self, cmd: Option<&str>, k: KeyEvent) {
        let Some(Screen::Form(f)) = self.screens.last_mut() else {
            return;
        };
        match cmd {
            Some("cancel") => self.pop(),
            Some("next") => f.next(),
            Some("prev") => f.prev(),
            Some("save") if f.kind == FormKind::Import => {
                let checked = f.import_request().and_then(|(path, opts)| {
                    crate::interop::import::plan(&self.store, &path, &opts)
                        .map_err(|e| StoreError::Invalid(e.to_string()))
                });
                match checked {
                    Ok(plan) => self
                        .screens
                        .push(Screen::Import(Box::new(ImportReview { plan, scroll: 0 }))),
                    Err(e) => {
                        f.error = Some(e.to_string());
                        self.bell = true;
                    }
                }
            }
            Some("save") => {
                let result = f.save(&mut self.store);
                match result {
                    Ok(msg) => {
                        self.pop();
                        self.say(msg);
                        self.after_write();
                    }
                    Err(e) => {
                        if let Some(Screen::Form(f)) = self.screens.last_mut() {
                            f.error = Some(e.to_string());
                        }
                        self.bell = true;
                    }
                }
            }
            _ => f.key(k),
        }
    }

    fn import_key(&mut self, cmd: Option<&str>) {
        let Some(Screen::Import(r)) = self.screens.last_mut() else {
            return;
        };
        match cmd {
            Some("back") => self.pop(),
            Some("up") => r.scroll = r.scroll.saturating_sub(1),
            Some("down") => r.scroll = (r.scroll + 1).min(r.plan.issues.len().saturating_sub(1)),
            Some("apply") => {
                if !r.can_apply() {
                    return self.fail("this import cannot be written: fix the errors (or choose skip bad rows), nothing to do otherwise");
                }
                let plan = r.plan.clone();
                match crate::interop::import::apply(&mut self.store, &plan, &mut |_| {}) {
                    Ok(done) => {
                        // Drop the review and the form under it.
                        self.pop();
                        if let Some(Screen::Form(_)) = self.screens.last() {
                            self.pop();
                        }
                        self.say(format!(
                            "imported {}: {} created, {} updated",
                            plan.source, done.created, done.updated
                        ));
                        self.after_write();
                        if self.loaded {
                            self.rebuild_order();
                        }
                    }
                    Err(e) => self.fail(format!("nothing was written: {e}")),
                }
            }
            _ => {}
        }
    }

    fn load_demo(&mut self) {
        if self.store.asset_count().unwrap_or(1) > 0 {
            return self.say("demo data goes only into an empty database");
        }
        match crate::demo::generate(&mut self.store, 500, 1) {
            Ok(s) => {
                self.say(format!(
                    "loaded demo data: {} assets, {} people",
                    s.assets, s.people
                ));
                self.refresh_all();
            }
            Err(e) => self.fail(e.to_string()),
        }
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
    fn after_write(&mut self) {
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
    fn apply_changes(&mut self) {
        let Ok((ids, subjects, last)) = self.store.changes_since(self.last_event) else {
            return;
        };
        self.last_event = last;
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
        // People and locations changed (names, badges): open person screens are refreshed below.
        if ids.is_empty() && !subjects {
            return;
        }
        let mut added = false;
        for id in &ids {
            let Ok(Some((row, hay))) = self.store.list_row(*id, &mut self.interner) else {
                continue;
            };
            if let Some(tx) = &self.search_tx {
                let _ = tx.send(SearchReq::Replace {
                    id: *id,
                    text: hay.clone(),
                });
            } else if let Some(idx) = self.inline_index.as_mut() {
                idx.replace(*id, &hay);
            }
            match self.by_id.binary_search_by_key(id, |x| x.0) {
                Ok(i) => self.rows[self.by_id[i].1 as usize] = row,
                Err(_) if self.loaded => {
                    self.rows.push(row);
                    added = true;
                }
                Err(_) => {}
            }
        }
        if added {
            self.reindex();
            self.total_assets = self.rows.len() as i64;
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
        if let Some(Screen::Scan) = self.screens.last() {
            if let Some(last) = &self.scan.last {
                if ids.contains(&last.id) {
                    self.scan.last = self.store.asset_by_id(last.id).ok();
                }
            }
        }
    }

    // ---- scanning ----

    fn scan_key(&mut self, cmd: Option<&str>, k: KeyEvent) {
        let mode = match cmd {
            Some("lookup") => Some(ScanMode::Lookup),
            Some("checkout") => Some(ScanMode::Checkout),
            Some("checkin") => Some(ScanMode::Checkin),
            Some("move") => Some(ScanMode::Move),
            Some("condition") => Some(ScanMode::Condition),
            Some("audit") => Some(ScanMode::Audit),
            Some("receive") => Some(ScanMode::Receive),
            Some("offboard") => Some(ScanMode::Offboard),
            _ => None,
        };
        if let Some(m) = mode {
            self.set_scan_mode(m);
            return;
        }
        match cmd {
            Some("back") => self.pop(),
            Some("undo") => self.undo_scan(),
            Some("take") => self.audit_take(),
            Some("label") => {
                self.print_on_receive = !self.print_on_receive;
                let state = if self.print_on_receive { "on" } else { "off" };
                self.scan_log(
                    true,
                    false,
                    format!("print a label for each received asset: {state}"),
                );
            }
            Some("done") => self.scan_done(),
            Some("help") => self.screens.push(Screen::Help { scroll: 0 }),
            Some("grade") => {
                let i = Condition::ALL
                    .iter()
                    .position(|c| *c == self.scan.grade)
                    .unwrap_or(0);
                self.scan.grade = Condition::ALL[(i + 1) % Condition::ALL.len()];
                self.scan.done.clear();
            }
            Some("pick") => {
                let p = match self.scan.mode {
                    ScanMode::Checkout => self.people_picker(Purpose::ScanPerson),
                    ScanMode::Offboard => self.people_picker(Purpose::ScanOffboardPerson),
                    ScanMode::Move => self.locations_picker(Purpose::ScanLocation),
                    ScanMode::Receive => self.po_line_picker(),
                    _ => return self.say("F7 picks a person (check out, offboard), a location (move) or a PO line (receive)"),
                };
                match p {
                    Ok(p) => self.screens.push(Screen::Picker(p)),
                    Err(e) => self.fail(e.to_string()),
                }
            }
            _ => {
                if matches!(k.code, KeyCode::Enter | KeyCode::Tab) {
                    let code = self.scan.input.value().to_string();
                    self.scan.input.reset();
                    self.scan_commit(&code);
                } else if super::scan::printable(&k).is_some()
                    || matches!(
                        k.code,
                        KeyCode::Backspace
                            | KeyCode::Delete
                            | KeyCode::Left
                            | KeyCode::Right
                            | KeyCode::Home
                            | KeyCode::End
                    )
                {
                    self.scan
                        .input
                        .handle_event(&crossterm::event::Event::Key(k));
                }
            }
        }
    }

    fn set_scan_mode(&mut self, m: ScanMode) {
        self.scan.mode = m;
        self.scan.done.clear();
        let hint = match m {
            ScanMode::Checkout if self.scan.person.is_none() => {
                " — scan a badge or press F7 to choose who"
            }
            ScanMode::Move if self.scan.location.is_none() => {
                " — scan a location label or press F7"
            }
            ScanMode::Audit if self.scan.audit.is_none() => {
                " — scan the room's location label to start"
            }
            ScanMode::Receive if self.scan.receiving.is_none() => {
                " — press F7 to pick the purchase-order line"
            }
            ScanMode::Offboard if self.scan.offboarding.is_none() => {
                " — scan the person's badge or press F7"
            }
            _ => "",
        };
        self.scan_log(true, false, format!("mode: {}{hint}", m.label()));
    }

    fn scan_log(&mut self, ok: bool, warn: bool, text: String) {
        if !ok {
            self.bell = true;
        }
        self.scan.log.push(LogLine { ok, warn, text });
        if self.scan.log.len() > 500 {
            self.scan.log.drain(..100);
        }
    }

    /// A scan arrived outside the scan view: jump to that asset.
    fn scanned(&mut self, code: &str) {
        match self.screen() {
            Screen::Scan => self.scan_commit(code),
            Screen::List | Screen::Detail(_) | Screen::Person(_) => {
                let code = normalize_code(code);
                match self.store.find_code(code) {
                    Ok(Some(a)) => {
                        self.list.typing = false;
                        // Replace a detail on top rather than stacking one per scan.
                        if let Screen::Detail(_) = self.screen() {
                            self.screens.pop();
                        }
                        self.open_detail(a.id);
                        self.say(format!("scanned {}", a.tag));
                    }
                    Ok(None) => match self.store.person_by_badge(code) {
                        Ok(Some(p)) => self.open_person(&p.username),
                        _ => self.fail(format!(
                            "scanned '{}': no asset, serial or badge has that code",
                            crate::domain::text::visible(code)
                        )),
                    },
                    Err(e) => self.fail(e.to_string()),
                }
            }
            _ => {
                // In forms and pickers a scan is just typing: replay it as text.
                for c in code.chars() {
                    self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                }
            }
        }
    }

    /// Commands printed on the command sheet (`itam label --commands`).
    /// A command barcode from the printed sheet (`itam label --commands`): `CMD-CHECKIN` is the
    /// scan view's `checkin` command, and so on.
    fn command_barcode(code: &str) -> Option<String> {
        crate::interop::labels::COMMAND_CODES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .and_then(|(c, _)| c.strip_prefix("CMD-"))
            .map(str::to_ascii_lowercase)
    }

    /// One scan in the scan view: resolve it and act at once.
    pub fn scan_commit(&mut self, raw: &str) {
        let code = normalize_code(raw).to_string();
        if code.is_empty() {
            return;
        }
        let shown = crate::domain::text::visible(&code).into_owned();
        if let Some(cmd) = Self::command_barcode(&code) {
            let k = KeyEvent::new(KeyCode::Null, KeyModifiers::NONE);
            return self.scan_key(Some(&cmd), k);
        }
        // A location label: switches the target in move mode, the shelf in check-in mode.
        if let Ok(Some(l)) = self.store.location(&code) {
            if self.scan.mode == ScanMode::Audit {
                return self.start_audit(&l.code);
            }
            match self.scan.mode {
                ScanMode::Move | ScanMode::Checkin => {
                    self.scan.location = Some(l.code.clone());
                    self.scan.done.clear();
                    return self.scan_log(
                        true,
                        false,
                        format!("location {} ({}) chosen", l.code, l.name),
                    );
                }
                _ => {
                    return self.scan_log(true, true, format!("{shown} is a location label ({}); switch to MOVE (F5) to move assets there", l.name));
                }
            }
        }
        if let Ok(Some(p)) = self.store.person_by_badge(&code) {
            if self.scan.mode == ScanMode::Offboard {
                return self.start_offboarding(&p.username);
            }
            if self.scan.mode == ScanMode::Checkout {
                let text = format!("now checking out to {} ({})", p.username, p.full_name);
                self.scan.person = Some(p);
                self.scan.done.clear();
                return self.scan_log(true, false, text);
            }
            return self.scan_log(
                true,
                true,
                format!(
                    "{shown} is the badge of {} ({} items held)",
                    p.username, p.holds
                ),
            );
        }
        match self.scan.mode {
            ScanMode::Audit => return self.audit_code(&code),
            ScanMode::Receive => return self.receive_serial(&code),
            _ => {}
        }
        let asset = match self.store.find_code(&code) {
            Ok(Some(a)) => a,
            Ok(None) => {
                return self.scan_log(
                    false,
                    false,
                    format!("{shown}: unknown code (not a tag, serial, badge or location)"),
                )
            }
            Err(e) => return self.scan_log(false, false, format!("{shown}: {e}")),
        };
        let target = match self.scan.mode {
            ScanMode::Checkout => self
                .scan
                .person
                .as_ref()
                .map(|p| p.username.clone())
                .unwrap_or_default(),
            ScanMode::Move => self.scan.location.clone().unwrap_or_default(),
            ScanMode::Checkin | ScanMode::Condition => format!(
                "{}{}",
                self.scan.grade,
                self.scan.location.clone().unwrap_or_default()
            ),
            ScanMode::Lookup | ScanMode::Audit | ScanMode::Receive => String::new(),
            ScanMode::Offboard => self
                .scan
                .offboarding
                .as_ref()
                .map(|o| o.0.username.clone())
                .unwrap_or_default(),
        };
        let key = (format!("{:?}:{target}", self.scan.mode), asset.id);
        if self.scan.mode != ScanMode::Lookup && self.scan.done.contains(&key) {
            return self.scan_log(
                true,
                true,
                format!("{} already done in this session — not repeated", asset.tag),
            );
        }
        let tag = asset.tag.clone();
        let result = match self.scan.mode {
            ScanMode::Lookup => {
                let who = asset
                    .assignee
                    .as_deref()
                    .map(|u| format!(" @{u}"))
                    .unwrap_or_default();
                let at = asset
                    .location
                    .as_deref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                self.scan_log(
                    true,
                    false,
                    format!("{tag} {} — {}{who}{at}", asset.display_name(), asset.status),
                );
                self.scan.last = Some(asset);
                return;
            }
            ScanMode::Checkout => match self.scan.person.clone() {
                None => Err("scan a badge or press F7 to choose who first".to_string()),
                Some(p) => self
                    .store
                    .checkout(&tag, &p.username, None, Some("scan"))
                    .map(|v| {
                        (
                            v,
                            Undo::CheckedOut { tag: tag.clone() },
                            format!("checked out to {}", p.username),
                        )
                    })
                    .map_err(|e| e.to_string()),
            },
            ScanMode::Checkin => {
                let grade = self.scan.grade;
                let undo = Undo::CheckedIn {
                    tag: tag.clone(),
                    assignee: asset.assignee.clone().unwrap_or_default(),
                    condition: asset.condition,
                    location: asset.location.clone(),
                };
                self.store
                    .checkin(
                        &tag,
                        Some(grade),
                        self.scan.location.as_deref(),
                        Some("scan"),
                    )
                    .map(|v| (v, undo, format!("checked in ({grade})")))
                    .map_err(|e| e.to_string())
            }
            ScanMode::Move => match self.scan.location.clone() {
                None => Err("scan a location label or press F7 to choose where first".to_string()),
                Some(l) => self
                    .store
                    .move_asset(&tag, &l, Some("scan"))
                    .map(|v| {
                        (
                            v,
                            Undo::Moved {
                                tag: tag.clone(),
                                from: asset.location.clone(),
                            },
                            format!("moved to {l}"),
                        )
                    })
                    .map_err(|e| e.to_string()),
            },
            ScanMode::Offboard => match self.scan.offboarding.clone() {
                None => Err("scan the badge of the person leaving (or press F7) first".to_string()),
                Some((p, _)) if asset.assignee.as_deref() != Some(p.username.as_str()) => {
                    Err(format!(
                        "{tag} is not held by {} ({})",
                        p.username,
                        asset
                            .assignee
                            .as_deref()
                            .map(|a| format!("held by {a}"))
                            .unwrap_or_else(|| asset.status.to_string())
                    ))
                }
                Some((p, _)) => {
                    let grade = self.scan.grade;
                    let undo = Undo::CheckedIn {
                        tag: tag.clone(),
                        assignee: p.username.clone(),
                        condition: asset.condition,
                        location: asset.location.clone(),
                    };
                    let r = self
                        .store
                        .checkin(
                            &tag,
                            Some(grade),
                            self.scan.location.as_deref(),
                            Some(&format!("offboarding {}", p.username)),
                        )
                        .map(|v| (v, undo, format!("handed back by {} ({grade})", p.username)))
                        .map_err(|e| e.to_string());
                    if r.is_ok() {
                        if let Some((_, back)) = self.scan.offboarding.as_mut() {
                            back.push(tag.clone());
                        }
                    }
                    r
                }
            },
            ScanMode::Audit | ScanMode::Receive => Err("handled above".to_string()),
            ScanMode::Condition => {
                let grade = self.scan.grade;
                self.store
                    .set_condition(&tag, grade, Some("scan"))
                    .map(|v| {
                        (
                            v,
                            Undo::Graded {
                                tag: tag.clone(),
                                from: asset.condition,
                            },
                            format!("graded {grade}"),
                        )
                    })
                    .map_err(|e| e.to_string())
            }
        };
        match result {
            Ok((v, undo, what)) => {
                self.scan_log(true, false, format!("{tag} {what} — {}", v.display_name()));
                self.scan.done.insert(key);
                self.scan.undo.push(undo);
                self.scan.last = Some(v);
                self.after_write();
            }
            Err(e) => {
                let text = if e.contains(&tag) {
                    e
                } else {
                    format!("{tag}: {e}")
                };
                self.scan_log(false, false, text);
                self.scan.last = Some(asset);
            }
        }
    }

    fn po_line_picker(&self) -> crate::store::Result<Picker> {
        let items = self
            .store
            .open_po_lines()?
            .into_iter()
            .map(|(po, model, left)| {
                (
                    format!("{po} · {model} · {left} outstanding"),
                    format!("{po}\t{model}"),
                )
            })
            .collect();
        Ok(Picker::new(
            "receive against which line?",
            items,
            Purpose::ScanPoLine,
        ))
    }

    fn start_audit(&mut self, location: &str) {
        let resumed = self.store.open_audit_at(location).ok().flatten();
        let id = match resumed {
            Some(id) => id,
            None => match self.store.audit_start(location) {
                Ok(h) => h.id,
                Err(e) => return self.scan_log(false, false, e.to_string()),
            },
        };
        self.scan.audit = Some(AuditRun {
            id,
            location: location.to_string(),
            counts: (0, 0, 0, 0, 0),
            last_unexpected: None,
        });
        self.refresh_audit_counts();
        let (expected, ..) = self
            .scan
            .audit
            .as_ref()
            .map(|a| a.counts)
            .unwrap_or_default();
        let verb = if resumed.is_some() {
            "resumed"
        } else {
            "started"
        };
        self.scan_log(true, false, format!("audit {id} {verb} at {location}: {expected} expected — scan everything in the room, ctrl-d closes"));
    }

    fn refresh_audit_counts(&mut self) {
        let Some(run) = self.scan.audit.as_ref() else {
            return;
        };
        // Counted in SQL: a warehouse audit expects thousands, and this runs after every scan.
        if let Ok(counts) = self.store.audit_counts(run.id) {
            if let Some(run) = self.scan.audit.as_mut() {
                run.counts = counts;
            }
        }
    }

    fn audit_code(&mut self, code: &str) {
        let Some(run) = self.scan.audit.clone() else {
            return self.scan_log(
                false,
                false,
                "scan the room's location label first to start the audit".into(),
            );
        };
        use crate::store::ScanResult as R;
        match self.store.audit_scan(run.id, code, false) {
            Ok(s) => {
                let tag = s
                    .asset
                    .as_ref()
                    .map(|a| a.tag.clone())
                    .unwrap_or_else(|| s.code.clone());
                let name = s
                    .asset
                    .as_ref()
                    .map(|a| a.display_name().to_string())
                    .unwrap_or_default();
                match s.result {
                    R::Found => self.scan_log(true, false, format!("{tag} found — {name}")),
                    R::Unexpected => {
                        let from = s
                            .recorded_at
                            .clone()
                            .unwrap_or_else(|| "no location".into());
                        if let Some(a) = self.scan.audit.as_mut() {
                            a.last_unexpected = Some(tag.clone());
                        }
                        self.scan_log(
                            true,
                            true,
                            format!("{tag} UNEXPECTED: recorded at {from} — ctrl-t moves it here"),
                        );
                    }
                    R::Moved => self.scan_log(true, false, format!("{tag} moved here")),
                    R::Unknown => self.scan_log(
                        false,
                        false,
                        format!(
                            "{} unknown: no asset has this code (register it with a, add asset)",
                            s.code
                        ),
                    ),
                    R::Duplicate => self.scan_log(
                        true,
                        true,
                        format!("{tag} already scanned in this audit — not counted twice"),
                    ),
                }
                self.scan.last = s.asset;
                self.refresh_audit_counts();
                self.after_write();
            }
            Err(e) => self.scan_log(false, false, e.to_string()),
        }
    }

    fn audit_take(&mut self) {
        let Some(run) = self.scan.audit.clone() else {
            return self.say("ctrl-t works during an audit");
        };
        let Some(tag) = run.last_unexpected.clone() else {
            return self.scan_log(true, true, "no unexpected asset to move here".into());
        };
        match self.store.audit_scan(run.id, &tag, true) {
            Ok(_) => {
                self.scan_log(true, false, format!("{tag} moved to {}", run.location));
                if let Some(a) = self.scan.audit.as_mut() {
                    a.last_unexpected = None;
                }
                self.refresh_audit_counts();
                self.after_write();
            }
            Err(e) => self.scan_log(false, false, e.to_string()),
        }
    }

    fn scan_done(&mut self) {
        match self.scan.mode {
            ScanMode::Audit => {
                let Some(run) = self.scan.audit.take() else {
                    return self.say("no audit is open");
                };
                match self.store.audit_close(run.id) {
                    Ok(r) => {
                        let missing: Vec<String> =
                            r.missing.iter().take(10).map(|a| a.tag.clone()).collect();
                        self.scan_log(
                            true,
                            false,
                            format!(
                                "audit {} closed: expected {}, found {}, missing {}, unexpected {}, unknown {} (itam report audit {})",
                                run.id,
                                r.expected,
                                r.found.len() + r.moved.len(),
                                r.missing.len(),
                                r.unexpected.len(),
                                r.unknown.len(),
                                run.id
                            ),
                        );
                        if !missing.is_empty() {
                            self.scan_log(
                                true,
                                true,
                                format!(
                                    "missing: {}{}",
                                    missing.join(" "),
                                    if r.missing.len() > 10 { " …" } else { "" }
                                ),
                            );
                        }
                    }
                    Err(e) => self.scan_log(false, false, e.to_string()),
                }
            }
            ScanMode::Offboard => {
                let Some((p, _)) = self.scan.offboarding.clone() else {
                    return self.say("no offboarding in progress");
                };
                let still = self
                    .store
                    .held_by(&p.username)
                    .map(|v| v.len())
                    .unwrap_or(0);
                let items = vec![
                    (
                        format!(
                            "finish: list the {still} unreturned item(s), leave them as they are"
                        ),
                        "keep".to_string(),
                    ),
                    (
                        format!("finish: mark the {still} unreturned item(s) LOST"),
                        "lost".to_string(),
                    ),
                ];
                self.screens.push(Screen::Picker(Picker::new(
                    &format!("finish offboarding {}?", p.username),
                    items,
                    Purpose::FinishOffboarding,
                )));
            }
            _ => self.say("ctrl-d closes an audit or finishes an offboarding"),
        }
    }

    fn start_offboarding(&mut self, username: &str) {
        match (self.store.person(username), self.store.held_by(username)) {
            (Ok(p), Ok(held)) => {
                if !p.active {
                    return self.scan_log(
                        false,
                        false,
                        format!("{} is already inactive", p.username),
                    );
                }
                let tags: Vec<String> = held.iter().take(8).map(|a| a.tag.clone()).collect();
                self.scan_log(
                    true,
                    false,
                    format!("offboarding {} ({}): holds {}{} — scan each item handed back, ctrl-d finishes", p.username, p.full_name, held.len(), if tags.is_empty() { String::new() } else { format!(": {}", tags.join(" ")) }),
                );
                self.scan.offboarding = Some((p, Vec::new()));
                self.scan.done.clear();
            }
            (Err(e), _) | (_, Err(e)) => self.scan_log(false, false, e.to_string()),
        }
    }

    fn finish_offboarding(&mut self, mark_lost: bool) {
        let Some((p, back)) = self.scan.offboarding.take() else {
            return;
        };
        match self.store.offboard(&p.username, &[], None, mark_lost) {
            Ok(r) => {
                let rest = if r.unreturned.is_empty() {
                    "nothing is still out".to_string()
                } else {
                    format!(
                        "not returned{}: {}",
                        if mark_lost { " (marked lost)" } else { "" },
                        r.unreturned.join(" ")
                    )
                };
                self.scan_log(
                    true,
                    !r.unreturned.is_empty(),
                    format!(
                        "{} offboarded: {} handed back; {rest}",
                        p.username,
                        back.len()
                    ),
                );
                self.after_write();
            }
            Err(e) => {
                self.scan_log(false, false, e.to_string());
                self.scan.offboarding = Some((p, back));
            }
        }
    }

    fn receive_serial(&mut self, serial: &str) {
        let Some((po, model)) = self.scan.receiving.clone() else {
            return self.scan_log(
                false,
                false,
                "press F7 to pick the purchase-order line first".into(),
            );
        };
        match self
            .store
            .po_receive(&po, &model, &[serial.to_string()], &self.tag_pattern)
        {
            Ok(got) => {
                for a in got {
                    self.scan_log(
                        true,
                        false,
                        format!(
                            "received {} — serial {} — {model}",
                            a.tag,
                            a.serial.clone().unwrap_or_default()
                        ),
                    );
                    if self.print_on_receive {
                        match self.print_label(&a) {
                            Ok(to) => self.scan_log(
                                true,
                                false,
                                format!("label for {} sent to {to}", a.tag),
                            ),
                            Err(e) => self.scan_log(false, false, e),
                        }
                    }
                    self.scan.last = Some(a);
                }
                self.after_write();
            }
            Err(e) => self.scan_log(false, false, e.to_string()),
        }
    }

    /// Send one asset's label to the configured printer; the error says how to set one up.
    fn print_label(&self, a: &AssetView) -> Result<String, String> {
        use crate::interop::labels::{print_configured, Label, LabelError};
        match print_configured(&[Label::for_asset(a)], &self.labels) {
            Ok(p) => Ok(p.to_string()),
            Err(LabelError::NoPrinter) => Err(format!(
                "no label printer: set printer = \"HOST:9100\" under [labels] in config.toml, or run: itam label {} --format svg --out label.svg",
                a.tag
            )),
            Err(e) => Err(format!("label not printed: {e}")),
        }
    }

    /// Today (UTC), unless pinned for stable test snapshots.
    fn today(&self) -> chrono::NaiveDate {
        self.pinned_today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// Money reports read every asset: on a very large database this takes seconds, once, when
    /// the view opens (the same figures as `itam report`).
    fn open_report(&mut self, which: &str) {
        let today = self.today();
        let report = match which {
            "licences" => self.store.licence_report(today).map(Report::Licences),
            "finance" => self
                .store
                .depreciation_report(today, Some(crate::store::GroupBy::Category), |_| Ok(()))
                .map(|t| Report::Finance {
                    as_of: today,
                    groups: t.groups(),
                    skipped: t.skipped,
                }),
            _ => self.store.eol_report(today, 12).map(Report::Forecast),
        };
        match report {
            Ok(report) => self
                .screens
                .push(Screen::Report(ReportState { report, scroll: 0 })),
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn report_key(&mut self, cmd: Option<&str>) {
        let Some(Screen::Report(r)) = self.screens.last_mut() else {
            return;
        };
        match cmd {
            Some("back") => self.pop(),
            Some("up") => r.scroll = r.scroll.saturating_sub(1),
            Some("down") => r.scroll += 1,
            Some("help") => self.screens.push(Screen::Help { scroll: 0 }),
            _ => {}
        }
    }

    /// Book value at each month of the asset's life, for the detail view's chart.
    fn curve(&self, tag: &str) -> Result<Curve, String> {
        use chrono::{Datelike, Months};
        let a = self.store.asset(tag).map_err(|e| e.to_string())?;
        let purchased = a
            .purchase_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| format!("{} has no purchase date: nothing to depreciate", a.tag))?;
        if a.purchase_cost.is_none() {
            return Err(format!(
                "{} has no purchase cost: nothing to depreciate",
                a.tag
            ));
        }
        let first = self
            .store
            .book_value(tag, purchased)
            .map_err(|e| e.to_string())?;
        let end = first.value.end_of_life;
        let mut points = Vec::new();
        let mut m = 0u32;
        while let Some(d) = purchased.checked_add_months(Months::new(m)) {
            let v = self.store.book_value(tag, d).map_err(|e| e.to_string())?;
            points.push((
                f64::from(m),
                v.value.book_value.to_string().parse::<f64>().unwrap_or(0.0),
            ));
            if d > end || m > 240 {
                break;
            }
            m += 1;
        }
        let today = self.today();
        let months = (today.year() - purchased.year()) * 12 + today.month() as i32
            - purchased.month() as i32;
        Ok(Curve {
            points,
            today: f64::from(months.max(0)),
            currency: first.currency,
            rule: format!("{:?}", first.rule.method),
        })
    }

    fn open_ghosts(&mut self, days: i64) {
        let now = match self.pinned_today {
            Some(d) => format!("{d}T00:00:00.000Z"),
            None => crate::store::now_utc(),
        };
        match self.store.ghosts(days, &now) {
            Ok(list) => self.screens.push(Screen::Ghosts(GhostState {
                days,
                list,
                selected: 0,
            })),
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn ghosts_key(&mut self, cmd: Option<&str>) {
        let Some(Screen::Ghosts(g)) = self.screens.last_mut() else {
            return;
        };
        let tag = g.list.get(g.selected).map(|x| x.asset.tag.clone());
        let id = g.list.get(g.selected).map(|x| x.asset.id);
        match cmd {
            Some("back") => self.pop(),
            Some("up") => g.selected = g.selected.saturating_sub(1),
            Some("down") => g.selected = (g.selected + 1).min(g.list.len().saturating_sub(1)),
            Some("open") => {
                if let Some(id) = id {
                    self.open_detail(id);
                }
            }
            Some(c @ ("lost" | "retire")) => {
                let Some(tag) = tag else { return };
                let target = if c == "lost" {
                    Status::Lost
                } else {
                    Status::Retired
                };
                match self
                    .store
                    .set_status(&tag, target, Some("from the ghosts list"))
                {
                    Ok(v) => {
                        self.say(format!("{} is now {}", v.tag, v.status));
                        if let Some(Screen::Ghosts(g)) = self.screens.last_mut() {
                            g.list.retain(|x| x.asset.tag != tag);
                            g.selected = g.selected.min(g.list.len().saturating_sub(1));
                        }
                        self.after_write();
                    }
                    Err(e) => self.fail(e.to_string()),
                }
            }
            Some("help") => self.screens.push(Screen::Help { scroll: 0 }),
            _ => {}
        }
    }

    fn undo_scan(&mut self) {
        let Some(u) = self.scan.undo.pop() else {
            return self.scan_log(true, true, "nothing to undo".into());
        };
        let note = Some("undo of a scan");
        let (tag, result) = match &u {
            Undo::CheckedOut { tag } => (
                tag.clone(),
                self.store.checkin(tag, None, None, note).map(|_| ()),
            ),
            Undo::CheckedIn {
                tag,
                assignee,
                condition,
                location,
            } => {
                let r = self
                    .store
                    .checkout(tag, assignee, None, note)
                    .and_then(|v| {
                        if v.condition != *condition {
                            self.store.set_condition(tag, *condition, note)?;
                        }
                        match location {
                            Some(l) if v.location.as_deref() != Some(l.as_str()) => {
                                self.store.move_asset(tag, l, note).map(|_| ())
                            }
                            _ => Ok(()),
                        }
                    });
                (tag.clone(), r)
            }
            Undo::Moved { tag, from } => match from {
                Some(l) => (tag.clone(), self.store.move_asset(tag, l, note).map(|_| ())),
                None => (
                    tag.clone(),
                    Err(StoreError::Refused(
                        "it had no location before; nothing to move back to".into(),
                    )),
                ),
            },
            Undo::Graded { tag, from } => (
                tag.clone(),
                self.store.set_condition(tag, *from, note).map(|_| ()),
            ),
        };
        match result {
            Ok(()) => {
                // The undone asset may be scanned again; resolve it once, not per remembered scan.
                if let Ok(Some(undone)) = self.store.find_code(&tag) {
                    self.scan.done.retain(|(_, id)| *id != undone.id);
                }
                self.scan_log(true, false, format!("undone: {tag}"));
            }
            Err(e) => self.scan_log(false, false, format!("could not undo {tag}: {e}")),
        }
        self.after_write();
    }
}
