//! The codes people scan and type: asset tags, serials, location codes and badges. Each has
//! one `parse` holding its rules, so the store, the importer and the UIs cannot disagree.
//!
//! Shared rules: surrounding whitespace is dropped; the code must not be empty; it is one line
//! of visible text (no control characters, which a wand's Enter or a pasted escape would
//! bring, and no bidi controls, which could make one code read as another); and it has a
//! length limit, because each is printed as a barcode on a label and scanned back.

use super::text::visible;
use std::fmt;

/// Why a code was refused, in words that name the kind of code and show it safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{what} cannot be empty")]
    Empty { what: &'static str },
    #[error("{what} '{shown}' contains control characters")]
    Control { what: &'static str, shown: String },
    #[error("{what} '{shown}…' is {len} characters; the most is {max}")]
    TooLong {
        what: &'static str,
        shown: String,
        len: usize,
        max: usize,
    },
    #[error("{what} '{shown}' must be one word without spaces")]
    Spaces { what: &'static str, shown: String },
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The shared rules: trimmed, non-empty, no control or bidi characters, at most `max` chars.
pub fn check<'a>(what: &'static str, s: &'a str, max: usize) -> Result<&'a str, IdentifierError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(IdentifierError::Empty { what });
    }
    if t.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(IdentifierError::Control {
            what,
            shown: visible(t).into_owned(),
        });
    }
    let len = t.chars().count();
    if len > max {
        return Err(IdentifierError::TooLong {
            what,
            shown: visible(&t.chars().take(24).collect::<String>()).into_owned(),
            len,
            max,
        });
    }
    Ok(t)
}

macro_rules! identifier {
    ($(#[$doc:meta])* $ty:ident, $what:literal, $max:expr, $extra:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// The most characters it may have.
            pub const MAX: usize = $max;
            /// What it is called in messages.
            pub const WHAT: &'static str = $what;

            pub fn parse(s: &str) -> Result<$ty, IdentifierError> {
                let t = check($what, s, $max)?;
                let extra: fn(&str) -> Result<(), IdentifierError> = $extra;
                extra(t)?;
                Ok($ty(t.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::str::FromStr for $ty {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<$ty, IdentifierError> {
                $ty::parse(s)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn no_more(_: &str) -> Result<(), IdentifierError> {
    Ok(())
}

/// A badge is scanned at the bench like a tag, and typed as one word.
fn one_word_badge(s: &str) -> Result<(), IdentifierError> {
    if s.chars().any(char::is_whitespace) {
        return Err(IdentifierError::Spaces {
            what: "badge",
            shown: visible(s).into_owned(),
        });
    }
    Ok(())
}

identifier!(
    /// An asset tag: the organisation's own code on the asset's label (`IT-000123`).
    Tag, "tag", 64, no_more
);
identifier!(
    /// A manufacturer's serial number. Longer than our own codes may be, but still one line.
    Serial, "serial", 128, no_more
);
identifier!(
    /// A location's code, printed on the room's label (`HQ-301`).
    LocationCode, "location code", 64, no_more
);
identifier!(
    /// A person's badge, scanned to check assets out to them.
    Badge, "badge", 64, one_word_badge
);

/// An optional code from user text: blank is None, anything else must parse.
pub fn optional<T>(
    s: Option<&str>,
    parse: fn(&str) -> Result<T, IdentifierError>,
) -> Result<Option<T>, IdentifierError> {
    match s.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse(t).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_the_code() {
        assert_eq!(Tag::parse("  IT-0001\t").unwrap().as_str(), "IT-0001");
        assert_eq!(Serial::parse("C02 XYZ").unwrap().as_str(), "C02 XYZ");
        assert_eq!(LocationCode::parse("HQ-301").unwrap().to_string(), "HQ-301");
        assert_eq!(Badge::parse("B0001").unwrap().into_string(), "B0001");
    }

    #[test]
    fn refuses_empty_control_bidi_and_long_codes_naming_the_kind() {
        assert_eq!(
            Tag::parse("   ").unwrap_err(),
            IdentifierError::Empty { what: "tag" }
        );
        let e = Tag::parse("IT-\x1b[31m1").unwrap_err().to_string();
        assert_eq!(e, "tag 'IT-^[[31m1' contains control characters");
        let e = LocationCode::parse("HQ\u{202E}103")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("location code 'HQ<U+202E>103'"), "{e}");
        assert!(Serial::parse(&"S".repeat(128)).is_ok());
        let e = Serial::parse(&"S".repeat(129)).unwrap_err().to_string();
        assert!(e.contains("129 characters; the most is 128"), "{e}");
        let e = Badge::parse("B 1").unwrap_err().to_string();
        assert_eq!(e, "badge 'B 1' must be one word without spaces");
    }

    #[test]
    fn optional_codes() {
        assert_eq!(optional(Some("  "), Serial::parse), Ok(None));
        assert_eq!(optional(None, Serial::parse), Ok(None));
        assert_eq!(
            optional(Some(" X1 "), Serial::parse)
                .unwrap()
                .unwrap()
                .as_str(),
            "X1"
        );
        assert!(optional(Some("a\nb"), Serial::parse).is_err());
    }
}
