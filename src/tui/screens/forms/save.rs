//! What a form checks before it is sent, and the write itself (run on the database worker).

use super::{Form, FormKind, CUSTOM};
use crate::domain::money::optional_amount;
use crate::domain::time::{optional_date, parse_date};
use crate::domain::{DisposalMethod, WipeMethod};
use crate::store::{AssetEdit, DisposalInput, NewAsset, NewLocation, NewPerson, Store, StoreError};
use chrono::NaiveDate;
use rust_decimal::Decimal;

impl Form {
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
