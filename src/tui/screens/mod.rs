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
}

/// A money view's figures and how far it is scrolled (licences, finance, forecast).
#[derive(Debug)]
pub struct Report<T> {
    pub data: T,
    pub scroll: usize,
}

impl<T> Report<T> {
    pub fn new(data: T) -> Report<T> {
        Report { data, scroll: 0 }
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
                self.scroll += 1;
                vec![]
            }
            Some(ReportCmd::Help) => vec![Effect::Help],
            Some(ReportCmd::Quit) => vec![Effect::Quit],
            None => vec![],
        }
    }
}
