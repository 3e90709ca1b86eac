//! Help: every view's keys and what they do, generated from the live keymap. It opens at the
//! section of the view it was asked from, pages like a pager and never scrolls past its end.

use super::Effect;
use crate::tui::keymap::{HelpCmd, Keymap};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Lines moved by a page key: the height help was last drawn at.
pub fn key(scroll: &mut usize, page: usize, keymap: &Keymap, k: KeyEvent) -> Vec<Effect> {
    let page = page.max(1);
    match keymap.help.command(&k) {
        Some(HelpCmd::Back) => return vec![Effect::Pop],
        Some(HelpCmd::Up) => *scroll = scroll.saturating_sub(1),
        Some(HelpCmd::Down) => *scroll += 1,
        Some(HelpCmd::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(HelpCmd::PageDown) => *scroll += page,
        Some(HelpCmd::Top) => *scroll = 0,
        // The draw clamps it to the last page.
        Some(HelpCmd::Bottom) => *scroll = usize::MAX / 2,
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
) -> usize {
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
    // Never past the last page (End asks for "as far as it goes").
    let scroll = scroll.min(
        lines
            .len()
            .saturating_sub(area.height.saturating_sub(2) as usize),
    );
    let lines: Vec<Line> = lines.into_iter().skip(scroll).collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" messages — newest first, the last 100 "),
        ),
        area,
    );
    scroll
}

/// Help's descriptions wrap at words like every message (a word longer than the line is cut
/// onto the next).
fn wrap(text: &str, w: usize) -> Vec<String> {
    crate::tui::views::wrap_words(text, w.max(8))
}

/// Every line of help at this inner width, and where each view's section starts.
fn lines(keymap: &Keymap, width: usize) -> (Vec<Line<'static>>, Vec<(&'static str, usize)>) {
    const KEYS: usize = 24;
    let mut lines = Vec::new();
    let mut starts = Vec::new();
    for (view, rows) in keymap.sections() {
        starts.push((view, lines.len()));
        lines.push(Line::styled(
            format!("[{view}]"),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (_, keys, help) in rows {
            // Long descriptions wrap under their own column instead of being cut.
            let desc = wrap(help, width.saturating_sub(KEYS + 3));
            for (i, d) in desc.into_iter().enumerate() {
                let k = if i == 0 { keys.as_str() } else { "" };
                lines.push(Line::raw(format!("  {k:<KEYS$} {d}")));
            }
        }
    }
    lines.push(Line::raw(""));
    let source = keymap
        .source
        .clone()
        .unwrap_or_else(|| "the defaults built into itam".into());
    for l in wrap(&format!("Keys in use: {source}."), width) {
        lines.push(Line::raw(l));
    }
    for l in wrap(
        "Change any in $XDG_CONFIG_HOME/itam/keymap.toml (~/.config/itam/keymap.toml).",
        width,
    ) {
        lines.push(Line::raw(l));
    }
    (lines, starts)
}

/// Draw help from `scroll` (or from the section of `from`, the view help was opened from);
/// returns the scroll actually shown (never past the last page) and the page height.
pub fn draw(
    f: &mut Frame,
    keymap: &Keymap,
    scroll: usize,
    from: Option<&str>,
    area: Rect,
) -> (usize, usize) {
    let width = area.width.saturating_sub(2) as usize;
    let page = area.height.saturating_sub(2) as usize;
    let (lines, starts) = lines(keymap, width);
    let wanted = match from {
        Some(view) => starts
            .iter()
            .find(|(v, _)| *v == view)
            .map(|s| s.1)
            .unwrap_or(0),
        None => scroll,
    };
    let scroll = wanted.min(lines.len().saturating_sub(page));
    let total = lines.len();
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    let title = format!(
        " help — generated from the live keymap · lines {}–{} of {total} ",
        scroll + 1,
        (scroll + page).min(total)
    );
    f.render_widget(
        Paragraph::new(shown).block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
    (scroll, page)
}
