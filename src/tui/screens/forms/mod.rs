//! Forms: add/edit an asset, add a person or a location, dispose. Saved with a deliberate key
//! (ctrl-s by default) and written by the database worker; a refused save keeps every typed
//! value and shows why.
//! The field lists and constructors are in build.rs, the checks and the write in save.rs, the
//! drawing in draw.rs.

use super::Screen;
use crate::tui::app::App;
use crate::tui::keymap::FormCmd;
use crossterm::event::KeyEvent;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

mod build;
mod draw;
mod save;
pub use draw::draw;

#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    AddAsset,
    EditAsset { tag: String, version: i64 },
    AddPerson,
    AddLocation,
    Dispose { tag: String },
    Import,
    EditPerson { username: String },
    EditLocation { code: String },
}

#[derive(Debug, Clone)]
pub struct Field {
    /// What the form reads it by; a custom field's key is `field:NAME`.
    pub key: String,
    pub label: String,
    pub hint: String,
    pub input: Input,
    /// A choice field: its value is one of these, picked with ←/→ or by typing its start.
    pub choices: &'static [&'static str],
    /// What a custom field's value must be (checked before the save is sent).
    pub check: Option<(crate::domain::field::FieldKind, Option<String>)>,
}

/// The key of a custom field's form field.
const CUSTOM: &str = "field:";

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// Sent to the database worker and not answered yet (saving, checking a file).
    pub busy: Option<(String, std::time::Instant)>,
    /// The focused field's value is selected (just focused): typing replaces it.
    pub selected: bool,
    /// What was typed into the focused choice field, to pick a choice by its start.
    typed: String,
}

impl Form {
    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
        self.focused();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1);
        self.focused();
    }

    fn focused(&mut self) {
        self.selected = true;
        self.typed.clear();
    }

    pub fn key(&mut self, k: KeyEvent) {
        use crossterm::event::{KeyCode, KeyModifiers};
        if k.code == KeyCode::Enter {
            return self.next();
        }
        let selected = std::mem::replace(&mut self.selected, false);
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        if !f.choices.is_empty() {
            return pick_choice(f, &mut self.typed, k);
        }
        let typing = matches!(k.code, KeyCode::Char(_))
            && !k
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // A prefilled value is selected when focused: typing replaces it, backspace clears it.
        if selected && (typing || matches!(k.code, KeyCode::Backspace | KeyCode::Delete)) {
            f.input = Input::default();
            if !typing {
                return;
            }
        }
        f.input.handle_event(&crossterm::event::Event::Key(k));
    }

    /// The focused field's input, for a paste: a selected value is replaced by it.
    pub fn focused_input(&mut self) -> Option<&mut Input> {
        let selected = std::mem::replace(&mut self.selected, false);
        let f = self.fields.get_mut(self.focus)?;
        if !f.choices.is_empty() {
            return None;
        }
        if selected {
            f.input = Input::default();
        }
        Some(&mut f.input)
    }
}

/// A key in a choice field: ←/→ (and space) cycle, letters pick the first choice that starts
/// with what was typed, backspace starts the typing again. Any other value is never possible.
fn pick_choice(f: &mut Field, typed: &mut String, k: KeyEvent) {
    use crossterm::event::KeyCode;
    let cur = f.choices.iter().position(|c| *c == f.input.value());
    let n = f.choices.len();
    let to = match k.code {
        KeyCode::Right | KeyCode::Char(' ') => Some(cur.map_or(0, |i| (i + 1) % n)),
        KeyCode::Left => Some(cur.map_or(n - 1, |i| (i + n - 1) % n)),
        KeyCode::Backspace | KeyCode::Delete => {
            typed.clear();
            None
        }
        KeyCode::Char(c) => {
            typed.extend(c.to_lowercase());
            let starts = |t: &str| f.choices.iter().position(|ch| ch.starts_with(t));
            match starts(typed) {
                Some(i) => Some(i),
                None => {
                    *typed = c.to_lowercase().collect();
                    starts(typed)
                }
            }
        }
        _ => None,
    };
    if let Some(i) = to {
        f.input = Input::new(f.choices[i].to_string());
    }
}

impl App {
    pub(crate) fn form_key(&mut self, k: KeyEvent) {
        let Some(Screen::Form(f)) = self.screens.last_mut() else {
            return;
        };
        let Some(cmd) = self.keymap.form.command(&k) else {
            return f.key(k);
        };
        match cmd {
            FormCmd::Cancel => self.pop(),
            FormCmd::Next => f.next(),
            FormCmd::Prev => f.prev(),
            FormCmd::Quit => self.quit = true,
            FormCmd::Save if f.busy.is_some() => {}
            FormCmd::Save if f.kind == FormKind::Import => match f.import_request() {
                Ok((path, opts)) => {
                    f.error = None;
                    f.busy = Some((
                        "checking the file (nothing is written yet)".into(),
                        std::time::Instant::now(),
                    ));
                    self.write(super::import::plan(path, opts));
                }
                Err(e) => {
                    f.error = Some(e.to_string());
                    self.bell = true;
                }
            },
            FormCmd::Save => {
                let problems = f.problems();
                if !problems.is_empty() {
                    f.error = Some(problems.join(" · "));
                    self.bell = true;
                    return;
                }
                f.error = None;
                f.busy = Some(("saving".into(), std::time::Instant::now()));
                let form = f.clone();
                self.write(Box::new(move |store, _| {
                    let r = form.save(store).map_err(|e| e.to_string());
                    Box::new(move |app: &mut App| {
                        // The reply belongs to the form on top (the one that was saved).
                        let Some(Screen::Form(f)) = app.screens.last_mut() else {
                            return;
                        };
                        f.busy = None;
                        match r {
                            Ok(msg) => {
                                app.pop();
                                app.say(msg);
                            }
                            Err(e) => {
                                f.error = Some(e);
                                app.bell = true;
                            }
                        }
                    })
                }));
            }
        }
    }
}
