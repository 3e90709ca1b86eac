//! A fuzzy pick-list (people, locations, grades, statuses, filters, PO lines): typing narrows
//! it. What it is for and the typed values behind its labels travel together in [`Pick`], so a
//! choice is never re-parsed from its label; the choice itself becomes effects (a write, a
//! filter, a scan-engine instruction, a form). A picker over what the store holds (people,
//! locations, PO lines: 333,000 people at a million assets) opens at once showing "loading…"
//! and is filled by the database worker's reply, so opening one never holds the screen.

use super::forms::Open;
use super::list::FilterChoice;
use super::scan::engine::ScanOp;
use super::scan::session::PoLine;
use super::{Context, Effect, Screen};
use crate::domain::text::visible;
use crate::domain::{Condition, Status};
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::db::Job;
use crate::tui::keymap::PickerCmd;
use crate::tui::views::{fit, Theme};
use crossterm::event::KeyEvent;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
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
    pub labels: Vec<String>,
    pub input: Input,
    pub filtered: Vec<usize>,
    pub selected: usize,
    pub then: Pick,
    /// Exact keys per item (a person's badge, username, email, name): typed or scanned whole,
    /// they choose that item even when the fuzzy list does not show it.
    pub exact: Vec<Vec<String>>,
    /// Its items are being read by the worker: the ticket its reply carries.
    pub loading: Option<u64>,
    /// Enter was pressed while loading: choose as soon as the items arrive (a wand's Enter
    /// right after F10 is not lost).
    choose_when_loaded: bool,
}

/// Builds a picker's `Pick` from the values read for it.
pub type Then = Box<dyn FnOnce(Vec<String>) -> Pick + Send>;

/// A picker over what the store holds, opened by `app.rs` through [`open`].
pub enum Source {
    /// Active people, by username, name, badge or email.
    People {
        title: String,
        then: Then,
    },
    Locations {
        title: String,
        then: Then,
    },
    /// Filter the list by status, location or assignee.
    Filter,
    /// The open purchase-order lines. `auto`: opened by F10 itself, so with no open line it
    /// says so instead of showing an empty picker.
    PoLines {
        auto: bool,
    },
}

/// What the worker read for a picker: its labels, its values and their exact keys.
struct Items {
    labels: Vec<String>,
    then: Pick,
    exact: Vec<Vec<String>>,
}

/// Tells one loading picker's reply from another's (one closed, another opened meanwhile).
static TICKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Open the picker `src` asks for: shown at once as loading, filled by the worker's reply.
pub fn open(src: Source) -> Vec<Effect> {
    let ticket = TICKETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let title = match &src {
        Source::People { title, .. } | Source::Locations { title, .. } => title.as_str(),
        Source::Filter => "filter by",
        Source::PoLines { .. } => "receive against which line?",
    };
    let mut p = Picker::new(title, Vec::new(), Pick::Filter(Vec::new()));
    p.loading = Some(ticket);
    vec![
        Effect::Push(Screen::Picker(p)),
        Effect::Write(load(ticket, src)),
    ]
}

/// Read a picker's items on the worker; the reply fills the loading picker on top (and
/// chooses, if Enter came first).
fn load(ticket: u64, src: Source) -> Job {
    Box::new(move |store, _| {
        let auto = matches!(src, Source::PoLines { auto: true });
        let r = items(store, src).map_err(|e| e.to_string());
        Box::new(move |app: &mut App| {
            // Closed (esc) while loading: nothing to fill.
            let Some(Screen::Picker(p)) = app.screens.last_mut() else {
                return;
            };
            if p.loading != Some(ticket) {
                return;
            }
            let effects = match r {
                Ok(items) if items.labels.is_empty() && auto => vec![
                    Effect::Pop,
                    Effect::Say(
                        "no purchase-order line is waiting to be received: add one with itam po add and itam po line".into(),
                    ),
                ],
                Ok(items) => {
                    p.exact = items.exact;
                    p.fill(items.labels, items.then)
                }
                Err(e) => vec![Effect::Pop, Effect::Fail(e)],
            };
            app.run(effects);
        })
    })
}

fn items(store: &Store, src: Source) -> crate::store::Result<Items> {
    match src {
        Source::People { then, .. } => people(store, then),
        Source::Locations { then, .. } => locations(store, then),
        Source::Filter => {
            let (labels, choices) = super::list::filter_choices(store)?;
            Ok(Items {
                labels,
                then: Pick::Filter(choices),
                exact: Vec::new(),
            })
        }
        Source::PoLines { .. } => po_lines(store),
    }
}

impl Picker {
    pub fn new(title: &str, labels: Vec<String>, then: Pick) -> Picker {
        let mut p = Picker {
            title: title.to_string(),
            labels,
            input: Input::default(),
            filtered: Vec::new(),
            selected: 0,
            then,
            exact: Vec::new(),
            loading: None,
            choose_when_loaded: false,
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

    pub fn refilter(&mut self) {
        let q = self.input.value().trim();
        if q.is_empty() {
            self.filtered = (0..self.labels.len()).collect();
        } else {
            let m = SkimMatcherV2::default().ignore_case();
            let mut scored: Vec<(i64, usize)> = self
                .labels
                .iter()
                .enumerate()
                .filter_map(|(i, label)| m.fuzzy_match(label, q).map(|s| (s, i)))
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.filtered = scored.into_iter().map(|x| x.1).collect();
            self.selected = 0;
        }
        self.selected = self.selected.min(self.filtered.len().saturating_sub(1));
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
            Some(PickerCmd::Up) => self.selected = self.selected.saturating_sub(1),
            Some(PickerCmd::Down) => {
                self.selected = (self.selected + 1).min(self.filtered.len().saturating_sub(1))
            }
            Some(PickerCmd::Choose) if self.loading.is_some() => self.choose_when_loaded = true,
            Some(PickerCmd::Choose) => return self.choose(),
            Some(PickerCmd::Quit) => return vec![Effect::Quit],
            None => {
                self.input.handle_event(&crossterm::event::Event::Key(k));
                self.refilter();
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
        let mut out = vec![Effect::Pop];
        if let Some(i) = chosen {
            out.extend(picked(then, i));
        }
        out
    }

    /// The worker's reply: the items, and the choice if Enter came first.
    pub fn fill(&mut self, labels: Vec<String>, then: Pick) -> Vec<Effect> {
        self.labels = labels;
        self.then = then;
        self.loading = None;
        self.refilter();
        if std::mem::take(&mut self.choose_when_loaded) {
            return self.choose();
        }
        vec![]
    }
}

/// Active people, by username and name; typed or scanned whole, a badge, username, email or
/// full name chooses its person.
fn people(store: &Store, then: Then) -> crate::store::Result<Items> {
    let people: Vec<_> = store.people()?.into_iter().filter(|p| p.active).collect();
    let labels = people
        .iter()
        .map(|p| {
            format!(
                "{:<16} {}{}",
                p.username,
                p.full_name,
                p.email
                    .as_deref()
                    .map(|e| format!(" <{e}>"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let exact = people
        .iter()
        .map(|p| {
            [
                Some(p.username.clone()),
                p.badge.clone(),
                p.email.clone(),
                Some(p.full_name.clone()),
            ]
            .into_iter()
            .flatten()
            .collect()
        })
        .collect();
    let names = people.into_iter().map(|p| p.username).collect();
    Ok(Items {
        labels,
        then: then(names),
        exact,
    })
}

fn locations(store: &Store, then: Then) -> crate::store::Result<Items> {
    let locs = store.locations()?;
    let labels = locs
        .iter()
        .map(|l| format!("{:<12} {}", l.code, l.name))
        .collect();
    let codes = locs.into_iter().map(|l| l.code).collect();
    Ok(Items {
        labels,
        then: then(codes),
        exact: Vec::new(),
    })
}

fn po_lines(store: &Store) -> crate::store::Result<Items> {
    let lines: Vec<PoLine> = store
        .open_po_lines()?
        .into_iter()
        .map(|(po, model, outstanding)| PoLine {
            po,
            model,
            outstanding,
            ordered: 0,
            received: 0,
            next_tag: None,
        })
        .collect();
    let labels = lines
        .iter()
        .map(|l| format!("{} · {} · {} outstanding", l.po, l.model, l.outstanding))
        .collect();
    Ok(Items {
        labels,
        then: Pick::ScanPoLine(lines),
        exact: Vec::new(),
    })
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
            let label = fit(&p.labels[idx], list.width as usize - 2);
            if i == p.selected {
                Line::styled(format!("▶ {label}"), t.selected())
            } else {
                Line::raw(format!("  {label}"))
            }
        })
        .collect();
    let lines = if p.loading.is_some() {
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
