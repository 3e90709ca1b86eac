//! Writing CSV that a spreadsheet cannot turn into a formula (OWASP's CSV injection advice).
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a
//! backtick, exactly as Snipe-IT escapes its own exports (league/csv's `EscapeFormula("`")`
//! in its ReportsController), so a file written by either program reads the same in the
//! other; itam's importer strips that prefix again ([`unescape_formula`]).

use std::borrow::Cow;
use std::io::Write;

/// The characters a spreadsheet starts a formula (or a DDE call) with.
pub const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// The prefix Snipe-IT puts in front of such a cell.
pub const ESCAPE: char = '`';

/// `cell`, with the escape in front when it starts like a formula.
pub fn escape_formula(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => {
            let mut s = String::with_capacity(cell.len() + 1);
            s.push(ESCAPE);
            s.push_str(cell);
            Cow::Owned(s)
        }
        _ => Cow::Borrowed(cell),
    }
}

/// `cell` without the escape that [`escape_formula`] (or Snipe-IT) added: a backtick followed
/// by a formula character. Any other backtick is text and is kept.
pub fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix(ESCAPE) {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// A CSV writer that escapes formula cells unless told not to.
pub struct CsvOut<W: Write> {
    w: csv::Writer<W>,
    escape: bool,
}

impl<W: Write> CsvOut<W> {
    pub fn new(out: W, escape: bool) -> Self {
        CsvOut {
            w: csv::Writer::from_writer(out),
            escape,
        }
    }

    /// One record; header records go through here too (a header can be user text: a field name).
    pub fn record<I, S>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if self.escape {
            for c in cells {
                self.w.write_field(escape_formula(c.as_ref()).as_ref())?;
            }
        } else {
            for c in cells {
                self.w.write_field(c.as_ref())?;
            }
        }
        self.w.write_record(None::<&[u8]>)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped_and_read_back() {
        for c in ["=1+2", "+1", "-3", "@SUM(A1)", "\tx", "\rx"] {
            let e = escape_formula(c);
            assert_eq!(e, format!("`{c}"));
            assert_eq!(unescape_formula(&e), c);
        }
        for c in ["plain", "", "1-2", "`quoted", "a=b"] {
            assert_eq!(escape_formula(c), c);
            assert_eq!(unescape_formula(c), c);
        }
        let mut buf = Vec::new();
        let mut w = CsvOut::new(&mut buf, true);
        w.record(["=HYPERLINK(\"x\")", "ok", "-5"]).unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "\"`=HYPERLINK(\"\"x\"\")\",ok,`-5\n"
        );
        let mut buf = Vec::new();
        let mut w = CsvOut::new(&mut buf, false);
        w.record(["=1"]).unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(String::from_utf8(buf).unwrap(), "=1\n");
    }
}
