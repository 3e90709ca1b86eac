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

/// The last 100 messages, newest first, each wrapped at word boundaries.
pub fn draw_messages(
    f: &mut Frame,
    messages: &[(String, bool)],
    t: &crate::tui::views::Theme,
    scroll: usize,
    area: Rect,
) {
    let w = area.width.saturating_sub(4) as usize;
    let mut lines = Vec::new();
    for (m, error) in messages.iter().rev() {
        let mark = if *error { "✗ " } else { "  " };
        for (i, part) in crate::tui::views::wrap_words(&crate::domain::text::visible(m), w)
            .into_iter()
            .enumerate()
        {
            let text = format!("{}{part}", if i == 0 { mark } else { "  " });
            lines.push(if *error {
                Line::styled(text, t.error())
            } else {
                Line::raw(text)
            });
        }
    }
    if lines.is_empty() {
        lines.push(Line::raw("  (no messages yet)"));
    }
    let lines: Vec<Line> = lines.into_iter().skip(scroll).collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" messages — newest first, the last 100 "),
        ),
        area,
    );
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
