//! Drawing a form over the screen beneath it.

use super::Form;
use crate::domain::text::visible;
use crate::tui::views::{fit, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, form: &Form, t: &Theme, area: Rect) {
    let h = (form.fields.len() as u16 + 6).min(area.height);
    let r = crate::tui::screens::picker::centered(area, 76, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", form.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    // A form taller than the screen (an edit with many custom fields) scrolls to keep the
    // focused field in view; the note below always shows.
    let rows = (inner.height as usize).saturating_sub(3).max(1);
    let first = (form.focus + 1).saturating_sub(rows);
    let mut lines = Vec::new();
    for (i, fl) in form.fields.iter().enumerate().skip(first).take(rows) {
        let focused = i == form.focus;
        let label = format!("{}{:>15} ", if focused { "▶" } else { " " }, fl.label);
        let value = fit(fl.input.value(), 40);
        let shown = if focused && !fl.choices.is_empty() {
            Span::styled(format!("◀ {value} ▶"), t.title())
        } else if focused && form.selected && !value.is_empty() {
            Span::styled(
                value,
                Style::default().add_modifier(ratatui::style::Modifier::REVERSED),
            )
        } else {
            Span::raw(value)
        };
        let mut spans = vec![
            Span::styled(label, if focused { t.title() } else { Style::default() }),
            shown,
        ];
        if focused && !fl.hint.is_empty() {
            spans.push(Span::styled(format!("  {}", fl.hint), t.dim()));
        }
        lines.push(Line::from(spans));
        if focused {
            // A choice's value sits after its ◀ marker.
            let marker = if fl.choices.is_empty() { 0 } else { 2 };
            let x = inner.x + 17 + marker + fl.input.visual_cursor().min(40) as u16;
            f.set_cursor_position((x, inner.y + (i - first) as u16));
        }
    }
    let [fields_area, note_area] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 1),
        Constraint::Min(1),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(lines), fields_area);
    let note = match (&form.error, &form.busy) {
        (_, Some((b, since))) => Line::styled(
            format!("… {b} · {:.1} s", since.elapsed().as_secs_f32()),
            t.title(),
        ),
        (Some(e), None) => Line::styled(format!("✗ {}", visible(e)), t.error()),
        (None, None) => Line::styled(
            "ctrl-s saves · tab/↓ next · esc cancels (nothing is saved)",
            t.dim(),
        ),
    };
    f.render_widget(Paragraph::new(note).wrap(Wrap { trim: true }), note_area);
}
