//! One module per screen. Each owns its state, maps its typed commands (an enum per view, see
//! `keymap.rs`) to changes of that state, and draws itself; what it needs beyond itself it
//! returns as an [`Effect`] for `app.rs` to carry out. A screen reads what it may through a
//! [`Context`]; it never writes, never touches another screen and never blocks: writes and slow
//! reads are jobs for the database worker, sent by the `Write` effect.
//!
//! The list and the scan view live for the whole session (the list's rows, the scan session and
//! its log outlast a visit), so the app holds them and `Screen::List`/`Screen::Scan` on the stack
//! say which one is shown; every other screen lives on the stack itself.

pub mod detail;
pub mod drift;
pub mod finance;
pub mod forecast;
pub mod forms;
pub mod ghosts;
pub mod help;
pub mod import;
pub mod licences;
pub mod list;
pub mod person;
pub mod picker;
pub mod reconcile;
pub mod scan;

use super::db::Job;
use super::keymap::{Keymap, ReportCmd};
use crate::store::Store;
use crossterm::event::KeyEvent;
use std::time::Instant;

/// What a screen may read while it handles an input or draws.
/// Tells one screen's worker replies from another's (one closed, another opened meanwhile):
/// a screen that a reply must find takes a ticket when made, and the reply looks for it on the
/// stack rather than at whatever is on top.
static TICKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub fn ticket() -> u64 {
    TICKETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

pub struct Context<'a> {
    pub keymap: &'a Keymap,
    pub settings: &'a Settings,
    /// For quick indexed reads only (a row, the asset on screen): every write and every read
    /// that can take long goes to the worker as an `Effect::Write`.
    pub store: &'a Store,
    /// The terminal's size at the last draw.
    pub size: (u16, u16),
    /// When the input being handled arrived (the latency log measures scans from it).
    pub input_at: Option<Instant>,
}

impl Context<'_> {
    /// Today (UTC), unless pinned for stable test snapshots.
    pub fn today(&self) -> chrono::NaiveDate {
        self.settings.today()
    }

    /// Now as the store writes it (or the pinned day, in tests).
    pub fn now_text(&self) -> String {
        self.settings.now_text()
    }
}

/// The app's settings (from config) that screens read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `[receiving] tag_pattern` from config.
    pub tag_pattern: String,
    /// `[labels]` from config: size, dpi and the printer.
    pub labels: crate::config::LabelsConfig,
    /// `[receiving] location` from config: where F10 places received units.
    pub receiving_location: Option<String>,
    /// Tests pin "today" for the money views and the ghosts list.
    pub pinned_today: Option<chrono::NaiveDate>,
    /// A picker with at least this many items matches what is typed off the UI thread (tests
    /// lower it to see the matcher's replies arrive).
    pub match_off_thread_from: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tag_pattern: crate::config::ReceivingConfig::default().tag_pattern,
            labels: crate::config::LabelsConfig::default(),
            receiving_location: None,
            pinned_today: None,
            match_off_thread_from: 5_000,
        }
    }
}

impl Settings {
    pub fn today(&self) -> chrono::NaiveDate {
        self.pinned_today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    pub fn now_text(&self) -> String {
        match self.pinned_today {
            Some(d) => format!("{d}T00:00:00.000Z"),
            None => crate::store::now_utc(),
        }
    }
}

#[derive(Debug)]
pub enum Screen {
    List,
    Detail(Box<detail::DetailState>),
    Scan,
    Person(person::PersonState),
    Help {
        scroll: usize,
    },
    /// The last 100 status messages, newest first (keys as help's).
    Messages {
        scroll: usize,
    },
    Form(forms::Form),
    Picker(picker::Picker),
    Import(Box<import::ImportReview>),
    Ghosts(ghosts::GhostState),
    Drift(drift::DriftState),
    Reconcile(Box<reconcile::Reconcile>),
    Licences(Report<licences::Licences>),
    Finance(Report<finance::Finance>),
    Forecast(Report<crate::store::EolReport>),
}

impl Screen {
    pub fn keymap_view(&self) -> &'static str {
        match self {
            Screen::List => "list",
            Screen::Detail(_) => "detail",
            Screen::Scan => "scan",
            Screen::Person(_) => "person",
            Screen::Help { .. } | Screen::Messages { .. } => "help",
            Screen::Form(_) => "form",
            Screen::Picker(_) => "picker",
            Screen::Import(_) => "import",
            Screen::Ghosts(_) => "ghosts",
            Screen::Drift(_) => "drift",
            Screen::Reconcile(_) => "reconcile",
            Screen::Licences(_) | Screen::Finance(_) | Screen::Forecast(_) => "report",
        }
    }
}

/// What a screen asks the app to do.
pub enum Effect {
    Push(Screen),
    Pop,
    /// Close the screen with this ticket, wherever it is on the stack (a worker's reply closes
    /// the screen that asked, not whatever opened over it meanwhile).
    Close(u64),
    Say(String),
    Fail(String),
    /// Ring the terminal bell (a refused input).
    Bell,
    /// A success after an error: the stale error goes.
    ClearStaleError,
    Help,
    Messages,
    Quit,
    OpenAsset(i64),
    OpenPerson(String),
    /// Open a form that needs what the store holds (custom field definitions, a location).
    Form(forms::Open),
    /// Open a picker over what the store holds (people, locations, PO lines, filters); it
    /// shows "loading…" until the worker has read them.
    Pick(picker::Source),
    /// A job for the database worker; its reply updates the screen.
    Write(Job),
    /// Recompute the open report views (ctrl-r).
    Refresh,
    /// Read the whole list again (ctrl-r in the list).
    Reload,
    /// Fill an empty database with demo data.
    Demo,
    /// A filter picker's choice, for the list.
    Filter(list::FilterChoice),
    /// An instruction for the scan engine (a picker's choice of target).
    Scan(scan::engine::ScanOp),
}

/// A money view's figures and how far it is scrolled (licences, finance, forecast).
#[derive(Debug)]
pub struct Report<T> {
    pub data: T,
    pub scroll: usize,
    /// Rows the view showed when last drawn: scrolling stops at the last page.
    pub page: std::cell::Cell<usize>,
}

/// How many rows a report view lists, for its scrolling limit.
pub trait Rows {
    fn rows(&self) -> usize;
}

impl Rows for crate::store::LicenceReport {
    fn rows(&self) -> usize {
        self.licences.len()
    }
}

impl Rows for crate::store::EolReport {
    fn rows(&self) -> usize {
        self.quarters.len()
    }
}

impl<T: Rows> Report<T> {
    pub fn new(data: T) -> Report<T> {
        Report {
            data,
            scroll: 0,
            page: std::cell::Cell::new(usize::MAX),
        }
    }

    /// The furthest the view scrolls: the last row shows at the bottom, never past it.
    pub fn max_scroll(&self) -> usize {
        self.data.rows().saturating_sub(self.page.get().max(1))
    }

    /// New figures (a live refresh), keeping the scroll where it can.
    pub fn replace(&mut self, data: T) {
        self.data = data;
        self.scroll = self.scroll.min(self.max_scroll());
    }

    /// The keys every money view shares.
    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        match cx.keymap.report.command(&k) {
            Some(ReportCmd::Back) => vec![Effect::Pop],
            Some(ReportCmd::Up) => {
                self.scroll = self.scroll.saturating_sub(1);
                vec![]
            }
            Some(ReportCmd::Down) => {
                self.scroll = (self.scroll + 1).min(self.max_scroll());
                vec![]
            }
            Some(ReportCmd::Refresh) => vec![Effect::Refresh],
            Some(ReportCmd::Help) => vec![Effect::Help],
            Some(ReportCmd::Quit) => vec![Effect::Quit],
            None => vec![],
        }
    }
}

impl Screen {
    /// The job that recomputes this screen's figures after a change (the report views), if
    /// it shows any.
    pub fn refresh_job(&self, settings: &Settings) -> Option<Job> {
        let today = settings.today();
        Some(match self {
            Screen::Licences(_) => licences::job(today, true),
            Screen::Finance(_) => finance::job(today, true),
            Screen::Forecast(_) => forecast::job(today, true),
            Screen::Ghosts(g) => ghosts::job(g.days, settings.now_text(), true),
            _ => return None,
        })
    }

    /// The ticket of a screen that worker replies find.
    pub fn ticket(&self) -> Option<u64> {
        match self {
            Screen::Picker(p) => Some(p.id),
            Screen::Form(f) => Some(f.id),
            Screen::Import(r) => Some(r.id),
            Screen::Detail(d) => Some(d.id),
            _ => None,
        }
    }

    /// The database changed: a screen showing one of `ids` (or people, when `subjects`)
    /// reads it again.
    pub fn changed(&mut self, store: &Store, ids: &[i64]) {
        match self {
            Screen::Detail(d) if ids.contains(&d.asset.id) => {
                if let Ok(fresh) = detail::DetailState::load(store, d.asset.id) {
                    **d = fresh;
                }
            }
            Screen::Person(p) => p.reload(store),
            _ => {}
        }
    }
}
