//! The application: the screen stack, input routing, and the effects screens ask for. Every
//! input becomes an action applied by `update`; each screen (src/tui/screens/) owns its state,
//! its typed commands and its drawing, and anything beyond itself it returns as an `Effect`
//! carried out here. Writes and slow reads go to the database worker (`db.rs`). Nothing in this
//! file touches the terminal, so the whole app can be driven and checked in tests.

use super::db::{Ctx, Job, Reply};
use super::keymap::{is_ctrl_c, Keymap};
use super::screens::list::ListState;
use super::screens::person::PersonState;
use super::screens::scan::ScanState;
pub use super::screens::{Effect, Screen};
use super::worker::SearchReq;
use crate::domain::text::normalize_code;
use crate::store::{Interner, ListRow, Resolved, Store};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::mpsc::Sender;
use tui_input::Input;

pub use super::screens::scan::session::{Outcome, ScanMode};

impl Action {
    /// The action's name, for the latency log.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Key(_) => "key",
            Action::Scan(_) => "scan",
            Action::Paste(_) => "paste",
            Action::Tick => "tick",
            Action::LoadProgress(..) => "load-progress",
            Action::Loaded(..) => "loaded",
            Action::LoadFailed(_) => "load-failed",
            Action::SearchDone { .. } => "search-done",
            Action::Db(..) => "db-reply",
        }
    }
}

/// Everything the UI reacts to, after keys have been through the scan assembler.
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
    /// A database job's reply; `finished` when the job is done (not a progress report).
    Db(Reply, bool),
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
    /// `[receiving] location` from config: where F10 places received units.
    pub receiving_location: Option<String>,
    /// The database worker; without one (tests) jobs run inline on `store` and `inline`.
    pub db: Option<Sender<Job>>,
    inline: Ctx,
    /// Jobs sent and not yet answered.
    pub pending_jobs: usize,
    /// When the input being applied arrived (set by the event loop), and when each scan
    /// answered by the worker was made: the latency log measures scan → committed and drawn.
    pub input_at: Option<std::time::Instant>,
    pub scans_answered: Vec<std::time::Instant>,
    last_busy_draw: std::time::Instant,
    /// Starts the background loader (list and search index) again; set by the event loop.
    pub reload: Option<Box<dyn Fn()>>,
    reloading: bool,
    reload_again: bool,
    /// The terminal's size at the last draw: below the scan view's minimum, scans are refused
    /// rather than committed where their result could not be seen.
    pub size: (u16, u16),
    /// The last 100 status messages (text, was an error), oldest first.
    pub messages: Vec<(String, bool)>,
    /// Help was just opened from this view: its first draw starts at that section.
    pub help_from: Option<&'static str>,
    /// Help's page height when last drawn, for its page keys.
    pub help_page: usize,
}

/// Tags in the store's order (`COLLATE NOCASE`: ASCII letters fold to lower case).
fn tag_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// More changed assets than this are re-read by the background loader, not on the UI thread.
const BIG_CHANGE: usize = 2_000;

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
            scan: ScanState::default(),
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
            receiving_location: None,
            db: None,
            inline: Ctx::default(),
            pending_jobs: 0,
            input_at: None,
            scans_answered: Vec::new(),
            last_busy_draw: std::time::Instant::now(),
            reload: None,
            reloading: false,
            reload_again: false,
            size: (super::views::MIN_W, super::views::MIN_H),
            messages: Vec::new(),
            search_asked: None,
            search_answered: None,
            pinned_today: None,
            help_from: None,
            help_page: 20,
        }
    }

    /// Load every row synchronously (tests and small databases without a loader thread).
    pub fn load_now(&mut self) -> crate::store::Result<()> {
        let mut rows = Vec::new();
        let mut index = crate::search::Index::default();
        let mut interner = Interner::default();
        let fields = super::worker::field_text(&self.store)?;
        self.store.for_each_list_row(&mut interner, |r, hay| {
            index.push(r.id, &super::worker::with_fields(hay, fields.get(&r.id)));
            rows.push(r);
        })?;
        self.inline_index = Some(index);
        self.update(Action::Loaded(rows, interner));
        Ok(())
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::List)
    }

    pub(crate) fn pop(&mut self) {
        if self.screens.len() > 1 {
            self.screens.pop();
        }
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.remember(&text, false);
        self.message = Some((text, false));
    }

    pub(crate) fn fail(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.remember(&text, true);
        self.message = Some((text, true));
        self.bell = true;
    }

    /// The last 100 messages, for the messages screen (one key away).
    fn remember(&mut self, text: &str, error: bool) {
        self.messages.push((text.to_string(), error));
        if self.messages.len() > 100 {
            self.messages.remove(0);
        }
    }

    /// A success after an error: the stale error goes.
    pub(crate) fn clear_stale_error(&mut self) {
        if matches!(self.message, Some((_, true))) {
            self.message = None;
        }
    }

    /// Apply one action. This is the only place state changes.
    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        match action {
            Action::Key(k) => {
                let before = self.screens.len();
                self.key(k);
                self.help_opened(before);
            }
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
                // Freeing a million rows takes a while: not on the UI thread.
                let old = std::mem::replace(&mut self.rows, rows);
                let old_interner = std::mem::replace(&mut self.interner, interner);
                if self.reload.is_some() {
                    std::thread::spawn(move || drop((old, old_interner)));
                }
                self.reloading = false;
                if std::mem::take(&mut self.reload_again) {
                    if let Some(reload) = &self.reload {
                        reload();
                        self.reloading = true;
                    }
                }
                self.loaded = true;
                self.total_assets = self.rows.len() as i64;
                self.preview.clear();
                self.reindex();
                self.rebuild_order();
            }
            Action::LoadFailed(e) => self.fail(format!("could not load the asset list: {e}")),
            Action::Db(reply, finished) => {
                if finished {
                    self.pending_jobs = self.pending_jobs.saturating_sub(1);
                }
                reply(self);
                if finished {
                    self.after_write();
                }
            }
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

    // ---- keys ----

    pub(crate) fn key(&mut self, k: KeyEvent) {
        // ctrl-c quits from every view, whatever the keymap says: no user file can trap anyone.
        if is_ctrl_c(&k) {
            self.quit = true;
            return;
        }
        let Some(top) = self.screens.last_mut() else {
            return;
        };
        let effects = match top {
            Screen::List if self.list.typing => return self.search_key(k),
            Screen::List => return self.list_key(k),
            Screen::Detail(_) => return self.detail_key(k),
            Screen::Scan => return self.scan_key(k),
            Screen::Form(_) => return self.form_key(k),
            Screen::Picker(_) => return self.picker_key(k),
            Screen::Import(_) => return self.import_key(k),
            Screen::Person(p) => p.key(&self.keymap, k),
            Screen::Help { scroll } | Screen::Messages { scroll } => {
                super::screens::help::key(scroll, self.help_page, &self.keymap, k)
            }
            Screen::Ghosts(g) => g.key(&self.keymap, k),
            Screen::Drift(d) => d.key(&self.keymap, k),
            Screen::Reconcile(r) => r.key(&self.keymap, k),
            Screen::Licences(r) => r.key(&self.keymap, k),
            Screen::Finance(r) => r.key(&self.keymap, k),
            Screen::Forecast(r) => r.key(&self.keymap, k),
        };
        self.run(effects);
    }

    /// Carry out what a screen asked for.
    pub(crate) fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Push(s) => self.screens.push(s),
                Effect::Pop => self.pop(),
                Effect::Say(t) => self.say(t),
                Effect::Fail(t) => self.fail(t),
                Effect::Help => self.screens.push(Screen::Help { scroll: 0 }),
                Effect::Messages => self.screens.push(Screen::Messages { scroll: 0 }),
                Effect::Quit => self.quit = true,
                Effect::OpenAsset(id) => self.open_detail(id),
                Effect::OpenPerson(u) => self.open_person(&u),
                Effect::EditPerson(p) => self
                    .screens
                    .push(Screen::Form(super::screens::forms::Form::edit_person(&p))),
                Effect::Write(job) => self.write(job),
                Effect::Refresh => self.refresh_reports(),
            }
        }
    }

    /// Whether a busy tick is due (at most one redraw per 50 ms for progress alone).
    pub fn busy_since_draw(&mut self) -> bool {
        if self.last_busy_draw.elapsed() >= std::time::Duration::from_millis(45) {
            self.last_busy_draw = std::time::Instant::now();
            return true;
        }
        false
    }

    /// Send a job to the database worker (or run it now, without one).
    pub fn write(&mut self, job: Job) {
        match &self.db {
            Some(tx) => {
                self.pending_jobs += 1;
                if tx.send(job).is_err() {
                    self.pending_jobs -= 1;
                    self.fail("the database worker stopped; restart itam");
                }
            }
            None => {
                let reply = job(&mut self.store, &mut self.inline);
                reply(self);
                self.after_write();
            }
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

    pub(crate) fn load_demo(&mut self) {
        if self.store.asset_count().unwrap_or(1) > 0 {
            return self.say("demo data goes only into an empty database");
        }
        self.say("loading demo data…");
        self.write(Box::new(|store, _| {
            let r = crate::demo::generate(store, 500, 1).map_err(|e| e.to_string());
            Box::new(move |app: &mut App| match r {
                Ok(s) => {
                    app.say(format!(
                        "loaded demo data: {} assets, {} people",
                        s.assets, s.people
                    ));
                    app.refresh_all();
                }
                Err(e) => app.fail(e),
            })
        }));
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
    fn apply_changes(&mut self) {
        // Thousands of new events (an import): the loader re-reads every row off the UI thread
        // below, so reading each changed id here first only held the screen (a 100k import's
        // 155,000 events: the longest frame gap, 166 ms at load 8).
        let newest = self.store.last_event_id().unwrap_or(self.last_event);
        let big =
            newest - self.last_event > BIG_CHANGE as i64 && self.loaded && self.reload.is_some();
        let changes = if big {
            Ok((Vec::new(), false, newest))
        } else {
            self.store.changes_since(self.last_event)
        };
        let Ok((ids, subjects, last)) = changes else {
            return;
        };
        self.last_event = last;
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
        // People and locations changed (names, badges): open person screens are refreshed below.
        if ids.is_empty() && !subjects && !big {
            return;
        }
        // An import of thousands of rows: reading each row here would hold the screen for
        // seconds, so the loader re-reads the whole list off the UI thread instead.
        if big || (ids.len() > BIG_CHANGE && self.loaded && self.reload.is_some()) {
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

    // ---- scanning ----

    /// A scan arrived outside the scan view: jump to that asset.
    fn scanned(&mut self, code: &str) {
        match self.screen() {
            Screen::Scan => self.scan_commit(code),
            Screen::List | Screen::Detail(_) | Screen::Person(_) => {
                let code = normalize_code(code);
                match self.store.resolve_code(code) {
                    Ok(Resolved::Asset(a)) => {
                        self.list.typing = false;
                        // Replace a detail on top rather than stacking one per scan.
                        if let Screen::Detail(_) = self.screen() {
                            self.screens.pop();
                        }
                        self.open_detail(a.id);
                        self.say(format!("scanned {}", a.tag));
                    }
                    Ok(Resolved::Badge(p)) => self.open_person(&p.username),
                    Ok(Resolved::Location(l)) => {
                        self.list.filter = super::screens::list::Filter {
                            location: Some(l.code.clone()),
                            ..Default::default()
                        };
                        self.rebuild_order();
                        self.say(format!("showing what is at {} ({})", l.code, l.name));
                    }
                    Ok(Resolved::Command(c)) => self.say(format!(
                        "CMD-{} is a scan-view command: press {} for the scan view first",
                        c.to_ascii_uppercase(),
                        self.keymap.list.first_key(super::keymap::ListCmd::Scan)
                    )),
                    Ok(Resolved::Unknown) => self.fail(format!(
                        "scanned '{}': no asset, serial, badge or location has that code",
                        crate::domain::text::visible(code)
                    )),
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
}
