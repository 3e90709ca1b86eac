//! The refresh forecast: end of life and warranty ends by quarter, with replacement cost.

use super::Report;
use crate::tui::views::Theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, r: &Report<crate::store::EolReport>, t: &Theme, area: Rect) {
    let rep = &r.data;
    let mut lines = vec![
        Line::styled(
            format!(" refresh forecast {} → {}", rep.as_of, rep.until),
            t.title(),
        ),
        Line::raw(format!(
            " {:<9} {:>12} {:>14}  {}",
            "quarter", "end of life", "warranty ends", "replacement cost"
        )),
    ];
    for q in rep.quarters.iter().skip(r.scroll) {
        lines.push(Line::raw(format!(
            " {:<9} {:>12} {:>14}  {}",
            q.quarter,
            q.end_of_life,
            q.warranty_end,
            q.replacement.display()
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(" total replacement: {}", rep.replacement.display()),
        t.title(),
    ));
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" refresh forecast "),
        ),
        area,
    );
}

/// Compute the forecast on the worker, then show it.
pub fn open(today: chrono::NaiveDate) -> crate::tui::db::Job {
    Box::new(move |store, _| {
        let r = store.eol_report(today, 12).map_err(|e| e.to_string());
        Box::new(move |app: &mut crate::tui::app::App| match r {
            Ok(d) => app.screens.push(super::Screen::Forecast(Report::new(d))),
            Err(e) => app.fail(e),
        })
    })
}
