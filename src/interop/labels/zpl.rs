//! ZPL II for Zebra printers: one `^XA ... ^XZ` block per label.
//!
//! # Escaping
//!
//! Every text field is written after `^FH_`, so `_` followed by two hex digits is one byte.
//! Text is first made visible ([`crate::domain::text::visible`]: control characters become `^[`
//! and the like, bidi overrides `<U+202E>`), then:
//! - `^` (starts a format command), `~` (starts a control command, even inside field data) and
//!   `_` (our hex escape) become `_5E`, `_7E`, `_5F`;
//! - any other non-ASCII character becomes its UTF-8 bytes as `_XX` (the label selects UTF-8
//!   with `^CI28`, so the printer reassembles the character);
//! - printable ASCII stays as it is.
//!
//! So no byte of untrusted text can end a field or start a command. In the Code 128 field the
//! printer also reads `>` as the start of an invocation code, so a literal `>` there is `><`, and
//! code set changes are written as the invocation codes for the symbols our encoder chose
//! (`>:` start B, `>;` start C, `>5` to C, `>6` to B), so the printed bars are the SVG's bars.

use super::code128::{self, CODE_B, CODE_C, START_B, START_C};
use super::{Label, Layout};
use crate::domain::text::visible;
use std::fmt::Write as _;

/// Text for a `^FH_` field (see the module docs for the scheme).
pub fn escape_field(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '^' | '~' | '_' => {
                let _ = write!(out, "_{:02X}", c as u32);
            }
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "_{b:02X}");
                }
            }
        }
    }
    out
}

/// The `^BC` field data for the symbols our encoder chose: start and switch codes as ZPL
/// invocation codes, set B characters escaped, set C as digit pairs.
fn barcode_data(code: &str) -> String {
    // The layout already encoded this code, so it cannot fail here; fall back to plain set B
    // data (the printer then picks its own start) rather than panic.
    let Ok(symbols) = code128::symbols(code) else {
        return escape_field(code);
    };
    let mut out = String::new();
    let mut in_c = false;
    for s in symbols {
        match s {
            START_B => out.push_str(">:"),
            START_C => {
                out.push_str(">;");
                in_c = true;
            }
            CODE_C if !in_c => {
                out.push_str(">5");
                in_c = true;
            }
            CODE_B if in_c => {
                out.push_str(">6");
                in_c = false;
            }
            v if in_c => {
                let _ = write!(out, "{v:02}");
            }
            v => match char::from(v + b' ') {
                '>' => out.push_str("><"),
                c => out.push_str(&escape_field(c.encode_utf8(&mut [0u8; 4]))),
            },
        }
    }
    out
}

/// One label in ZPL II. Lines end with `\n` (ignored by the printer between commands) so the
/// file reads well and diffs cleanly.
pub fn label(l: &Label, lay: &Layout) -> String {
    let mut z = String::new();
    let mut line = |s: String| {
        z.push_str(&s);
        z.push('\n');
    };
    line("^XA".into());
    // UTF-8 for the `_XX` bytes of non-ASCII text; label size; home at the top left.
    line("^CI28".into());
    line(format!("^PW{}", lay.width));
    line(format!("^LL{}", lay.height));
    line("^LH0,0".into());
    // Code 128: no interpretation line (we print the tag ourselves, in a bigger font), no
    // check digit beyond the mandatory one, our own start/switch codes (mode N).
    line(format!(
        "^FO{},{}^BY{}^BCN,{},N,N,N^FH_^FD{}^FS",
        lay.bar_x,
        lay.bar_y,
        lay.module,
        lay.bar_h,
        barcode_data(&l.code)
    ));
    line(format!(
        "^FO{},{}^FB{},1,0,C,0^A0N,{},{}^FH_^FD{}^FS",
        lay.text_x,
        lay.code_y,
        lay.text_w,
        lay.code_h,
        lay.code_h,
        escape_field(&l.code)
    ));
    for (i, t) in (0u32..).zip(&lay.title) {
        line(format!(
            "^FO{},{}^FB{},1,0,C,0^A0N,{},{}^FH_^FD{}^FS",
            lay.text_x,
            lay.title_y + i * lay.title_h,
            lay.text_w,
            lay.title_h,
            lay.title_h,
            escape_field(t)
        ));
    }
    if let Some(q) = &lay.qr {
        // Model 2, error correction M, automatic data mode ("MA,").
        line(format!(
            "^FO{},{}^BQN,2,{}^FH_^FDMA,{}^FS",
            q.x,
            q.y,
            q.magnification,
            escape_field(&l.code)
        ));
    }
    line("^PQ1".into());
    line("^XZ".into());
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_commands_out_of_fields() {
        assert_eq!(escape_field("IT-0001 Dell"), "IT-0001 Dell");
        assert_eq!(escape_field("^XZ~JR_x"), "_5EXZ_7EJR_5Fx");
        assert_eq!(escape_field("café"), "caf_C3_A9");
        // Control characters are shown, not sent: ESC becomes "^[" and its caret is escaped.
        assert_eq!(escape_field("a\u{1b}b\n"), "a_5E[b_5EJ");
        assert_eq!(escape_field("\u{202e}"), "<U+202E>");
    }

    #[test]
    fn barcode_data_follows_the_encoder() {
        assert_eq!(barcode_data("IT-0001"), ">:IT->50001");
        assert_eq!(barcode_data("1234"), ">;1234");
        assert_eq!(barcode_data("A123456B"), ">:A>5123456>6B");
        assert_eq!(barcode_data("a>b^c"), ">:a><b_5Ec");
    }

    #[test]
    fn a_label_is_one_block_with_its_size() {
        let l = Label {
            code: "IT-0001".into(),
            title: Some("Lab ^printer~".into()),
        };
        let lay = super::super::LabelSpec::default().layout(&l).unwrap();
        let z = label(&l, &lay);
        assert!(z.starts_with("^XA\n") && z.ends_with("^XZ\n"));
        assert!(z.contains("^PW406\n^LL203\n"));
        assert!(z.contains("^FDLab _5Eprinter_7E^FS"));
        assert_eq!(z.matches("^XA").count(), 1);
        assert!(!z.contains("^BQ"));
    }
}
