//! Finance: book value by category as of today, per currency (never summed across), computed
//! on the database worker when the view opens (it reads every asset).

use super::Report;
use crate::tui::views::{fit, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The finance view's figures.
#[derive(Debug)]
pub struct Finance {
    pub as_of: chrono::NaiveDate,
    pub groups: Vec<crate::store::DepreciationGroup>,
    pub skipped: u64,
}

pub fn draw(f: &mut Frame, r: &Report<Finance>, t: &Theme, area: Rect) {
    let Finance {
        as_of,
        groups,
        skipped,
    } = &r.data;
    use ratatui::widgets::{Bar, BarChart, BarGroup};
    let [head, chart] = Layout::vertical([Constraint::Length(2), Constraint::Min(5)]).areas(area);
    let note = if *skipped > 0 {
        format!(" · {skipped} without cost or date left out")
    } else {
        String::new()
    };
    f.render_widget(
        Paragraph::new(Line::styled(
            format!(
                " book value by category as of {as_of} (per currency, never summed across){note}"
            ),
            t.title(),
        )),
        head,
    );
    let bars: Vec<Bar> = groups
        .iter()
        .map(|g| {
            let v = g.book_value.to_string().parse::<f64>().unwrap_or(0.0);
            Bar::default()
                .label(Line::raw(fit(&format!("{} {}", g.group, g.currency), 12)))
                .value(v.max(0.0) as u64)
                .text_value(format!("{:.0}", v))
        })
        .collect();
    let bc = BarChart::default()
        .block(Block::default().borders(Borders::ALL))
        .direction(ratatui::layout::Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .bar_style(t.fg(Color::Cyan))
        .data(BarGroup::default().bars(&bars));
    f.render_widget(bc, chart);
}

/// Compute the report on the worker (it reads every asset), then show it.
pub fn open(today: chrono::NaiveDate) -> crate::tui::db::Job {
    Box::new(move |store, _| {
        let r = store
            .depreciation_report(today, Some(crate::store::GroupBy::Category), |_| Ok(()))
            .map(|t| Finance {
                as_of: today,
                groups: t.groups(),
                skipped: t.skipped,
            })
            .map_err(|e| e.to_string());
        Box::new(move |app: &mut crate::tui::app::App| match r {
            Ok(d) => app.screens.push(super::Screen::Finance(Report::new(d))),
            Err(e) => app.fail(e),
        })
    })
}
