//! An import's dry run, then its write: nothing is written until ctrl-s, and the write runs on
//! the database worker with a progress bar, so the screen keeps drawing through a 100,000-row
//! file. Esc cancels a write the worker has not begun (queued behind other work); once begun it
//! is one transaction and runs to its end.

use super::{Context, Effect, Screen};
use crate::domain::text::visible;
use crate::tui::app::App;
use crate::tui::keymap::ImportCmd;
use crate::tui::priority::behind_the_ui;
use crate::tui::views::{count, wrap_marked, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A checked import waiting for the user's go-ahead.
#[derive(Debug)]
pub struct ImportReview {
    /// Shared with the worker while it writes: a 100,000-row plan is neither copied nor freed
    /// on the UI thread.
    pub plan: Arc<crate::interop::import::Plan>,
    pub scroll: usize,
    /// Set once ctrl-s sent the write to the worker.
    pub running: Option<Running>,
    /// Its ticket: the worker's progress and reply find this review by it.
    pub id: u64,
    /// The import form it was opened from, closed with it once the import is written.
    pub form: u64,
}

#[derive(Debug)]
pub struct Running {
    pub since: Instant,
    /// Rows written so far (the importer's progress).
    pub written: u64,
    /// The worker has begun the job: from here it runs to its end (one transaction).
    pub started: bool,
    /// Esc before the write began: the worker drops the job.
    pub cancel: Arc<AtomicBool>,
}

impl ImportReview {
    /// The review of `plan`, checked from the form `form`.
    pub fn new(plan: crate::interop::import::Plan, form: u64) -> ImportReview {
        ImportReview {
            plan: Arc::new(plan),
            scroll: 0,
            running: None,
            id: super::ticket(),
            form,
        }
    }

    /// Whether `apply` would write (no blocking errors).
    pub fn can_apply(&self) -> bool {
        let p = &self.plan;
        p.file_errors == 0
            && (p.summary.errors == 0 || p.skip_bad_rows)
            && p.summary.create + p.summary.update > 0
    }
}

/// Check a file on the worker (reading and checking 100,000 rows takes a second or two), then
/// show its dry run over the form (`form`: its ticket).
pub fn plan(
    form: u64,
    path: std::path::PathBuf,
    opts: crate::interop::import::Options,
) -> crate::tui::db::Job {
    Box::new(move |store, _| {
        let r = behind_the_ui(move || crate::interop::import::plan(store, &path, &opts))
            .map_err(|e| e.to_string());
        Box::new(move |app: &mut App| {
            let Some(Screen::Form(f)) = app.find(form) else {
                // The form was closed while the file was being checked.
                return;
            };
            f.busy = None;
            match r {
                Ok(plan) => app
                    .screens
                    .push(Screen::Import(Box::new(ImportReview::new(plan, form)))),
                Err(e) => {
                    f.error = Some(e);
                    app.bell = true;
                }
            }
        })
    })
}

impl ImportReview {
    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        let Some(cmd) = cx.keymap.import.command(&k) else {
            return vec![];
        };
        match cmd {
            ImportCmd::Back => match &self.running {
                Some(run) if !run.started => {
                    run.cancel.store(true, Ordering::Relaxed);
                    return vec![Effect::Say(
                        "cancelling the import before anything is written…".into(),
                    )];
                }
                Some(_) => {
                    return vec![Effect::Say(
                        "the import is being written; it finishes in one transaction".into(),
                    )]
                }
                None => return vec![Effect::Pop],
            },
            ImportCmd::Up => self.scroll = self.scroll.saturating_sub(1),
            ImportCmd::Down => {
                self.scroll = (self.scroll + 1).min(self.plan.issues.len().saturating_sub(1))
            }
            ImportCmd::Quit => return vec![Effect::Quit],
            ImportCmd::Apply => {
                if self.running.is_some() {
                    return vec![];
                }
                if !self.can_apply() {
                    return vec![Effect::Fail("this import cannot be written: fix the errors (or choose skip bad rows), nothing to do otherwise".into())];
                }
                let plan = self.plan.clone();
                let cancel = Arc::new(AtomicBool::new(false));
                self.running = Some(Running {
                    since: Instant::now(),
                    written: 0,
                    started: false,
                    cancel: cancel.clone(),
                });
                return vec![Effect::Write(apply(self.id, self.form, plan, cancel))];
            }
        }
        vec![]
    }
}

/// Write `plan` on the worker, for the review `id` opened from the form `form`.
fn apply(
    id: u64,
    form: u64,
    plan: Arc<crate::interop::import::Plan>,
    cancel: Arc<AtomicBool>,
) -> crate::tui::db::Job {
    Box::new(move |store, ctx| {
        if cancel.load(Ordering::Relaxed) {
            return Box::new(move |app: &mut App| {
                if let Some(Screen::Import(r)) = app.find(id) {
                    r.running = None;
                }
                app.say("import cancelled: nothing was written");
            });
        }
        ctx.notify(Box::new(move |app: &mut App| {
            if let Some(Screen::Import(r)) = app.find(id) {
                if let Some(run) = r.running.as_mut() {
                    run.started = true;
                }
            }
        }));
        let mut last = Instant::now();
        let progress = ctx.notifier();
        let r = behind_the_ui(|| {
            crate::interop::import::apply(&mut *store, &plan, &mut |n| {
                // A few progress replies a second are enough for a smooth bar.
                if last.elapsed().as_millis() >= 50 {
                    last = Instant::now();
                    progress.send(Box::new(move |app: &mut App| {
                        if let Some(Screen::Import(r)) = app.find(id) {
                            if let Some(run) = r.running.as_mut() {
                                run.written = n.max(1);
                            }
                        }
                    }));
                }
            })
        })
        .map_err(|e| e.to_string());
        let source = plan.source.clone();
        drop(plan);
        Box::new(move |app: &mut App| match r {
            Ok(done) => {
                // Close the review (its plan freed off the UI thread) and its form.
                if let Some(review) = app.close(id) {
                    std::thread::spawn(move || drop(review));
                }
                app.close(form);
                app.say(format!(
                    "imported {}: {} created, {} updated",
                    source, done.created, done.updated
                ));
                if app.list.catalog.loaded {
                    app.list.rebuild_order();
                }
            }
            Err(e) => {
                if let Some(Screen::Import(r)) = app.find(id) {
                    r.running = None;
                }
                app.fail(format!("nothing was written: {e}"))
            }
        })
    })
}

pub fn draw(f: &mut Frame, r: &ImportReview, t: &Theme, area: Rect) {
    let p = &r.plan;
    let s = &p.summary;
    let [head, list] = Layout::vertical([Constraint::Length(5), Constraint::Min(3)]).areas(area);
    let verdict = if let Some(run) = &r.running {
        let total = ((s.create + s.update) as u64).max(1);
        let done = run.written.min(total);
        let width = 30usize;
        let filled = (done as usize * width) / total as usize;
        let bar = format!("[{}{}]", "█".repeat(filled), "·".repeat(width - filled));
        let what = if run.cancel.load(Ordering::Relaxed) {
            "cancelling…".to_string()
        } else if !run.started {
            format!(
                "queued · {:.1} s · esc cancels",
                run.since.elapsed().as_secs_f32()
            )
        } else if run.written == 0 {
            format!("preparing · {:.1} s", run.since.elapsed().as_secs_f32())
        } else {
            format!(
                "writing {} of {}",
                count(done as usize),
                count(total as usize)
            )
        };
        Line::styled(format!(" {bar} {what}"), t.title())
    } else if r.can_apply() {
        Line::styled(
            " Nothing is written until you press ctrl-s. esc goes back.",
            t.title(),
        )
    } else {
        // Says which of the two reasons it is, in 80 columns.
        let why = if p.file_errors > 0 {
            " ✗ The file has errors (first below): fix it, nothing was written. esc back."
                .to_string()
        } else if s.errors > 0 && !p.skip_bad_rows {
            format!(
                " ✗ {}: fix them or choose Skip bad rows. esc back.",
                if s.errors == 1 {
                    "1 row has errors".to_string()
                } else {
                    format!("{} rows have errors", s.errors)
                }
            )
        } else {
            " ✗ Nothing to import: no row would be created or updated. esc goes back.".to_string()
        };
        Line::styled(why, t.error())
    };
    let lines = vec![
        Line::styled(
            format!(
                " Dry run of {} ({}, read as {:?})",
                visible(&p.source),
                p.kind.as_str(),
                p.format
            ),
            t.title(),
        ),
        Line::raw(format!(
            " rows read {} · would create {} · update {} · skip {} · errors {} · warnings {}",
            count(s.rows_read),
            count(s.create),
            count(s.update),
            count(s.skip),
            count(s.errors),
            count(s.warnings)
        )),
        Line::raw(if p.skip_bad_rows && s.errors > 0 {
            " rows with errors will be skipped"
        } else {
            ""
        }),
        verdict,
    ];
    f.render_widget(Paragraph::new(lines), head);
    let w = list.width as usize;
    let h = list.height as usize;
    // A long problem wraps at words onto the rows below it, so it is read whole.
    let mut items: Vec<Line> = Vec::new();
    for i in p.issues.iter().skip(r.scroll) {
        if items.len() >= h {
            break;
        }
        let style = match i.severity {
            crate::interop::import::Severity::Error => t.error(),
            crate::interop::import::Severity::Warning => t.warn(),
        };
        let mark = match i.severity {
            crate::interop::import::Severity::Error => "✗ ERROR ",
            crate::interop::import::Severity::Warning => "! WARN  ",
        };
        items.extend(
            wrap_marked(mark, &i.to_string(), w)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
    }
    let title = format!(" {} problems, by line ", p.issues.len());
    f.render_widget(
        Paragraph::new(items).block(Block::default().borders(Borders::TOP).title(title)),
        list,
    );
}
