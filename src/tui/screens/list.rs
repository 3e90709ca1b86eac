//! The asset list: every asset (a million rows cost one screenful to draw), sorted, filtered,
//! or narrowed by fuzzy search as you type; the welcome page when the database is empty.

use super::forms::{Form, FormKind};
use super::picker::{Pick, Picker};
use super::Screen;
use crate::domain::text::visible;
use crate::domain::{Condition, Status};
use crate::store::{Interner, ListRow};
use crate::tui::app::App;
use crate::tui::keymap::{ListCmd, SearchCmd};
use crate::tui::views::{count, fit, Theme};
use crate::tui::worker::SearchReq;
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

/// A filter picker's choice.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterChoice {
    Clear,
    Status(Status),
    Location(String),
    Assignee(String),
}

/// How many search results are kept (more than any screen shows).
pub const SEARCH_LIMIT: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortCol {
    Tag,
    Name,
    Status,
    Condition,
    Assignee,
    Location,
}

impl SortCol {
    pub const ALL: [SortCol; 6] = [
        SortCol::Tag,
        SortCol::Name,
        SortCol::Status,
        SortCol::Condition,
        SortCol::Assignee,
        SortCol::Location,
    ];
    pub fn label(self) -> &'static str {
        match self {
            SortCol::Tag => "tag",
            SortCol::Name => "name",
            SortCol::Status => "status",
            SortCol::Condition => "condition",
            SortCol::Assignee => "assignee",
            SortCol::Location => "location",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub status: Option<Status>,
    pub location: Option<String>,
    pub assignee: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.location.is_none() && self.assignee.is_none()
    }
    pub(crate) fn keeps(&self, r: &ListRow) -> bool {
        self.status.is_none_or(|s| r.status == s)
            && self.location.as_deref().is_none_or(|l| {
                r.location
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(l))
            })
            && self.assignee.as_deref().is_none_or(|a| {
                r.assignee
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(a))
            })
    }
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={s}"));
        }
        if let Some(l) = &self.location {
            parts.push(format!("location={l}"));
        }
        if let Some(a) = &self.assignee {
            parts.push(format!("assignee={a}"));
        }
        parts.join(" ")
    }
}

#[derive(Debug, Default)]
pub struct SearchState {
    pub input: Input,
    pub generation: u64,
    /// The query the results belong to.
    pub answered: String,
    pub results: Vec<i64>,
    pub total: usize,
    pub selected: usize,
}

#[derive(Debug, Default)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub sort: Option<(SortCol, bool)>,
    pub filter: Filter,
    pub search: Option<SearchState>,
    /// Search open with the cursor in its input (typing goes to the query).
    pub typing: bool,
}

impl App {
    /// Recompute the visible order from the filter and sort.
    pub fn rebuild_order(&mut self) {
        let f = &self.list.filter;
        let mut order: Vec<u32> = if f.is_empty() {
            (0..self.rows.len() as u32).collect()
        } else {
            (0..self.rows.len() as u32)
                .filter(|&i| f.keeps(&self.rows[i as usize]))
                .collect()
        };
        if let Some((col, asc)) = self.list.sort {
            let rows = &self.rows;
            let key = |i: &u32| {
                let r = &rows[*i as usize];
                match col {
                    SortCol::Tag => r.tag.to_ascii_lowercase(),
                    SortCol::Name => r.name.to_ascii_lowercase(),
                    SortCol::Status => r.status.as_str().to_string(),
                    SortCol::Condition => format!(
                        "{}",
                        Condition::ALL
                            .iter()
                            .position(|c| *c == r.condition)
                            .unwrap_or(0)
                    ),
                    SortCol::Assignee => r
                        .assignee
                        .as_deref()
                        .unwrap_or("\u{10FFFF}")
                        .to_ascii_lowercase(),
                    SortCol::Location => r
                        .location
                        .as_deref()
                        .unwrap_or("\u{10FFFF}")
                        .to_ascii_lowercase(),
                }
            };
            if col != SortCol::Tag {
                // Stable sort keeps tag order within equal keys.
                order.sort_by_cached_key(key);
            }
            if !asc {
                order.reverse();
            }
        }
        self.order = order;
        self.list.selected = self.list.selected.min(self.order.len().saturating_sub(1));
    }

    /// The rows the list shows now: search results, else the filtered/sorted catalog.
    pub fn visible_len(&self) -> usize {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => s.results.len(),
            _ if self.loaded => self.order.len(),
            _ => self.preview.len(),
        }
    }

    pub fn visible_row(&self, i: usize) -> Option<ListRow> {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => {
                let id = *s.results.get(i)?;
                self.row_by_id(id).cloned().or_else(|| {
                    self.store
                        .list_row(id, &mut Interner::default())
                        .ok()
                        .flatten()
                        .map(|x| x.0)
                })
            }
            _ if self.loaded => self.order.get(i).map(|&p| self.rows[p as usize].clone()),
            _ => self.preview.get(i).cloned(),
        }
    }

    pub(crate) fn selected_index(&self) -> usize {
        match &self.list.search {
            Some(s) if !s.input.value().trim().is_empty() => s.selected,
            _ => self.list.selected,
        }
    }

    pub(crate) fn set_selected(&mut self, i: usize) {
        let n = self.visible_len();
        let i = i.min(n.saturating_sub(1));
        match self.list.search.as_mut() {
            Some(s) if !s.input.value().trim().is_empty() => s.selected = i,
            _ => self.list.selected = i,
        }
    }

    pub fn selected_row(&self) -> Option<ListRow> {
        self.visible_row(self.selected_index())
    }

    pub(crate) fn list_key(&mut self, k: KeyEvent) {
        let i = self.selected_index();
        let Some(cmd) = self.keymap.list.command(&k) else {
            return;
        };
        match cmd {
            ListCmd::Up => self.set_selected(i.saturating_sub(1)),
            ListCmd::Down => self.set_selected(i + 1),
            ListCmd::PageUp => self.set_selected(i.saturating_sub(self.page.max(1))),
            ListCmd::PageDown => self.set_selected(i + self.page.max(1)),
            ListCmd::Top => self.set_selected(0),
            ListCmd::Bottom => self.set_selected(usize::MAX),
            ListCmd::Open => {
                if let Some(r) = self.selected_row() {
                    self.open_detail(r.id);
                }
            }
            ListCmd::Search => {
                if self.list.search.is_none() {
                    self.list.search = Some(SearchState::default());
                }
                self.list.typing = true;
            }
            ListCmd::Clear => {
                self.list.search = None;
                self.list.filter = Filter::default();
                self.rebuild_order();
                self.say("search and filters cleared");
            }
            ListCmd::Filter => self.open_filter_picker(),
            ListCmd::Sort => {
                if !self.loaded {
                    return self.say("sorting is available once the list has loaded");
                }
                let next = match self.list.sort {
                    None => SortCol::Name,
                    Some((c, _)) => {
                        SortCol::ALL[(SortCol::ALL.iter().position(|x| *x == c).unwrap_or(0) + 1)
                            % SortCol::ALL.len()]
                    }
                };
                self.list.sort = Some((next, true));
                self.rebuild_order();
            }
            ListCmd::Reverse => {
                if !self.loaded {
                    return;
                }
                let (c, asc) = self.list.sort.unwrap_or((SortCol::Tag, true));
                self.list.sort = Some((c, !asc));
                self.rebuild_order();
            }
            ListCmd::Scan => self.screens.push(Screen::Scan),
            ListCmd::Person => {
                if let Some(u) = self
                    .selected_row()
                    .and_then(|r| r.assignee.as_deref().map(str::to_owned))
                {
                    self.open_person(&u);
                } else {
                    self.say("the selected asset is not checked out to anyone");
                }
            }
            ListCmd::AddAsset => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddAsset))),
            ListCmd::AddPerson => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddPerson))),
            ListCmd::AddLocation => self
                .screens
                .push(Screen::Form(Form::new(FormKind::AddLocation))),
            ListCmd::EditLocation => {
                match self.locations_picker("edit which location?", Pick::EditLocation) {
                    Ok(p) => self.screens.push(Screen::Picker(p)),
                    Err(e) => self.fail(e.to_string()),
                }
            }
            ListCmd::Import => self.screens.push(Screen::Form(Form::new(FormKind::Import))),
            ListCmd::Ghosts => {
                let now = match self.pinned_today {
                    Some(d) => format!("{d}T00:00:00.000Z"),
                    None => crate::store::now_utc(),
                };
                self.write(super::ghosts::open(180, now));
            }
            ListCmd::Licences => self.write(super::licences::open(self.today())),
            ListCmd::Finance => self.write(super::finance::open(self.today())),
            ListCmd::Forecast => self.write(super::forecast::open(self.today())),
            ListCmd::Demo => self.load_demo(),
            ListCmd::Refresh => self.refresh_all(),
            ListCmd::Help => self.screens.push(Screen::Help { scroll: 0 }),
            ListCmd::Quit => self.quit = true,
        }
    }

    pub(crate) fn search_key(&mut self, k: KeyEvent) {
        match self.keymap.search.command(&k) {
            Some(SearchCmd::Cancel) => {
                self.list.search = None;
                self.list.typing = false;
            }
            Some(SearchCmd::Open) => {
                self.list.typing = false;
                if let Some(r) = self.selected_row() {
                    self.open_detail(r.id);
                }
            }
            Some(SearchCmd::Up) => {
                let i = self.selected_index();
                self.set_selected(i.saturating_sub(1));
            }
            Some(SearchCmd::Down) => {
                let i = self.selected_index();
                self.set_selected(i + 1);
            }
            Some(SearchCmd::Quit) => self.quit = true,
            None => {
                if let Some(s) = self.list.search.as_mut() {
                    s.input.handle_event(&crossterm::event::Event::Key(k));
                    s.selected = 0;
                }
                self.run_search();
            }
        }
    }

    /// Ask for results of the current query: from the worker, or inline without one.
    pub(crate) fn run_search(&mut self) {
        let Some(s) = self.list.search.as_mut() else {
            return;
        };
        s.generation += 1;
        let text = s.input.value().to_string();
        let generation = s.generation;
        if text.trim().is_empty() {
            s.results.clear();
            s.total = 0;
            s.answered.clear();
            return;
        }
        if let Some(tx) = &self.search_tx {
            self.search_asked
                .get_or_insert_with(std::time::Instant::now);
            let _ = tx.send(SearchReq::Query {
                generation,
                text,
                limit: SEARCH_LIMIT,
            });
        } else if let Some(idx) = &self.inline_index {
            let m = idx.search(&text, SEARCH_LIMIT, None);
            s.results = m.top.iter().map(|t| t.0).collect();
            s.total = m.all.len();
            s.answered = text;
        }
    }

    fn open_filter_picker(&mut self) {
        let mut labels = vec!["(clear all filters)".to_string()];
        let mut choices = vec![FilterChoice::Clear];
        for s in Status::ALL {
            labels.push(format!("status: {s}"));
            choices.push(FilterChoice::Status(*s));
        }
        match (self.store.locations(), self.store.people()) {
            (Ok(locs), Ok(people)) => {
                for l in locs {
                    labels.push(format!("location: {} {}", l.code, l.name));
                    choices.push(FilterChoice::Location(l.code));
                }
                for p in people {
                    labels.push(format!("assignee: {} {}", p.username, p.full_name));
                    choices.push(FilterChoice::Assignee(p.username));
                }
                self.screens.push(Screen::Picker(Picker::new(
                    "filter by",
                    labels,
                    Pick::Filter(choices),
                )));
            }
            (Err(e), _) | (_, Err(e)) => self.fail(e.to_string()),
        }
    }

    pub(crate) fn apply_filter(&mut self, choice: FilterChoice) {
        if !self.loaded {
            return self.say("filters are available once the list has loaded");
        }
        let f = &mut self.list.filter;
        match choice {
            FilterChoice::Status(s) => f.status = Some(s),
            FilterChoice::Location(l) => f.location = Some(l),
            FilterChoice::Assignee(a) => f.assignee = Some(a),
            FilterChoice::Clear => *f = Filter::default(),
        }
        self.list.selected = 0;
        self.rebuild_order();
    }

    /// Today (UTC), unless pinned for stable test snapshots.
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        self.pinned_today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
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

pub fn draw(f: &mut Frame, app: &mut App, t: &Theme, area: Rect) {
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
    let k = |c: ListCmd| app.keymap.list.first_key(c);
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
            k(ListCmd::AddAsset)
        )),
        Line::raw(format!(
            "  {:<6} add a location, {} add a person",
            k(ListCmd::AddLocation),
            k(ListCmd::AddPerson)
        )),
        Line::raw(format!(
            "  {:<6} import a file (Snipe-IT CSV, CSV, JSON): checked before it is written",
            k(ListCmd::Import)
        )),
        Line::raw(format!(
            "  {:<6} load demo data: 500 assets, 50 people, 9 locations",
            k(ListCmd::Demo)
        )),
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
