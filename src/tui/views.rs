//! Drawing: one function per screen. Only what is visible is built (a million-row list costs
//! one screenful). State is never shown by colour alone: selection is reverse video with a
//! marker, failures carry a word and a symbol, and everything reads the same with NO_COLOR.

use super::app::{App, LogLine, ScanMode, Screen, SortCol};
use super::form::Form;
use super::picker::Picker;
use crate::domain::text::visible;
use crate::domain::{Condition, Status};
use crate::store::ListRow;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

struct Theme {
    color: bool,
}

impl Theme {
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    fn status(&self, s: Status) -> Style {
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
    fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }
    fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

fn count(n: usize) -> String {
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
fn fit(s: &str, w: usize) -> String {
    let v = visible(s);
    if v.chars().count() <= w {
        v.into_owned()
    } else {
        let mut t: String = v.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        let msg = format!(
            "itam needs {MIN_W}x{MIN_H}, have {}x{}",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let t = Theme { color: app.color };
    let [header, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
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
                Some(Screen::Picker(p)) => draw_picker(f, p, &t, body),
                Some(Screen::Form(form)) => draw_form(f, form, &t, body),
                _ => {}
            }
        }
        _ => draw_screen(f, app, &t, body),
    }

    let (msg, style) = match &app.message {
        Some((m, true)) => (format!(" ✗ {}", visible(m)), t.error()),
        Some((m, false)) => (format!(" {}", visible(m)), Style::default()),
        None => (String::new(), Style::default()),
    };
    f.render_widget(Paragraph::new(msg).style(style), status);
    f.render_widget(
        Paragraph::new(key_hints(app, view, keys.width as usize)).style(t.dim()),
        keys,
    );
}

fn key_hints(app: &App, view: &str, width: usize) -> String {
    let cmds: &[&str] = match view {
        "list" => &[
            "open",
            "search",
            "filter",
            "sort",
            "scan",
            "add_asset",
            "help",
            "quit",
        ],
        "search" => &["open", "up", "down", "cancel"],
        "detail" => &[
            "back",
            "checkout",
            "checkin",
            "move",
            "condition",
            "status",
            "edit",
            "dispose",
            "help",
        ],
        "scan" => &["pick", "grade", "take", "done", "undo", "back", "help"],
        "person" => &["back", "open", "help"],
        "help" => &["back"],
        "form" => &["next", "prev", "save", "cancel"],
        "picker" => &["choose", "cancel"],
        "import" => &["apply", "back", "up", "down"],
        "ghosts" => &["back", "open", "lost", "retire", "help"],
        "report" => &["back", "up", "down", "help"],
        _ => &[],
    };
    let mut out = String::from(" ");
    for c in cmds {
        let first = app.keymap.first_key(view, c);
        if first.is_empty() {
            continue;
        }
        let label = match *c {
            "add_asset" => "add",
            "lookup" => "lookup",
            other => other,
        };
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
    let Some(screen) = app.screens.pop() else {
        return;
    };
    match &screen {
        Screen::List => draw_list(f, app, t, area),
        Screen::Detail(d) => draw_detail(f, d, t, area),
        Screen::Scan => draw_scan(f, app, t, area),
        Screen::Person(p) => draw_person(f, p, t, area),
        Screen::Help { scroll } => draw_help(f, app, *scroll, area),
        Screen::Form(form) => draw_form(f, form, t, area),
        Screen::Picker(p) => draw_picker(f, p, t, area),
        Screen::Import(r) => draw_import(f, r, t, area),
        Screen::Ghosts(g) => draw_ghosts(f, g, t, area),
        Screen::Report(r) => draw_report(f, r, t, area),
    }
    app.screens.push(screen);
}

fn highlighted<'a>(text: &str, query: &str, w: usize, base: Style) -> Line<'a> {
    let shown = fit(text, w);
    match (!query.trim().is_empty())
        .then(|| crate::search::highlight(&shown, query))
        .flatten()
    {
        Some(idx) => Line::from(
            shown
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    let s = if idx.contains(&i) {
                        base.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
                    } else {
                        base
                    };
                    Span::styled(c.to_string(), s)
                })
                .collect::<Vec<_>>(),
        ),
        None => Line::styled(shown, base),
    }
}

fn draw_list(f: &mut Frame, app: &mut App, t: &Theme, area: Rect) {
    if app.loaded && app.rows.is_empty() && app.list.filter.is_empty() && app.list.search.is_none()
    {
        return draw_welcome(f, app, t, area);
    }
    let searching = app.list.search.is_some();
    let [search_area, table_area, foot] = Layout::vertical([
        Constraint::Length(if searching { 1 } else { 0 }),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let query = app
        .list
        .search
        .as_ref()
        .map(|s| s.input.value().to_string())
        .unwrap_or_default();
    if let Some(s) = &app.list.search {
        let state = if s.answered == s.input.value() || s.input.value().trim().is_empty() {
            format!("{} matches", count(s.total))
        } else {
            "searching…".to_string()
        };
        let line = Line::from(vec![
            Span::styled(" / ", t.title()),
            Span::raw(visible(s.input.value()).into_owned()),
            Span::styled(if app.list.typing { "▏" } else { "" }, t.title()),
            Span::styled(format!("   {state}"), t.dim()),
        ]);
        f.render_widget(Paragraph::new(line), search_area);
        if app.list.typing {
            let x = search_area.x + 3 + s.input.visual_cursor() as u16;
            f.set_cursor_position((x.min(search_area.right().saturating_sub(1)), search_area.y));
        }
    }
    let height = table_area.height.saturating_sub(1) as usize;
    app.page = height.max(1);
    let len = app.visible_len();
    let selected = match &app.list.search {
        Some(s) if !s.input.value().trim().is_empty() => s.selected,
        _ => app.list.selected,
    };
    // Keep the selection on screen.
    if selected < app.list.offset {
        app.list.offset = selected;
    } else if selected >= app.list.offset + height {
        app.list.offset = selected + 1 - height;
    }
    if app.list.offset + height > len {
        app.list.offset = len.saturating_sub(height);
    }
    let widths = [
        Constraint::Length(12),
        Constraint::Min(16),
        Constraint::Length(9),
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(8),
    ];
    let name_w = table_area.width.saturating_sub(12 + 9 + 6 + 12 + 8 + 2 + 5) as usize;
    let sort = app.list.sort;
    let head_cell = |c: SortCol, label: &str| {
        let mark = match sort {
            Some((s, true)) if s == c => " ↑",
            Some((s, false)) if s == c => " ↓",
            None if c == SortCol::Tag => " ↑",
            _ => "",
        };
        Cell::from(format!("{label}{mark}"))
    };
    let header = Row::new(vec![
        head_cell(SortCol::Tag, "Tag"),
        head_cell(SortCol::Name, "Name / model"),
        head_cell(SortCol::Status, "Status"),
        head_cell(SortCol::Condition, "Cond"),
        head_cell(SortCol::Assignee, "Assignee"),
        head_cell(SortCol::Location, "Location"),
    ])
    .style(t.title().add_modifier(Modifier::UNDERLINED));
    let rows: Vec<Row> = (app.list.offset..(app.list.offset + height).min(len))
        .filter_map(|i| app.visible_row(i).map(|r| (i, r)))
        .map(|(i, r): (usize, ListRow)| {
            let sel = i == selected;
            let base = if sel { t.selected() } else { Style::default() };
            let marker = if sel { "▶" } else { " " };
            Row::new(vec![
                Cell::from({
                    let mut tag = highlighted(&r.tag, &query, 11, base);
                    tag.spans.insert(0, Span::styled(marker, base));
                    tag
                }),
                Cell::from(highlighted(&r.name, &query, name_w, base)),
                Cell::from(Span::styled(
                    r.status.as_str(),
                    t.status(r.status).patch(base),
                )),
                Cell::from(Span::styled(short_condition(r.condition), base)),
                Cell::from(Span::styled(
                    r.assignee
                        .as_deref()
                        .map(|a| fit(a, 12))
                        .unwrap_or_default(),
                    base,
                )),
                Cell::from(Span::styled(
                    r.location.as_deref().map(|l| fit(l, 8)).unwrap_or_default(),
                    base,
                )),
            ])
            .style(base)
        })
        .collect();
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        table_area,
    );

    let mut parts = vec![if app.total_assets < 0 {
        "counting assets…".to_string()
    } else {
        format!("{} assets", count(app.total_assets as usize))
    }];
    if searching && !query.trim().is_empty() {
        parts.push(format!("{} shown (best first)", count(len)));
    } else if !app.list.filter.is_empty() {
        parts.push(format!("{} shown", count(len)));
        parts.push(format!("filter: {}", app.list.filter.describe()));
    }
    if let Some((c, asc)) = app.list.sort {
        parts.push(format!(
            "sort: {} {}",
            c.label(),
            if asc { "↑" } else { "↓" }
        ));
    }
    if len > 0 {
        parts.push(format!("row {} of {}", count(selected + 1), count(len)));
    }
    if !app.loaded {
        let (n, total) = app.load_progress;
        let pct = (n * 100).checked_div(total).unwrap_or(0);
        parts.push(format!("indexing {pct}%"));
    }
    f.render_widget(
        Paragraph::new(format!(" {}", parts.join(" · "))).style(t.dim()),
        foot,
    );
}

fn short_condition(c: Condition) -> &'static str {
    c.as_str()
}

fn draw_welcome(f: &mut Frame, app: &App, t: &Theme, area: Rect) {
    let k = |c: &str| app.keymap.first_key("list", c);
    let lines = vec![
        Line::styled(
            "Welcome to itam — this database has no assets yet.",
            t.title(),
        ),
        Line::raw(""),
        Line::raw("Start one of three ways:"),
        Line::raw(""),
        Line::raw(format!(
            "  {:<6} add your first asset (a form)",
            k("add_asset")
        )),
        Line::raw(format!(
            "  {:<6} add a location, {} add a person",
            k("add_location"),
            k("add_person")
        )),
        Line::raw(format!(
            "  {:<6} import a file (Snipe-IT CSV, CSV, JSON): checked before it is written",
            k("import")
        )),
        Line::raw(format!(
            "  {:<6} load demo data: 500 assets, 50 people, 9 locations",
            k("demo")
        )),
        Line::raw(""),
        Line::raw(format!(
            "  {:<6} the scan view, for a barcode wand",
            k("scan")
        )),
        Line::raw(format!("  {:<6} every key, {} quit", k("help"), k("quit"))),
        Line::raw(""),
        Line::styled(format!("database: {}", visible(&app.display_path)), t.dim()),
    ];
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" getting started "),
        ),
        area,
    );
}

fn kv<'a>(k: &'a str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{k:>13} "),
            Style::default().add_modifier(Modifier::DIM),
        ),
        Span::raw(v),
    ])
}

fn opt(s: &Option<String>, w: usize) -> String {
    s.as_deref()
        .map(|v| fit(v, w))
        .unwrap_or_else(|| "-".into())
}

fn draw_detail(f: &mut Frame, d: &super::app::DetailState, t: &Theme, area: Rect) {
    let a = &d.asset;
    let [fields, timeline] =
        Layout::vertical([Constraint::Length(11), Constraint::Min(3)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(fields);
    let w = (left.width as usize).saturating_sub(16);
    let who = match (&a.assignee, &a.assignee_name) {
        (Some(u), Some(n)) => fit(&format!("{u} ({n})"), w),
        _ => "-".into(),
    };
    let place = match (&a.location, &a.location_name) {
        (Some(c), Some(n)) => fit(&format!("{c} {n}"), w),
        _ => "-".into(),
    };
    let cost = match (&a.purchase_cost, &a.currency) {
        (Some(c), Some(cur)) => format!("{c} {cur}"),
        (Some(c), None) => c.clone(),
        _ => "-".into(),
    };
    let status_line = Line::from(vec![
        Span::styled(
            format!("{:>13} ", "status"),
            Style::default().add_modifier(Modifier::DIM),
        ),
        Span::styled(
            a.status.as_str().to_string(),
            t.status(a.status).add_modifier(Modifier::BOLD),
        ),
    ]);
    let l = vec![
        kv("tag", fit(&a.tag, w)),
        kv("serial", opt(&a.serial, w)),
        kv("name", opt(&a.name, w)),
        kv("model", opt(&a.model, w)),
        kv("manufacturer", opt(&a.manufacturer, w)),
        kv("category", opt(&a.category, w)),
        status_line,
        kv("condition", a.condition.to_string()),
        kv("location", place),
        kv("assignee", who),
        kv(
            "since",
            opt(
                &a.assigned_at.as_ref().map(|s| s.chars().take(16).collect()),
                w,
            ),
        ),
    ];
    let r = vec![
        kv("owner", opt(&a.owner, w)),
        kv("supplier", opt(&a.supplier, w)),
        kv("order", opt(&a.order_number, w)),
        kv("purchased", opt(&a.purchase_date, w)),
        kv("cost", cost),
        kv("warranty", opt(&a.warranty_until, w)),
        kv("end of life", opt(&a.eol_date, w)),
        kv("due back", opt(&a.due_date, w)),
        kv(
            "last seen",
            opt(
                &a.last_seen_at
                    .as_ref()
                    .map(|s| s.chars().take(16).collect()),
                w,
            ),
        ),
        kv("notes", opt(&a.notes, w)),
        kv("updated", a.updated_at.chars().take(16).collect()),
    ];
    f.render_widget(Paragraph::new(l), left);
    f.render_widget(Paragraph::new(r), right);
    let inner_w = timeline.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = d
        .history
        .iter()
        .rev()
        .skip(d.scroll)
        .map(|h| {
            let when: String = h.at.chars().take(16).collect::<String>().replace('T', " ");
            let change = summarize(&h.before, &h.after);
            let note = h
                .note
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            Line::raw(fit(
                &format!(
                    "{when} {:<8} {:<9} {change}{note}",
                    fit(&h.actor, 8),
                    h.kind
                ),
                inner_w,
            ))
        })
        .collect();
    if let Some(c) = &d.curve {
        return draw_curve(f, c, t, timeline);
    }
    let title = format!(
        " timeline, newest first ({} events) — d: depreciation curve ",
        d.history.len()
    );
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(title)),
        timeline,
    );
}

/// Book value over the asset's life, with today marked by a vertical line of its own.
fn draw_curve(f: &mut Frame, c: &super::app::Curve, t: &Theme, area: Rect) {
    use ratatui::symbols::Marker;
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let max_x = c.points.last().map(|p| p.0).unwrap_or(1.0).max(1.0);
    let max_y = c.points.iter().map(|p| p.1).fold(1.0, f64::max);
    let today_x = c.today.min(max_x);
    let today_line = vec![(today_x, 0.0), (today_x, max_y)];
    let value_now = c
        .points
        .iter()
        .rev()
        .find(|p| p.0 <= today_x)
        .map(|p| p.1)
        .unwrap_or(0.0);
    let datasets = vec![
        Dataset::default()
            .name(format!("book value ({})", c.currency))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.fg(Color::Cyan))
            .data(&c.points),
        Dataset::default()
            .name(format!("today: {value_now:.2}"))
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(t.fg(Color::Yellow).add_modifier(Modifier::BOLD))
            .data(&today_line),
    ];
    let chart = Chart::new(datasets)
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(format!(" depreciation ({}) — d: timeline ", c.rule)),
        )
        .x_axis(
            Axis::default()
                .title("months")
                .bounds([0.0, max_x])
                .labels(vec![Span::raw("0"), Span::raw(format!("{max_x:.0}"))]),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, max_y])
                .labels(vec![Span::raw("0"), Span::raw(format!("{max_y:.0}"))]),
        );
    f.render_widget(chart, area);
}

fn draw_report(f: &mut Frame, r: &super::app::ReportState, t: &Theme, area: Rect) {
    use super::app::Report;
    match &r.report {
        Report::Licences(rep) => {
            let w = area.width as usize;
            let mut lines = vec![
                Line::styled(
                    format!(
                        " {} licences · {} over-deployed · as of {}",
                        rep.licences.len(),
                        rep.over_deployed,
                        rep.as_of
                    ),
                    t.title(),
                ),
                Line::raw(""),
            ];
            for l in rep.licences.iter().skip(r.scroll) {
                // The bar: ▇ for seats in use, · for free; past the seats owned, ! marks each seat
                // over, so over-deployment shows in monochrome too.
                let bar = match l.owned {
                    Some(owned) if owned > 0 => {
                        let width = 20usize;
                        let used =
                            ((l.assigned.min(owned) as usize * width) / owned as usize).min(width);
                        let over = if l.assigned > owned {
                            "!!".to_string()
                        } else {
                            String::new()
                        };
                        format!("[{}{}]{over}", "▇".repeat(used), "·".repeat(width - used))
                    }
                    Some(_) => "[no seats owned]".to_string(),
                    None => "[unlimited]".to_string(),
                };
                let seats = match l.owned {
                    Some(o) => format!("{}/{o}", l.assigned),
                    None => format!("{}/∞", l.assigned),
                };
                let flag = if l.flagged {
                    format!(" OVER BY {}", l.over_deployed)
                } else {
                    String::new()
                };
                let renew = l
                    .renewal_window
                    .map(|d| format!(" renews ≤{d}d"))
                    .unwrap_or_default();
                let text = fit(
                    &format!(
                        " {:<24} {bar:<24} {seats:>8}{flag}{renew}",
                        fit(&l.product, 24)
                    ),
                    w,
                );
                lines.push(if l.flagged {
                    Line::styled(text, t.error())
                } else {
                    Line::raw(text)
                });
            }
            f.render_widget(
                Paragraph::new(lines)
                    .block(Block::default().borders(Borders::ALL).title(" licences ")),
                area,
            );
        }
        Report::Finance {
            as_of,
            groups,
            skipped,
        } => {
            use ratatui::widgets::{Bar, BarChart, BarGroup};
            let [head, chart] =
                Layout::vertical([Constraint::Length(2), Constraint::Min(5)]).areas(area);
            let note = if *skipped > 0 {
                format!(" · {skipped} without cost or date left out")
            } else {
                String::new()
            };
            f.render_widget(
                Paragraph::new(Line::styled(format!(" book value by category as of {as_of} (per currency, never summed across){note}"), t.title())),
                head,
            );
            let bars: Vec<Bar> = groups
                .iter()
                .map(|g| {
                    let v = g.book_value.to_string().parse::<f64>().unwrap_or(0.0);
                    Bar::default()
                        .label(Line::raw(fit(&format!("{} {}", g.group, g.currency), 12)))
                        .value(v.max(0.0) as u64)
                        .text_value(format!("{:.0}", v))
                })
                .collect();
            let bc = BarChart::default()
                .block(Block::default().borders(Borders::ALL))
                .direction(ratatui::layout::Direction::Horizontal)
                .bar_width(1)
                .bar_gap(0)
                .bar_style(t.fg(Color::Cyan))
                .data(BarGroup::default().bars(&bars));
            f.render_widget(bc, chart);
        }
        Report::Forecast(rep) => {
            let mut lines = vec![
                Line::styled(
                    format!(" refresh forecast {} → {}", rep.as_of, rep.until),
                    t.title(),
                ),
                Line::raw(format!(
                    " {:<9} {:>12} {:>14}  {}",
                    "quarter", "end of life", "warranty ends", "replacement cost"
                )),
            ];
            for q in rep.quarters.iter().skip(r.scroll) {
                lines.push(Line::raw(format!(
                    " {:<9} {:>12} {:>14}  {}",
                    q.quarter,
                    q.end_of_life,
                    q.warranty_end,
                    q.replacement.display()
                )));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(" total replacement: {}", rep.replacement.display()),
                t.title(),
            ));
            f.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(" refresh forecast "),
                ),
                area,
            );
        }
    }
}

/// `status in_stock→deployed, assignee →jdoe` from before/after JSON.
fn summarize(before: &serde_json::Value, after: &serde_json::Value) -> String {
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "∅".into(),
        Some(other) => other.to_string(),
    };
    match after.as_object() {
        Some(m) if before.is_null() => {
            let keys = ["status", "condition", "location", "model"];
            keys.iter()
                .filter_map(|k| m.get(*k).map(|v| format!("{k}={}", text(Some(v)))))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Some(m) => m
            .iter()
            .map(|(k, v)| format!("{k} {}→{}", text(before.get(k)), text(Some(v))))
            .collect::<Vec<_>>()
            .join(", "),
        None => String::new(),
    }
}

fn draw_scan(f: &mut Frame, app: &mut App, t: &Theme, area: Rect) {
    let s = &app.scan;
    let [modes, target, input, last, log] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Min(3),
    ])
    .areas(area);
    let row = |list: &[(ScanMode, &str)]| {
        let mut spans = Vec::new();
        for (m, cmd) in list {
            let label = format!(" {} {} ", app.keymap.first_key("scan", cmd), m.label());
            if *m == s.mode {
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
            (ScanMode::Lookup, "lookup"),
            (ScanMode::Checkout, "checkout"),
            (ScanMode::Checkin, "checkin"),
            (ScanMode::Move, "move"),
            (ScanMode::Condition, "condition"),
        ]),
        row(&[
            (ScanMode::Audit, "audit"),
            (ScanMode::Receive, "receive"),
            (ScanMode::Offboard, "offboard"),
        ]),
    ];
    f.render_widget(Paragraph::new(lines), modes);
    let tgt = match s.mode {
        ScanMode::Lookup => "each scan shows the asset".to_string(),
        ScanMode::Checkout => match &s.person {
            Some(p) => format!(
                "to: {} ({}) — scan another badge to switch",
                visible(&p.username),
                visible(&p.full_name)
            ),
            None => "to: nobody yet — scan a badge or press F7".into(),
        },
        ScanMode::Checkin => format!(
            "grade: {} (F8 changes) · shelve at: {}",
            s.grade,
            s.location
                .as_deref()
                .map(visible)
                .unwrap_or("(unchanged)".into())
        ),
        ScanMode::Move => match &s.location {
            Some(l) => format!("to: {} — scan another location label to switch", visible(l)),
            None => "to: nowhere yet — scan a location label or press F7".into(),
        },
        ScanMode::Condition => format!("grade: {} (F8 changes)", s.grade),
        ScanMode::Audit => match &s.audit {
            Some(a) => {
                let (e, fo, m, u, k) = a.counts;
                format!("audit {} {} · exp {e} · found {fo} · missing {m} · unexpected {u} · unknown {k}", a.id, visible(&a.location))
            }
            None => "scan the room's location label to start (or resume) its audit".into(),
        },
        ScanMode::Receive => match &s.receiving {
            Some((po, model)) => format!(
                "receiving {} · {} · new tags {} (F7: another line)",
                visible(po),
                visible(model),
                visible(&app.tag_pattern)
            ),
            None => "press F7 to pick a purchase-order line, then scan serials".into(),
        },
        ScanMode::Offboard => match &s.offboarding {
            Some((p, back)) => format!(
                "offboarding {} ({}) · handed back {} · grade {} (F8) · ctrl-d finishes",
                visible(&p.username),
                visible(&p.full_name),
                back.len(),
                s.grade
            ),
            None => "scan the badge of the person leaving, or press F7".into(),
        },
    };
    f.render_widget(Paragraph::new(format!(" {tgt}")).style(t.title()), target);
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
    let lines: Vec<Line> = s
        .log
        .iter()
        .rev()
        .take(h)
        .rev()
        .map(|l: &LogLine| {
            let (mark, style) = match (l.ok, l.warn) {
                (false, _) => ("✗ FAIL ", t.error()),
                (true, true) => ("! WARN ", t.warn()),
                (true, false) => ("✓ OK   ", Style::default()),
            };
            Line::styled(fit(&format!("{mark}{}", l.text), w), style)
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(format!(
            " scan log ({}) — ctrl-z undoes the last ",
            s.log.len()
        ))),
        log,
    );
}

fn draw_person(f: &mut Frame, p: &super::app::PersonState, t: &Theme, area: Rect) {
    let [head, table] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
    let pv = &p.person;
    let lines = vec![
        Line::styled(
            format!(
                " {} — {}{}",
                visible(&pv.full_name),
                visible(&pv.username),
                if pv.active { "" } else { " (inactive)" }
            ),
            t.title(),
        ),
        Line::raw(format!(
            " email {} · badge {} · team {} · holds {}",
            opt(&pv.email, 30),
            opt(&pv.badge, 12),
            opt(&pv.team, 16),
            pv.holds
        )),
    ];
    f.render_widget(Paragraph::new(lines), head);
    let rows: Vec<Row> = p
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let sel = i == p.selected;
            let base = if sel { t.selected() } else { Style::default() };
            Row::new(vec![
                format!("{}{}", if sel { "▶" } else { " " }, fit(&a.tag, 12)),
                fit(a.display_name(), 30),
                a.condition.to_string(),
                a.assigned_at
                    .as_deref()
                    .map(|s| s.chars().take(10).collect())
                    .unwrap_or_default(),
                a.due_date.clone().unwrap_or_default(),
            ])
            .style(base)
        })
        .collect();
    let header = Row::new(vec!["Tag", "Name / model", "Cond", "Since", "Due"])
        .style(t.title().add_modifier(Modifier::UNDERLINED));
    let widths = [
        Constraint::Length(14),
        Constraint::Min(20),
        Constraint::Length(7),
        Constraint::Length(11),
        Constraint::Length(11),
    ];
    let empty = p.assets.is_empty();
    f.render_widget(
        Table::new(rows, widths).header(header).block(
            Block::default().borders(Borders::TOP).title(if empty {
                " holds nothing "
            } else {
                " holds "
            }),
        ),
        table,
    );
}

fn draw_help(f: &mut Frame, app: &App, scroll: usize, area: Rect) {
    let mut lines = Vec::new();
    for view in super::keymap::VIEWS {
        lines.push(Line::styled(
            format!("[{view}]"),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (cmd, keys) in app.keymap.bindings(view) {
            lines.push(Line::raw(format!(
                "  {keys:<24} {}",
                super::keymap::describe(view, cmd)
            )));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Keys come from keymap.toml; override any in ~/.config/itam/keymap.toml.",
    ));
    let lines: Vec<Line> = lines.into_iter().skip(scroll).collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" help — generated from the live keymap "),
        ),
        area,
    );
}

fn draw_ghosts(f: &mut Frame, g: &super::app::GhostState, t: &Theme, area: Rect) {
    let [head, table] = Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
    let title = format!(
        " {} active assets nobody has scanned, audited, checked in or out for {}+ days — oldest first",
        g.list.len(),
        g.days
    );
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(title, t.title()),
            Line::raw(" x marks lost · r retires · enter opens"),
        ]),
        head,
    );
    let h = table.height.saturating_sub(1) as usize;
    let start = g.selected.saturating_sub(h.saturating_sub(1));
    let rows: Vec<Row> = g
        .list
        .iter()
        .enumerate()
        .skip(start)
        .take(h)
        .map(|(i, x)| {
            let sel = i == g.selected;
            let a = &x.asset;
            Row::new(vec![
                format!("{}{:>5}d", if sel { "▶" } else { " " }, x.days_unseen),
                fit(&a.tag, 12),
                fit(a.display_name(), 22),
                a.status.to_string(),
                a.owner
                    .as_deref()
                    .map(|o| fit(o, 12))
                    .unwrap_or_else(|| "-".into()),
                a.assignee
                    .as_deref()
                    .map(|u| format!("@{}", fit(u, 11)))
                    .or_else(|| a.location.as_deref().map(|l| fit(l, 12)))
                    .unwrap_or_else(|| "-".into()),
            ])
            .style(if sel { t.selected() } else { Style::default() })
        })
        .collect();
    let header = Row::new(vec![
        "Unseen",
        "Tag",
        "Name / model",
        "Status",
        "Owner",
        "Last place",
    ])
    .style(t.title().add_modifier(Modifier::UNDERLINED));
    let widths = [
        Constraint::Length(7),
        Constraint::Length(12),
        Constraint::Min(14),
        Constraint::Length(9),
        Constraint::Length(12),
        Constraint::Length(12),
    ];
    f.render_widget(Table::new(rows, widths).header(header), table);
}

fn draw_import(f: &mut Frame, r: &super::app::ImportReview, t: &Theme, area: Rect) {
    let p = &r.plan;
    let s = &p.summary;
    let [head, list] = Layout::vertical([Constraint::Length(5), Constraint::Min(3)]).areas(area);
    let verdict = if r.can_apply() {
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
    let items: Vec<Line> = p
        .issues
        .iter()
        .skip(r.scroll)
        .map(|i| {
            let style = match i.severity {
                crate::interop::import::Severity::Error => t.error(),
                crate::interop::import::Severity::Warning => t.warn(),
            };
            let mark = match i.severity {
                crate::interop::import::Severity::Error => "✗ ERROR ",
                crate::interop::import::Severity::Warning => "! WARN  ",
            };
            Line::styled(fit(&format!("{mark}{i}"), w), style)
        })
        .collect();
    let title = format!(" {} problems, by line ", p.issues.len());
    f.render_widget(
        Paragraph::new(items).block(Block::default().borders(Borders::TOP).title(title)),
        list,
    );
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_picker(f: &mut Frame, p: &Picker, t: &Theme, area: Rect) {
    let h = (p.filtered.len() as u16 + 4).clamp(6, area.height);
    let r = centered(area, 64, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", visible(&p.title)));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    f.render_widget(
        Paragraph::new(format!("> {}", visible(p.input.value()))),
        input,
    );
    f.set_cursor_position((input.x + 2 + p.input.visual_cursor() as u16, input.y));
    let visible_rows = list.height as usize;
    let start = p.selected.saturating_sub(visible_rows.saturating_sub(1));
    let lines: Vec<Line> = p
        .filtered
        .iter()
        .enumerate()
        .skip(start)
        .take(visible_rows)
        .map(|(i, &idx)| {
            let label = fit(&p.items[idx].0, list.width as usize - 2);
            if i == p.selected {
                Line::styled(format!("▶ {label}"), t.selected())
            } else {
                Line::raw(format!("  {label}"))
            }
        })
        .collect();
    let lines = if lines.is_empty() {
        vec![Line::styled("  (nothing matches)", t.dim())]
    } else {
        lines
    };
    f.render_widget(Paragraph::new(lines), list);
}

fn draw_form(f: &mut Frame, form: &Form, t: &Theme, area: Rect) {
    let h = (form.fields.len() as u16 + 6).min(area.height);
    let r = centered(area, 76, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", form.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines = Vec::new();
    for (i, fl) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label = format!("{}{:>15} ", if focused { "▶" } else { " " }, fl.label);
        let value = fit(fl.input.value(), 40);
        let mut spans = vec![
            Span::styled(label, if focused { t.title() } else { Style::default() }),
            Span::raw(value),
        ];
        if focused && !fl.hint.is_empty() {
            spans.push(Span::styled(format!("  {}", fl.hint), t.dim()));
        }
        lines.push(Line::from(spans));
        if focused {
            let x = inner.x + 17 + fl.input.visual_cursor().min(40) as u16;
            f.set_cursor_position((x, inner.y + i as u16));
        }
    }
    let [fields_area, note_area] = Layout::vertical([
        Constraint::Length(form.fields.len() as u16 + 1),
        Constraint::Min(1),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(lines), fields_area);
    let note = match &form.error {
        Some(e) => Line::styled(format!("✗ {}", visible(e)), t.error()),
        None => Line::styled(
            "ctrl-s saves · tab/↓ next · esc cancels (nothing is saved)",
            t.dim(),
        ),
    };
    f.render_widget(Paragraph::new(note).wrap(Wrap { trim: true }), note_area);
}
