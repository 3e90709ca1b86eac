//! Pure types and rules of the asset register. No I/O lives here: the store and the UIs call in.

pub mod asset;
pub mod condition;
pub mod currency;
pub mod depreciation;
pub mod disposal;
pub mod due;
pub mod feed;
pub mod field;
pub mod identifier;
pub mod licence;
pub mod lifecycle;
pub mod maintenance;
pub mod money;
pub mod scancode;
pub mod text;
pub mod time;

pub use asset::{AssetView, HistoryEntry};
pub use condition::Condition;
pub use disposal::{DisposalMethod, WipeMethod};
pub use identifier::{Badge, IdentifierError, LocationCode, Serial, Tag};
pub use lifecycle::{Action, Status, TransitionError};

/// A value that failed to parse from user text, with the list of what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}' (expected one of: {expected})")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

/// Implements `as_str`, `ALL`, `FromStr` and `Display` for a fieldless enum whose text form is
/// fixed (the same strings are stored in the database and accepted on the command line).
macro_rules! text_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::domain::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match norm.as_str() {
                    $($text => Ok($ty::$variant),)+
                    _ => Err($crate::domain::ParseEnumError {
                        what: $what,
                        given: s.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;
