//! Finance: book value by category as of today, per currency (never summed across), computed
//! on the database worker when the view opens (it reads every asset).

use super::Report;
use crate::tui::views::{fit, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The finance view's figures.
#[derive(Debug)]
pub struct Finance {
    pub as_of: chrono::NaiveDate,
    pub groups: Vec<crate::store::DepreciationGroup>,
    pub skipped: u64,
}

impl super::Rows for Finance {
    fn rows(&self) -> usize {
        self.groups.len()
    }
}

pub fn draw(f: &mut Frame, r: &Report<Finance>, t: &Theme, area: Rect) {
    let Finance {
        as_of,
        groups,
        skipped,
    } = &r.data;
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
    // One line per group: its label, a bar scaled to the largest value (at least one cell for
    // any value above zero, so a small one still shows), and the figure beside the bar.
    const LABEL: usize = 16;
    let values: Vec<f64> = groups
        .iter()
        .map(|g| g.book_value.to_string().parse::<f64>().unwrap_or(0.0))
        .collect();
    let figures: Vec<String> = values.iter().map(|v| format!("{v:.0}")).collect();
    let figure_w = figures.iter().map(|s| s.len()).max().unwrap_or(1);
    let inner_w = chart.width.saturating_sub(2) as usize;
    let bar_w = inner_w.saturating_sub(LABEL + figure_w + 2).max(1);
    let max = values.iter().cloned().fold(0.0, f64::max);
    r.page.set((chart.height as usize).saturating_sub(2));
    let lines: Vec<Line> = groups
        .iter()
        .zip(values.iter().zip(&figures))
        .skip(r.scroll.min(r.max_scroll()))
        .map(|(g, (v, fig))| {
            let cells = if *v > 0.0 && max > 0.0 {
                ((v / max * bar_w as f64).round() as usize).clamp(1, bar_w)
            } else {
                0
            };
            Line::from(vec![
                Span::raw(format!(
                    " {:<w$} ",
                    fit(&format!("{} {}", g.group, g.currency), LABEL - 1),
                    w = LABEL - 1
                )),
                Span::styled("█".repeat(cells), t.fg(Color::Cyan)),
                Span::raw(format!(" {fig}")),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL)),
        chart,
    );
}

/// Compute the report on the worker (it reads every asset), then show it (in a new view, or
/// in the open one when `refresh`).
pub fn job(today: chrono::NaiveDate, refresh: bool) -> crate::tui::db::Job {
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
            Ok(d) if refresh => {
                if let Some(super::Screen::Finance(rep)) = app
                    .screens
                    .iter_mut()
                    .find(|s| matches!(s, super::Screen::Finance(_)))
                {
                    rep.replace(d);
                }
            }
            Ok(d) => app.screens.push(super::Screen::Finance(Report::new(d))),
            Err(e) => app.fail(e),
        })
    })
}
