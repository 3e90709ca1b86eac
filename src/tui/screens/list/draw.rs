//! Drawing the list: the search line, one screenful of rows (a million-row list costs one
//! screenful), the footer with counts, sort and progress, and the welcome page.

use super::ListState;
use super::SortCol;
use crate::domain::text::visible;
use crate::domain::Condition;
use crate::store::ListRow;
use crate::tui::keymap::ListCmd;
use crate::tui::screens::Context;
use crate::tui::views::{count, fit, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

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

/// The list, or (an empty database) the welcome page; `path` is the database as the header
/// shows it.
pub fn draw(f: &mut Frame, list: &mut ListState, cx: &Context, path: &str, t: &Theme, area: Rect) {
    if list.catalog.loaded
        && list.catalog.rows.is_empty()
        && list.filter.is_empty()
        && list.search.is_none()
    {
        return draw_welcome(f, cx, path, t, area);
    }
    let searching = list.search.is_some();
    let [search_area, table_area, foot] = Layout::vertical([
        Constraint::Length(if searching { 1 } else { 0 }),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let query = list
        .search
        .as_ref()
        .map(|s| s.input.value().to_string())
        .unwrap_or_default();
    if let Some(s) = &list.search {
        let state = if s.answered == s.input.value() || s.input.value().trim().is_empty() {
            format!("{} matches", count(s.total))
        } else {
            "searching…".to_string()
        };
        let line = Line::from(vec![
            Span::styled(" / ", t.title()),
            Span::raw(visible(s.input.value()).into_owned()),
            Span::styled(if list.typing { "▏" } else { "" }, t.title()),
            Span::styled(format!("   {state}"), t.dim()),
        ]);
        f.render_widget(Paragraph::new(line), search_area);
        if list.typing {
            let x = search_area.x + 3 + s.input.visual_cursor() as u16;
            f.set_cursor_position((x.min(search_area.right().saturating_sub(1)), search_area.y));
        }
    }
    let height = table_area.height.saturating_sub(1) as usize;
    list.page = height.max(1);
    let len = list.visible_len();
    let selected = match &list.search {
        Some(s) if !s.input.value().trim().is_empty() => s.selected,
        _ => list.selected,
    };
    // Keep the selection on screen.
    if selected < list.offset {
        list.offset = selected;
    } else if selected >= list.offset + height {
        list.offset = selected + 1 - height;
    }
    if list.offset + height > len {
        list.offset = len.saturating_sub(height);
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
    let sort = list.sort;
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
    let rows: Vec<Row> = (list.offset..(list.offset + height).min(len))
        .filter_map(|i| list.visible_row(i, cx.store).map(|r| (i, r)))
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

    let mut parts = vec![if list.catalog.total < 0 {
        "counting assets…".to_string()
    } else {
        format!("{} assets", count(list.catalog.total as usize))
    }];
    if searching && !query.trim().is_empty() {
        parts.push(format!("{} shown (best first)", count(len)));
    } else if !list.filter.is_empty() {
        parts.push(format!("{} shown", count(len)));
        parts.push(format!("filter: {}", list.filter.describe()));
    }
    if let Some((c, asc)) = list.sort {
        parts.push(format!(
            "sort: {} {}",
            c.label(),
            if asc { "↑" } else { "↓" }
        ));
    }
    if len > 0 {
        parts.push(format!("row {} of {}", count(selected + 1), count(len)));
    }
    if !list.catalog.loaded {
        let (n, total) = list.catalog.load_progress;
        let pct = (n * 100).checked_div(total).unwrap_or(0);
        parts.push(format!("indexing {pct}%"));
    }
    // Drop what does not fit whole (the filter's description, then the sort) rather than
    // cut the row count: `row 1 of 4` for 424 rows misleads.
    let fits = |p: &[String]| p.join(" · ").chars().count() < foot.width as usize;
    while !fits(&parts) {
        match parts
            .iter()
            .position(|p| p.starts_with("filter: "))
            .or_else(|| parts.iter().position(|p| p.starts_with("sort: ")))
        {
            Some(i) => {
                parts.remove(i);
            }
            None => break,
        }
    }
    f.render_widget(
        Paragraph::new(format!(" {}", parts.join(" · "))).style(t.dim()),
        foot,
    );
}

fn short_condition(c: Condition) -> &'static str {
    c.as_str()
}

fn draw_welcome(f: &mut Frame, cx: &Context, path: &str, t: &Theme, area: Rect) {
    let k = |c: ListCmd| cx.keymap.list.first_key(c);
    // The ways to start, counted from the list itself so the heading never disagrees.
    let ways = [
        format!(
            "  {:<6} add your first asset (a form)",
            k(ListCmd::AddAsset)
        ),
        format!(
            "  {:<6} add a location, {} add a person",
            k(ListCmd::AddLocation),
            k(ListCmd::AddPerson)
        ),
        format!(
            "  {:<6} import a file (Snipe-IT CSV, CSV, JSON): checked before it is written",
            k(ListCmd::Import)
        ),
        format!(
            "  {:<6} load demo data: 500 assets with their people, places and history",
            k(ListCmd::Demo)
        ),
    ];
    let count = match ways.len() {
        2 => "two".to_string(),
        3 => "three".to_string(),
        4 => "four".to_string(),
        5 => "five".to_string(),
        n => n.to_string(),
    };
    let mut lines = vec![
        Line::styled(
            "Welcome to itam — this database has no assets yet.",
            t.title(),
        ),
        Line::raw(""),
        Line::raw(format!("Start one of {count} ways:")),
        Line::raw(""),
    ];
    lines.extend(ways.into_iter().map(Line::raw));
    lines.extend([
        Line::raw(""),
        Line::raw(format!(
            "  {:<6} the scan view, for a barcode wand",
            k(ListCmd::Scan)
        )),
        Line::raw(format!(
            "  {:<6} every key, {} quit",
            k(ListCmd::Help),
            k(ListCmd::Quit)
        )),
        Line::raw(""),
        Line::styled(format!("database: {}", visible(path)), t.dim()),
    ]);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" getting started "),
        ),
        area,
    );
}
