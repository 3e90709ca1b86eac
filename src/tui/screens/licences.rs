//! Licences: seats owned against seats assigned, over-deployment first in red, renewals due.
//! The figures are computed on the database worker when the view opens. A licence with match
//! rules (`itam licence match`) also shows on how many devices the feeds report it installed.

use super::Report;
use crate::tui::views::{fit, Theme};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::collections::HashMap;

/// The licence report, and the devices each licence with match rules is installed on.
#[derive(Debug)]
pub struct Licences {
    pub report: crate::store::LicenceReport,
    pub installed: HashMap<i64, i64>,
}

impl super::Rows for Licences {
    fn rows(&self) -> usize {
        self.report.licences.len()
    }
}

pub fn draw(f: &mut Frame, r: &Report<Licences>, t: &Theme, area: Rect) {
    let rep = &r.data.report;
    let w = area.width as usize;
    let mut lines = vec![
        Line::styled(
            format!(
                " {} licences · {} over-deployed · as of {}",
                rep.licences.len(),
                rep.over_deployed,
                rep.as_of
            ),
            t.title(),
        ),
        Line::raw(""),
    ];
    // The header takes two lines and the border two.
    r.page.set((area.height as usize).saturating_sub(4));
    for l in rep.licences.iter().skip(r.scroll.min(r.max_scroll())) {
        // The bar: ▇ for seats in use, · for free; past the seats owned, ! marks each seat
        // over, so over-deployment shows in monochrome too.
        let bar = match l.owned {
            Some(owned) if owned > 0 => {
                let width = 20usize;
                let used = ((l.assigned.min(owned) as usize * width) / owned as usize).min(width);
                let over = if l.assigned > owned {
                    "!!".to_string()
                } else {
                    String::new()
                };
                format!("[{}{}]{over}", "▇".repeat(used), "·".repeat(width - used))
            }
            Some(_) => "[no seats owned]".to_string(),
            None => "[unlimited]".to_string(),
        };
        let seats = match l.owned {
            Some(o) => format!("{}/{o}", l.assigned),
            None => format!("{}/∞", l.assigned),
        };
        let flag = if l.flagged {
            format!(" OVER BY {}", l.over_deployed)
        } else {
            String::new()
        };
        let renew = if l.expired {
            format!(
                " EXPIRED {}",
                l.renewal.map(|d| d.to_string()).unwrap_or_default()
            )
        } else {
            l.renewal_window
                .map(|d| format!(" renews ≤{d}d"))
                .unwrap_or_default()
        };
        let installed = r
            .data
            .installed
            .get(&l.id)
            .map(|n| format!(" {n:>5} installed"))
            .unwrap_or_default();
        let text = fit(
            &format!(
                " {:<24} {bar:<24} {seats:>8}{installed}{flag}{renew}",
                fit(&l.product, 24)
            ),
            w,
        );
        lines.push(if l.flagged {
            Line::styled(text, t.error())
        } else if l.expired {
            Line::styled(text, t.dim())
        } else {
            Line::raw(text)
        });
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" licences ")),
        area,
    );
}

/// Compute the report on the worker, then show it (in a new view, or in the open one when
/// `refresh`). Over-deployed licences come first, the worst first; the rest keep the
/// report's order.
pub fn job(today: chrono::NaiveDate, refresh: bool) -> crate::tui::db::Job {
    Box::new(move |store, _| {
        let r = store.licence_report(today).and_then(|mut report| {
            report
                .licences
                .sort_by_key(|l| (!l.flagged, std::cmp::Reverse(l.over_deployed)));
            let end_of_day = format!("{}T23:59:59.999Z", today.format("%Y-%m-%d"));
            let installed = store
                .compliance(&end_of_day, 90)?
                .licences
                .into_iter()
                .filter_map(|l| Some((l.licence_id, l.devices_installed?)))
                .collect();
            Ok(Licences { report, installed })
        });
        let r = r.map_err(|e| e.to_string());
        Box::new(move |app: &mut crate::tui::app::App| match r {
            Ok(d) if refresh => {
                if let Some(super::Screen::Licences(rep)) = app
                    .screens
                    .iter_mut()
                    .find(|s| matches!(s, super::Screen::Licences(_)))
                {
                    rep.replace(d);
                }
            }
            Ok(d) => app.screens.push(super::Screen::Licences(Report::new(d))),
            Err(e) => app.fail(e),
        })
    })
}
