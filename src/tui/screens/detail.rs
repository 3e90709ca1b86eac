//! One asset: its fields, its history (or its depreciation curve), and the actions on it. Each
//! action that writes goes through the database worker.

use super::forms::{Form, Open};
use super::picker::{Pick, Picker, Source};
use super::scan::receive::print_label;
use super::{Context, Effect, Screen};
use crate::domain::text::visible;
use crate::domain::{Action as LifecycleAction, AssetView, HistoryEntry};
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::DetailCmd;
use crate::tui::views::{fit, opt, Theme};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

#[derive(Debug)]
pub struct DetailState {
    pub asset: AssetView,
    pub history: Vec<HistoryEntry>,
    pub scroll: usize,
    /// Shown instead of the timeline when toggled.
    pub curve: Option<Curve>,
    /// Its custom field values and home location (issue 14), shown under the fixed fields.
    pub fields: Vec<crate::store::FieldValue>,
    pub home: Option<crate::store::HomeLocation>,
    /// Its ticket: the worker's reply (the value curve) finds this view by it.
    pub id: u64,
}

/// An asset's book value month by month over its life: (months since purchase, value), the
/// month of today, and the currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub points: Vec<(f64, f64)>,
    pub today: f64,
    pub currency: String,
    pub rule: String,
}

/// The detail screen for asset `id`, read now (the asset, its history, fields and home).
pub fn open(store: &Store, id: i64) -> Vec<Effect> {
    match DetailState::load(store, id) {
        Ok(d) => vec![Effect::Push(Screen::Detail(Box::new(d)))],
        Err(e) => vec![Effect::Fail(e.to_string())],
    }
}

impl DetailState {
    pub fn load(store: &Store, id: i64) -> crate::store::Result<DetailState> {
        Ok(DetailState {
            asset: store.asset_by_id(id)?,
            history: store.history_by_id(id)?,
            scroll: 0,
            curve: None,
            fields: store.asset_fields_by_id(id)?,
            home: crate::store::home_location(store.conn(), id)?,
            id: super::ticket(),
        })
    }

    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        let Some(cmd) = cx.keymap.detail.command(&k) else {
            return vec![];
        };
        let a = self.asset.clone();
        let tag = a.tag.clone();
        // An action the asset's status does not allow says why at once, before any picker or
        // form asks something that would only be refused at the end.
        let needs = match cmd {
            DetailCmd::Checkout => Some(LifecycleAction::CheckOut),
            DetailCmd::Checkin => Some(LifecycleAction::CheckIn),
            DetailCmd::Dispose => Some(LifecycleAction::Dispose),
            DetailCmd::Move | DetailCmd::Condition | DetailCmd::Edit => {
                Some(LifecycleAction::Modify)
            }
            _ => None,
        };
        if let Some(action) = needs {
            if let Err(e) = crate::domain::lifecycle::transition(a.status, action) {
                return vec![Effect::Fail(format!("{}: {e}", visible(&tag)))];
            }
        }
        let e = match cmd {
            DetailCmd::Back => Effect::Pop,
            DetailCmd::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                return vec![];
            }
            DetailCmd::Down => {
                self.scroll = (self.scroll + 1).min(self.history.len().saturating_sub(1));
                return vec![];
            }
            DetailCmd::Checkout => Effect::Pick(Source::People {
                title: "check out to whom?".into(),
                then: Box::new(move |people| Pick::CheckoutTo { tag, people }),
            }),
            // Starts on the grade on record: enter keeps it.
            DetailCmd::Checkin => Effect::Push(Screen::Picker(Picker::grades(
                Pick::CheckinGrade { tag },
                a.condition,
            ))),
            DetailCmd::Condition => Effect::Push(Screen::Picker(Picker::grades(
                Pick::SetGrade { tag },
                a.condition,
            ))),
            DetailCmd::Move => Effect::Pick(Source::Locations {
                title: "to which location?".into(),
                then: Box::new(move |codes| Pick::MoveTo { tag, codes }),
            }),
            DetailCmd::Status => Effect::Push(Screen::Picker(Picker::statuses(tag, a.status))),
            DetailCmd::Edit => Effect::Form(Open::EditAsset {
                home: self.home.as_ref().map(|h| h.code.clone()),
                values: self.fields.clone(),
                asset: Box::new(a),
            }),
            DetailCmd::Dispose => Effect::Push(Screen::Form(Form::dispose(&a))),
            DetailCmd::Label => {
                // A printer that does not answer holds the worker, never the screen.
                let labels = cx.settings.labels.clone();
                let say = Effect::Say(format!("printing the label for {tag}…"));
                let job: crate::tui::db::Job = Box::new(move |_, _| {
                    let r = print_label(&a, &labels);
                    Box::new(move |app: &mut App| match r {
                        Ok(to) => app.say(format!("label for {tag} sent to {to}")),
                        Err(e) => app.fail(e),
                    })
                });
                return vec![say, Effect::Write(job)];
            }
            DetailCmd::Curve => {
                if self.curve.is_some() {
                    self.curve = None;
                    return vec![];
                }
                let today = cx.today();
                let id = self.id;
                Effect::Write(Box::new(move |store, _| {
                    let r = curve(store, &tag, today);
                    Box::new(move |app: &mut App| match r {
                        Ok(c) => {
                            if let Some(Screen::Detail(d)) = app.find(id) {
                                d.curve = Some(c);
                            }
                        }
                        Err(e) => app.fail(e),
                    })
                }))
            }
            DetailCmd::Person => match a.assignee {
                Some(u) => Effect::OpenPerson(u),
                None => Effect::Say("not checked out to anyone".into()),
            },
            DetailCmd::Help => Effect::Help,
            DetailCmd::Messages => Effect::Messages,
            DetailCmd::Quit => Effect::Quit,
        };
        vec![e]
    }
}

/// Book value at each month of the asset's life, for the detail view's chart.
fn curve(store: &Store, tag: &str, today: chrono::NaiveDate) -> Result<Curve, String> {
    use chrono::{Datelike, Months};
    let a = store.asset(tag).map_err(|e| e.to_string())?;
    let purchased = a
        .purchase_date
        .ok_or_else(|| format!("{} has no purchase date: nothing to depreciate", a.tag))?;
    if a.purchase_cost.is_none() {
        return Err(format!(
            "{} has no purchase cost: nothing to depreciate",
            a.tag
        ));
    }
    let first = store
        .book_value(tag, purchased)
        .map_err(|e| e.to_string())?;
    let end = first.value.end_of_life;
    let mut points = Vec::new();
    let mut m = 0u32;
    while let Some(d) = purchased.checked_add_months(Months::new(m)) {
        let v = store.book_value(tag, d).map_err(|e| e.to_string())?;
        points.push((
            f64::from(m),
            v.value.book_value.to_string().parse::<f64>().unwrap_or(0.0),
        ));
        if d > end || m > 240 {
            break;
        }
        m += 1;
    }
    let months =
        (today.year() - purchased.year()) * 12 + today.month() as i32 - purchased.month() as i32;
    Ok(Curve {
        points,
        today: f64::from(months.max(0)),
        currency: first.currency,
        rule: method_name(first.rule.method).to_string(),
    })
}

/// A depreciation method as an accountant names it.
fn method_name(m: crate::domain::depreciation::Method) -> &'static str {
    use crate::domain::depreciation::Method;
    match m {
        Method::StraightLine => "straight line",
        Method::Declining150 => "150% declining balance",
        Method::Declining200 => "double declining balance",
        Method::SumOfYears => "sum of the years' digits",
    }
}

pub(crate) fn kv<'a>(k: &'a str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{k:>13} "),
            Style::default().add_modifier(Modifier::DIM),
        ),
        Span::raw(v),
    ])
}

pub fn draw(f: &mut Frame, d: &DetailState, t: &Theme, area: Rect) {
    let a = &d.asset;
    // The home location and custom fields follow the fixed fields, two to a row, and only
    // when the asset has any: most assets keep the compact layout.
    let mut extra: Vec<(String, String)> = Vec::new();
    if let Some(h) = &d.home {
        extra.push(("home".into(), format!("{} {}", h.code, h.name)));
    }
    for v in &d.fields {
        extra.push((v.name.clone(), v.value.clone()));
    }
    let extra_rows = extra.len().div_ceil(2) as u16;
    let [fields, timeline] =
        Layout::vertical([Constraint::Length(11 + extra_rows), Constraint::Min(3)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(fields);
    let w = (left.width as usize).saturating_sub(16);
    let who = match (&a.assignee, &a.assignee_name) {
        (Some(u), Some(n)) => fit(&format!("{u} ({n})"), w),
        _ => "-".into(),
    };
    let place = match (&a.location, &a.location_name) {
        (Some(c), Some(n)) => fit(&format!("{c} {n}"), w),
        _ => "-".into(),
    };
    let cost = match (&a.purchase_cost, &a.currency) {
        (Some(c), Some(cur)) => format!("{c} {cur}"),
        (Some(c), None) => c.to_string(),
        _ => "-".into(),
    };
    let status_line = Line::from(vec![
        Span::styled(
            format!("{:>13} ", "status"),
            Style::default().add_modifier(Modifier::DIM),
        ),
        Span::styled(
            a.status.as_str().to_string(),
            t.status(a.status).add_modifier(Modifier::BOLD),
        ),
    ]);
    let mut l = vec![
        kv("tag", fit(&a.tag, w)),
        kv("serial", opt(&a.serial, w)),
        kv("name", opt(&a.name, w)),
        kv("model", opt(&a.model, w)),
        kv("manufacturer", opt(&a.manufacturer, w)),
        kv("category", opt(&a.category, w)),
        status_line,
        kv("condition", a.condition.to_string()),
        kv("location", place),
        kv("assignee", who),
        kv(
            "since",
            opt(&a.assigned_at.as_ref().map(|s| s.to_minute()), w),
        ),
    ];
    let mut r = vec![
        kv("owner", opt(&a.owner, w)),
        kv("supplier", opt(&a.supplier, w)),
        kv("order", opt(&a.order_number, w)),
        kv("purchased", opt(&a.purchase_date.map(|d| d.to_string()), w)),
        kv("cost", cost),
        kv("warranty", opt(&a.warranty_until.map(|d| d.to_string()), w)),
        kv("end of life", opt(&a.eol_date.map(|d| d.to_string()), w)),
        kv("due back", opt(&a.due_date.map(|d| d.to_string()), w)),
        kv(
            "last seen",
            opt(&a.last_seen_at.as_ref().map(|s| s.to_minute()), w),
        ),
        kv("notes", opt(&a.notes, w)),
        kv("updated", a.updated_at.to_minute()),
    ];
    for (i, (name, value)) in extra.iter().enumerate() {
        let line = Line::from(vec![
            Span::styled(
                format!("{:>13} ", fit(&visible(name), 13)),
                Style::default().add_modifier(Modifier::DIM),
            ),
            Span::raw(fit(&visible(value), w)),
        ]);
        if i % 2 == 0 {
            l.push(line);
        } else {
            r.push(line);
        }
    }
    f.render_widget(Paragraph::new(l), left);
    f.render_widget(Paragraph::new(r), right);
    let inner_w = timeline.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = d
        .history
        .iter()
        .rev()
        .skip(d.scroll)
        .map(|h| {
            let when: String = h.at.chars().take(16).collect::<String>().replace('T', " ");
            let change = summarize(&h.before, &h.after);
            let note = h
                .note
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            Line::raw(fit(
                &format!(
                    "{when} {:<8} {:<9} {change}{note}",
                    fit(&h.actor, 8),
                    h.kind
                ),
                inner_w,
            ))
        })
        .collect();
    if let Some(c) = &d.curve {
        return draw_curve(f, c, t, timeline);
    }
    let title = format!(
        " timeline, newest first ({} events) — d: depreciation curve ",
        d.history.len()
    );
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(title)),
        timeline,
    );
}

/// Book value over the asset's life, with today marked by a vertical line of its own.
fn draw_curve(f: &mut Frame, c: &Curve, t: &Theme, area: Rect) {
    use ratatui::symbols::Marker;
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let max_x = c.points.last().map(|p| p.0).unwrap_or(1.0).max(1.0);
    let max_y = c.points.iter().map(|p| p.1).fold(1.0, f64::max);
    let today_x = c.today.min(max_x);
    let today_line = vec![(today_x, 0.0), (today_x, max_y)];
    let value_now = c
        .points
        .iter()
        .rev()
        .find(|p| p.0 <= today_x)
        .map(|p| p.1)
        .unwrap_or(0.0);
    let datasets = vec![
        Dataset::default()
            .name(format!("book value ({})", c.currency))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.fg(Color::Cyan))
            .data(&c.points),
        Dataset::default()
            .name(format!("today: {value_now:.2}"))
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(t.fg(Color::Yellow).add_modifier(Modifier::BOLD))
            .data(&today_line),
    ];
    let chart = Chart::new(datasets)
        .block(Block::default().borders(Borders::TOP).title(format!(
            " depreciation: {} · book value today {value_now:.2} {} — d: timeline ",
            c.rule, c.currency
        )))
        .x_axis(
            Axis::default()
                .title("months")
                .bounds([0.0, max_x])
                .labels(vec![Span::raw("0"), Span::raw(format!("{max_x:.0}"))]),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, max_y])
                .labels(vec![Span::raw("0"), Span::raw(format!("{max_y:.0}"))]),
        );
    f.render_widget(chart, area);
}

/// `status in_stock→deployed, assignee →jdoe` from before/after JSON.
fn summarize(before: &serde_json::Value, after: &serde_json::Value) -> String {
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "∅".into(),
        Some(other) => other.to_string(),
    };
    match after.as_object() {
        Some(m) if before.is_null() => {
            let keys = ["status", "condition", "location", "model"];
            keys.iter()
                .filter_map(|k| m.get(*k).map(|v| format!("{k}={}", text(Some(v)))))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Some(m) => m
            .iter()
            .map(|(k, v)| match (k.as_str(), v.as_object()) {
                // A custom field change reads like any other field: `RAM ∅→16`.
                ("fields", Some(f)) => f
                    .iter()
                    .map(|(n, nv)| {
                        let old = before.get(k).and_then(|b| b.get(n));
                        format!("{n} {}→{}", text(old), text(Some(nv)))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                ("home_location", _) => {
                    format!("home {}→{}", text(before.get(k)), text(Some(v)))
                }
                _ => format!("{k} {}→{}", text(before.get(k)), text(Some(v))),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => String::new(),
    }
}
