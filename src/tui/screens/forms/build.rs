//! The forms' fields: what each form asks, prefilled from what it edits.

use super::{Field, Form, FormKind, CUSTOM};
use crate::domain::text::visible;
use crate::domain::AssetView;
use tui_input::Input;

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
            id: crate::tui::screens::ticket(),
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
            id: crate::tui::screens::ticket(),
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
            id: crate::tui::screens::ticket(),
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
            id: crate::tui::screens::ticket(),
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
            id: crate::tui::screens::ticket(),
            selected: true,
            typed: String::new(),
        }
    }
}
