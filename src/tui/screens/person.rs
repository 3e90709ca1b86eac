//! A person: who they are and what they hold; enter opens an asset, e edits the person.

use super::{Effect, Screen};
use crate::domain::text::visible;
use crate::domain::AssetView;
use crate::store::PersonView;
use crate::tui::keymap::PersonCmd;
use crate::tui::views::{fit, opt, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use ratatui::Frame;

#[derive(Debug)]
pub struct PersonState {
    pub person: PersonView,
    pub assets: Vec<AssetView>,
    pub selected: usize,
}

impl PersonState {
    pub fn key(&mut self, cx: &super::Context, k: KeyEvent) -> Vec<Effect> {
        match cx.keymap.person.command(&k) {
            Some(PersonCmd::Back) => return vec![Effect::Pop],
            Some(PersonCmd::Up) => self.selected = self.selected.saturating_sub(1),
            Some(PersonCmd::Down) => {
                self.selected = (self.selected + 1).min(self.assets.len().saturating_sub(1))
            }
            Some(PersonCmd::Open) => {
                if let Some(a) = self.assets.get(self.selected) {
                    return vec![Effect::OpenAsset(a.id)];
                }
            }
            Some(PersonCmd::Help) => return vec![Effect::Help],
            Some(PersonCmd::Edit) => {
                return vec![Effect::Form(super::forms::Open::EditPerson(
                    self.person.clone(),
                ))]
            }
            Some(PersonCmd::Quit) => return vec![Effect::Quit],
            None => {}
        }
        vec![]
    }
}

/// The person screen for `username`, read now (one person and what they hold).
pub fn open(store: &crate::store::Store, username: &str) -> Vec<Effect> {
    match (store.person(username), store.held_by(username)) {
        (Ok(person), Ok(assets)) => vec![Effect::Push(Screen::Person(PersonState {
            person,
            assets,
            selected: 0,
        }))],
        (Err(e), _) | (_, Err(e)) => vec![Effect::Fail(e.to_string())],
    }
}

impl PersonState {
    /// Read the person and what they hold again (after a change), keeping the selection.
    pub fn reload(&mut self, store: &crate::store::Store) {
        let u = &self.person.username;
        if let (Ok(person), Ok(assets)) = (store.person(u), store.held_by(u)) {
            self.selected = self.selected.min(assets.len().saturating_sub(1));
            self.person = person;
            self.assets = assets;
        }
    }
}

pub fn draw(f: &mut Frame, p: &PersonState, t: &Theme, area: Rect) {
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
                    .map(|s| s.date().to_string())
                    .unwrap_or_default(),
                a.due_date.map(|d| d.to_string()).unwrap_or_default(),
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
