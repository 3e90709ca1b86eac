//! The database worker: one thread with its own connection runs every write and every slow
//! read (scans, forms, pickers' items and choices, import plan and apply, the money views, label
//! printing) in the order they were sent. The UI thread sends a job and draws its reply when it
//! arrives, so a write lock held by another process (an import, a backup) never freezes the
//! screen: scans show as pending and resolve in order once the lock is released.
//!
//! A job is a closure over the worker's store that returns a closure over the app: the screen
//! that asked says, in one place, both what to do and how to show the result. Without a thread
//! (tests), jobs run inline on the app's own store, so a test sees the effect at once.

use super::app::App;
use super::screens::scan::engine::Engine;
use super::Msg;
use crate::store::Store;
use std::sync::mpsc::{channel, Sender};

/// What the UI does with a job's result.
pub type Reply = Box<dyn FnOnce(&mut App) + Send>;
/// A unit of work for the worker.
pub type Job = Box<dyn FnOnce(&mut Store, &mut Ctx) -> Reply + Send>;

/// The worker's own state beside its store.
#[derive(Default)]
pub struct Ctx {
    /// The scan session: it lives where scans are executed, so each scan sees the session as
    /// the scans before it left it.
    pub scan: Engine,
    /// Sends a reply before the job ends (progress); `None` inline.
    ui: Option<Sender<Msg>>,
}

impl Ctx {
    /// Show something now (import progress); ignored without a UI thread.
    pub fn notify(&self, reply: Reply) {
        self.notifier().send(reply);
    }

    /// What [`Ctx::notify`] does, for a thread the job starts.
    pub fn notifier(&self) -> Notifier {
        Notifier(self.ui.clone())
    }
}

/// Sends a job's progress to the UI thread from wherever the job runs.
#[derive(Clone)]
pub struct Notifier(Option<Sender<Msg>>);

impl Notifier {
    pub fn send(&self, reply: Reply) {
        if let Some(ui) = &self.0 {
            let _ = ui.send(Msg::Db(reply, false));
        }
    }
}

/// Start the worker on `store`; jobs sent to the returned channel run in order.
pub fn spawn(mut store: Store, ui: Sender<Msg>) -> Sender<Job> {
    let (tx, rx) = channel::<Job>();
    std::thread::spawn(move || {
        let mut ctx = Ctx {
            scan: Engine::default(),
            ui: Some(ui.clone()),
        };
        while let Ok(job) = rx.recv() {
            let reply = job(&mut store, &mut ctx);
            if ui.send(Msg::Db(reply, true)).is_err() {
                return;
            }
        }
    });
    tx
}
