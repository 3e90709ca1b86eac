//! Untrusted text made safe to show: control characters become visible (`^[`, `^M`), and
//! bidirectional overrides are shown as `<U+202E>` so they cannot reorder what a reader sees.

use std::borrow::Cow;

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The text with every control character shown in caret notation (`^[` for ESC, `^?` for DEL,
/// `<U+0085>` for C1 controls) and bidi controls shown as code points. Borrowed when clean.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\u{0}'..='\u{1f}' => {
                out.push('^');
                out.push((b'@' + c as u8) as char);
            }
            '\u{7f}' => out.push_str("^?"),
            c if needs_escape(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Normalise a scanned or typed code: surrounding whitespace and scanner terminators removed.
pub fn normalize_code(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            visible("Latitude 7440 — ünïcode 💻"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn controls_are_caret_notation() {
        assert_eq!(visible("a\x1b[31mred\x07"), "a^[[31mred^G");
        assert_eq!(visible("line1\nline2\ttab\r"), "line1^Jline2^Itab^M");
        assert_eq!(visible("\x7f\u{0}"), "^?^@");
        assert_eq!(visible("\u{85}"), "<U+0085>");
    }

    #[test]
    fn bidi_overrides_are_neutralised() {
        assert_eq!(visible("abc\u{202E}fed"), "abc<U+202E>fed");
        assert_eq!(visible("\u{2066}x\u{2069}"), "<U+2066>x<U+2069>");
    }

    #[test]
    fn codes_lose_terminators() {
        assert_eq!(normalize_code("  IT-0001\r\n"), "IT-0001");
        assert_eq!(normalize_code("\tSN123\t"), "SN123");
    }
}
