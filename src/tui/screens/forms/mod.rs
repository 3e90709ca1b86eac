//! Forms: add/edit an asset, add a person or a location, dispose. Saved with a deliberate key
//! (ctrl-s by default) and written by the database worker; a refused save keeps every typed
//! value and shows why. The field lists and constructors are in build.rs, the checks and the
//! write in save.rs, the drawing in draw.rs.

use super::{Context, Effect, Screen};
use crate::domain::AssetView;
use crate::store::{CustomField, FieldValue, PersonView, Store};
use crate::tui::app::App;
use crate::tui::db::Job;
use crate::tui::keymap::FormCmd;
use crossterm::event::KeyEvent;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

mod build;
mod draw;
mod save;
pub use draw::draw;

/// A form that needs what the store holds, opened by `app.rs` through [`open`].
pub enum Open {
    /// With every defined custom field.
    AddAsset,
    /// Prefilled from the asset on screen, its home and its field values.
    EditAsset {
        asset: Box<AssetView>,
        home: Option<String>,
        values: Vec<FieldValue>,
    },
    EditPerson(PersonView),
    EditLocation(String),
}

/// Open the form `what` asks for (the custom field definitions or the location are small
/// indexed reads).
pub fn open(store: &Store, what: Open) -> Vec<Effect> {
    let defined = || -> crate::store::Result<Vec<CustomField>> { store.fields() };
    let form = match what {
        Open::AddAsset => defined().map(|d| Form::add_with(&d)),
        Open::EditAsset {
            asset,
            home,
            values,
        } => defined().map(|d| Form::edit_with(&asset, home.as_deref(), &d, &values)),
        Open::EditPerson(p) => Ok(Form::edit_person(&p)),
        Open::EditLocation(code) => match store.location(&code) {
            Ok(Some(l)) => Ok(Form::edit_location(&l)),
            Ok(None) => return vec![Effect::Fail(format!("location {code} vanished"))],
            Err(e) => Err(e),
        },
    };
    match form {
        Ok(f) => vec![Effect::Push(Screen::Form(f))],
        Err(e) => vec![Effect::Fail(e.to_string())],
    }
}

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
    /// Its ticket: the worker's reply (saved, file checked) finds this form by it.
    pub id: u64,
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

    /// A key that is no command: typing into the focused field.
    fn type_key(&mut self, k: KeyEvent) {
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

    /// Pasted text goes into the focused field (a selected value is replaced by it); a
    /// choice field takes no paste.
    pub fn paste(&mut self, text: &str) {
        let selected = std::mem::replace(&mut self.selected, false);
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        if !f.choices.is_empty() {
            return;
        }
        if selected {
            f.input = Input::default();
        }
        f.input = Input::new(format!("{}{text}", f.input.value()));
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

impl Form {
    pub fn key(&mut self, cx: &Context, k: KeyEvent) -> Vec<Effect> {
        let Some(cmd) = cx.keymap.form.command(&k) else {
            self.type_key(k);
            return vec![];
        };
        match cmd {
            FormCmd::Cancel => return vec![Effect::Pop],
            FormCmd::Next => self.next(),
            FormCmd::Prev => self.prev(),
            FormCmd::Quit => return vec![Effect::Quit],
            FormCmd::Save if self.busy.is_some() => {}
            FormCmd::Save if self.kind == FormKind::Import => match self.import_request() {
                Ok((path, opts)) => {
                    self.error = None;
                    self.busy = Some((
                        "checking the file (nothing is written yet)".into(),
                        std::time::Instant::now(),
                    ));
                    return vec![Effect::Write(super::import::plan(self.id, path, opts))];
                }
                Err(e) => {
                    self.error = Some(e.to_string());
                    return vec![Effect::Bell];
                }
            },
            FormCmd::Save => {
                let problems = self.problems();
                if !problems.is_empty() {
                    self.error = Some(problems.join(" · "));
                    return vec![Effect::Bell];
                }
                self.error = None;
                self.busy = Some(("saving".into(), std::time::Instant::now()));
                return vec![Effect::Write(save_job(self.clone()))];
            }
        }
        vec![]
    }
}

/// Write `form` on the worker; the reply closes it with a message, or shows why not.
fn save_job(form: Form) -> Job {
    Box::new(move |store, _| {
        let r = form.save(store).map_err(|e| e.to_string());
        let id = form.id;
        Box::new(move |app: &mut App| {
            // The reply belongs to the form that was saved, wherever it is on the stack.
            let Some(Screen::Form(f)) = app.find(id) else {
                return;
            };
            f.busy = None;
            match r {
                Ok(msg) => {
                    app.close(id);
                    app.say(msg);
                }
                Err(e) => {
                    f.error = Some(e);
                    app.bell = true;
                }
            }
        })
    })
}
