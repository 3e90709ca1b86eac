//! The scan view: a focused input for a barcode wand, a mode (F2–F11), the mode's target, the
//! asset last touched and a log line per scan. The session itself lives with the scan engine on
//! the database worker (`engine.rs`, with `audit.rs`, `receive.rs` and `offboard.rs` for the
//! modes that have a whole workflow); this screen keeps the mirror the engine last replied with,
//! and a pending line for each scan not answered yet.

pub mod audit;
pub mod engine;
pub mod offboard;
pub mod receive;
pub mod session;

use super::picker::{Pick, Picker, Source};
use super::{Context, Effect, Screen};
use crate::domain::text::visible;
use crate::domain::AssetView;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::db::Job;
use crate::tui::keymap::ScanCmd;
use crate::tui::views::{fit, wrap_marked, Theme};
use crossterm::event::{KeyCode, KeyEvent};
use engine::{Ask, Env, ScanOp, ScanReply};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use session::{LogLine, Outcome, ScanMode, Session};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

/// The smallest terminal the compact scan layout works in; below it no scan is committed.
pub const COMPACT_MIN: (u16, u16) = (40, 12);

pub fn fits_compact(w: u16, h: u16) -> bool {
    w >= COMPACT_MIN.0 && h >= COMPACT_MIN.1
}

/// PgUp/PgDn move the scan log by this many lines.
const LOG_PAGE: usize = 8;

/// The log keeps this many lines (older ones are dropped in a block).
const LOG_KEEP: usize = 500;

#[derive(Debug)]
pub struct ScanState {
    pub input: Input,
    /// The session as the engine last replied with it.
    pub session: Session,
    pub log: Vec<LogLine>,
    /// Lines scrolled back from the newest (0: following the newest).
    pub log_scroll: usize,
    pub last: Option<AssetView>,
}

impl Default for ScanState {
    fn default() -> Self {
        ScanState {
            input: Input::default(),
            session: Session::Lookup,
            log: Vec::new(),
            log_scroll: 0,
            last: None,
        }
    }
}

impl ScanState {
    pub fn mode(&self) -> ScanMode {
        self.session.mode()
    }

    /// Scans sent and not answered yet.
    pub fn pending(&self) -> usize {
        self.log
            .iter()
            .filter(|l| l.outcome == Outcome::Pending)
            .count()
    }

    fn push(&mut self, line: LogLine) {
        // A new line brings the log back to the newest.
        self.log_scroll = 0;
        self.log.push(line);
        if self.log.len() > LOG_KEEP {
            // Never drop a pending line: its reply replaces it.
            let first_pending = self
                .log
                .iter()
                .position(|l| l.outcome == Outcome::Pending)
                .unwrap_or(usize::MAX);
            let cut = 100.min(first_pending);
            self.log.drain(..cut);
        }
    }
}

impl ScanState {
    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        let Some(cmd) = cx.keymap.scan.command(&k) else {
            return self.typing(cx, k);
        };
        let op = match cmd {
            ScanCmd::Lookup => ScanOp::Mode(ScanMode::Lookup),
            ScanCmd::Checkout => ScanOp::Mode(ScanMode::Checkout),
            ScanCmd::Checkin => ScanOp::Mode(ScanMode::Checkin),
            ScanCmd::Move => ScanOp::Mode(ScanMode::Move),
            ScanCmd::Condition => ScanOp::Mode(ScanMode::Condition),
            ScanCmd::Audit => ScanOp::Mode(ScanMode::Audit),
            ScanCmd::Receive => ScanOp::Mode(ScanMode::Receive),
            ScanCmd::Offboard => ScanOp::Mode(ScanMode::Offboard),
            ScanCmd::Grade => ScanOp::Grade,
            ScanCmd::Undo => ScanOp::Undo,
            ScanCmd::Take => ScanOp::Take,
            ScanCmd::Label => ScanOp::PrintToggle,
            ScanCmd::Done => ScanOp::Done,
            ScanCmd::Back => return vec![Effect::Pop],
            ScanCmd::Help => return vec![Effect::Help],
            ScanCmd::Messages => return vec![Effect::Messages],
            ScanCmd::Quit => return vec![Effect::Quit],
            ScanCmd::Pick => return self.pick(),
            ScanCmd::LogUp => {
                let page = LOG_PAGE.min(self.log.len());
                self.log_scroll = (self.log_scroll + page).min(self.log.len().saturating_sub(1));
                return vec![];
            }
            ScanCmd::LogDown => {
                self.log_scroll = self.log_scroll.saturating_sub(LOG_PAGE);
                return vec![];
            }
        };
        self.op(cx, op)
    }

    fn typing(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        if matches!(k.code, KeyCode::Enter | KeyCode::Tab) {
            let code = self.input.value().to_string();
            self.input.reset();
            return self.commit(cx, &code);
        }
        if crate::tui::wedge::printable(&k).is_some()
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
            self.input.handle_event(&crossterm::event::Event::Key(k));
        }
        vec![]
    }

    /// Pasted text goes into the scan input (Enter commits it like a scan).
    pub fn paste(&mut self, text: &str) {
        self.input = Input::new(format!("{}{text}", self.input.value()));
    }

    /// F7: choose the mode's target by name instead of scanning it.
    fn pick(&self) -> Vec<Effect> {
        let people = |title: &str, then: fn(Vec<String>) -> Pick| Source::People {
            title: title.into(),
            then: Box::new(then),
        };
        let src = match self.mode() {
            ScanMode::Checkout => people("check out to whom?", Pick::ScanPerson),
            ScanMode::Offboard => people("who is leaving?", Pick::ScanOffboardPerson),
            ScanMode::Move | ScanMode::Checkin => Source::Locations {
                title: "to which location?".into(),
                then: Box::new(Pick::ScanLocation),
            },
            ScanMode::Receive => Source::PoLines { auto: false },
            _ => {
                return vec![Effect::Say(
                    "F7 picks a person (check out, offboard), a location (move, check in) or a PO line (receive)".into(),
                )]
            }
        };
        vec![Effect::Pick(src)]
    }

    /// One scan in the scan view: shown as pending at once, resolved by the engine in order.
    pub fn commit(&mut self, cx: &Context, raw: &str) -> Vec<Effect> {
        let code = crate::domain::text::normalize_code(raw).to_string();
        if code.is_empty() {
            return vec![];
        }
        let (w, h) = cx.size;
        if !fits_compact(w, h) {
            // Never commit a scan whose result line cannot be seen.
            self.push(LogLine::failed(format!(
                "{}: not scanned — the terminal is {w}x{h}, scanning needs {}x{}",
                visible(&code),
                COMPACT_MIN.0,
                COMPACT_MIN.1
            )));
            return vec![Effect::Bell];
        }
        self.push(LogLine {
            outcome: Outcome::Pending,
            text: format!("{} …", visible(&code)),
        });
        let made = cx.input_at.unwrap_or_else(std::time::Instant::now);
        vec![Effect::Write(job(cx, ScanOp::Code(code), Some(made)))]
    }

    /// Send one operation to the scan engine; its reply replaces the oldest pending line.
    pub fn op(&self, cx: &Context, op: ScanOp) -> Vec<Effect> {
        vec![Effect::Write(job(cx, op, None))]
    }

    /// The engine's answer to one operation.
    fn reply(&mut self, r: ScanReply, is_code: bool, on_top: bool) -> Vec<Effect> {
        let mut out = Vec::new();
        let failed = r.lines.iter().any(|l| l.outcome == Outcome::Failed);
        let mut lines = r.lines.into_iter();
        if is_code {
            if let Some(i) = self.log.iter().position(|l| l.outcome == Outcome::Pending) {
                match lines.next() {
                    Some(first) => self.log[i] = first,
                    None => {
                        self.log.remove(i);
                    }
                }
            }
        }
        for l in lines {
            self.push(l);
        }
        if !failed && self.log.last().is_some_and(|l| l.outcome == Outcome::Ok) {
            out.push(Effect::ClearStaleError);
        }
        // F10 with no line chosen opens the line picker at once: picking is the next thing to
        // do anyway, and it saves the F7.
        let pick_line = self.session.mode() != ScanMode::Receive
            && matches!(r.session, Session::Receive { line: None, .. })
            && on_top;
        self.session = r.session;
        self.last = r.last;
        if failed {
            out.push(Effect::Bell);
        }
        match r.ask {
            Some(Ask::FinishOffboarding { username, still }) => {
                let labels = vec![
                    format!("finish: list the {still} unreturned item(s), leave them as they are"),
                    format!("finish: mark the {still} unreturned item(s) LOST"),
                ];
                out.push(Effect::Push(Screen::Picker(Picker::new(
                    &format!("finish offboarding {username}?"),
                    labels,
                    Pick::FinishOffboarding {
                        lost: vec![false, true],
                    },
                ))));
            }
            None => {}
        }
        if pick_line {
            out.push(Effect::Pick(Source::PoLines { auto: true }));
        }
        if let Some(report) = r.closed {
            out.push(Effect::Push(Screen::Reconcile(Box::new(
                super::reconcile::Reconcile::new(*report),
            ))));
        }
        out
    }

    /// The database changed: the asset last touched is read again if it is among `ids`.
    pub fn changed(&mut self, store: &Store, ids: &[i64]) {
        if let Some(last) = &self.last {
            if ids.contains(&last.id) {
                self.last = store.asset_by_id(last.id).ok();
            }
        }
    }
}

/// One operation for the engine on the worker; the reply goes to the scan view (`made`: when
/// the scan was made, for the latency log).
fn job(cx: &Context, op: ScanOp, made: Option<std::time::Instant>) -> Job {
    let env = Env {
        tag_pattern: cx.settings.tag_pattern.clone(),
        labels: cx.settings.labels.clone(),
        receiving_location: cx.settings.receiving_location.clone(),
    };
    let is_code = matches!(op, ScanOp::Code(_));
    Box::new(move |store, ctx| {
        let reply = ctx.scan.apply(store, &env, op);
        Box::new(move |app: &mut App| {
            app.scans_answered.extend(made);
            let on_top = matches!(app.screens.last(), Some(Screen::Scan));
            let effects = app.scan.reply(reply, is_code, on_top);
            app.run(effects);
        })
    })
}

/// The mode's target, one line.
fn target(s: &Session, tag_pattern: &str, receiving_location: Option<&str>) -> String {
    match s {
        Session::Lookup => "each scan shows the asset".to_string(),
        Session::Checkout { to: Some(p) } => format!(
            "to: {} ({}) — scan another badge to switch",
            visible(&p.username),
            visible(&p.full_name)
        ),
        Session::Checkout { to: None } => "to: nobody yet — scan a badge or press F7".into(),
        Session::Checkin { grade, shelf } => format!(
            "grade: {grade} (F8 changes) · shelve at: {}",
            shelf
                .as_deref()
                .map(visible)
                .unwrap_or("(unchanged)".into())
        ),
        Session::Move { to: Some(l) } => {
            format!("to: {} — scan another location label to switch", visible(l))
        }
        Session::Move { to: None } => "to: nowhere yet — scan a location label or press F7".into(),
        Session::Condition { grade } => format!("grade: {grade} (F8 changes)"),
        Session::Audit { run: Some(a) } => {
            let c = a.counts;
            format!(
                "audit {} {} · exp {} · found {} · missing {} · unexpected {} · unknown {}",
                a.id,
                visible(&a.location),
                c.expected,
                c.found,
                c.missing,
                c.unexpected,
                c.unknown
            )
        }
        Session::Audit { run: None } => {
            "scan the room's location label to start (or resume) its audit".into()
        }
        Session::Receive {
            line: Some(l),
            print,
            at,
        } => format!(
            "receiving {} · {} · next {} · received {} of {} · {} outstanding · into {}{}",
            visible(&l.po),
            visible(&l.model),
            l.next_tag
                .as_deref()
                .map(visible)
                .unwrap_or_else(|| visible(tag_pattern)),
            l.received,
            l.ordered,
            l.outstanding.max(0),
            at.as_deref()
                .or(receiving_location)
                .map(visible)
                .unwrap_or("(no place: scan a location label)".into()),
            if *print { " · labels on" } else { "" }
        ),
        Session::Receive { line: None, .. } => {
            "press F7 to pick a purchase-order line, then scan serials".into()
        }
        Session::Offboard {
            leaving: Some(o),
            grade,
        } => format!(
            "offboarding {} ({}) · handed back {} · grade {grade} (F8) · ctrl-d finishes",
            visible(&o.person.username),
            visible(&o.person.full_name),
            o.back.len(),
        ),
        Session::Offboard { leaving: None, .. } => {
            "scan the badge of the person leaving, or press F7".into()
        }
    }
}

/// The log's lines, newest last, as many as fit in `h` rows of `w` columns. A long line wraps
/// at words onto the rows below it; an older line that no longer fits whole is left for
/// scrolling rather than shown in part.
fn log_lines(s: &ScanState, t: &Theme, h: usize, w: usize) -> Vec<Line<'static>> {
    let mut rows: Vec<Line<'static>> = Vec::new();
    for l in s.log.iter().rev().skip(s.log_scroll) {
        let (mark, style) = match l.outcome {
            Outcome::Failed => ("✗ FAIL ", t.error()),
            Outcome::Warn => ("! WARN ", t.warn()),
            Outcome::Ok => ("✓ OK   ", Style::default()),
            Outcome::Pending => ("… WAIT ", t.dim()),
        };
        let mut wrapped = wrap_marked(mark, &l.text, w);
        if rows.len() + wrapped.len() > h {
            if rows.is_empty() {
                // One line taller than the log: its start, the rest by scrolling.
                wrapped.truncate(h);
            } else {
                break;
            }
        }
        for r in wrapped.into_iter().rev() {
            rows.push(Line::styled(r, style));
        }
        if rows.len() >= h {
            break;
        }
    }
    rows.reverse();
    rows
}

/// Below 80x24 (down to 40x12): the mode and its target, the input, the last results.
pub fn draw_compact(f: &mut Frame, s: &ScanState, cx: &Context, t: &Theme, area: Rect) {
    let [head, tgt, input, log] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let w = area.width as usize;
    let mode = s.mode();
    let pending = s.pending();
    let waiting = if pending > 0 {
        format!(" · {pending} waiting")
    } else {
        String::new()
    };
    f.render_widget(
        Paragraph::new(fit(
            &format!(" SCAN [{}]{waiting} · F1 help · esc back", mode.label()),
            w,
        ))
        .style(t.title().add_modifier(Modifier::REVERSED)),
        head,
    );
    f.render_widget(
        Paragraph::new(fit(
            &format!(
                " {}",
                target(
                    &s.session,
                    &cx.settings.tag_pattern,
                    cx.settings.receiving_location.as_deref(),
                )
            ),
            w,
        ))
        .style(t.title()),
        tgt,
    );
    let value = visible(s.input.value()).into_owned();
    f.render_widget(Paragraph::new(fit(&format!("▶ {value}"), w)), input);
    let cx = input.x + 2 + s.input.visual_cursor() as u16;
    f.set_cursor_position((cx.min(input.right().saturating_sub(1)), input.y));
    f.render_widget(Paragraph::new(log_lines(s, t, log.height as usize, w)), log);
}

pub fn draw(f: &mut Frame, s: &ScanState, cx: &Context, t: &Theme, area: Rect) {
    let head = format!(
        " {}",
        target(
            &s.session,
            &cx.settings.tag_pattern,
            cx.settings.receiving_location.as_deref(),
        )
    );
    // A long target (receiving shows its line's counts) wraps onto a second row, never cut.
    let head_rows = if Line::raw(head.as_str()).width() > area.width as usize {
        2
    } else {
        1
    };
    let [modes, tgt, input, last, log] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(head_rows),
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Min(3),
    ])
    .areas(area);
    let mode = s.mode();
    let row = |list: &[(ScanMode, ScanCmd)]| {
        let mut spans = Vec::new();
        for (m, cmd) in list {
            let label = format!(" {} {} ", cx.keymap.scan.first_key(*cmd), m.label());
            if *m == mode {
                spans.push(Span::styled(
                    format!("[{}]", label.trim()),
                    t.selected().add_modifier(Modifier::BOLD),
                ));
            } else {
                spans.push(Span::raw(label));
            }
            spans.push(Span::raw(" "));
        }
        Line::from(spans)
    };
    let lines = vec![
        row(&[
            (ScanMode::Lookup, ScanCmd::Lookup),
            (ScanMode::Checkout, ScanCmd::Checkout),
            (ScanMode::Checkin, ScanCmd::Checkin),
            (ScanMode::Move, ScanCmd::Move),
            (ScanMode::Condition, ScanCmd::Condition),
        ]),
        row(&[
            (ScanMode::Audit, ScanCmd::Audit),
            (ScanMode::Receive, ScanCmd::Receive),
            (ScanMode::Offboard, ScanCmd::Offboard),
        ]),
    ];
    f.render_widget(Paragraph::new(lines), modes);
    f.render_widget(
        Paragraph::new(head)
            .wrap(Wrap { trim: false })
            .style(t.title()),
        tgt,
    );
    let value = visible(s.input.value()).into_owned();
    f.render_widget(
        Paragraph::new(format!("▶ {value}")).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" scan or type a code, then Enter "),
        ),
        input,
    );
    let cx = input.x + 3 + s.input.visual_cursor() as u16;
    f.set_cursor_position((cx.min(input.right().saturating_sub(2)), input.y + 1));
    if let Some(a) = &s.last {
        let who = a
            .assignee
            .as_deref()
            .map(|u| format!(" @{}", visible(u)))
            .unwrap_or_default();
        let at = a
            .location
            .as_deref()
            .map(|l| format!(" at {}", visible(l)))
            .unwrap_or_default();
        let line = format!(
            " {} · {} · {} · {}{who}{at}",
            fit(&a.tag, 14),
            fit(a.display_name(), 30),
            a.status,
            a.condition
        );
        f.render_widget(Paragraph::new(line), last);
    }
    let h = log.height.saturating_sub(1) as usize;
    let w = log.width as usize;
    let lines = log_lines(s, t, h, w);
    let pending = s.pending();
    let title = if pending > 0 {
        format!(
            " scan log ({}) — {pending} waiting for the database ",
            s.log.len()
        )
    } else if s.log_scroll > 0 {
        format!(
            " scan log ({}) — {} lines back, pgdn for newer ",
            s.log.len(),
            s.log_scroll
        )
    } else {
        format!(" scan log ({}) — ctrl-z undoes the last ", s.log.len())
    };
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(title)),
        log,
    );
}
