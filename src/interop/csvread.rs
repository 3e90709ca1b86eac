//! Reading a file as a table: byte-order marks, UTF-8 or Windows-1252, CR/LF/CRLF line endings,
//! quoted fields (commas, doubled quotes, newlines), and JSON or JSON-lines objects.
//!
//! Every row keeps the line it started on so that errors can name it.

use super::InteropError;
use serde_json::Value;
use std::borrow::Cow;

/// A file's text and what had to be done to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// e.g. "the file is not UTF-8: read as Windows-1252"
    pub warnings: Vec<String>,
}

/// Decode bytes: a UTF-8 (or UTF-16) byte-order mark is honoured and removed; text that is not
/// valid UTF-8 is read as Windows-1252 (what Excel writes on Windows), with a warning.
pub fn decode(bytes: &[u8]) -> Decoded {
    let mut warnings = Vec::new();
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if enc != encoding_rs::UTF_8 {
            warnings.push(format!("the file is {}: converted to UTF-8", enc.name()));
        }
        if had_errors {
            warnings.push(format!(
                "the file has bytes that are not valid {}: they were replaced with \u{FFFD}",
                enc.name()
            ));
        }
        return Decoded {
            text: text.into_owned(),
            warnings,
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded {
            text: s.to_string(),
            warnings,
        },
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            warnings.push(
                "the file is not UTF-8: it was read as Windows-1252 (check accented letters)"
                    .to_string(),
            );
            Decoded {
                text: text.into_owned(),
                warnings,
            }
        }
    }
}

/// CRLF and lone CR become LF, so old Mac (CR-only) files read as lines and line numbers count.
pub fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One data row: where it starts in the file and its fields in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    /// A few allocations per row, not one per field: a 100,000-row Snipe-IT file has 3 million.
    pub fields: csv::StringRecord,
}

/// A file read as a table of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// What `Row::line` counts: "line" for CSV and JSON lines, "record" for a JSON array.
    pub unit: &'static str,
}

/// Parse CSV text (already decoded). Blank lines are skipped; short rows are padded.
pub fn read_csv(text: &str) -> Result<Table, InteropError> {
    let text = normalize_newlines(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|h| h.trim().to_string()).collect(),
        Some(Err(e)) => return Err(InteropError::Csv(format!("line 1: {e}"))),
        None => return Err(InteropError::Empty),
    };
    let mut rows = Vec::new();
    // Line numbers counted from byte offsets (the csv crate does not count blank lines).
    let bytes = text.as_bytes();
    let (mut scanned, mut line_at) = (0usize, 1u64);
    let mut line_of = |offset: usize| {
        // A record never starts with a newline: the position may sit before skipped blank lines.
        let mut end = offset.min(bytes.len());
        while end < bytes.len() && bytes[end] == b'\n' {
            end += 1;
        }
        if end > scanned {
            line_at += bytes[scanned..end].iter().filter(|&&b| b == b'\n').count() as u64;
            scanned = end;
        }
        line_at
    };
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            InteropError::Csv(format!("line {line}: {e}"))
        })?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = rec
            .position()
            .map(|p| line_of(p.byte() as usize))
            .unwrap_or(0);
        let mut fields = rec;
        while fields.len() < headers.len() {
            fields.push_field("");
        }
        rows.push(Row { line, fields });
    }
    Ok(Table {
        headers,
        rows,
        unit: "line",
    })
}

fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn objects_to_table(
    objects: Vec<(u64, serde_json::Map<String, Value>)>,
    unit: &'static str,
) -> Table {
    let mut headers: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (_, o) in &objects {
        for k in o.keys() {
            if !index.contains_key(k) {
                index.insert(k.clone(), headers.len());
                headers.push(k.clone());
            }
        }
    }
    let rows = objects
        .into_iter()
        .map(|(line, o)| {
            let mut fields = vec![String::new(); headers.len()];
            for (k, v) in &o {
                if let Some(&i) = index.get(k) {
                    fields[i] = json_text(v);
                }
            }
            Row {
                line,
                fields: csv::StringRecord::from(fields),
            }
        })
        .collect();
    Table {
        headers,
        rows,
        unit,
    }
}

/// A JSON array of objects (keys are the headers). Rows are numbered by record (1-based).
pub fn read_json(text: &str) -> Result<Table, InteropError> {
    let v: Value = serde_json::from_str(text).map_err(|e| InteropError::Json {
        line: e.line() as u64,
        message: e.to_string(),
    })?;
    let Value::Array(items) = v else {
        return Err(InteropError::Json {
            line: 1,
            message: "expected an array of objects ([{...}, ...])".into(),
        });
    };
    let mut objects = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(o) => objects.push((i as u64 + 1, o)),
            _ => {
                return Err(InteropError::Json {
                    line: i as u64 + 1,
                    message: format!("record {} is not an object", i + 1),
                })
            }
        }
    }
    Ok(objects_to_table(objects, "record"))
}

/// JSON lines: one object per line; blank lines are skipped.
pub fn read_jsonl(text: &str) -> Result<Table, InteropError> {
    let mut objects = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(o)) => objects.push((line_no, o)),
            Ok(_) => {
                return Err(InteropError::Json {
                    line: line_no,
                    message: "not a JSON object".into(),
                })
            }
            Err(e) => {
                return Err(InteropError::Json {
                    line: line_no,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(objects_to_table(objects, "line"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_removed_and_utf8_kept() {
        let d = decode(b"\xEF\xBB\xBFTag,Name\nA,\xC3\xA9");
        assert_eq!(d.text, "Tag,Name\nA,é");
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn windows_1252_is_decoded_with_a_warning() {
        let d = decode(b"Name\nCaf\xE9 \x80");
        assert_eq!(d.text, "Name\nCafé €");
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn line_endings_are_normalised() {
        assert_eq!(normalize_newlines("a\rb\r\nc\n"), "a\nb\nc\n");
    }

    #[test]
    fn cr_only_csv_reads_with_line_numbers() {
        let t = read_csv("h1,h2\r1,2\r\r3,\"x\ry\"\r4,5").unwrap();
        assert_eq!(t.headers, ["h1", "h2"]);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].fields, vec!["3", "x\ny"]);
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(t.rows[2].line, 6);
    }

    #[test]
    fn quoted_commas_and_doubled_quotes() {
        let t = read_csv("a,b\n\"x, y\",\"Macbook Pro 13\"\"\"\n").unwrap();
        assert_eq!(t.rows[0].fields, vec!["x, y", "Macbook Pro 13\""]);
    }

    #[test]
    fn json_and_jsonl() {
        let t = read_json(r#"[{"tag":"A","cost":12.5},{"tag":"B","serial":null}]"#).unwrap();
        assert_eq!(t.headers, ["cost", "tag", "serial"]);
        assert_eq!(t.rows[0].fields, vec!["12.5", "A", ""]);
        let t = read_jsonl("{\"tag\":\"A\"}\n\n{\"tag\":\"B\"}\n").unwrap();
        assert_eq!(t.rows[1].line, 3);
        assert!(read_jsonl("{\"tag\":\n").is_err());
    }
}
