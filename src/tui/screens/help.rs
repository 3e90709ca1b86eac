//! Help: every view's keys and what they do, generated from the live keymap.

use super::Effect;
use crate::tui::keymap::{HelpCmd, Keymap};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn key(scroll: &mut usize, keymap: &Keymap, k: KeyEvent) -> Vec<Effect> {
    match keymap.help.command(&k) {
        Some(HelpCmd::Back) => return vec![Effect::Pop],
        Some(HelpCmd::Up) => *scroll = scroll.saturating_sub(1),
        Some(HelpCmd::Down) => *scroll += 1,
        Some(HelpCmd::Quit) => return vec![Effect::Quit],
        None => {}
    }
    vec![]
}

pub fn draw(f: &mut Frame, keymap: &Keymap, scroll: usize, area: Rect) {
    let mut lines = Vec::new();
    for (view, rows) in keymap.sections() {
        lines.push(Line::styled(
            format!("[{view}]"),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (_, keys, help) in rows {
            lines.push(Line::raw(format!("  {keys:<24} {help}")));
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
