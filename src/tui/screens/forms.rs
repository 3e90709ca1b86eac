//! Forms: add/edit an asset, add a person or a location, dispose. Saved with a deliberate key
//! (ctrl-s by default) and written by the database worker; a refused save keeps every typed
//! value and shows why.

use super::Screen;
use crate::domain::money::optional_amount;
use crate::domain::text::visible;
use crate::domain::time::{optional_date, parse_date};
use crate::domain::{AssetView, DisposalMethod, WipeMethod};
use crate::store::{AssetEdit, DisposalInput, NewAsset, NewLocation, NewPerson, Store, StoreError};
use crate::tui::app::App;
use crate::tui::keymap::FormCmd;
use crate::tui::views::{fit, Theme};
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use rust_decimal::Decimal;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

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

fn field(key: &str, label: &str, hint: &str, value: Option<&str>) -> Field {
    Field {
        key: key.to_string(),
        label: label.to_string(),
        hint: hint.to_string(),
        input: Input::new(value.unwrap_or("").to_string()),
        choices: &[],
        check: None,
    }
}

/// A field whose value is one of `choices`.
fn choice(key: &str, label: &str, choices: &'static [&'static str], value: Option<&str>) -> Field {
    Field {
        choices,
        ..field(
            key,
            label,
            &format!("←/→ or type: {}", choices.join(", ")),
            value,
        )
    }
}

const DISPOSAL_METHODS: &[&str] = &["recycle", "resale", "donate", "destroy", "return_to_lessor"];
const WIPE_METHODS: &[&str] = &["none", "clear", "purge", "destroy"];
const IMPORT_KINDS: &[&str] = &["assets", "people", "locations", "models", "licences"];
const YES_NO: &[&str] = &["no", "yes"];

/// What a custom field's value must look like, as the form's hint.
fn custom_hint(f: &crate::store::CustomField) -> String {
    let kind = match f.kind {
        crate::domain::field::FieldKind::Text => "text",
        crate::domain::field::FieldKind::Number => "a number",
        crate::domain::field::FieldKind::Date => "YYYY-MM-DD",
        crate::domain::field::FieldKind::Boolean => "yes or no",
    };
    match &f.format {
        Some(fmt) => format!("{kind}, format {fmt}; empty clears it"),
        None => format!("{kind}; empty clears it"),
    }
}

const ASSET_FIELDS: &[(&str, &str, &str)] = &[
    ("tag", "Tag", "required, unique"),
    ("serial", "Serial", ""),
    ("name", "Name", ""),
    ("model", "Model", "e.g. Latitude 7440"),
    ("manufacturer", "Manufacturer", ""),
    ("category", "Category", "e.g. Laptop"),
    ("location", "Location", "location code"),
    ("owner", "Owner", "username or team"),
    ("supplier", "Supplier", ""),
    ("order", "Order no.", ""),
    ("cost", "Cost", "e.g. 1299.00"),
    ("currency", "Currency", "USD"),
    ("purchased", "Purchased", "YYYY-MM-DD"),
    ("warranty", "Warranty until", "YYYY-MM-DD"),
    ("eol", "End of life", "YYYY-MM-DD"),
    ("notes", "Notes", ""),
];

impl Form {
    pub fn new(kind: FormKind) -> Form {
        let (title, fields): (&str, Vec<Field>) = match &kind {
            FormKind::AddAsset => (
                "Add an asset",
                ASSET_FIELDS
                    .iter()
                    .map(|(k, l, h)| field(k, l, h, None))
                    .collect(),
            ),
            FormKind::AddPerson => (
                "Add a person",
                vec![
                    field("username", "Username", "required, one word", None),
                    field("name", "Full name", "required", None),
                    field("email", "Email", "", None),
                    field("badge", "Badge", "what the badge scans as", None),
                    field("team", "Team", "", None),
                ],
            ),
            FormKind::AddLocation => (
                "Add a location",
                vec![
                    field("code", "Code", "what its label scans as", None),
                    field("name", "Name", "required", None),
                    field("parent", "Parent", "code of the enclosing location", None),
                ],
            ),
            FormKind::Import => (
                "Import a file — ctrl-s checks it (a dry run, nothing is written)",
                vec![
                    field(
                        "file",
                        "File",
                        "path of a Snipe-IT CSV, CSV, JSON or JSONL file",
                        None,
                    ),
                    choice("kind", "Kind", IMPORT_KINDS, Some("assets")),
                    field(
                        "map",
                        "Map",
                        "Header=field,... for non-Snipe-IT headers",
                        None,
                    ),
                    Field {
                        hint: "yes: change existing tags instead of skipping".into(),
                        ..choice("update", "Update", YES_NO, Some("no"))
                    },
                    Field {
                        hint: "yes: import the good rows only".into(),
                        ..choice("skip", "Skip bad rows", YES_NO, Some("no"))
                    },
                ],
            ),
            FormKind::EditAsset { .. }
            | FormKind::Dispose { .. }
            | FormKind::EditPerson { .. }
            | FormKind::EditLocation { .. } => ("", Vec::new()),
        };
        Form {
            kind,
            title: title.to_string(),
            fields,
            focus: 0,
            error: None,
            busy: None,
            selected: true,
            typed: String::new(),
        }
    }

    /// The asset edit form with its home location and every defined custom field (issue 14).
    /// The add-asset form with a home location and every defined custom field.
    pub fn add_with(defined: &[crate::store::CustomField]) -> Form {
        let mut form = Form::new(FormKind::AddAsset);
        form.push_extras(None, defined, &[]);
        form
    }

    pub fn edit_with(
        a: &AssetView,
        home: Option<&str>,
        defined: &[crate::store::CustomField],
        values: &[crate::store::FieldValue],
    ) -> Form {
        let mut form = Form::edit(a);
        form.push_extras(home, defined, values);
        form
    }

    /// The home location field and one field per defined custom field, prefilled.
    fn push_extras(
        &mut self,
        home: Option<&str>,
        defined: &[crate::store::CustomField],
        values: &[crate::store::FieldValue],
    ) {
        let form = self;
        form.fields.push(field(
            "home",
            "Home location",
            "location code a check-in returns it to; empty clears it",
            home,
        ));
        for d in defined {
            let v = values.iter().find(|v| v.field_id == d.id);
            let label: String = visible(&d.name).chars().take(15).collect();
            form.fields.push(Field {
                key: format!("{CUSTOM}{}", d.name),
                label,
                hint: custom_hint(d),
                input: Input::new(v.map(|v| v.value.clone()).unwrap_or_default()),
                choices: &[],
                check: Some((d.kind, d.format.clone())),
            });
        }
    }

    /// The custom field values typed into the form, by field name (empty clears).
    fn custom_values(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter_map(|f| {
                f.key
                    .strip_prefix(CUSTOM)
                    .map(|n| (n.to_string(), f.input.value().to_string()))
            })
            .collect()
    }

    pub fn edit(a: &AssetView) -> Form {
        let value = |k: &str| -> Option<String> {
            match k {
                "tag" => Some(a.tag.clone()),
                "serial" => a.serial.clone(),
                "name" => a.name.clone(),
                "model" => a.model.clone(),
                "manufacturer" => a.manufacturer.clone(),
                "category" => a.category.clone(),
                "owner" => a.owner.clone(),
                "supplier" => a.supplier.clone(),
                "order" => a.order_number.clone(),
                "cost" => a.purchase_cost.map(|c| c.to_string()),
                "currency" => a.currency.clone(),
                "purchased" => a.purchase_date.map(|d| d.to_string()),
                "warranty" => a.warranty_until.map(|d| d.to_string()),
                "eol" => a.eol_date.map(|d| d.to_string()),
                "notes" => a.notes.clone(),
                _ => None,
            }
        };
        let fields = ASSET_FIELDS
            .iter()
            .filter(|(k, _, _)| *k != "location")
            .map(|(k, l, h)| field(k, l, h, value(k).as_deref()))
            .collect();
        Form {
            kind: FormKind::EditAsset {
                tag: a.tag.clone(),
                version: a.version,
            },
            title: format!("Edit {}", crate::domain::text::visible(&a.tag)),
            fields,
            focus: 0,
            error: None,
            busy: None,
            selected: true,
            typed: String::new(),
        }
    }

    pub fn edit_person(p: &crate::store::PersonView) -> Form {
        Form {
            kind: FormKind::EditPerson {
                username: p.username.clone(),
            },
            title: format!("Edit {}", crate::domain::text::visible(&p.username)),
            fields: vec![
                field("name", "Full name", "required", Some(&p.full_name)),
                field("email", "Email", "empty clears it", p.email.as_deref()),
                field(
                    "badge",
                    "Badge",
                    "what the badge scans as; empty clears it",
                    p.badge.as_deref(),
                ),
                field("team", "Team", "empty clears it", p.team.as_deref()),
            ],
            focus: 0,
            error: None,
            busy: None,
            selected: true,
            typed: String::new(),
        }
    }

    pub fn edit_location(l: &crate::store::LocationView) -> Form {
        Form {
            kind: FormKind::EditLocation {
                code: l.code.clone(),
            },
            title: format!("Edit location {}", crate::domain::text::visible(&l.code)),
            fields: vec![
                field("name", "Name", "required", Some(&l.name)),
                field(
                    "parent",
                    "Parent",
                    "code of the enclosing location; empty for none",
                    l.parent.as_deref(),
                ),
            ],
            focus: 0,
            error: None,
            busy: None,
            selected: true,
            typed: String::new(),
        }
    }

    pub fn dispose(a: &AssetView) -> Form {
        Form {
            kind: FormKind::Dispose { tag: a.tag.clone() },
            title: format!(
                "Dispose of {} — ctrl-s confirms, esc cancels",
                crate::domain::text::visible(&a.tag)
            ),
            fields: vec![
                choice("method", "Method", DISPOSAL_METHODS, None),
                Field {
                    hint: "←/→ or type: none, clear, purge, destroy (NIST 800-88)".into(),
                    ..choice("wipe", "Data wipe", WIPE_METHODS, Some("none"))
                },
                field(
                    "certificate",
                    "Certificate",
                    "wipe/destruction certificate ref",
                    None,
                ),
                field("proceeds", "Proceeds", "e.g. 120.00", None),
                field("recipient", "Recipient", "", None),
                field("date", "Date", "YYYY-MM-DD, default today", None),
                field("note", "Note", "", None),
            ],
            focus: 0,
            error: None,
            busy: None,
            selected: true,
            typed: String::new(),
        }
    }

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

    /// Every problem the form can see without the database, all at once: a required choice
    /// left empty, a date or amount that does not parse, a custom field value that does not
    /// fit its field. The store still checks everything again when it writes.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.fields {
            let v = f.input.value().trim();
            if let Some((kind, format)) = &f.check {
                if let Err(e) = crate::domain::field::check_value(*kind, format.as_deref(), v) {
                    out.push(format!("{}: {e}", f.label));
                }
                continue;
            }
            if v.is_empty() {
                if f.key == "method" || (f.key == "tag" && self.kind != FormKind::Import) {
                    out.push(format!("{} is required", f.label));
                }
                continue;
            }
            if matches!(f.key.as_str(), "purchased" | "warranty" | "eol" | "date") {
                // The store's message names the field itself.
                if let Err(e) = parse_date(&f.label, v) {
                    out.push(e.to_string());
                }
            }
            if matches!(f.key.as_str(), "cost" | "proceeds") {
                if let Err(e) = crate::domain::money::parse_amount(v) {
                    out.push(format!("{}: {e}", f.label));
                }
            }
        }
        out
    }

    fn get(&self, key: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.input.value().to_string())
            .filter(|v| !v.trim().is_empty())
    }

    /// Every field as typed, `Some("")` for an emptied one (for edits, which clear fields).
    fn raw(&self, key: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.input.value().to_string())
    }

    fn label<'a>(&'a self, key: &'a str) -> &'a str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or(key, |f| f.label.as_str())
    }

    /// A date field as typed, for an edit: None without the field, `Some(None)` when emptied.
    fn date(&self, key: &str) -> Result<Option<Option<NaiveDate>>, StoreError> {
        self.raw(key)
            .map(|v| optional_date(self.label(key), Some(&v)))
            .transpose()
            .map_err(StoreError::from)
    }

    /// An amount field as typed, like [`Form::date`].
    fn amount(&self, key: &str) -> Result<Option<Option<Decimal>>, StoreError> {
        self.raw(key)
            .map(|v| optional_amount(Some(&v)))
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", self.label(key))))
    }

    /// The import options typed into an import form.
    pub fn import_request(
        &self,
    ) -> Result<(std::path::PathBuf, crate::interop::import::Options), StoreError> {
        let file = self
            .get("file")
            .ok_or_else(|| StoreError::Invalid("give the file's path".into()))?;
        let kind: crate::interop::Kind = self
            .get("kind")
            .unwrap_or_else(|| "assets".into())
            .parse()
            .map_err(|e| StoreError::Invalid(format!("{e}")))?;
        let yes = |k: &str| {
            self.get(k).is_some_and(|v| {
                matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "y" | "yes" | "true" | "1"
                )
            })
        };
        let opts = crate::interop::import::Options {
            kind,
            map: self.get("map").into_iter().collect(),
            update: yes("update"),
            skip_bad_rows: yes("skip"),
            ..Default::default()
        };
        let path = match file.trim().strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_default()
                .join(rest),
            None => std::path::PathBuf::from(file.trim()),
        };
        Ok((path, opts))
    }

    /// Write the form; on success a message for the status line.
    pub fn save(&self, store: &mut Store) -> Result<String, StoreError> {
        match &self.kind {
            FormKind::AddAsset => {
                let values: Vec<(String, String)> = self
                    .custom_values()
                    .into_iter()
                    .filter(|(_, v)| !v.trim().is_empty())
                    .collect();
                let home = self.get("home");
                let v = store.add_asset_and(
                    &NewAsset {
                        tag: self.get("tag").unwrap_or_default(),
                        serial: self.get("serial"),
                        name: self.get("name"),
                        model: self.get("model"),
                        manufacturer: self.get("manufacturer"),
                        category: self.get("category"),
                        location: self.get("location"),
                        owner: self.get("owner"),
                        supplier: self.get("supplier"),
                        order_number: self.get("order"),
                        purchase_cost: self.amount("cost")?.flatten(),
                        currency: self.get("currency"),
                        purchase_date: self.date("purchased")?.flatten(),
                        warranty_until: self.date("warranty")?.flatten(),
                        eol_date: self.date("eol")?.flatten(),
                        notes: self.get("notes"),
                        ..Default::default()
                    },
                    |tx, id| {
                        crate::store::set_fields_tx(tx, id, &values, None)?;
                        if let Some(h) = &home {
                            crate::store::set_home_location_tx(tx, id, Some(h.trim()), None)?;
                        }
                        Ok(())
                    },
                )?;
                Ok(format!("added {}", v.tag))
            }
            FormKind::EditAsset { tag, version } => {
                let values = self.custom_values();
                let home = self.raw("home");
                let v = store.edit_asset_and(
                    tag,
                    &AssetEdit {
                        tag: self.raw("tag"),
                        serial: self.raw("serial"),
                        name: self.raw("name"),
                        model: self.raw("model"),
                        manufacturer: self.raw("manufacturer"),
                        category: self.raw("category"),
                        owner: self.raw("owner"),
                        supplier: self.raw("supplier"),
                        order_number: self.raw("order"),
                        purchase_cost: self.amount("cost")?,
                        currency: self.raw("currency"),
                        purchase_date: self.date("purchased")?,
                        warranty_until: self.date("warranty")?,
                        eol_date: self.date("eol")?,
                        notes: self.raw("notes"),
                        expected_version: Some(*version),
                    },
                    None,
                    |tx, id| {
                        crate::store::set_fields_tx(tx, id, &values, None)?;
                        // A form without the field (no home row) leaves the home alone.
                        if let Some(h) = &home {
                            let code = Some(h.trim()).filter(|c| !c.is_empty());
                            crate::store::set_home_location_tx(tx, id, code, None)?;
                        }
                        Ok(())
                    },
                )?;
                Ok(format!("saved {}", v.tag))
            }
            FormKind::AddPerson => {
                let p = store.add_person(&NewPerson {
                    username: self.get("username").unwrap_or_default(),
                    full_name: self.get("name").unwrap_or_default(),
                    email: self.get("email"),
                    badge: self.get("badge"),
                    team: self.get("team"),
                })?;
                Ok(format!("added {}", p.username))
            }
            FormKind::AddLocation => {
                let l = store.add_location(&NewLocation {
                    code: self.get("code").unwrap_or_default(),
                    name: self.get("name").unwrap_or_default(),
                    parent: self.get("parent"),
                })?;
                Ok(format!("added location {}", l.code))
            }
            FormKind::Dispose { tag } => {
                let method: DisposalMethod = self
                    .get("method")
                    .ok_or_else(|| StoreError::Invalid("method is required (recycle, resale, donate, destroy, return_to_lessor)".into()))?
                    .parse()?;
                let wipe: WipeMethod = self.get("wipe").unwrap_or_else(|| "none".into()).parse()?;
                let v = store.dispose(
                    tag,
                    &DisposalInput {
                        method,
                        wipe,
                        certificate: self.get("certificate"),
                        proceeds: self.amount("proceeds")?.flatten(),
                        recipient: self.get("recipient"),
                        date: self.date("date")?.flatten(),
                        note: self.get("note"),
                    },
                )?;
                Ok(format!("{} disposed ({method})", v.tag))
            }
            FormKind::EditPerson { username } => {
                let p = store.edit_person(
                    username,
                    &NewPerson {
                        username: username.clone(),
                        full_name: self.get("name").unwrap_or_default(),
                        email: self.raw("email"),
                        badge: self.raw("badge"),
                        team: self.raw("team"),
                    },
                )?;
                Ok(format!("saved {}", p.username))
            }
            FormKind::EditLocation { code } => {
                let l = store.edit_location(
                    code,
                    self.get("name").as_deref(),
                    self.raw("parent").as_deref(),
                )?;
                Ok(format!("saved location {}", l.code))
            }
            // Handled by the app: it shows the dry run before anything is written.
            FormKind::Import => Err(StoreError::Invalid("an import is checked first".into())),
        }
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

pub fn draw(f: &mut Frame, form: &Form, t: &Theme, area: Rect) {
    let h = (form.fields.len() as u16 + 6).min(area.height);
    let r = super::picker::centered(area, 76, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", form.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    // A form taller than the screen (an edit with many custom fields) scrolls to keep the
    // focused field in view; the note below always shows.
    let rows = (inner.height as usize).saturating_sub(3).max(1);
    let first = (form.focus + 1).saturating_sub(rows);
    let mut lines = Vec::new();
    for (i, fl) in form.fields.iter().enumerate().skip(first).take(rows) {
        let focused = i == form.focus;
        let label = format!("{}{:>15} ", if focused { "▶" } else { " " }, fl.label);
        let value = fit(fl.input.value(), 40);
        let shown = if focused && !fl.choices.is_empty() {
            Span::styled(format!("◀ {value} ▶"), t.title())
        } else if focused && form.selected && !value.is_empty() {
            Span::styled(
                value,
                Style::default().add_modifier(ratatui::style::Modifier::REVERSED),
            )
        } else {
            Span::raw(value)
        };
        let mut spans = vec![
            Span::styled(label, if focused { t.title() } else { Style::default() }),
            shown,
        ];
        if focused && !fl.hint.is_empty() {
            spans.push(Span::styled(format!("  {}", fl.hint), t.dim()));
        }
        lines.push(Line::from(spans));
        if focused {
            // A choice's value sits after its ◀ marker.
            let marker = if fl.choices.is_empty() { 0 } else { 2 };
            let x = inner.x + 17 + marker + fl.input.visual_cursor().min(40) as u16;
            f.set_cursor_position((x, inner.y + (i - first) as u16));
        }
    }
    let [fields_area, note_area] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 1),
        Constraint::Min(1),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(lines), fields_area);
    let note = match (&form.error, &form.busy) {
        (_, Some((b, since))) => Line::styled(
            format!("… {b} · {:.1} s", since.elapsed().as_secs_f32()),
            t.title(),
        ),
        (Some(e), None) => Line::styled(format!("✗ {}", visible(e)), t.error()),
        (None, None) => Line::styled(
            "ctrl-s saves · tab/↓ next · esc cancels (nothing is saved)",
            t.dim(),
        ),
    };
    f.render_widget(Paragraph::new(note).wrap(Wrap { trim: true }), note_area);
}
