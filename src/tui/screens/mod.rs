//! One module per screen. Each owns its state, maps its typed commands (an enum per view, see
//! `keymap.rs`) to changes of that state, and draws itself; what it needs beyond itself it
//! returns as an [`Effect`] for `app.rs` to carry out. Screens that work on the app-wide asset
//! list (list, detail, scan, pickers, forms, import) handle their keys in an `impl App` block in
//! their own file, so their code still lives in one place named after them.

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
use crossterm::event::KeyEvent;

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
    Say(String),
    Fail(String),
    Help,
    Messages,
    Quit,
    OpenAsset(i64),
    OpenPerson(String),
    EditPerson(crate::store::PersonView),
    /// A job for the database worker; its reply updates the screen.
    Write(Job),
    /// Recompute the open report views (ctrl-r).
    Refresh,
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
    pub fn key(&mut self, keymap: &Keymap, k: KeyEvent) -> Vec<Effect> {
        match keymap.report.command(&k) {
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

impl crate::tui::app::App {
    /// Recompute every open report view on the worker (after a change, or on ctrl-r); each
    /// reply replaces its view's figures in place.
    pub(crate) fn refresh_reports(&mut self) {
        let today = self.today();
        let mut jobs = Vec::new();
        for s in &self.screens {
            match s {
                Screen::Licences(_) => jobs.push(licences::job(today, true)),
                Screen::Finance(_) => jobs.push(finance::job(today, true)),
                Screen::Forecast(_) => jobs.push(forecast::job(today, true)),
                Screen::Ghosts(g) => jobs.push(ghosts::job(g.days, self.now_text(), true)),
                _ => {}
            }
        }
        for j in jobs {
            self.write(j);
        }
    }

    /// Now as the store writes it (or the pinned day, in tests).
    pub(crate) fn now_text(&self) -> String {
        match self.pinned_today {
            Some(d) => format!("{d}T00:00:00.000Z"),
            None => crate::store::now_utc(),
        }
    }
}
