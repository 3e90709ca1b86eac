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

use super::picker::{Pick, Picker};
use super::Screen;
use crate::domain::text::visible;
use crate::domain::AssetView;
use crate::tui::app::App;
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

impl App {
    pub(crate) fn scan_key(&mut self, k: KeyEvent) {
        let Some(cmd) = self.keymap.scan.command(&k) else {
            return self.scan_typing(k);
        };
        match cmd {
            ScanCmd::Lookup => self.scan_op(ScanOp::Mode(ScanMode::Lookup)),
            ScanCmd::Checkout => self.scan_op(ScanOp::Mode(ScanMode::Checkout)),
            ScanCmd::Checkin => self.scan_op(ScanOp::Mode(ScanMode::Checkin)),
            ScanCmd::Move => self.scan_op(ScanOp::Mode(ScanMode::Move)),
            ScanCmd::Condition => self.scan_op(ScanOp::Mode(ScanMode::Condition)),
            ScanCmd::Audit => self.scan_op(ScanOp::Mode(ScanMode::Audit)),
            ScanCmd::Receive => self.scan_op(ScanOp::Mode(ScanMode::Receive)),
            ScanCmd::Offboard => self.scan_op(ScanOp::Mode(ScanMode::Offboard)),
            ScanCmd::Grade => self.scan_op(ScanOp::Grade),
            ScanCmd::Undo => self.scan_op(ScanOp::Undo),
            ScanCmd::Take => self.scan_op(ScanOp::Take),
            ScanCmd::Label => self.scan_op(ScanOp::PrintToggle),
            ScanCmd::Done => self.scan_op(ScanOp::Done),
            ScanCmd::Back => self.pop(),
            ScanCmd::Help => self.screens.push(Screen::Help { scroll: 0 }),
            ScanCmd::Messages => self.screens.push(Screen::Messages { scroll: 0 }),
            ScanCmd::Quit => self.quit = true,
            ScanCmd::Pick => self.scan_pick(),
            ScanCmd::LogUp => {
                let page = LOG_PAGE.min(self.scan.log.len());
                self.scan.log_scroll =
                    (self.scan.log_scroll + page).min(self.scan.log.len().saturating_sub(1));
            }
            ScanCmd::LogDown => {
                self.scan.log_scroll = self.scan.log_scroll.saturating_sub(LOG_PAGE);
            }
        }
    }

    fn scan_typing(&mut self, k: KeyEvent) {
        if matches!(k.code, KeyCode::Enter | KeyCode::Tab) {
            let code = self.scan.input.value().to_string();
            self.scan.input.reset();
            self.scan_commit(&code);
        } else if crate::tui::wedge::printable(&k).is_some()
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

    /// F7: choose the mode's target by name instead of scanning it.
    fn scan_pick(&mut self) {
        let p = match self.scan.mode() {
            ScanMode::Checkout => self.people_picker("check out to whom?", Pick::ScanPerson),
            ScanMode::Offboard => {
                self.people_picker("who is leaving?", Pick::ScanOffboardPerson)
            }
            ScanMode::Move | ScanMode::Checkin => {
                self.locations_picker("to which location?", Pick::ScanLocation)
            }
            ScanMode::Receive => self.po_line_picker(),
            _ => {
                return self.say(
                    "F7 picks a person (check out, offboard), a location (move, check in) or a PO line (receive)",
                )
            }
        };
        match p {
            Ok(p) => self.screens.push(Screen::Picker(p)),
            Err(e) => self.fail(e.to_string()),
        }
    }

    /// One scan in the scan view: shown as pending at once, resolved by the engine in order.
    pub fn scan_commit(&mut self, raw: &str) {
        let code = crate::domain::text::normalize_code(raw).to_string();
        if code.is_empty() {
            return;
        }
        let (w, h) = self.size;
        if !fits_compact(w, h) {
            // Never commit a scan whose result line cannot be seen.
            self.bell = true;
            self.scan.push(LogLine::failed(format!(
                "{}: not scanned — the terminal is {w}x{h}, scanning needs {}x{}",
                visible(&code),
                COMPACT_MIN.0,
                COMPACT_MIN.1
            )));
            return;
        }
        self.scan.push(LogLine {
            outcome: Outcome::Pending,
            text: format!("{} …", visible(&code)),
        });
        let made = self.input_at.unwrap_or_else(std::time::Instant::now);
        self.scan_op_at(ScanOp::Code(code), Some(made));
    }

    /// Send one operation to the scan engine; its reply replaces the oldest pending line.
    pub(crate) fn scan_op(&mut self, op: ScanOp) {
        self.scan_op_at(op, None)
    }

    fn scan_op_at(&mut self, op: ScanOp, made: Option<std::time::Instant>) {
        let env = Env {
            tag_pattern: self.tag_pattern.clone(),
            labels: self.labels.clone(),
            receiving_location: self.receiving_location.clone(),
        };
        let is_code = matches!(op, ScanOp::Code(_));
        self.write(Box::new(move |store, ctx| {
            let reply = ctx.scan.apply(store, &env, op);
            Box::new(move |app: &mut App| {
                app.scans_answered.extend(made);
                app.scan_reply(reply, is_code)
            })
        }));
    }

    fn scan_reply(&mut self, r: ScanReply, is_code: bool) {
        let s = &mut self.scan;
        let failed = r.lines.iter().any(|l| l.outcome == Outcome::Failed);
        let mut lines = r.lines.into_iter();
        if is_code {
            if let Some(i) = s.log.iter().position(|l| l.outcome == Outcome::Pending) {
                match lines.next() {
                    Some(first) => s.log[i] = first,
                    None => {
                        s.log.remove(i);
                    }
                }
            }
        }
        for l in lines {
            s.push(l);
        }
        if !failed && s.log.last().is_some_and(|l| l.outcome == Outcome::Ok) {
            self.clear_stale_error();
        }
        let s = &mut self.scan;
        // F10 with no line chosen opens the line picker at once: picking is the next thing to
        // do anyway, and it saves the F7.
        let pick_line = s.session.mode() != ScanMode::Receive
            && matches!(r.session, Session::Receive { line: None, .. })
            && matches!(self.screens.last(), Some(Screen::Scan));
        s.session = r.session;
        s.last = r.last;
        if failed {
            self.bell = true;
        }
        match r.ask {
            Some(Ask::FinishOffboarding { username, still }) => {
                let labels = vec![
                    format!("finish: list the {still} unreturned item(s), leave them as they are"),
                    format!("finish: mark the {still} unreturned item(s) LOST"),
                ];
                self.screens.push(Screen::Picker(Picker::new(
                    &format!("finish offboarding {username}?"),
                    labels,
                    Pick::FinishOffboarding {
                        lost: vec![false, true],
                    },
                )));
            }
            None => {}
        }
        if pick_line {
            match self.po_line_picker() {
                Ok(p) if p.labels.is_empty() => self.say(
                    "no purchase-order line is waiting to be received: add one with itam po add and itam po line",
                ),
                Ok(p) => self.screens.push(Screen::Picker(p)),
                Err(e) => self.fail(e.to_string()),
            }
        }
        if let Some(report) = r.closed {
            self.screens.push(Screen::Reconcile(Box::new(
                super::reconcile::Reconcile::new(*report),
            )));
        }
    }
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
pub fn draw_compact(f: &mut Frame, app: &mut App, t: &Theme, area: Rect) {
    let s = &app.scan;
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
                    &app.tag_pattern,
                    app.receiving_location.as_deref(),
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

pub fn draw(f: &mut Frame, app: &mut App, t: &Theme, area: Rect) {
    let s = &app.scan;
    let head = format!(
        " {}",
        target(
            &s.session,
            &app.tag_pattern,
            app.receiving_location.as_deref(),
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
            let label = format!(" {} {} ", app.keymap.scan.first_key(*cmd), m.label());
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
