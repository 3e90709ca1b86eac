//! A fuzzy pick-list (people, locations, grades, statuses, filters, PO lines): typing narrows
//! it. What it is for and the typed values behind its labels travel together in [`Pick`], so a
//! choice is never re-parsed from its label.

use super::forms::Form;
use super::list::FilterChoice;
use super::scan::engine::ScanOp;
use super::scan::session::PoLine;
use super::Screen;
use crate::domain::text::visible;
use crate::domain::{Condition, Status};
use crate::tui::app::App;
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

impl App {
    /// Active people, by username and name.
    pub(crate) fn people_picker(
        &self,
        title: &str,
        then: impl FnOnce(Vec<String>) -> Pick,
    ) -> crate::store::Result<Picker> {
        let people: Vec<_> = self
            .store
            .people()?
            .into_iter()
            .filter(|p| p.active)
            .collect();
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
        let mut p = Picker::new(title, labels, then(names));
        p.exact = exact;
        Ok(p)
    }

    pub(crate) fn locations_picker(
        &self,
        title: &str,
        then: impl FnOnce(Vec<String>) -> Pick,
    ) -> crate::store::Result<Picker> {
        let locs = self.store.locations()?;
        let labels = locs
            .iter()
            .map(|l| format!("{:<12} {}", l.code, l.name))
            .collect();
        let codes = locs.into_iter().map(|l| l.code).collect();
        Ok(Picker::new(title, labels, then(codes)))
    }

    pub(crate) fn po_line_picker(&self) -> crate::store::Result<Picker> {
        let lines: Vec<PoLine> = self
            .store
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
        Ok(Picker::new(
            "receive against which line?",
            labels,
            Pick::ScanPoLine(lines),
        ))
    }

    pub(crate) fn picker_key(&mut self, k: KeyEvent) {
        let Some(Screen::Picker(p)) = self.screens.last_mut() else {
            return;
        };
        match self.keymap.picker.command(&k) {
            Some(PickerCmd::Cancel) => self.pop(),
            Some(PickerCmd::Up) => p.selected = p.selected.saturating_sub(1),
            Some(PickerCmd::Down) => {
                p.selected = (p.selected + 1).min(p.filtered.len().saturating_sub(1))
            }
            Some(PickerCmd::Choose) => {
                let chosen = p.chosen();
                let Some(Screen::Picker(p)) = self.screens.pop() else {
                    return;
                };
                if let Some(i) = chosen {
                    self.picked(p.then, i);
                }
            }
            Some(PickerCmd::Quit) => self.quit = true,
            None => {
                p.input.handle_event(&crossterm::event::Event::Key(k));
                p.refilter();
            }
        }
    }

    /// A picker's choice (index `i` into its values), applied.
    fn picked(&mut self, then: Pick, i: usize) {
        let grade = Condition::ALL.get(i).copied();
        match then {
            Pick::CheckoutTo { tag, people } => {
                let Some(who) = people.get(i).cloned() else {
                    return;
                };
                self.asset_write(move |s| {
                    s.checkout(&tag, &who, None, None)
                        .map(|v| format!("{} checked out to {who}", v.tag))
                });
            }
            Pick::CheckinGrade { tag } => {
                let Some(c) = grade else { return };
                self.asset_write(move |s| {
                    s.checkin(&tag, Some(c), None, None)
                        .map(|v| format!("{} checked in ({})", v.tag, v.condition))
                });
            }
            Pick::SetGrade { tag } => {
                let Some(c) = grade else { return };
                self.asset_write(move |s| {
                    s.set_condition(&tag, c, None)
                        .map(|v| format!("{} graded {}", v.tag, v.condition))
                });
            }
            Pick::MoveTo { tag, codes } => {
                let Some(to) = codes.get(i).cloned() else {
                    return;
                };
                self.asset_write(move |s| {
                    s.move_asset(&tag, &to, None)
                        .map(|v| format!("{} moved to {to}", v.tag))
                });
            }
            Pick::SetStatus { tag, statuses } => {
                let Some(st) = statuses.get(i).copied() else {
                    return;
                };
                self.asset_write(move |s| {
                    s.set_status(&tag, st, None)
                        .map(|v| format!("{} is now {}", v.tag, v.status))
                });
            }
            Pick::Filter(choices) => {
                if let Some(c) = choices.get(i).cloned() {
                    self.apply_filter(c);
                }
            }
            Pick::ScanPerson(people) => {
                if let Some(u) = people.get(i).cloned() {
                    self.scan_op(ScanOp::Person(u));
                }
            }
            Pick::ScanLocation(codes) => {
                if let Some(c) = codes.get(i).cloned() {
                    self.scan_op(ScanOp::Location(c));
                }
            }
            Pick::ScanPoLine(lines) => {
                if let Some(l) = lines.get(i).cloned() {
                    self.scan_op(ScanOp::Line(l));
                }
            }
            Pick::ScanOffboardPerson(people) => {
                if let Some(u) = people.get(i).cloned() {
                    self.scan_op(ScanOp::Offboard(u));
                }
            }
            Pick::FinishOffboarding { lost } => {
                if let Some(lost) = lost.get(i).copied() {
                    self.scan_op(ScanOp::Finish { lost });
                }
            }
            Pick::EditLocation(codes) => {
                let Some(code) = codes.get(i) else { return };
                match self.store.location(code) {
                    Ok(Some(l)) => self.screens.push(Screen::Form(Form::edit_location(&l))),
                    Ok(None) => self.fail(format!("location {code} vanished")),
                    Err(e) => self.fail(e.to_string()),
                }
            }
        }
    }

    /// One write on one asset through the worker; its message (or error) on the status line.
    pub(crate) fn asset_write(
        &mut self,
        op: impl FnOnce(&mut crate::store::Store) -> crate::store::Result<String> + Send + 'static,
    ) {
        self.write(Box::new(move |store, _| {
            let r = op(store).map_err(|e| e.to_string());
            Box::new(move |app: &mut App| match r {
                Ok(m) => app.say(m),
                Err(e) => app.fail(e),
            })
        }));
    }
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
    let lines = if lines.is_empty() {
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
