//! Key bindings: the shipped keymap.toml (embedded) merged with the user's file, per view.
//! The help screen is generated from the live map, so it is never out of date.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

pub const DEFAULT: &str = include_str!("../../keymap.toml");

/// The views that have their own bindings, in the order help lists them.
pub const VIEWS: &[&str] = &[
    "list", "detail", "scan", "person", "ghosts", "report", "help", "import", "form", "picker",
    "search",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        match (self.code, ev.code) {
            // Characters carry their case; shift is implied by it and ignored.
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                a == b && self.mods == ev.modifiers.difference(KeyModifiers::SHIFT)
            }
            (KeyCode::BackTab, KeyCode::BackTab) => true,
            (a, b) => a == b && self.mods == ev.modifiers,
        }
    }
}

/// Parse `ctrl-z`, `G`, `pagedown`, `f2`, `shift-tab`...
pub fn parse_key(s: &str) -> Result<Key, String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        let lower = rest.to_ascii_lowercase();
        if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[5..];
        } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
            mods |= KeyModifiers::ALT;
            rest = &rest[4..];
        } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
            mods |= KeyModifiers::SHIFT;
            rest = &rest[6..];
        } else {
            break;
        }
    }
    let code = match rest.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" if mods.contains(KeyModifiers::SHIFT) => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        f if f.len() >= 2
            && f.starts_with('f')
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => {
                    mods.remove(KeyModifiers::SHIFT);
                    KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    })
                }
                _ => return Err(format!("'{s}' is not a key name")),
            }
        }
    };
    Ok(Key { code, mods })
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// What a command does, for the help screen and the footer.
pub fn describe(view: &str, cmd: &str) -> &'static str {
    match (view, cmd) {
        (_, "up") => "move up",
        (_, "down") => "move down",
        (_, "page_up") => "page up",
        (_, "page_down") => "page down",
        (_, "top") => "first row",
        (_, "bottom") => "last row",
        ("scan", "lookup") => "mode: look up each scan",
        ("scan", "checkout") => "mode: check out to the chosen person",
        ("scan", "checkin") => "mode: check in with the chosen grade",
        ("scan", "move") => "mode: move to the chosen location",
        ("scan", "condition") => "mode: set the chosen grade",
        ("scan", "pick") => "pick the person or location by name",
        ("scan", "grade") => "next condition grade",
        ("scan", "undo") => "undo the last scan",
        ("scan", "audit") => "mode: audit a room (scan its label first)",
        ("scan", "receive") => "mode: receive serials against a PO line (F7 picks it)",
        ("scan", "offboard") => "mode: offboard a person (badge, then what they hand back)",
        ("scan", "take") => "audit: move the last unexpected asset here",
        ("scan", "label") => "receive: print each new asset's label (on/off)",
        (_, "label") => "print its barcode label",
        ("scan", "done") => "close the audit / finish the offboarding",
        (_, "licences") => "licences: seats owned vs assigned, over-deployment, renewals",
        (_, "finance") => "finance: book value by category",
        (_, "forecast") => "refresh forecast: end of life and warranty ends by quarter",
        (_, "curve") => "depreciation curve (toggle)",
        (_, "ghosts") => "ghosts: active assets unseen for 180+ days",
        ("ghosts", "lost") => "mark lost",
        ("ghosts", "retire") => "retire",
        (_, "open") => "open",
        (_, "search") => "fuzzy search",
        (_, "filter") => "filter by status, location or assignee",
        (_, "clear") => "clear search and filters",
        (_, "sort") => "sort by the next column",
        (_, "reverse") => "reverse the sort",
        (_, "scan") => "scan view",
        (_, "person") => "the assignee's assets",
        (_, "add_asset") => "add an asset",
        (_, "add_person") => "add a person",
        (_, "add_location") => "add a location",
        (_, "import") => "import a file (dry run first)",
        ("import", "apply") => "write the import (after reading the dry run)",
        (_, "demo") => "load demo data (empty database only)",
        (_, "refresh") => "reload from the database",
        (_, "help") => "help",
        (_, "quit") => "quit",
        (_, "back") => "back",
        (_, "checkout") => "check out",
        (_, "checkin") => "check in",
        (_, "move") => "move",
        (_, "condition") => "set condition",
        (_, "status") => "change status",
        (_, "edit") => "edit",
        (_, "dispose") => "dispose (a form, confirmed with ctrl-s)",
        (_, "next") => "next field",
        (_, "prev") => "previous field",
        (_, "save") => "save",
        (_, "cancel") => "cancel",
        (_, "choose") => "choose",
        _ => "",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    /// view -> (command, keys), in file order.
    views: BTreeMap<String, Vec<(String, Vec<Key>)>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

type Raw = BTreeMap<String, BTreeMap<String, toml::Spanned<Vec<toml::Spanned<String>>>>>;

fn parse_raw(text: &str) -> Result<Raw, KeymapError> {
    toml::from_str::<Raw>(text).map_err(|e| KeymapError {
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
        message: e.message().trim().to_string(),
    })
}

impl Keymap {
    /// The shipped defaults. They are tested to parse, so failure here is a build defect.
    pub fn defaults() -> Keymap {
        Keymap::parse_defaults(DEFAULT).unwrap_or(Keymap {
            views: BTreeMap::new(),
        })
    }

    fn parse_defaults(text: &str) -> Result<Keymap, KeymapError> {
        let raw = parse_raw(text)?;
        let mut views = BTreeMap::new();
        // Keep file order: toml's map is sorted, so order by where each command appears.
        for (view, cmds) in raw {
            let mut list: Vec<(usize, String, Vec<Key>)> = Vec::new();
            for (cmd, keys) in cmds {
                let start = keys.span().start;
                let mut parsed = Vec::new();
                for k in keys.get_ref() {
                    parsed.push(parse_key(k.get_ref()).map_err(|m| KeymapError {
                        line: line_of(text, k.span().start),
                        message: m,
                    })?);
                }
                list.push((start, cmd, parsed));
            }
            list.sort_by_key(|x| x.0);
            views.insert(view, list.into_iter().map(|(_, c, k)| (c, k)).collect());
        }
        Ok(Keymap { views })
    }

    /// Defaults overridden by `user` text. A bad file (syntax, unknown view or command, bad
    /// key name, a key bound twice in a view) is rejected whole, with its line.
    pub fn with_user(user: &str) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::defaults();
        let raw = parse_raw(user)?;
        for (view, cmds) in raw {
            let Some(bindings) = map.views.get_mut(&view) else {
                let line = cmds
                    .values()
                    .next()
                    .map(|k| line_of(user, k.span().start))
                    .unwrap_or(0);
                return Err(KeymapError {
                    line,
                    message: format!("unknown view [{view}] (views: {})", VIEWS.join(", ")),
                });
            };
            for (cmd, keys) in cmds {
                let line = line_of(user, keys.span().start);
                let Some(slot) = bindings.iter_mut().find(|(c, _)| *c == cmd) else {
                    let known: Vec<_> = bindings.iter().map(|(c, _)| c.as_str()).collect();
                    return Err(KeymapError {
                        line,
                        message: format!(
                            "unknown command '{cmd}' in [{view}] (commands: {})",
                            known.join(", ")
                        ),
                    });
                };
                let mut parsed = Vec::new();
                for k in keys.get_ref() {
                    parsed.push(parse_key(k.get_ref()).map_err(|m| KeymapError {
                        line: line_of(user, k.span().start),
                        message: m,
                    })?);
                }
                slot.1 = parsed;
            }
        }
        if let Some((view, key, a, b)) = map.first_conflict() {
            return Err(KeymapError {
                line: 0,
                message: format!("key '{key}' is bound to both '{a}' and '{b}' in [{view}]"),
            });
        }
        Ok(map)
    }

    /// Load the user's file at `$XDG_CONFIG_HOME/itam/keymap.toml`: the map, plus a warning
    /// (file, line, reason) when the file was bad and the defaults are used instead.
    pub fn load() -> (Keymap, Option<String>) {
        let path = crate::config::config_dir().join("keymap.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => match Keymap::with_user(&text) {
                Ok(m) => (m, None),
                Err(e) => (
                    Keymap::defaults(),
                    Some(format!("{}: {e}; using the default keys", path.display())),
                ),
            },
            Err(_) => (Keymap::defaults(), None),
        }
    }

    /// A key bound to two commands in one view, if any: (view, key, cmd a, cmd b).
    pub fn first_conflict(&self) -> Option<(String, String, String, String)> {
        for (view, cmds) in &self.views {
            for (i, (a, ka)) in cmds.iter().enumerate() {
                for (b, kb) in &cmds[i + 1..] {
                    if let Some(k) = ka.iter().find(|k| kb.contains(k)) {
                        return Some((view.clone(), k.to_string(), a.clone(), b.clone()));
                    }
                }
            }
        }
        None
    }

    /// The command `ev` means in `view`.
    pub fn command(&self, view: &str, ev: &KeyEvent) -> Option<&str> {
        self.views
            .get(view)?
            .iter()
            .find(|(_, keys)| keys.iter().any(|k| k.matches(ev)))
            .map(|(c, _)| c.as_str())
    }

    /// The keys of a command, joined for display: `↑/k`.
    pub fn keys(&self, view: &str, cmd: &str) -> String {
        self.views
            .get(view)
            .and_then(|cmds| cmds.iter().find(|(c, _)| c == cmd))
            .map(|(_, ks)| {
                ks.iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }

    /// The first key of a command, for the footer.
    pub fn first_key(&self, view: &str, cmd: &str) -> String {
        self.views
            .get(view)
            .and_then(|cmds| cmds.iter().find(|(c, _)| c == cmd))
            .and_then(|(_, ks)| ks.first())
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// Every (command, keys) of a view, in file order.
    pub fn bindings(&self, view: &str) -> Vec<(&str, String)> {
        self.views
            .get(view)
            .map(|cmds| {
                cmds.iter()
                    .map(|(c, _)| (c.as_str(), self.keys(view, c)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_shipped_file_parses_and_binds_no_key_twice_in_a_view() {
        let m = Keymap::parse_defaults(DEFAULT).unwrap();
        assert_eq!(m.first_conflict(), None);
        for v in VIEWS {
            assert!(!m.bindings(v).is_empty(), "view {v} has bindings");
            for (cmd, _) in m.bindings(v) {
                assert!(!describe(v, cmd).is_empty(), "{v}.{cmd} has a description");
            }
        }
        assert_eq!(Keymap::defaults(), m);
    }

    #[test]
    fn arrows_and_vim_keys_both_work() {
        let m = Keymap::defaults();
        assert_eq!(
            m.command("list", &ev(KeyCode::Down, KeyModifiers::NONE)),
            Some("down")
        );
        assert_eq!(
            m.command("list", &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some("down")
        );
        assert_eq!(
            m.command("list", &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some("bottom")
        );
        assert_eq!(
            m.command("list", &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some("quit")
        );
        assert_eq!(
            m.command("scan", &ev(KeyCode::Char('z'), KeyModifiers::CONTROL)),
            Some("undo")
        );
        assert_eq!(
            m.command("form", &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some("prev")
        );
    }

    #[test]
    fn destructive_commands_are_never_on_bare_esc() {
        let m = Keymap::defaults();
        let esc = ev(KeyCode::Esc, KeyModifiers::NONE);
        for v in VIEWS {
            let c = m.command(v, &esc);
            assert!(
                matches!(c, None | Some("back" | "cancel" | "clear")),
                "{v}: esc is {c:?}"
            );
        }
    }

    #[test]
    fn a_user_file_overrides_one_binding() {
        let m = Keymap::with_user("[list]\ndown = [\"n\"]\n").unwrap();
        assert_eq!(
            m.command("list", &ev(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some("down")
        );
        assert_eq!(
            m.command("list", &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            m.command("list", &ev(KeyCode::Char('k'), KeyModifiers::NONE)),
            Some("up")
        );
    }

    #[test]
    fn a_bad_user_file_says_which_line_and_why() {
        let e = Keymap::with_user("[list]\nup = [\"k\"]\ndown = [\"ctrl-nope\"]\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("ctrl-nope"), "{e}");
        let e = Keymap::with_user("[list]\n\nwarp = [\"w\"]\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown command 'warp'"), "{e}");
        let e = Keymap::with_user("[list\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = Keymap::with_user("[list]\nsearch = [\"j\"]\n").unwrap_err();
        assert!(e.message.contains("bound to both"), "{e}");
        let e = Keymap::with_user("[lsit]\nup = [\"k\"]\n").unwrap_err();
        assert!(e.message.contains("unknown view"), "{e}");
    }

    #[test]
    fn key_names_round_trip() {
        for s in [
            "ctrl-z",
            "G",
            "f2",
            "pagedown",
            "shift-tab",
            "space",
            "alt-x",
            "/",
        ] {
            assert!(parse_key(s).is_ok(), "{s}");
        }
        assert!(parse_key("hyper-q").is_err());
        assert!(parse_key("f13").is_err());
        assert_eq!(parse_key("ctrl-z").unwrap().to_string(), "ctrl-z");
    }
}
