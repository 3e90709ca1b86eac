//! Drift: where the inventory feeds disagree with the register, security first (a lost or
//! disposed device that checked in). One key resolves a finding: accept the MDM's primary user
//! as the assignee, or mark a lost device found; Enter opens the asset.

use super::{Effect, Screen};
use crate::store::{DriftFinding, DriftKind};
use crate::tui::app::App;
use crate::tui::db::Job;
use crate::tui::keymap::DriftCmd;
use crate::tui::views::{fit, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

/// Deployed devices unseen this long are stale (as `itam report drift`'s default).
pub const STALE_DAYS: u32 = 30;

#[derive(Debug)]
pub struct DriftState {
    pub list: Vec<DriftFinding>,
    pub selected: usize,
}

/// Compare the feeds with the register on the worker, then show the findings.
pub fn open(now: String) -> Job {
    Box::new(move |store, _| {
        let r = store.drift(&now, STALE_DAYS).map_err(|e| e.to_string());
        Box::new(move |app: &mut App| match r {
            Ok(list) => app
                .screens
                .push(Screen::Drift(DriftState { list, selected: 0 })),
            Err(e) => app.fail(e),
        })
    })
}

/// A resolved finding leaves every drift list on the stack.
fn resolved(app: &mut App, tag: &str, kinds: &[DriftKind]) {
    for s in app.screens.iter_mut() {
        if let Screen::Drift(d) = s {
            d.list
                .retain(|x| !(x.tag.as_deref() == Some(tag) && kinds.contains(&x.kind)));
            d.selected = d.selected.min(d.list.len().saturating_sub(1));
        }
    }
}

impl DriftState {
    pub fn key(&mut self, cx: &super::Context, k: KeyEvent) -> Vec<Effect> {
        let cur = self.list.get(self.selected);
        let tag = cur.and_then(|x| x.tag.clone());
        match cx.keymap.drift.command(&k) {
            Some(DriftCmd::Back) => return vec![Effect::Pop],
            Some(DriftCmd::Up) => self.selected = self.selected.saturating_sub(1),
            Some(DriftCmd::Down) => {
                self.selected = (self.selected + 1).min(self.list.len().saturating_sub(1))
            }
            Some(DriftCmd::Open) => match cur.and_then(|x| x.asset_id) {
                Some(id) => return vec![Effect::OpenAsset(id)],
                None => {
                    return vec![Effect::Fail(
                        "itam has no asset with this serial: sync with --create-unknown, or add it"
                            .into(),
                    )]
                }
            },
            Some(DriftCmd::Accept) => {
                let Some(tag) = tag else {
                    return vec![Effect::Fail("no asset to assign".into())];
                };
                return vec![Effect::Write(Box::new(move |store, _| {
                    let r = store.accept_mdm_user(&tag, None).map_err(|e| e.to_string());
                    Box::new(move |app: &mut App| match r {
                        Ok(v) => {
                            app.say(format!(
                                "{} is now checked out to {}",
                                v.tag,
                                v.assignee.as_deref().unwrap_or("-")
                            ));
                            resolved(
                                app,
                                &tag,
                                &[DriftKind::UserMismatch, DriftKind::SeenWhileInStock],
                            );
                        }
                        Err(e) => app.fail(e),
                    })
                }))];
            }
            Some(DriftCmd::Found) => {
                let Some(tag) = tag else {
                    return vec![Effect::Fail("no asset to mark found".into())];
                };
                return vec![Effect::Write(Box::new(move |store, _| {
                    let r = store.mark_found(&tag).map_err(|e| e.to_string());
                    Box::new(move |app: &mut App| match r {
                        Ok(v) => {
                            app.say(format!("{} found: back in stock", v.tag));
                            resolved(app, &tag, &[DriftKind::SeenWhileLost]);
                        }
                        Err(e) => app.fail(e),
                    })
                }))];
            }
            Some(DriftCmd::Help) => return vec![Effect::Help],
            Some(DriftCmd::Quit) => return vec![Effect::Quit],
            None => {}
        }
        vec![]
    }
}

fn label(k: DriftKind) -> &'static str {
    match k {
        DriftKind::SeenWhileDisposed => "DISPOSED",
        DriftKind::SeenWhileLost => "LOST",
        DriftKind::SeenWhileRetired => "retired",
        DriftKind::SeenWhileInStock => "in stock",
        DriftKind::UserMismatch => "user",
        DriftKind::UnknownSerial => "unknown",
        DriftKind::Stale => "stale",
    }
}

/// The finding in the width of a row: who saw what, and what itam says.
fn summary(x: &DriftFinding) -> String {
    let day = &x.seen_at[..10.min(x.seen_at.len())];
    let user = x.mdm_user.as_deref().unwrap_or("-");
    match x.kind {
        DriftKind::UserMismatch => format!(
            "{} user {user}, itam: {}",
            x.source,
            x.assignee.as_deref().unwrap_or("-")
        ),
        DriftKind::UnknownSerial => format!(
            "{} {day} {}, not in itam",
            x.source,
            x.hostname.as_deref().unwrap_or("")
        ),
        DriftKind::Stale => format!(
            "last seen {day}, out to {}",
            x.assignee.as_deref().unwrap_or("-")
        ),
        _ => format!(
            "{} {day}{}, itam: {}",
            x.source,
            x.mdm_user
                .as_ref()
                .map(|_| format!(" {user}"))
                .unwrap_or_default(),
            x.status.as_deref().unwrap_or("-")
        ),
    }
}

pub fn draw(f: &mut Frame, d: &DriftState, t: &Theme, area: Rect) {
    let [head, table] = Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
    let security = d.list.iter().filter(|x| x.security).count();
    let title = if d.list.is_empty() {
        " No drift: every feed agrees with the register".to_string()
    } else if security > 0 {
        format!(
            " {} findings, {security} security: a lost or disposed device checked in",
            d.list.len()
        )
    } else {
        format!(
            " {} findings where the feeds disagree with the register",
            d.list.len()
        )
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(title, t.title()),
            Line::raw(" a accepts the MDM user · f marks found · enter opens"),
        ]),
        head,
    );
    let h = table.height.saturating_sub(1) as usize;
    let start = d.selected.saturating_sub(h.saturating_sub(1));
    let rows: Vec<Row> = d
        .list
        .iter()
        .enumerate()
        .skip(start)
        .take(h)
        .map(|(i, x)| {
            let sel = i == d.selected;
            let mut style = if sel { t.selected() } else { Style::default() };
            if x.security {
                style = style.add_modifier(Modifier::BOLD);
            }
            Row::new(vec![
                format!(
                    "{}{}{}",
                    if sel { "▶" } else { " " },
                    if x.security { "!" } else { " " },
                    label(x.kind)
                ),
                fit(x.tag.as_deref().unwrap_or("-"), 10),
                fit(&x.serial, 12),
                fit(&summary(x), 60),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(vec!["Drift", "Tag", "Serial", "Seen by the feed"])
        .style(t.title().add_modifier(Modifier::UNDERLINED));
    let widths = [
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Min(20),
    ];
    f.render_widget(Table::new(rows, widths).header(header), table);
}
