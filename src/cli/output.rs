//! Printing for people and for scripts. Every untrusted string goes through `visible`; JSON
//! escapes what a terminal would act on; CSV to a terminal is shown visibly.

use anyhow::Result;
use itam::domain::text::visible;
use itam::domain::{AssetView, HistoryEntry};
use serde::Serialize;
use std::io::Write;

pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// Characters serde_json leaves raw but a terminal acts on: DEL, the C1 controls (U+009B is a
/// one-character CSI) and the bidi controls (U+202E reverses what a reader sees).
fn json_unsafe(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

/// serde_json's formatter (pretty or compact) with [`json_unsafe`] characters written as
/// `\uXXXX`: the same JSON to a parser, nothing a terminal will act on.
struct SafeJson<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if json_unsafe(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Pretty JSON with terminal-active characters escaped (every `--json` output goes through here).
pub fn to_writer_pretty<W: Write, T: Serialize + ?Sized>(w: W, v: &T) -> Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        w,
        SafeJson(serde_json::ser::PrettyFormatter::new()),
    );
    v.serialize(&mut ser)?;
    Ok(())
}

/// Compact JSON with terminal-active characters escaped.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(w: W, v: &T) -> Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(w, SafeJson(serde_json::ser::CompactFormatter));
    v.serialize(&mut ser)?;
    Ok(())
}

/// CSV (or any text) on its way to a terminal: each line shown with its control characters
/// made visible, so a cell holding an escape sequence, a CR or an OSC 52 clipboard write cannot
/// act on the terminal. Files and pipes get the bytes unchanged (this is only used on a tty).
pub struct TerminalSafe<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> TerminalSafe<W> {
    pub fn new(inner: W) -> Self {
        TerminalSafe {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, line: &[u8], newline: bool) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(line);
        let text = text.strip_suffix('\r').unwrap_or(&text);
        self.inner.write_all(visible(text).as_bytes())?;
        if newline {
            self.inner.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=i).collect();
            self.emit(&line[..line.len() - 1], true)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest, false)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for TerminalSafe<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map(|v| visible(v).into_owned())
        .unwrap_or_else(|| "-".into())
}

/// A date, amount or time, or `-`: their text is ours, nothing to make visible.
pub fn typed<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "-".into(), ToString::to_string)
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
        (Some(c), None) => c.to_string(),
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
        ("since", typed(&a.assigned_at)),
        ("due", typed(&a.due_date)),
        ("owner", opt(&a.owner)),
        ("supplier", opt(&a.supplier)),
        ("order", opt(&a.order_number)),
        ("purchased", typed(&a.purchase_date)),
        ("cost", cost),
        ("warranty until", typed(&a.warranty_until)),
        ("end of life", typed(&a.eol_date)),
        ("notes", opt(&a.notes)),
        ("last seen", typed(&a.last_seen_at)),
        ("created", a.created_at.to_string()),
        ("updated", a.updated_at.to_string()),
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
