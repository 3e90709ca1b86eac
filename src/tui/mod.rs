//! The full-screen app: one input thread, one channel, one `update`, one draw per batch.
//!
//! The input thread owns `crossterm::event::read()` and timestamps each event. Worker replies
//! (the loader, search) and signals (SIGHUP, SIGTERM) arrive on the same channel. The main
//! thread blocks on it (with the scan assembler's deadline or the refresh tick), drains all that
//! is pending, applies each as actions, and draws once if anything changed.

pub mod app;
pub mod commands;
pub mod db;
pub mod keymap;
pub mod priority;
pub mod screens;
pub mod terminal;
pub mod views;
pub mod wedge;
pub mod worker;

use crate::config::Config;
use crate::store::{OpenOptions, Store};
use app::{Action, App, Screen};
use crossterm::event::{Event, KeyEventKind};
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use wedge::{Assembled, Assembler};

/// Everything the main loop waits for.
pub enum Msg {
    Input(Event, Instant),
    InputClosed,
    Signal(i32),
    LoadProgress(usize, usize),
    Loaded(Box<screens::list::model::Loaded>),
    LoadFailed(String),
    SearchDone {
        generation: u64,
        query: String,
        top: Vec<i64>,
        total: usize,
    },
    /// A database worker's reply (`true` when its job is done, `false` for progress).
    Db(db::Reply, bool),
    /// Another session committed (heard by the watcher on PostgreSQL).
    Changed,
}

/// How often to look for other people's commits (`PRAGMA data_version` is a cheap read).
const REFRESH: Duration = Duration::from_millis(400);
/// While a worker is busy, the longest a screen goes without a frame (its elapsed time and
/// progress move): counted from the last frame drawn, whatever drew it, and under 50 ms so a
/// frame's own work on top still lands within 50 ms (a 50 ms tick counted from the last wake
/// left gaps of 58-59 ms during a 100k import; 40 ms left 46-51 ms on a loaded core, so 33 ms,
/// with the import itself run at a lower priority than this thread).
const BUSY_FRAME: Duration = Duration::from_millis(33);

pub struct Options {
    pub db: PathBuf,
    pub read_only: bool,
    pub color: bool,
    pub config: Config,
    pub warnings: Vec<String>,
}

fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || loop {
        match crossterm::event::read() {
            Ok(ev) => {
                if tx.send(Msg::Input(ev, Instant::now())).is_err() {
                    return;
                }
            }
            Err(_) => {
                let _ = tx.send(Msg::InputClosed);
                return;
            }
        }
    });
}

fn spawn_signals(tx: Sender<Msg>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM])?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let _ = tx.send(Msg::Signal(sig));
        }
    });
    Ok(())
}

/// Latency log (`ITAM_LATENCY_LOG=FILE`): microseconds from each batch's first input to the end
/// of the frame that shows its effect, one number a line.
struct Latency(Option<std::fs::File>);

/// The latency log (`ITAM_LATENCY_LOG`) opened for appending, if asked for: the UI thread and
/// the search thread each write their own lines to it.
pub(crate) fn latency_log() -> Option<std::fs::File> {
    std::env::var_os("ITAM_LATENCY_LOG").and_then(|p| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .ok()
    })
}

impl Latency {
    fn open() -> Latency {
        Latency(latency_log())
    }
    fn first_frame(&mut self, started: Instant) {
        if let Some(f) = self.0.as_mut() {
            let _ = writeln!(f, "first-frame {}", started.elapsed().as_micros());
        }
    }
    /// Each frame drawn, as microseconds since start (`frame N`): gaps show a frozen screen.
    fn frame(&mut self, started: Instant) {
        if let Some(f) = self.0.as_mut() {
            let _ = writeln!(f, "frame {}", started.elapsed().as_micros());
        }
    }
    /// Anything on the UI thread that took over 50 ms: `slow KIND MICROS` (what froze a frame).
    fn slow(&mut self, kind: &str, started: Instant) {
        let took = started.elapsed();
        if took.as_millis() >= 50 {
            if let Some(f) = self.0.as_mut() {
                let _ = writeln!(f, "slow-{kind} {}", took.as_micros());
            }
        }
    }
    /// One line: what it was (`input` batch, `search` results) and microseconds until drawn.
    fn record(&mut self, kind: &str, since: Option<Instant>) {
        if let (Some(f), Some(t)) = (self.0.as_mut(), since) {
            let _ = writeln!(f, "{kind} {}", t.elapsed().as_micros());
        }
    }
}

/// On PostgreSQL, a thread with its own connection hears other sessions' commits (LISTEN: a
/// notification arrives at each commit, no polling) and tells the UI thread, which then asks the
/// reader what changed: the UI thread never queries the server to find out. A hot standby cannot
/// LISTEN, so there the thread polls the newest event id itself every `REFRESH`.
fn spawn_watcher(db: std::path::PathBuf, ui: Sender<Msg>) {
    std::thread::spawn(move || {
        let Ok(store) = Store::open(&db, &OpenOptions { read_only: true }) else {
            return;
        };
        let listening = store.listen_for_changes().unwrap_or(false);
        let mut seen = store.data_version().unwrap_or(0);
        loop {
            let heard = if listening {
                match store.wait_for_change(Duration::from_secs(5)) {
                    Ok(h) => h,
                    // The connection broke (a server restart): say so by a poll's pace.
                    Err(_) => {
                        std::thread::sleep(REFRESH);
                        true
                    }
                }
            } else {
                std::thread::sleep(REFRESH);
                match store.data_version() {
                    Ok(v) if v != seen => {
                        seen = v;
                        true
                    }
                    _ => false,
                }
            };
            if heard && ui.send(Msg::Changed).is_err() {
                return;
            }
        }
    });
}

/// One frame inside a synchronized update (DEC mode 2026): a terminal that knows it shows the
/// frame whole, so a slow SSH link or a killed process never leaves a torn log line that reads
/// like an acknowledgement it was not. Terminals that do not know the mode ignore it.
fn draw(guard: &mut terminal::Guard, app: &mut App) -> std::io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(guard.terminal.backend_mut(), BeginSynchronizedUpdate)?;
    guard.terminal.draw(|f| views::draw(f, app))?;
    crossterm::execute!(guard.terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}

pub fn run(opts: Options) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let started = Instant::now();
    let store = Store::open(
        &opts.db,
        &OpenOptions {
            read_only: opts.read_only,
        },
    )
    .with_context(|| format!("cannot open the database {}", opts.db.display()))?;
    let (keymap, key_warning) = keymap::Keymap::load();
    let mut app = App::new(store, keymap, opts.color);
    app.settings.tag_pattern = opts.config.receiving.tag_pattern.clone();
    app.settings.labels = opts.config.labels.clone();
    app.settings.receiving_location = opts.config.receiving.location.clone();
    let mut warnings = opts.warnings;
    warnings.extend(app.store.warnings().iter().cloned());
    warnings.extend(key_warning);
    if let Some(w) = warnings.first() {
        app.message = Some((w.clone(), true));
    }

    let (tx, rx) = channel::<Msg>();
    let (search_tx, search_rx) = channel();
    {
        let ui = tx.clone();
        let waiting = app.list.catalog.search_waiting.clone();
        std::thread::spawn(move || worker::search(search_rx, ui, waiting));
    }
    app.list.catalog.search_tx = Some(search_tx.clone());
    // The reader loads the list and the search index, then reads each change for the list.
    app.list.catalog.refresher = Some(screens::list::refresh::spawn(
        app.store.path().to_path_buf(),
        tx.clone(),
        search_tx,
    ));
    if app.store.is_postgres() {
        spawn_watcher(app.store.path().to_path_buf(), tx.clone());
        app.list.catalog.watched = true;
    }
    // The worker's own connection: writes wait for another process's lock there, not here.
    let worker_store = Store::open(
        &opts.db,
        &OpenOptions {
            read_only: opts.read_only,
        },
    )
    .with_context(|| format!("cannot open the database {}", opts.db.display()))?;
    app.db = Some(db::spawn(worker_store, tx.clone()));
    app.ui = Some(tx.clone());

    let mut guard = terminal::Guard::new().context("cannot set up the terminal")?;
    spawn_input(tx.clone());
    spawn_signals(tx.clone()).context("cannot install signal handlers")?;

    let sc = &opts.config.scan;
    let mut assembler = Assembler::new(sc.max_gap_ms, sc.min_len, sc.prefix);
    let mut latency = Latency::open();
    let mut last_poll = Instant::now();
    let mut last_frame = Instant::now();
    draw(&mut guard, &mut app)?;
    app.dirty = false;
    latency.first_frame(started);

    while !app.quit {
        let now = Instant::now();
        let next_poll = last_poll + REFRESH;
        let mut wake = assembler.deadline().map_or(next_poll, |d| d.min(next_poll));
        // While the worker is busy (a scan waiting for a lock, an import), redraw at least
        // every BUSY_FRAME so its elapsed time and progress move.
        if app.pending_jobs > 0 {
            wake = wake.min(last_frame + BUSY_FRAME);
        }
        let first = match rx.recv_timeout(wake.saturating_duration_since(now)) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch_start: Option<Instant> = None;
        let mut actions = Vec::new();
        for msg in first.into_iter().chain(rx.try_iter()) {
            match msg {
                Msg::Input(Event::Key(k), at) if k.kind != KeyEventKind::Release => {
                    batch_start.get_or_insert(at);
                    // Views with a focused text input take keys directly; elsewhere the
                    // assembler tells scans from commands.
                    if matches!(
                        app.screen(),
                        Screen::List | Screen::Detail(_) | Screen::Person(_)
                    ) && !app.list.typing
                    {
                        for out in assembler.feed(k, at) {
                            actions.push(match out {
                                Assembled::Key(k) => Action::Key(k),
                                Assembled::Scan(c) => Action::Scan(c),
                            });
                        }
                    } else {
                        for out in assembler.drain() {
                            if let Assembled::Key(k) = out {
                                actions.push(Action::Key(k));
                            }
                        }
                        actions.push(Action::Key(k));
                    }
                }
                Msg::Input(Event::Paste(s), at) => {
                    batch_start.get_or_insert(at);
                    actions.push(Action::Paste(s));
                }
                Msg::Input(Event::Resize(..), at) => {
                    batch_start.get_or_insert(at);
                    app.dirty = true;
                }
                Msg::Input(..) => {}
                Msg::InputClosed | Msg::Signal(_) => app.quit = true,
                Msg::LoadProgress(n, t) => actions.push(Action::LoadProgress(n, t)),
                Msg::Loaded(l) => actions.push(Action::Loaded(l)),
                Msg::LoadFailed(e) => actions.push(Action::LoadFailed(e)),
                Msg::Db(reply, finished) => actions.push(Action::Db(reply, finished)),
                Msg::Changed => actions.push(Action::Changed),
                Msg::SearchDone {
                    generation,
                    query,
                    top,
                    total,
                } => actions.push(Action::SearchDone {
                    generation,
                    query,
                    top,
                    total,
                }),
            }
        }
        for out in assembler.flush(Instant::now()) {
            if let Assembled::Key(k) = out {
                actions.push(Action::Key(k));
            }
        }
        app.input_at = batch_start;
        for a in actions {
            let kind = a.kind();
            let t = Instant::now();
            app.update(a);
            latency.slow(kind, t);
            // Leaving the list for a text view hands held keys over in order.
            if app.quit {
                break;
            }
        }
        if app.pending_jobs > 0 && last_frame.elapsed() >= BUSY_FRAME {
            app.dirty = true;
        }
        if last_poll.elapsed() >= REFRESH {
            last_poll = Instant::now();
            app.poll();
            latency.slow("poll", last_poll);
        }
        if app.dirty && !app.quit {
            draw(&mut guard, &mut app)?;
            last_frame = Instant::now();
            app.dirty = false;
            latency.record("input", batch_start);
            latency.record("search", app.list.search_answered.take());
            latency.record("picker", app.picker_answered.take());
            for t in std::mem::take(&mut app.scans_answered) {
                latency.record("scan", Some(t));
            }
            latency.frame(started);
        }
        if app.bell {
            app.bell = false;
            let _ = std::io::stdout().write_all(b"\x07");
            let _ = std::io::stdout().flush();
        }
    }
    drop(guard);
    Ok(())
}
