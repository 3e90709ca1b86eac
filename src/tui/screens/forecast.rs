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
    // Two header lines, the total's two and the border's two.
    r.page.set((area.height as usize).saturating_sub(6));
    for q in rep
        .quarters
        .iter()
        .skip(r.scroll.min(r.max_scroll()))
        .take(r.page.get())
    {
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

/// Compute the forecast on the worker, then show it (in a new view, or in the open one when
/// `refresh`).
pub fn job(today: chrono::NaiveDate, refresh: bool) -> crate::tui::db::Job {
    Box::new(move |store, _| {
        let r = store.eol_report(today, 12).map_err(|e| e.to_string());
        Box::new(move |app: &mut crate::tui::app::App| match r {
            Ok(d) if refresh => {
                if let Some(super::Screen::Forecast(rep)) = app
                    .screens
                    .iter_mut()
                    .find(|s| matches!(s, super::Screen::Forecast(_)))
                {
                    rep.replace(d);
                }
            }
            Ok(d) => app.screens.push(super::Screen::Forecast(Report::new(d))),
            Err(e) => app.fail(e),
        })
    })
}
