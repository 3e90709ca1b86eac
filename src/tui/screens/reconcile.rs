//! An audit's reconciliation, opened when the audit closes: every expected, found, missing,
//! unexpected, moved and unknown item with its model and holder, scrollable, and one key that
//! writes it to a CSV file.

use super::Effect;
use crate::domain::text::visible;
use crate::domain::AssetView;
use crate::interop::csvout::escape_formula;
use crate::store::outfile::{write_all, OutOptions};
use crate::store::AuditReport;
use crate::tui::keymap::ReconcileCmd;
use crate::tui::views::{fit, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

#[derive(Debug)]
pub struct Reconcile {
    pub report: AuditReport,
    pub scroll: usize,
    /// Rows the body showed at the last draw, for paging.
    pub page: usize,
}

/// One line of the reconciliation: section, the asset (or an unknown code).
struct Item<'a> {
    section: &'static str,
    asset: Option<&'a AssetView>,
    code: &'a str,
}

impl Reconcile {
    pub fn new(report: AuditReport) -> Reconcile {
        Reconcile {
            report,
            scroll: 0,
            page: 10,
        }
    }

    /// The furthest the list scrolls: its last page full, never blank rows past the end.
    fn last_scroll(&self) -> usize {
        self.items().len().saturating_sub(self.page.max(1))
    }

    fn items(&self) -> Vec<Item<'_>> {
        let r = &self.report;
        let mut out = Vec::new();
        for (section, list) in [
            ("MISSING", &r.missing),
            ("UNEXPECTED", &r.unexpected),
            ("MOVED", &r.moved),
            ("FOUND", &r.found),
        ] {
            out.extend(list.iter().map(|a| Item {
                section,
                asset: Some(a),
                code: a.tag.as_str(),
            }));
        }
        out.extend(r.unknown.iter().map(|c| Item {
            section: "UNKNOWN",
            asset: None,
            code: c.as_str(),
        }));
        out
    }

    pub fn key(&mut self, cx: &super::Context, k: KeyEvent) -> Vec<Effect> {
        let page = self.page.max(1);
        let last = self.last_scroll();
        match cx.keymap.reconcile.command(&k) {
            Some(ReconcileCmd::Back) => return vec![Effect::Pop],
            Some(ReconcileCmd::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(ReconcileCmd::Down) => self.scroll = (self.scroll + 1).min(last),
            Some(ReconcileCmd::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Some(ReconcileCmd::PageDown) => self.scroll = (self.scroll + page).min(last),
            Some(ReconcileCmd::Top) => self.scroll = 0,
            Some(ReconcileCmd::Bottom) => self.scroll = last,
            Some(ReconcileCmd::Csv) => {
                return vec![match self.write_csv(std::path::Path::new(".")) {
                    Ok(p) => Effect::Say(format!("reconciliation written to {}", p.display())),
                    Err(e) => Effect::Fail(format!("could not write the CSV: {e}")),
                }]
            }
            Some(ReconcileCmd::Help) => return vec![Effect::Help],
            Some(ReconcileCmd::Quit) => return vec![Effect::Quit],
            None => {}
        }
        vec![]
    }

    /// `audit-ID.csv` in `dir` (or `audit-ID-2.csv`…, never over a file), written whole
    /// through the shared output-file writer, with formula cells escaped.
    pub fn write_csv(&self, dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        let id = self.report.audit.id;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| std::io::Error::other(e.to_string());
        w.write_record([
            "audit",
            "location",
            "result",
            "tag",
            "name",
            "model",
            "holder",
            "recorded_at",
        ])
        .map_err(io)?;
        for it in self.items() {
            let a = it.asset;
            let field = |f: fn(&AssetView) -> Option<&str>| a.and_then(f).unwrap_or("").to_string();
            // Names and codes are untrusted text: a cell that starts like a formula is escaped
            // as every other CSV itam writes.
            let cells = [
                id.to_string(),
                self.report.audit.location.clone(),
                it.section.to_ascii_lowercase(),
                it.code.to_string(),
                field(|a| a.name.as_deref()),
                field(|a| a.model.as_deref()),
                field(|a| a.assignee.as_deref()),
                field(|a| a.location.as_deref()),
            ];
            w.write_record(cells.iter().map(|c| escape_formula(c).into_owned()))
                .map_err(io)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut n = 1;
        let path = loop {
            let name = if n == 1 {
                format!("audit-{id}.csv")
            } else {
                format!("audit-{id}-{n}.csv")
            };
            let p = dir.join(name);
            if !p.exists() {
                break p;
            }
            n += 1;
        };
        // The shared writer: whole or not at all, never over a file that appeared meanwhile,
        // never readable by others.
        write_all(
            &path,
            &bytes,
            &OutOptions {
                force: false,
                database: None,
            },
        )
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(path)
    }
}

pub fn draw(f: &mut Frame, r: &mut Reconcile, t: &Theme, area: Rect) {
    let rep = &r.report;
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = vec![
        Line::styled(
            fit(
                &format!(
                    " audit {} at {} ({}) closed",
                    rep.audit.id,
                    visible(&rep.audit.location),
                    visible(&rep.audit.location_name)
                ),
                w,
            ),
            t.title(),
        ),
        Line::raw(fit(
            &format!(
                " expected {} · found {} · missing {} · unexpected {} · moved {} · unknown {}",
                rep.expected,
                rep.found.len() + rep.moved.len(),
                rep.missing.len(),
                rep.unexpected.len(),
                rep.moved.len(),
                rep.unknown.len()
            ),
            w,
        )),
        Line::styled(
            fit(
                &format!(
                    " {:<11}{:<14}{:<28}{}",
                    "result", "tag", "model / name", "holder or recorded at"
                ),
                w,
            ),
            Style::default().add_modifier(Modifier::UNDERLINED),
        ),
    ];
    let body = area.height.saturating_sub(2 + lines.len() as u16) as usize;
    r.page = body.max(1);
    // A taller terminal after a resize shows the last page full too.
    r.scroll = r.scroll.min(r.last_scroll());
    let r = &*r;
    let items = r.items();
    for it in items.iter().skip(r.scroll).take(body) {
        let (name, who) = match it.asset {
            Some(a) => (
                a.display_name().to_string(),
                a.assignee
                    .as_deref()
                    .map(|u| format!("@{u}"))
                    .or_else(|| a.location.clone())
                    .unwrap_or_default(),
            ),
            None => ("(no asset has this code)".to_string(), String::new()),
        };
        let text = fit(
            &format!(
                " {:<11}{:<14}{:<28}{}",
                it.section,
                fit(it.code, 13),
                fit(&name, 27),
                visible(&who)
            ),
            w,
        );
        lines.push(match it.section {
            "MISSING" | "UNKNOWN" => Line::styled(text, t.error()),
            "UNEXPECTED" => Line::styled(text, t.warn()),
            _ => Line::raw(text),
        });
    }
    let shown_to = (r.scroll + body).min(items.len());
    let title = format!(
        " reconciliation — {}–{} of {} ",
        (r.scroll + 1).min(items.len()),
        shown_to,
        items.len()
    );
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}
