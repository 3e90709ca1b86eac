//! The frame around every screen (header, status line, key hints), the theme, and the text
//! helpers screens share; each screen draws its own body (src/tui/screens/). Only what is
//! visible is built (a million-row list costs one screenful). State is never shown by colour
//! alone: selection is reverse video with a marker, failures carry a word and a symbol, and
//! everything reads the same with NO_COLOR.

use super::app::{context, App, Screen};
use super::keymap::{
    Command, DetailCmd, DriftCmd, FormCmd, GhostsCmd, HelpCmd, ImportCmd, ListCmd, PersonCmd,
    PickerCmd, ReconcileCmd, ReportCmd, ScanCmd, SearchCmd,
};
use super::screens;
use crate::domain::text::visible;
use crate::domain::Status;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub fn status(&self, s: Status) -> Style {
        let c = match s {
            Status::Deployed => Color::Green,
            Status::InStock => Color::Cyan,
            Status::InRepair => Color::Yellow,
            Status::Lost => Color::Red,
            Status::Ordered => Color::Blue,
            Status::Retired | Status::Disposed => Color::DarkGray,
        };
        self.fg(c)
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }
    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cut to `w` characters with an ellipsis, after making control characters visible.
pub fn fit(s: &str, w: usize) -> String {
    let v = visible(s);
    if v.chars().count() <= w {
        v.into_owned()
    } else {
        let mut t: String = v.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn opt(s: &Option<String>, w: usize) -> String {
    s.as_deref()
        .map(|v| fit(v, w))
        .unwrap_or_else(|| "-".into())
}

pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    app.size = (area.width, area.height);
    let t = Theme { color: app.color };
    if area.width < MIN_W || area.height < MIN_H {
        // The scan view keeps working at a bench's small terminal, in a compact layout.
        let scanning = matches!(app.screen(), Screen::Scan);
        if scanning && screens::scan::fits_compact(area.width, area.height) {
            return screens::scan::draw_compact(f, &app.scan, &context!(app), &t, area);
        }
        let (w, h) = screens::scan::COMPACT_MIN;
        let msg = if scanning {
            format!(
                "the scan view needs {w}x{h}, have {}x{}",
                area.width, area.height
            )
        } else {
            format!(
                "itam needs {MIN_W}x{MIN_H}, have {}x{}",
                area.width, area.height
            )
        };
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    // The status line wraps (at words) onto a second line rather than cut a message.
    let (msg, style) = match &app.message {
        Some((m, true)) => (format!("✗ {}", visible(m)), t.error()),
        Some((m, false)) => (visible(m).into_owned(), Style::default()),
        None => (String::new(), Style::default()),
    };
    let mut msg_lines = wrap_words(&msg, area.width.saturating_sub(1) as usize);
    if msg_lines.len() > 2 {
        msg_lines.truncate(2);
        let hint = " … (M: all)";
        let keep = (area.width as usize).saturating_sub(hint.chars().count() + 1);
        let second: String = msg_lines[1].chars().take(keep).collect();
        let second = match second.rfind(' ') {
            Some(i) if i > 0 => second[..i].to_string(),
            _ => second,
        };
        msg_lines[1] = format!("{second}{hint}");
    }
    let status_h = msg_lines.len().clamp(1, 2) as u16;
    let [header, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_h),
        Constraint::Length(1),
    ])
    .areas(area);
    let (view_name, view) = match app.screen() {
        Screen::List if app.list.typing => ("search", "search"),
        s => (s.keymap_view(), s.keymap_view()),
    };
    let ro = if app.store.is_read_only() {
        " · READ-ONLY"
    } else {
        ""
    };
    let path = app.display_path.clone();
    let head = format!(" itam · {view_name}{ro} · {}", fit(&path, 50));
    f.render_widget(
        Paragraph::new(head).style(t.title().add_modifier(Modifier::REVERSED)),
        header,
    );

    let n = app.screens.len();
    match app.screens.last() {
        Some(Screen::Picker(_)) | Some(Screen::Form(_)) if n >= 2 => {
            // Draw what is underneath, then the overlay.
            let top = app.screens.pop();
            draw_screen(f, app, &t, body);
            if let Some(s) = top {
                app.screens.push(s);
            }
            match app.screens.last() {
                Some(Screen::Picker(p)) => screens::picker::draw(f, p, &t, body),
                Some(Screen::Form(form)) => screens::forms::draw(f, form, &t, body),
                _ => {}
            }
        }
        _ => draw_screen(f, app, &t, body),
    }

    let lines: Vec<ratatui::text::Line> = msg_lines
        .into_iter()
        .map(|l| ratatui::text::Line::raw(format!(" {l}")))
        .collect();
    f.render_widget(Paragraph::new(lines).style(style), status);
    f.render_widget(
        Paragraph::new(key_hints(app, view, keys.width as usize)).style(t.dim()),
        keys,
    );
}

/// Split `text` into lines of at most `w` characters at spaces (a word longer than a line is
/// cut, as nothing else can be done with it).
pub fn wrap_words(text: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let len = line.chars().count();
            let wl = word.chars().count();
            if len == 0 && wl <= w {
                line = word;
                break;
            } else if len > 0 && len + 1 + wl <= w {
                line.push(' ');
                line.push_str(&word);
                break;
            } else if len > 0 {
                out.push(std::mem::take(&mut line));
            } else {
                let head: String = word.chars().take(w).collect();
                word = word.chars().skip(w).collect();
                out.push(head);
            }
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// `mark` then `text` (made visible) wrapped at words into lines of `w` columns, the lines
/// after the first indented under the text: a long message is read whole, never cut mid-word.
pub fn wrap_marked(mark: &str, text: &str, w: usize) -> Vec<String> {
    let indent = mark.chars().count();
    let body = w.saturating_sub(indent).max(10);
    wrap_words(&visible(text), body)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{mark}{l}")
            } else {
                format!("{}{l}", " ".repeat(indent))
            }
        })
        .collect()
}

/// `key label` pairs for the footer, from the live keymap (a command left unbound is skipped).
fn hints<C: Command>(b: &super::keymap::Bindings<C>, cmds: &[C]) -> Vec<(String, &'static str)> {
    cmds.iter()
        .map(|c| {
            let label = match c.name() {
                "add_asset" => "add",
                // Command names are for the keymap file; the footer says what a key does.
                "page_up" => "previous page",
                "page_down" => "next page",
                "csv" => "write CSV",
                other => other,
            };
            (b.first_key(*c), label)
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

fn key_hints(app: &App, view: &str, width: usize) -> String {
    let k = &app.keymap;
    let pairs = match view {
        "list" => hints(
            &k.list,
            &[
                ListCmd::Open,
                ListCmd::Search,
                ListCmd::Filter,
                ListCmd::Sort,
                ListCmd::Scan,
                ListCmd::AddAsset,
                ListCmd::Help,
                ListCmd::Quit,
            ],
        ),
        "search" => hints(
            &k.search,
            &[
                SearchCmd::Open,
                SearchCmd::Up,
                SearchCmd::Down,
                SearchCmd::Cancel,
            ],
        ),
        "detail" => hints(
            &k.detail,
            &[
                DetailCmd::Back,
                DetailCmd::Checkout,
                DetailCmd::Checkin,
                DetailCmd::Move,
                DetailCmd::Condition,
                DetailCmd::Status,
                DetailCmd::Edit,
                DetailCmd::Dispose,
                DetailCmd::Help,
            ],
        ),
        "scan" => hints(
            &k.scan,
            &[
                ScanCmd::Pick,
                ScanCmd::Grade,
                ScanCmd::Take,
                ScanCmd::Done,
                ScanCmd::Undo,
                ScanCmd::Back,
                ScanCmd::Help,
            ],
        ),
        "person" => hints(
            &k.person,
            &[PersonCmd::Back, PersonCmd::Open, PersonCmd::Help],
        ),
        "help" => hints(&k.help, &[HelpCmd::Back]),
        "form" => hints(
            &k.form,
            &[FormCmd::Next, FormCmd::Prev, FormCmd::Save, FormCmd::Cancel],
        ),
        "picker" => hints(&k.picker, &[PickerCmd::Choose, PickerCmd::Cancel]),
        "import" => hints(
            &k.import,
            &[
                ImportCmd::Apply,
                ImportCmd::Back,
                ImportCmd::Up,
                ImportCmd::Down,
            ],
        ),
        "ghosts" => hints(
            &k.ghosts,
            &[
                GhostsCmd::Back,
                GhostsCmd::Open,
                GhostsCmd::Lost,
                GhostsCmd::Retire,
                GhostsCmd::Help,
            ],
        ),
        "drift" => hints(
            &k.drift,
            &[
                DriftCmd::Back,
                DriftCmd::Open,
                DriftCmd::Accept,
                DriftCmd::Found,
                DriftCmd::Help,
            ],
        ),
        "reconcile" => hints(
            &k.reconcile,
            &[
                ReconcileCmd::Back,
                ReconcileCmd::PageUp,
                ReconcileCmd::PageDown,
                ReconcileCmd::Csv,
                ReconcileCmd::Help,
            ],
        ),
        "report" => hints(
            &k.report,
            &[
                ReportCmd::Back,
                ReportCmd::Up,
                ReportCmd::Down,
                ReportCmd::Refresh,
                ReportCmd::Help,
            ],
        ),
        _ => Vec::new(),
    };
    let mut out = String::from(" ");
    for (first, label) in pairs {
        let item = format!("{first} {label}  ");
        if out.chars().count() + item.trim_end().chars().count() > width {
            break;
        }
        out.push_str(&item);
    }
    out
}

fn draw_screen(f: &mut Frame, app: &mut App, t: &Theme, area: Rect) {
    // Split borrow: pull the screen out, draw, put it back.
    let Some(mut screen) = app.screens.pop() else {
        return;
    };
    match &mut screen {
        Screen::List => {
            let cx = context!(app);
            screens::list::draw(f, &mut app.list, &cx, &app.display_path, t, area)
        }
        Screen::Detail(d) => screens::detail::draw(f, d, t, area),
        Screen::Scan => screens::scan::draw(f, &app.scan, &context!(app), t, area),
        Screen::Person(p) => screens::person::draw(f, p, t, area),
        Screen::Help { scroll } => {
            let from = app.help_from.take();
            (*scroll, app.help_page) = screens::help::draw(f, &app.keymap, *scroll, from, area);
        }
        Screen::Messages { scroll } => {
            *scroll = screens::help::draw_messages(f, &app.messages, t, *scroll, area);
        }
        Screen::Form(form) => screens::forms::draw(f, form, t, area),
        Screen::Picker(p) => screens::picker::draw(f, p, t, area),
        Screen::Import(r) => screens::import::draw(f, r, t, area),
        Screen::Ghosts(g) => screens::ghosts::draw(f, g, t, area),
        Screen::Drift(d) => screens::drift::draw(f, d, t, area),
        Screen::Reconcile(r) => screens::reconcile::draw(f, r, t, area),
        Screen::Licences(r) => screens::licences::draw(f, r, t, area),
        Screen::Finance(r) => screens::finance::draw(f, r, t, area),
        Screen::Forecast(r) => screens::forecast::draw(f, r, t, area),
    }
    app.screens.push(screen);
}
