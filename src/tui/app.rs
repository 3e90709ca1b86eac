//! The application: the screen stack, input routing, and the effects screens ask for. Every
//! input becomes an action applied by `update`; each screen (src/tui/screens/) owns its state,
//! its typed commands and its drawing, and anything beyond itself it returns as an `Effect`
//! carried out here. Writes and slow reads go to the database worker (`db.rs`). Nothing in this
//! file touches the terminal, so the whole app can be driven and checked in tests.

use super::db::{Ctx, Job, Reply};
use super::keymap::{is_ctrl_c, Keymap};
use super::screens::list::ListState;
use super::screens::scan::ScanState;
use super::screens::{detail, forms, person, picker, Settings};
pub use super::screens::{Effect, Screen};
use crate::store::Store;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::screens::scan::session::{Outcome, ScanMode};

impl Action {
    /// The action's name, for the latency log.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Key(_) => "key",
            Action::Scan(_) => "scan",
            Action::Paste(_) => "paste",
            Action::Tick => "tick",
            Action::Changed => "changed",
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
    /// The watcher heard a commit (PostgreSQL's LISTEN): apply what changed.
    Changed,
    LoadProgress(usize, usize),
    Loaded(Box<crate::tui::screens::list::model::Loaded>),
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
    pub settings: Settings,
    /// The screens open, the list at the bottom; the top one gets the input.
    pub screens: Vec<Screen>,
    /// The list and the scan view outlive a visit (rows, the scan session and its log), so
    /// they are held here; `Screen::List`/`Screen::Scan` on the stack say one is shown.
    pub list: ListState,
    pub scan: ScanState,
    pub message: Option<(String, bool)>,
    pub bell: bool,
    pub quit: bool,
    pub color: bool,
    /// Set when something on screen changed and a redraw is due.
    pub dirty: bool,
    /// The database path as the header shows it.
    pub display_path: String,
    /// The database worker; without one (tests) jobs run inline on `store` and `inline`.
    pub db: Option<std::sync::mpsc::Sender<Job>>,
    inline: Ctx,
    /// Jobs sent and not yet answered.
    pub pending_jobs: usize,
    /// When the input being applied arrived (set by the event loop), and when each scan
    /// answered by the worker was made: the latency log measures scan → committed and drawn.
    pub input_at: Option<std::time::Instant>,
    pub scans_answered: Vec<std::time::Instant>,
    /// When the keystroke was made whose picker matches were just drawn (the latency log).
    pub picker_answered: Option<std::time::Instant>,
    /// The event loop's channel, for threads started by a screen (a picker's matcher) to
    /// reply on; `None` in tests that play replies by hand or run everything inline.
    pub ui: Option<std::sync::mpsc::Sender<super::Msg>>,
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

/// What screens read, from the app's fields (a macro rather than a method so that it borrows
/// those fields only, leaving the screens free to be borrowed mutably beside it).
macro_rules! context {
    ($app:ident) => {
        $crate::tui::screens::Context {
            keymap: &$app.keymap,
            settings: &$app.settings,
            store: &$app.store,
            size: $app.size,
            input_at: $app.input_at,
        }
    };
}
pub(crate) use context;

impl App {
    pub fn new(store: Store, keymap: Keymap, color: bool) -> App {
        let display_path = store.path().display().to_string();
        App {
            list: ListState::new(&store),
            store,
            keymap,
            settings: Settings::default(),
            screens: vec![Screen::List],
            scan: ScanState::default(),
            message: None,
            bell: false,
            quit: false,
            color,
            dirty: true,
            display_path,
            db: None,
            inline: Ctx::default(),
            pending_jobs: 0,
            input_at: None,
            scans_answered: Vec::new(),
            picker_answered: None,
            ui: None,
            size: (super::views::MIN_W, super::views::MIN_H),
            messages: Vec::new(),
            help_from: None,
            help_page: 20,
        }
    }

    /// Load every row synchronously (tests and small databases without a loader thread).
    pub fn load_now(&mut self) -> crate::store::Result<()> {
        self.list.load_now(&self.store)
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::List)
    }

    pub(crate) fn pop(&mut self) {
        if self.screens.len() > 1 {
            if let Some(gone) = self.screens.pop() {
                self.dispose(gone);
            }
        }
    }

    /// Free a closed screen: a picker of 333,000 people takes longer than a frame to free, so
    /// not on the UI thread.
    fn dispose(&self, gone: Screen) {
        if let Screen::Picker(p) = gone {
            if self.ui.is_some() && p.labels.len() >= self.settings.match_off_thread_from {
                std::thread::spawn(move || drop(p));
            }
        }
    }

    /// The screen with `ticket`, wherever it is on the stack (another may have opened over
    /// it): where a worker's reply goes.
    pub fn find(&mut self, ticket: u64) -> Option<&mut Screen> {
        self.screens
            .iter_mut()
            .rev()
            .find(|s| s.ticket() == Some(ticket))
    }

    /// Close the screen with `ticket` wherever it is on the stack; it is returned.
    pub(crate) fn close(&mut self, ticket: u64) -> Option<Screen> {
        let i = self
            .screens
            .iter()
            .rposition(|s| s.ticket() == Some(ticket))?;
        Some(self.screens.remove(i))
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
            Action::Changed => {
                self.apply_changes();
                self.dirty = true;
            }
            Action::LoadProgress(n, total) => {
                self.list.catalog.load_progress = (n, total);
                self.list.catalog.total = total as i64;
            }
            Action::Loaded(l) => self.list.loaded(*l),
            Action::LoadFailed(e) => self.fail(format!("could not load the asset list: {e}")),
            Action::Db(reply, finished) => {
                if finished {
                    self.pending_jobs = self.pending_jobs.saturating_sub(1);
                }
                reply(self);
                if finished {
                    self.apply_changes();
                }
            }
            Action::SearchDone {
                generation,
                query,
                top,
                total,
            } => self.list.search_done(generation, query, top, total),
        }
    }

    /// A key, to the screen on top.
    pub(crate) fn key(&mut self, k: KeyEvent) {
        // ctrl-c quits from every view, whatever the keymap says: no user file can trap anyone.
        if is_ctrl_c(&k) {
            self.quit = true;
            return;
        }
        let cx = context!(self);
        let Some(top) = self.screens.last_mut() else {
            return;
        };
        let effects = match top {
            Screen::List => self.list.key(&cx, k),
            Screen::Scan => self.scan.key(&cx, k),
            Screen::Detail(d) => d.key(&cx, k),
            Screen::Form(f) => f.key(&cx, k),
            Screen::Picker(p) => p.key(&cx, k),
            Screen::Import(r) => r.key(&cx, k),
            Screen::Person(p) => p.key(&cx, k),
            Screen::Help { scroll } | Screen::Messages { scroll } => {
                super::screens::help::key(scroll, self.help_page, cx.keymap, k)
            }
            Screen::Ghosts(g) => g.key(&cx, k),
            Screen::Drift(d) => d.key(&cx, k),
            Screen::Reconcile(r) => r.key(&cx, k),
            Screen::Licences(r) => r.key(&cx, k),
            Screen::Finance(r) => r.key(&cx, k),
            Screen::Forecast(r) => r.key(&cx, k),
        };
        self.run(effects);
    }

    /// After a key: if it opened help, remember the view it was opened from, so the first
    /// draw starts at that view's section.
    fn help_opened(&mut self, screens_before: usize) {
        let n = self.screens.len();
        if n > screens_before && matches!(self.screens.last(), Some(Screen::Help { .. })) {
            self.help_from = n.checked_sub(2).map(|i| self.screens[i].keymap_view());
        }
    }

    /// Carry out what a screen asked for, in order.
    pub(crate) fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Push(s) => {
                    // The scan view reports each scan in its own log: a note left by the list
                    // ("scanned IT-…") would read as this view's outcome. Errors stay.
                    if matches!(s, Screen::Scan) && matches!(self.message, Some((_, false))) {
                        self.message = None;
                    }
                    self.screens.push(s)
                }
                Effect::Pop => self.pop(),
                Effect::Close(ticket) => {
                    if let Some(gone) = self.close(ticket) {
                        self.dispose(gone);
                    }
                }
                Effect::Say(t) => self.say(t),
                Effect::Fail(t) => self.fail(t),
                Effect::Bell => self.bell = true,
                Effect::ClearStaleError => {
                    if matches!(self.message, Some((_, true))) {
                        self.message = None;
                    }
                }
                Effect::Help => self.screens.push(Screen::Help { scroll: 0 }),
                Effect::Messages => self.screens.push(Screen::Messages { scroll: 0 }),
                Effect::Quit => self.quit = true,
                Effect::OpenAsset(id) => self.run(detail::open(&self.store, id)),
                Effect::OpenPerson(u) => self.run(person::open(&self.store, &u)),
                Effect::Form(what) => self.run(forms::open(&self.store, what)),
                Effect::Pick(src) => self.run(picker::open(src)),
                Effect::Write(job) => self.write(job),
                Effect::Refresh => self.refresh_reports(),
                Effect::Reload => self.reload(),
                Effect::Demo => self.run(super::screens::list::demo(&self.store)),
                Effect::Filter(choice) => {
                    let e = self.list.apply_filter(choice);
                    self.run(e);
                }
                Effect::Scan(op) => {
                    let e = self.scan.op(&context!(self), op);
                    self.run(e);
                }
            }
        }
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
                self.apply_changes();
            }
        }
    }

    /// A paste is one input: into the focused text field, never interpreted as commands.
    fn paste(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        match self.screens.last_mut() {
            Some(Screen::Scan) => self.scan.paste(&clean),
            Some(Screen::Form(f)) => f.paste(&clean),
            Some(Screen::Picker(p)) => p.paste(&clean),
            Some(Screen::List) => self.list.paste(&clean),
            _ => {}
        }
    }

    /// A scan from the wand (told from typing by the assembler).
    fn scanned(&mut self, code: &str) {
        match self.screen() {
            Screen::Scan => self.scan_commit(code),
            Screen::List | Screen::Detail(_) | Screen::Person(_) => {
                let on_detail = matches!(self.screen(), Screen::Detail(_));
                let e = self.list.scanned(&context!(self), code, on_detail);
                self.run(e);
            }
            _ => {
                // In forms and pickers a scan is just typing: replay it as text.
                for c in code.chars() {
                    self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                }
            }
        }
    }

    /// A scan made in the scan view (the wand's codes arrive here; tests call it directly).
    pub fn scan_commit(&mut self, code: &str) {
        let e = self.scan.commit(&context!(self), code);
        self.run(e);
    }

    /// Read the whole list again (ctrl-r, or after demo data): by the reader thread, or now.
    pub fn reload(&mut self) {
        if let Err(e) = self.list.catalog.reload(&self.store) {
            self.fail(e.to_string());
        }
        self.list.rebuild_order();
    }

    /// Recompute every open report view on the worker (after a change, or on ctrl-r); each
    /// reply replaces its view's figures in place.
    fn refresh_reports(&mut self) {
        let jobs: Vec<Job> = self
            .screens
            .iter()
            .filter_map(|s| s.refresh_job(&self.settings))
            .collect();
        for j in jobs {
            self.write(j);
        }
    }

    /// Poll `PRAGMA data_version`; when another process committed, apply what changed.
    pub fn poll(&mut self) {
        // A watcher thread hears commits instead (PostgreSQL): no query on the UI thread.
        if self.list.catalog.watched {
            return;
        }
        if self.list.catalog.outdated(&self.store) {
            self.apply_changes();
            self.dirty = true;
        }
    }

    /// Something was committed (by us or another process): ask the reader what changed (or
    /// read it now, without one).
    fn apply_changes(&mut self) {
        if let Some(delta) = self.list.catalog.ask_changes(&self.store) {
            self.changed(delta);
        }
    }

    /// What changed arrived: the list merges its rows, then every open screen that shows what
    /// changed reads it again.
    pub(crate) fn changed(&mut self, delta: super::screens::list::refresh::Delta) {
        let ch = self.list.merge(delta);
        if !ch.reloading {
            for s in &mut self.screens {
                s.changed(&self.store, &ch.ids);
            }
            if let Some(Screen::Scan) = self.screens.last() {
                self.scan.changed(&self.store, &ch.ids);
            }
        }
        self.refresh_reports();
    }
}
