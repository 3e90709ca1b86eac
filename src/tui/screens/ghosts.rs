//! Ghosts: active assets nobody has scanned, audited, checked in or out for a long time; one key
//! marks one lost or retired.

use super::{Effect, Screen};
use crate::domain::Status;
use crate::tui::app::App;
use crate::tui::db::Job;
use crate::tui::keymap::GhostsCmd;
use crate::tui::views::{fit, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

/// The ghosts view: active assets unseen for a long time.
#[derive(Debug)]
pub struct GhostState {
    pub days: i64,
    pub list: Vec<crate::store::Ghost>,
    pub selected: usize,
    /// A one-key action waiting for its y/n: the tag and the status it would get.
    pub confirm: Option<(String, Status)>,
}

/// Find the ghosts on the worker (it reads every asset), then show them: in a new view, or
/// (`refresh`) in the open one, keeping its place.
pub fn job(days: i64, now: String, refresh: bool) -> Job {
    Box::new(move |store, _| {
        let r = store.ghosts(days, &now).map_err(|e| e.to_string());
        Box::new(move |app: &mut App| match r {
            Ok(list) if refresh => {
                for s in app.screens.iter_mut() {
                    if let Screen::Ghosts(g) = s {
                        g.list = list.clone();
                        g.selected = g.selected.min(g.list.len().saturating_sub(1));
                    }
                }
            }
            Ok(list) => app.screens.push(Screen::Ghosts(GhostState {
                days,
                list,
                selected: 0,
                confirm: None,
            })),
            Err(e) => app.fail(e),
        })
    })
}

impl GhostState {
    pub fn key(&mut self, cx: &super::Context, k: KeyEvent) -> Vec<Effect> {
        // A destructive one-key action asks once: y does it, any other key keeps the asset.
        if let Some((tag, target)) = self.confirm.take() {
            return match k.code {
                crossterm::event::KeyCode::Char('y' | 'Y') => vec![set_status(tag, target)],
                _ => vec![Effect::Say(format!("kept {tag} as it was"))],
            };
        }
        let tag = self.list.get(self.selected).map(|x| x.asset.tag.clone());
        match cx.keymap.ghosts.command(&k) {
            Some(GhostsCmd::Back) => return vec![Effect::Pop],
            Some(GhostsCmd::Up) => self.selected = self.selected.saturating_sub(1),
            Some(GhostsCmd::Down) => {
                self.selected = (self.selected + 1).min(self.list.len().saturating_sub(1))
            }
            Some(GhostsCmd::Open) => {
                if let Some(g) = self.list.get(self.selected) {
                    return vec![Effect::OpenAsset(g.asset.id)];
                }
            }
            Some(c @ (GhostsCmd::Lost | GhostsCmd::Retire)) => {
                let Some(tag) = tag else { return vec![] };
                let target = if c == GhostsCmd::Lost {
                    Status::Lost
                } else {
                    Status::Retired
                };
                self.confirm = Some((tag, target));
            }
            Some(GhostsCmd::Refresh) => return vec![Effect::Refresh],
            Some(GhostsCmd::Help) => return vec![Effect::Help],
            Some(GhostsCmd::Quit) => return vec![Effect::Quit],
            None => {}
        }
        vec![]
    }
}

/// Mark one ghost lost or retired, and take it off the list.
fn set_status(tag: String, target: Status) -> Effect {
    Effect::Write(Box::new(move |store, _| {
        let r = store
            .set_status(&tag, target, Some("from the ghosts list"))
            .map_err(|e| e.to_string());
        Box::new(move |app: &mut App| match r {
            Ok(v) => {
                app.say(format!("{} is now {}", v.tag, v.status));
                for s in app.screens.iter_mut() {
                    if let Screen::Ghosts(g) = s {
                        g.list.retain(|x| x.asset.tag != tag);
                        g.selected = g.selected.min(g.list.len().saturating_sub(1));
                    }
                }
            }
            Err(e) => app.fail(e),
        })
    }))
}

pub fn draw(f: &mut Frame, g: &GhostState, t: &Theme, area: Rect) {
    let [head, table] = Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
    let title = format!(
        " {} active assets nobody has scanned, audited, checked in or out for {}+ days — oldest first",
        g.list.len(),
        g.days
    );
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(title, t.title()),
            match &g.confirm {
                Some((tag, target)) => Line::styled(
                    format!(
                        " {} {}? y: yes · any other key: no",
                        if *target == Status::Lost {
                            "mark lost:"
                        } else {
                            "retire:"
                        },
                        fit(tag, 40)
                    ),
                    t.error().add_modifier(Modifier::BOLD),
                ),
                None => Line::raw(" x marks lost · r retires (each asks y/n) · enter opens"),
            },
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
