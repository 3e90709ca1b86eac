//! Printing for people and for scripts. Every untrusted string goes through `visible`.

use anyhow::Result;
use itam::domain::text::visible;
use itam::domain::{AssetView, HistoryEntry};
use serde::Serialize;
use std::io::Write;

pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map(|v| visible(v).into_owned())
        .unwrap_or_else(|| "-".into())
}

/// `show` in text: one field per line, aligned.
pub fn asset_text(a: &AssetView, disposal: Option<&serde_json::Value>) -> String {
    let who = match (&a.assignee, &a.assignee_name) {
        (Some(u), Some(n)) => format!("{} ({})", visible(u), visible(n)),
        (Some(u), None) => visible(u).into_owned(),
        _ => "-".into(),
    };
    let place = match (&a.location, &a.location_name) {
        (Some(c), Some(n)) => format!("{} ({})", visible(c), visible(n)),
        _ => "-".into(),
    };
    let cost = match (&a.purchase_cost, &a.currency) {
        (Some(c), Some(cur)) => format!("{c} {cur}"),
        (Some(c), None) => c.clone(),
        _ => "-".into(),
    };
    let mut rows: Vec<(&str, String)> = vec![
        ("tag", visible(&a.tag).into_owned()),
        ("serial", opt(&a.serial)),
        ("name", opt(&a.name)),
        ("model", opt(&a.model)),
        ("manufacturer", opt(&a.manufacturer)),
        ("category", opt(&a.category)),
        ("status", a.status.to_string()),
        ("condition", a.condition.to_string()),
        ("location", place),
        ("assignee", who),
        ("since", opt(&a.assigned_at)),
        ("due", opt(&a.due_date)),
        ("owner", opt(&a.owner)),
        ("supplier", opt(&a.supplier)),
        ("order", opt(&a.order_number)),
        ("purchased", opt(&a.purchase_date)),
        ("cost", cost),
        ("warranty until", opt(&a.warranty_until)),
        ("end of life", opt(&a.eol_date)),
        ("notes", opt(&a.notes)),
        ("last seen", opt(&a.last_seen_at)),
        ("created", a.created_at.clone()),
        ("updated", a.updated_at.clone()),
    ];
    if let Some(d) = disposal {
        let f = |k: &str| {
            d.get(k)
                .and_then(|v| v.as_str())
                .map(|s| visible(s).into_owned())
                .unwrap_or_else(|| "-".into())
        };
        rows.push((
            "disposed",
            format!(
                "{} on {} (wipe: {}, certificate: {})",
                f("method"),
                f("date"),
                f("wipe"),
                f("certificate")
            ),
        ));
        rows.push(("proceeds", f("proceeds")));
        rows.push(("recipient", f("recipient")));
    }
    let mut s = String::new();
    for (k, v) in rows {
        s.push_str(&format!("{k:>15}  {v}\n"));
    }
    s
}

/// One line per asset for `find` and lists: tag, status, assignee/location, name.
pub fn asset_line(a: &AssetView) -> String {
    let place = a
        .assignee
        .as_deref()
        .map(|u| format!("@{}", visible(u)))
        .or_else(|| a.location.as_deref().map(|l| visible(l).into_owned()))
        .unwrap_or_else(|| "-".into());
    format!(
        "{:<14} {:<10} {:<16} {}",
        visible(&a.tag),
        a.status.as_str(),
        place,
        visible(a.display_name())
    )
}

fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={}", visible(s)),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => visible(&other.to_string()).into_owned(),
    }
}

pub fn history_line(h: &HistoryEntry) -> String {
    let change = match (compact(&h.before), compact(&h.after)) {
        (b, a) if b.is_empty() => a,
        (b, a) => format!("{b} -> {a}"),
    };
    let note = h
        .note
        .as_deref()
        .map(|n| format!("  \"{}\"", visible(n)))
        .unwrap_or_default();
    format!(
        "{}  {:<10} {:<10} {}{}",
        h.at,
        visible(&h.actor),
        h.kind,
        change,
        note
    )
}
