//! A fuzzy pick-list (people, locations, grades, statuses, filters, PO lines): typing narrows
//! it. What it is for and the typed values behind its labels travel together in [`Pick`], so a
//! choice is never re-parsed from its label; the choice itself becomes effects (a write, a
//! filter, a scan-engine instruction, a form). A picker over what the store holds (people,
//! locations, PO lines: 333,000 people at a million assets) opens at once showing "loading…"
//! and is filled by the database worker's reply, so opening one never holds the screen. Typing
//! in a long one (people at scale) is matched by its own thread ([`Matcher`]): each keystroke
//! is drawn at once, the matches follow, the newest query's last, and Enter waits for them.

mod items;
mod matcher;

use items::items;
pub use items::{Source, Then};
pub use matcher::matches;
use matcher::{Matcher, Query};

use super::forms::Open;
use super::list::FilterChoice;
use super::scan::engine::ScanOp;
use super::scan::session::PoLine;
use super::{Context, Effect, Screen};
use crate::domain::text::visible;
use crate::domain::{Condition, Status};
use crate::tui::app::App;
use crate::tui::db::Job;
use crate::tui::keymap::PickerCmd;
use crate::tui::views::{fit, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use std::sync::Arc;
use std::time::Instant;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

/// What the choice is for, with one typed value per label.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    CheckoutTo { tag: String, people: Vec<String> },
    CheckinGrade { tag: String },
    SetGrade { tag: String },
    MoveTo { tag: String, codes: Vec<String> },
    SetStatus { tag: String, statuses: Vec<Status> },
    Filter(Vec<FilterChoice>),
    ScanPerson(Vec<String>),
    ScanLocation(Vec<String>),
    ScanPoLine(Vec<PoLine>),
    EditLocation(Vec<String>),
    ScanOffboardPerson(Vec<String>),
    FinishOffboarding { lost: Vec<bool> },
}

#[derive(Debug)]
pub struct Picker {
    pub title: String,
    /// Shared with the matcher thread, if any.
    pub labels: Arc<Vec<String>>,
    pub input: Input,
    pub filtered: Vec<usize>,
    pub selected: usize,
    pub then: Pick,
    /// Exact keys per item (a person's badge, username, email, name): typed or scanned whole,
    /// they choose that item even when the fuzzy list does not show it.
    pub exact: Vec<Vec<String>>,
    /// Which picker this is: the worker's items and the matcher's lists name it.
    pub id: u64,
    /// Its items are being read by the worker.
    pub loading: bool,
    /// Enter was pressed while loading or matching: choose as soon as the items, and the
    /// matches of what was typed, arrive (a wand's Enter right after F10 is not lost).
    choose_when_loaded: bool,
    /// Matches typing off the UI thread (a long list).
    matcher: Option<Matcher>,
    /// The newest query's number, and the number of the one whose matches `filtered` holds.
    asked: u64,
    shown: u64,
    /// Up/Down pressed since the newest query was sent: applied to its matches.
    moves: isize,
}

/// Open the picker `src` asks for: shown at once as loading, filled by the worker's reply.
pub fn open(src: Source) -> Vec<Effect> {
    let title = match &src {
        Source::People { title, .. } | Source::Locations { title, .. } => title.as_str(),
        Source::Filter => "filter by",
        Source::PoLines { .. } => "receive against which line?",
    };
    let mut p = Picker::new(title, Vec::new(), Pick::Filter(Vec::new()));
    p.loading = true;
    let ticket = p.id;
    vec![
        Effect::Push(Screen::Picker(p)),
        Effect::Write(load(ticket, src)),
    ]
}

/// Read a picker's items on the worker; the reply fills the picker that asked (and chooses,
/// if Enter came first).
fn load(ticket: u64, src: Source) -> Job {
    Box::new(move |store, _| {
        let auto = matches!(src, Source::PoLines { auto: true });
        let r = items(store, src).map_err(|e| e.to_string());
        Box::new(move |app: &mut App| {
            let ui = app.ui.clone();
            let off_thread_from = app.settings.match_off_thread_from;
            // Closed (esc) while loading: nothing to fill.
            let Some(p) = find(app, ticket).filter(|p| p.loading) else {
                return;
            };
            let effects = match r {
                Ok(items) if items.labels.is_empty() && auto => vec![
                    Effect::Close(ticket),
                    Effect::Say(
                        "no purchase-order line is waiting to be received: add one with itam po add and itam po line".into(),
                    ),
                ],
                Ok(items) => {
                    p.exact = items.exact;
                    let labels = Arc::new(items.labels);
                    if labels.len() >= off_thread_from {
                        p.matcher = ui.map(|ui| Matcher::spawn(p.id, labels.clone(), ui));
                    }
                    p.fill(labels, items.then)
                }
                Err(e) => vec![Effect::Close(ticket), Effect::Fail(e)],
            };
            app.run(effects);
        })
    })
}

/// The picker `id`, wherever it is on the stack (another screen may have opened over it).
fn find(app: &mut App, id: u64) -> Option<&mut Picker> {
    match app.find(id)? {
        Screen::Picker(p) => Some(p),
        _ => None,
    }
}

impl Picker {
    pub fn new(title: &str, labels: Vec<String>, then: Pick) -> Picker {
        let mut p = Picker {
            title: title.to_string(),
            labels: Arc::new(labels),
            input: Input::default(),
            filtered: Vec::new(),
            selected: 0,
            then,
            exact: Vec::new(),
            id: super::ticket(),
            loading: false,
            choose_when_loaded: false,
            matcher: None,
            asked: 0,
            shown: 0,
            moves: 0,
        };
        p.refilter();
        p
    }

    /// The grades, starting on `current`.
    pub fn grades(then: Pick, current: Condition) -> Picker {
        let labels = Condition::ALL.iter().map(|c| c.to_string()).collect();
        let mut p = Picker::new("condition?", labels, then);
        p.selected = Condition::ALL
            .iter()
            .position(|c| *c == current)
            .unwrap_or(0);
        p
    }

    /// The statuses reachable by `itam status` from `current` (others would be refused).
    pub fn statuses(tag: String, current: Status) -> Picker {
        let statuses: Vec<Status> = [
            Status::InRepair,
            Status::Lost,
            Status::InStock,
            Status::Retired,
        ]
        .into_iter()
        .filter(|s| crate::domain::lifecycle::action_to_reach(current, *s).is_ok())
        .collect();
        let labels = statuses.iter().map(|s| s.to_string()).collect();
        Picker::new(
            &format!("status (now {current})?"),
            labels,
            Pick::SetStatus { tag, statuses },
        )
    }

    /// Match what is typed: here for a short list (or an empty query), else on the matcher,
    /// whose reply [`Picker::matched`] shows. `at`: when the keystroke was made.
    pub fn refilter_at(&mut self, at: Option<Instant>) {
        self.asked += 1;
        self.moves = 0;
        let q = self.input.value().trim();
        if let Some(m) = self.matcher.as_ref().filter(|_| !q.is_empty()) {
            let sent = m.tx.send(Query {
                generation: self.asked,
                text: q.to_string(),
                at,
            });
            if sent.is_ok() {
                return;
            }
            self.matcher = None;
        }
        let found = matches(&self.labels, q, None);
        self.matched(self.asked, found);
    }

    pub fn refilter(&mut self) {
        self.refilter_at(None);
    }

    /// Whether the matches shown are not yet those of what is typed.
    pub fn matching(&self) -> bool {
        self.shown < self.asked
    }

    /// Show the matches of query `generation` (older replies than those shown are dropped);
    /// whether they are the newest query's.
    fn matched(&mut self, generation: u64, found: Vec<usize>) -> bool {
        if generation <= self.shown {
            return false;
        }
        let all = self.input.value().trim().is_empty();
        self.filtered = found;
        self.shown = generation;
        let newest = !self.matching();
        if !all {
            self.selected = 0;
        }
        if newest {
            self.selected = self.selected.saturating_add_signed(self.moves);
        }
        self.selected = self.selected.min(self.filtered.len().saturating_sub(1));
        newest
    }

    /// Enter came while loading or matching: now that the items and the newest matches are
    /// here, choose.
    fn choose_if_asked(&mut self) -> Vec<Effect> {
        if !self.loading && !self.matching() && std::mem::take(&mut self.choose_when_loaded) {
            return self.choose();
        }
        vec![]
    }

    /// The index (into `labels` and the values of `then`) of the chosen item: one whose exact
    /// key (badge, username, email, name) is the whole input, else the highlighted one.
    pub fn chosen(&self) -> Option<usize> {
        let typed = crate::domain::text::normalize_code(self.input.value());
        if !typed.is_empty() {
            if let Some(i) = self
                .exact
                .iter()
                .position(|keys| keys.iter().any(|k| k.eq_ignore_ascii_case(typed)))
            {
                return Some(i);
            }
        }
        self.filtered.get(self.selected).copied()
    }
}

impl Picker {
    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        match cx.keymap.picker.command(&k) {
            Some(PickerCmd::Cancel) => return vec![Effect::Pop],
            Some(PickerCmd::Up) => {
                self.selected = self.selected.saturating_sub(1);
                self.moves -= 1;
            }
            Some(PickerCmd::Down) => {
                self.selected = (self.selected + 1).min(self.filtered.len().saturating_sub(1));
                self.moves += 1;
            }
            Some(PickerCmd::Choose) if self.loading || self.matching() => {
                self.choose_when_loaded = true
            }
            Some(PickerCmd::Choose) => return self.choose(),
            Some(PickerCmd::Quit) => return vec![Effect::Quit],
            None => {
                let before = self.input.value().to_string();
                self.input.handle_event(&crossterm::event::Event::Key(k));
                // Only a change of text is matched again (arrows left and right are not).
                if self.input.value() != before {
                    self.refilter_at(cx.input_at);
                }
            }
        }
        vec![]
    }

    /// Pasted text narrows the list like typing.
    pub fn paste(&mut self, text: &str) {
        self.input = Input::new(format!("{}{text}", self.input.value()));
        self.refilter();
    }

    /// Close the picker and act on its choice.
    fn choose(&mut self) -> Vec<Effect> {
        let chosen = self.chosen();
        // The picker closes now: its values go with the choice instead of being copied.
        let then = std::mem::replace(&mut self.then, Pick::Filter(Vec::new()));
        // Enter may be chosen by a reply, when another screen could be on top: close this one.
        let mut out = vec![Effect::Close(self.id)];
        if let Some(i) = chosen {
            out.extend(picked(then, i));
        }
        out
    }

    /// The worker's reply: the items, and the choice if Enter came first (once what was
    /// typed meanwhile is matched).
    pub fn fill(&mut self, labels: Arc<Vec<String>>, then: Pick) -> Vec<Effect> {
        self.labels = labels;
        self.then = then;
        self.loading = false;
        self.refilter();
        self.choose_if_asked()
    }
}

/// A picker's choice (index `i` into its values), as effects.
fn picked(then: Pick, i: usize) -> Vec<Effect> {
    let grade = Condition::ALL.get(i).copied();
    let e = match then {
        Pick::CheckoutTo { tag, people } => {
            let Some(who) = people.get(i).cloned() else {
                return vec![];
            };
            Effect::Write(asset_write(move |s| {
                s.checkout(&tag, &who, None, None)
                    .map(|v| format!("{} checked out to {who}", v.tag))
            }))
        }
        Pick::CheckinGrade { tag } => {
            let Some(c) = grade else { return vec![] };
            Effect::Write(asset_write(move |s| {
                s.checkin(&tag, Some(c), None, None)
                    .map(|v| format!("{} checked in ({})", v.tag, v.condition))
            }))
        }
        Pick::SetGrade { tag } => {
            let Some(c) = grade else { return vec![] };
            Effect::Write(asset_write(move |s| {
                s.set_condition(&tag, c, None)
                    .map(|v| format!("{} graded {}", v.tag, v.condition))
            }))
        }
        Pick::MoveTo { tag, codes } => {
            let Some(to) = codes.get(i).cloned() else {
                return vec![];
            };
            Effect::Write(asset_write(move |s| {
                s.move_asset(&tag, &to, None)
                    .map(|v| format!("{} moved to {to}", v.tag))
            }))
        }
        Pick::SetStatus { tag, statuses } => {
            let Some(st) = statuses.get(i).copied() else {
                return vec![];
            };
            Effect::Write(asset_write(move |s| {
                s.set_status(&tag, st, None)
                    .map(|v| format!("{} is now {}", v.tag, v.status))
            }))
        }
        Pick::Filter(mut choices) => {
            if i >= choices.len() {
                return vec![];
            }
            Effect::Filter(choices.swap_remove(i))
        }
        Pick::ScanPerson(mut people) if i < people.len() => {
            Effect::Scan(ScanOp::Person(people.swap_remove(i)))
        }
        Pick::ScanLocation(mut codes) if i < codes.len() => {
            Effect::Scan(ScanOp::Location(codes.swap_remove(i)))
        }
        Pick::ScanPoLine(mut lines) if i < lines.len() => {
            Effect::Scan(ScanOp::Line(lines.swap_remove(i)))
        }
        Pick::ScanOffboardPerson(mut people) if i < people.len() => {
            Effect::Scan(ScanOp::Offboard(people.swap_remove(i)))
        }
        Pick::FinishOffboarding { lost } => {
            let Some(lost) = lost.get(i).copied() else {
                return vec![];
            };
            Effect::Scan(ScanOp::Finish { lost })
        }
        Pick::EditLocation(mut codes) if i < codes.len() => {
            Effect::Form(Open::EditLocation(codes.swap_remove(i)))
        }
        Pick::ScanPerson(_)
        | Pick::ScanLocation(_)
        | Pick::ScanPoLine(_)
        | Pick::ScanOffboardPerson(_)
        | Pick::EditLocation(_) => return vec![],
    };
    vec![e]
}

/// One write on one asset through the worker; its message (or error) on the status line.
pub(crate) fn asset_write(
    op: impl FnOnce(&mut crate::store::Store) -> crate::store::Result<String> + Send + 'static,
) -> Job {
    Box::new(move |store, _| {
        let r = op(store).map_err(|e| e.to_string());
        Box::new(move |app: &mut App| match r {
            Ok(m) => app.say(m),
            Err(e) => app.fail(e),
        })
    })
}

pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub fn draw(f: &mut Frame, p: &Picker, t: &Theme, area: Rect) {
    let h = (p.filtered.len() as u16 + 4).clamp(6, area.height);
    let r = centered(area, 64, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", visible(&p.title)));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let mut typed = Line::raw(format!("> {}", visible(p.input.value())));
    if p.matching() {
        typed.push_span(ratatui::text::Span::styled("  matching…", t.dim()));
    }
    f.render_widget(Paragraph::new(typed), input);
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
            let label = fit(&p.labels[idx], list.width as usize - 2);
            if i == p.selected {
                Line::styled(format!("▶ {label}"), t.selected())
            } else {
                Line::raw(format!("  {label}"))
            }
        })
        .collect();
    let lines = if p.loading {
        vec![Line::styled("  loading…", t.dim())]
    } else if lines.is_empty() {
        vec![Line::styled("  (nothing matches)", t.dim())]
    } else {
        lines
    };
    f.render_widget(Paragraph::new(lines), list);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_narrows_and_ranks() {
        let mut p = Picker::new(
            "t",
            vec!["jdoe Jane Doe".into(), "asmith Ann Smith".into()],
            Pick::ScanPerson(vec!["jdoe".into(), "asmith".into()]),
        );
        p.input = Input::new("smi".into());
        p.refilter();
        assert_eq!(p.chosen(), Some(1));
        p.input = Input::new("zzz".into());
        p.refilter();
        assert_eq!(p.chosen(), None);
    }

    #[test]
    fn status_choices_follow_the_lifecycle() {
        let p = Picker::statuses("X".into(), Status::Deployed);
        let Pick::SetStatus { statuses, .. } = &p.then else {
            panic!()
        };
        assert_eq!(statuses, &[Status::InRepair, Status::Lost, Status::InStock]);
    }
}
