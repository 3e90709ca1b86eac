//! What a scanned code can be, and the order it is tried in: a command barcode, a location
//! label, a person's badge, an asset tag, a serial. The rules are here; the look-ups are the
//! store's (`Store::resolve_code`), and the TUI scan view and the CLI both go through them.

/// The command barcodes printed by `itam label --commands`: code and the words under it. Each
/// code is `CMD-` and the scan view's command name (its keymap.toml name) in capitals.
pub const COMMAND_CODES: &[(&str, &str)] = &[
    ("CMD-LOOKUP", "Look up"),
    ("CMD-CHECKOUT", "Check out"),
    ("CMD-CHECKIN", "Check in"),
    ("CMD-MOVE", "Move"),
    ("CMD-CONDITION", "Condition"),
    ("CMD-AUDIT", "Audit"),
    ("CMD-DONE", "Done"),
    ("CMD-UNDO", "Undo"),
    ("CMD-GRADE-ASIS", "Grade: as is"),
    ("CMD-GRADE-NEW", "Grade: new"),
    ("CMD-GRADE-GOOD", "Grade: good"),
    ("CMD-GRADE-FAIR", "Grade: fair"),
    ("CMD-GRADE-POOR", "Grade: poor"),
    ("CMD-GRADE-BROKEN", "Grade: broken"),
];

/// The kinds a code is tried as, first to last. A code that is both a location and a tag is a
/// location: labels on shelves outrank stickers on assets, as a technician reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Command,
    Location,
    Badge,
    Tag,
    Serial,
}

pub const RESOLUTION_ORDER: [CodeKind; 5] = [
    CodeKind::Command,
    CodeKind::Location,
    CodeKind::Badge,
    CodeKind::Tag,
    CodeKind::Serial,
];

/// A command barcode's command name (`CMD-CHECKIN` → `checkin`), case-insensitively.
pub fn command_name(code: &str) -> Option<&'static str> {
    COMMAND_CODES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
        .and_then(|(c, _)| c.strip_prefix("CMD-"))
        .and_then(|name| {
            // The names are fixed above; lower-case them without allocating per scan.
            const NAMES: &[&str] = &[
                "lookup",
                "checkout",
                "checkin",
                "move",
                "condition",
                "audit",
                "done",
                "undo",
                "grade-asis",
                "grade-new",
                "grade-good",
                "grade-fair",
                "grade-poor",
                "grade-broken",
            ];
            NAMES.iter().copied().find(|n| n.eq_ignore_ascii_case(name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_codes_are_case_insensitive_and_name_a_command() {
        assert_eq!(command_name("cmd-checkin"), Some("checkin"));
        assert_eq!(command_name("CMD-UNDO"), Some("undo"));
        assert_eq!(command_name("cmd-grade-fair"), Some("grade-fair"));
        assert_eq!(command_name("CMD-NOPE"), None);
        assert_eq!(command_name("IT-000001"), None);
        for (code, _) in COMMAND_CODES {
            assert!(command_name(code).is_some(), "{code}");
        }
        assert_eq!(RESOLUTION_ORDER[0], CodeKind::Command);
    }
}
