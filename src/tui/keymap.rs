//! Key bindings: the shipped keymap.toml (embedded) merged with the user's file, per view.
//!
//! Every view has its own command enum (`commands.rs`), deserialised with serde from the names
//! in keymap.toml: a name that is not a command of its view is refused (with its line) instead
//! of compiling into a binding that silently does nothing. The help screen is generated from
//! the live map.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::de::value::StrDeserializer;
use std::collections::BTreeMap;
use std::fmt;

pub const DEFAULT: &str = include_str!("../../keymap.toml");

/// The views that have their own bindings, in the order help lists them.
pub const VIEWS: &[&str] = &[
    "list",
    "detail",
    "scan",
    "reconcile",
    "person",
    "ghosts",
    "drift",
    "report",
    "help",
    "import",
    "form",
    "picker",
    "search",
];

pub use super::commands::*;

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

/// ctrl-c quits from every view whatever the keymap says, so no user file can trap anyone.
pub fn is_ctrl_c(ev: &KeyEvent) -> bool {
    ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL)
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

/// One help line: a command's name, its keys, what it does.
pub type HelpRow = (&'static str, String, &'static str);

/// One view's bindings in file order: the command, its keys, and the line of the user's file
/// that set them (for reporting a conflict where it was made).
#[derive(Debug, Clone, PartialEq)]
pub struct Bindings<C> {
    list: Vec<(C, Vec<Key>, Option<usize>)>,
}

impl<C: Command> Bindings<C> {
    /// The command `ev` means in this view.
    pub fn command(&self, ev: &KeyEvent) -> Option<C> {
        self.list
            .iter()
            .find(|(_, keys, _)| keys.iter().any(|k| k.matches(ev)))
            .map(|(c, ..)| *c)
    }

    /// The keys of a command, joined for display: `↑ k`.
    pub fn keys(&self, cmd: C) -> String {
        self.list
            .iter()
            .find(|(c, ..)| *c == cmd)
            .map(|(_, ks, _)| {
                ks.iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }

    /// The first key of a command, for the footer (empty when unbound).
    pub fn first_key(&self, cmd: C) -> String {
        self.list
            .iter()
            .find(|(c, ..)| *c == cmd)
            .and_then(|(_, ks, _)| ks.first())
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// (name, keys, help) of every command, in file order.
    pub fn rows(&self) -> Vec<HelpRow> {
        self.list
            .iter()
            .map(|(c, ..)| (c.name(), self.keys(*c), c.help()))
            .collect()
    }

    fn conflict(&self) -> Option<KeymapError> {
        for (i, (a, ka, la)) in self.list.iter().enumerate() {
            for (b, kb, lb) in &self.list[i + 1..] {
                if let Some(k) = ka.iter().find(|k| kb.contains(k)) {
                    return Some(KeymapError {
                        line: la.max(lb).unwrap_or(0),
                        message: format!(
                            "key '{k}' is bound to both '{}' and '{}' in [{}]",
                            a.name(),
                            b.name(),
                            C::VIEW
                        ),
                    });
                }
            }
        }
        None
    }

    /// Apply one [view] table of a file: each name must be a command of `C` (serde says which
    /// ones are), each key a key name.
    fn merge(&mut self, cmds: RawView, text: &str, defaults: bool) -> Result<(), KeymapError> {
        let mut ordered: Vec<(usize, String, RawKeys)> = cmds
            .into_iter()
            .map(|(name, keys)| (keys.span().start, name, keys))
            .collect();
        // toml's map is sorted: order by where each command appears, as the file does.
        ordered.sort_by_key(|x| x.0);
        for (start, name, keys) in ordered {
            let line = line_of(text, start);
            let cmd = C::deserialize(StrDeserializer::<serde::de::value::Error>::new(&name))
                .map_err(|e| KeymapError {
                    line,
                    message: format!("unknown command '{name}' in [{}]: {e}", C::VIEW),
                })?;
            let mut parsed = Vec::new();
            for k in keys.get_ref() {
                parsed.push(parse_key(k.get_ref()).map_err(|m| KeymapError {
                    line: line_of(text, k.span().start),
                    message: m,
                })?);
            }
            let user_line = (!defaults).then_some(line);
            match self.list.iter_mut().find(|(c, ..)| *c == cmd) {
                Some(slot) => {
                    slot.1 = parsed;
                    slot.2 = user_line;
                }
                None => self.list.push((cmd, parsed, user_line)),
            }
        }
        Ok(())
    }
}

impl<C> Default for Bindings<C> {
    fn default() -> Self {
        Bindings { list: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keymap {
    pub list: Bindings<ListCmd>,
    pub detail: Bindings<DetailCmd>,
    pub scan: Bindings<ScanCmd>,
    pub reconcile: Bindings<ReconcileCmd>,
    pub person: Bindings<PersonCmd>,
    pub ghosts: Bindings<GhostsCmd>,
    pub drift: Bindings<DriftCmd>,
    pub report: Bindings<ReportCmd>,
    pub help: Bindings<HelpCmd>,
    pub import: Bindings<ImportCmd>,
    pub form: Bindings<FormCmd>,
    pub picker: Bindings<PickerCmd>,
    pub search: Bindings<SearchCmd>,
    /// Where the keys came from, for help: the user's file when it was read, or why not.
    pub source: Option<String>,
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

type RawKeys = toml::Spanned<Vec<toml::Spanned<String>>>;
type RawView = BTreeMap<String, RawKeys>;
type Raw = BTreeMap<String, RawView>;

fn parse_raw(text: &str) -> Result<Raw, KeymapError> {
    toml::from_str::<Raw>(text).map_err(|e| KeymapError {
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
        message: e.message().trim().to_string(),
    })
}

impl Keymap {
    /// The shipped defaults. They are tested to parse, so failure here is a build defect.
    pub fn defaults() -> Keymap {
        Keymap::parse(DEFAULT, Keymap::default(), true).unwrap_or_default()
    }

    fn parse(text: &str, mut map: Keymap, defaults: bool) -> Result<Keymap, KeymapError> {
        let raw = parse_raw(text)?;
        for (view, cmds) in raw {
            let first_line = cmds
                .values()
                .map(|k| k.span().start)
                .min()
                .map(|s| line_of(text, s))
                .unwrap_or(0);
            match view.as_str() {
                "list" => map.list.merge(cmds, text, defaults)?,
                "detail" => map.detail.merge(cmds, text, defaults)?,
                "scan" => map.scan.merge(cmds, text, defaults)?,
                "reconcile" => map.reconcile.merge(cmds, text, defaults)?,
                "person" => map.person.merge(cmds, text, defaults)?,
                "ghosts" => map.ghosts.merge(cmds, text, defaults)?,
                "drift" => map.drift.merge(cmds, text, defaults)?,
                "report" => map.report.merge(cmds, text, defaults)?,
                "help" => map.help.merge(cmds, text, defaults)?,
                "import" => map.import.merge(cmds, text, defaults)?,
                "form" => map.form.merge(cmds, text, defaults)?,
                "picker" => map.picker.merge(cmds, text, defaults)?,
                "search" => map.search.merge(cmds, text, defaults)?,
                _ => {
                    return Err(KeymapError {
                        line: first_line,
                        message: format!("unknown view [{view}] (views: {})", VIEWS.join(", ")),
                    })
                }
            }
        }
        if let Some(e) = map.first_conflict() {
            return Err(e);
        }
        Ok(map)
    }

    /// Defaults overridden by `user` text. A bad file (syntax, unknown view or command, bad
    /// key name, a key bound twice in a view) is rejected whole, with its line.
    pub fn with_user(user: &str) -> Result<Keymap, KeymapError> {
        Keymap::parse(user, Keymap::defaults(), false)
    }

    /// Load the user's file at `$XDG_CONFIG_HOME/itam/keymap.toml`: the map, plus a warning
    /// (file, line, reason) when the file was bad and the defaults are used instead.
    pub fn load() -> (Keymap, Option<String>) {
        let path = crate::config::config_dir().join("keymap.toml");
        let path_text = path.display().to_string();
        let shown = crate::domain::text::visible(&path_text);
        let with_source = |mut m: Keymap, source: String| {
            m.source = Some(source);
            m
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => match Keymap::with_user(&text) {
                Ok(m) => (
                    with_source(m, format!("the defaults changed by {shown}")),
                    None,
                ),
                Err(e) => (
                    with_source(
                        Keymap::defaults(),
                        format!("the defaults ({shown} was refused: {e})"),
                    ),
                    Some(format!("{}: {e}; using the default keys", path.display())),
                ),
            },
            Err(_) => (
                with_source(
                    Keymap::defaults(),
                    format!("the defaults (no {shown} to change them)"),
                ),
                None,
            ),
        }
    }

    /// A key bound to two commands in one view, if any, at the user's line that made it.
    pub fn first_conflict(&self) -> Option<KeymapError> {
        self.list
            .conflict()
            .or_else(|| self.detail.conflict())
            .or_else(|| self.scan.conflict())
            .or_else(|| self.reconcile.conflict())
            .or_else(|| self.person.conflict())
            .or_else(|| self.ghosts.conflict())
            .or_else(|| self.drift.conflict())
            .or_else(|| self.report.conflict())
            .or_else(|| self.help.conflict())
            .or_else(|| self.import.conflict())
            .or_else(|| self.form.conflict())
            .or_else(|| self.picker.conflict())
            .or_else(|| self.search.conflict())
    }

    /// Every view's (name, keys, help) rows, in help order.
    pub fn sections(&self) -> Vec<(&'static str, Vec<HelpRow>)> {
        vec![
            ("list", self.list.rows()),
            ("detail", self.detail.rows()),
            ("scan", self.scan.rows()),
            ("reconcile", self.reconcile.rows()),
            ("person", self.person.rows()),
            ("ghosts", self.ghosts.rows()),
            ("drift", self.drift.rows()),
            ("report", self.report.rows()),
            ("help", self.help.rows()),
            ("import", self.import.rows()),
            ("form", self.form.rows()),
            ("picker", self.picker.rows()),
            ("search", self.search.rows()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_shipped_file_parses_binds_no_key_twice_and_names_every_command() {
        let m = Keymap::parse(DEFAULT, Keymap::default(), true).unwrap();
        assert_eq!(m.first_conflict(), None);
        let sections = m.sections();
        assert_eq!(
            sections.iter().map(|s| s.0).collect::<Vec<_>>(),
            VIEWS.to_vec()
        );
        for (view, rows) in sections {
            assert!(!rows.is_empty(), "view {view} has bindings");
            for (name, keys, help) in rows {
                assert!(!help.is_empty(), "{view}.{name} has a description");
                assert!(!keys.is_empty(), "{view}.{name} has a key");
            }
        }
        // Every command of every view is bound by default: none is unreachable.
        assert_eq!(m.list.rows().len(), ListCmd::ALL.len());
        assert_eq!(m.detail.rows().len(), DetailCmd::ALL.len());
        assert_eq!(m.scan.rows().len(), ScanCmd::ALL.len());
        assert_eq!(m.reconcile.rows().len(), ReconcileCmd::ALL.len());
        assert_eq!(m.person.rows().len(), PersonCmd::ALL.len());
        assert_eq!(m.ghosts.rows().len(), GhostsCmd::ALL.len());
        assert_eq!(m.drift.rows().len(), DriftCmd::ALL.len());
        assert_eq!(m.report.rows().len(), ReportCmd::ALL.len());
        assert_eq!(m.help.rows().len(), HelpCmd::ALL.len());
        assert_eq!(m.import.rows().len(), ImportCmd::ALL.len());
        assert_eq!(m.form.rows().len(), FormCmd::ALL.len());
        assert_eq!(m.picker.rows().len(), PickerCmd::ALL.len());
        assert_eq!(m.search.rows().len(), SearchCmd::ALL.len());
        assert_eq!(Keymap::defaults(), m);
    }

    #[test]
    fn arrows_and_vim_keys_both_work() {
        let m = Keymap::defaults();
        let none = KeyModifiers::NONE;
        assert_eq!(
            m.list.command(&ev(KeyCode::Down, none)),
            Some(ListCmd::Down)
        );
        assert_eq!(
            m.list.command(&ev(KeyCode::Char('j'), none)),
            Some(ListCmd::Down)
        );
        assert_eq!(
            m.list.command(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(ListCmd::Bottom)
        );
        assert_eq!(
            m.list
                .command(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(ListCmd::Quit)
        );
        assert_eq!(
            m.scan
                .command(&ev(KeyCode::Char('z'), KeyModifiers::CONTROL)),
            Some(ScanCmd::Undo)
        );
        assert_eq!(
            m.form.command(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(FormCmd::Prev)
        );
    }

    #[test]
    fn destructive_commands_are_never_on_bare_esc() {
        let m = Keymap::defaults();
        let esc = ev(KeyCode::Esc, KeyModifiers::NONE);
        for (view, rows) in m.sections() {
            for (name, keys, _) in rows {
                if keys.split(' ').any(|k| k == "esc") {
                    assert!(
                        matches!(name, "back" | "cancel" | "clear"),
                        "{view}: esc is {name}"
                    );
                }
            }
        }
        assert_eq!(m.detail.command(&esc), Some(DetailCmd::Back));
    }

    #[test]
    fn a_user_file_overrides_one_binding() {
        let m = Keymap::with_user("[list]\ndown = [\"n\"]\n").unwrap();
        let none = KeyModifiers::NONE;
        assert_eq!(
            m.list.command(&ev(KeyCode::Char('n'), none)),
            Some(ListCmd::Down)
        );
        assert_eq!(m.list.command(&ev(KeyCode::Char('j'), none)), None);
        assert_eq!(
            m.list.command(&ev(KeyCode::Char('k'), none)),
            Some(ListCmd::Up)
        );
    }

    #[test]
    fn a_bad_user_file_says_which_line_and_why() {
        let e = Keymap::with_user("[list]\nup = [\"k\"]\ndown = [\"ctrl-nope\"]\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("ctrl-nope"), "{e}");
        // Refused by serde: the message lists the view's commands.
        let e = Keymap::with_user("[list]\n\nwarp = [\"w\"]\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown command 'warp'"), "{e}");
        assert!(e.message.contains("add_asset"), "{e}");
        // A scan command is not a list command.
        let e = Keymap::with_user("[list]\nundo = [\"u\"]\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Keymap::with_user("[list\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = Keymap::with_user("[lsit]\nup = [\"k\"]\n").unwrap_err();
        assert!(e.message.contains("unknown view"), "{e}");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn a_key_bound_twice_is_reported_at_the_line_that_bound_it() {
        let e = Keymap::with_user("[list]\n# mine\n\nsearch = [\"j\"]\n").unwrap_err();
        assert!(e.message.contains("bound to both"), "{e}");
        assert_eq!(e.line, 4, "{e}");
        let e =
            Keymap::with_user("[detail]\nback = [\"h\"]\n[scan]\nundo = [\"f2\"]\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
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
