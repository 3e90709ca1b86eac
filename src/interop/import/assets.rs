//! Asset rows: Snipe-IT's asset importer and itam's own asset CSV/JSON.

use super::super::csvout::unescape_formula;
use super::super::parse::{leading_int, parse_cost, parse_timestamp, snipeit_add_months};
use super::super::snipeit::{norm, read_status, Field};
use super::super::InteropError;
use super::people::{derive_username_as, join_name};
use super::planner::{LocRef, Planner};
use super::{AssetUpdate, CreateExtra, CustomPlan, Ops, Severity};
use crate::domain::field::{check_value, is_mac, FieldKind};
use crate::domain::money::parse_currency;
use crate::domain::text::visible;
use crate::domain::time::{serialize_opt_date as opt_date, Timestamp};
use crate::domain::{Badge, Condition, Serial, Status, Tag};
use crate::store::{AssetField, BulkAsset, NewPerson, PersonDetails, PersonView};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

impl Planner<'_> {
    pub(super) fn assets(&mut self) -> Result<Ops, InteropError> {
        // Sized up front: each entry is large, and growing moves them all.
        let mut creates = Vec::with_capacity(self.table.rows.len());
        let mut updates = Vec::new();
        // Sized up front: growing a 100,000-entry map rehashes it several times.
        let mut tags: HashMap<String, u64> = HashMap::with_capacity(self.table.rows.len());
        let mut serials: HashMap<String, u64> = HashMap::with_capacity(self.table.rows.len());
        if !self.cols.contains_key(&Field::Tag) {
            self.file_issue(
                Severity::Error,
                "no asset tag column (\"Asset Tag\" or \"tag\"; use --map \"Header=tag\")".into(),
            );
        }
        let custom = self.custom_plans()?;
        // Over PostgreSQL each look-up is a round trip: ask for all rows' keys at once. SQLite
        // answers one in a function call; gathering them all first only costs it time.
        if self.store.conn().is_postgres() {
            self.prefetch_assets()?;
        }
        let mut extras: Vec<CreateExtra> = Vec::with_capacity(self.table.rows.len());
        // Locations named only as a home: the write creates them (others come with assets).
        let mut home_only: Vec<LocRef> = Vec::new();
        let mut people_details: Vec<(NewPerson, PersonDetails, Value, Value)> = Vec::new();
        let mut details_seen: std::collections::HashSet<String> = Default::default();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            self.check_dup_values(line, f);
            let mut values: Vec<(usize, String)> = Vec::new();
            for (ci, cp) in custom.iter().enumerate() {
                let raw = f
                    .get(cp.col)
                    .map(|v| unescape_formula(v.trim()))
                    .filter(|v| !v.is_empty());
                if let Some(raw) = raw {
                    match check_value(cp.kind, cp.format.as_deref(), raw) {
                        Ok(Some(v)) => values.push((ci, v)),
                        Ok(None) => {}
                        Err(e) => self.err_col(line, cp.col, e),
                    }
                }
            }
            let created_at = match self.get(f, Field::CreatedAt) {
                Some(v) => match parse_timestamp(v, self.opts.date_format.as_deref()) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        self.err(line, Field::CreatedAt, e);
                        None
                    }
                },
                None => None,
            };
            let tag = self
                .code(line, f, Field::Tag, Tag::parse)
                .map(Tag::into_string);
            if tag.is_none() && self.get(f, Field::Tag).is_none() {
                self.err(line, Field::Tag, "no asset tag".into());
            }
            if let Some(t) = &tag {
                if let Some(first) = tags.insert(t.to_lowercase(), line) {
                    self.err(
                        line,
                        Field::Tag,
                        format!("tag '{}' is also on line {first} of this file", visible(t)),
                    );
                }
            }
            let serial = self
                .code(line, f, Field::Serial, Serial::parse)
                .map(Serial::into_string);
            if let Some(s) = &serial {
                if let Some(first) = serials.insert(s.to_lowercase(), line) {
                    self.err(
                        line,
                        Field::Serial,
                        format!(
                            "serial '{}' is also on line {first} of this file",
                            visible(s)
                        ),
                    );
                }
            }
            let model_number = self.ident(line, f, Field::ModelNumber);
            let order_number = self.ident(line, f, Field::OrderNumber);
            let name = self.text(line, f, Field::Name);
            let model = self.text(line, f, Field::Model);
            let manufacturer = self.text(line, f, Field::Manufacturer);
            let category = self.text(line, f, Field::Category);
            let supplier = self.text(line, f, Field::Supplier);
            let owner = self.text(line, f, Field::Owner);
            let mut notes = self.get(f, Field::Notes).map(str::to_string);
            let (mut deployed_meta, mut broken) = (false, false);
            let mut status = match self.get(f, Field::Status) {
                None => Status::InStock,
                Some(s) => match read_status(s, &self.status_map) {
                    Ok(r) => {
                        (deployed_meta, broken) = (r.deployed_meta, r.broken);
                        r.status
                    }
                    Err(e) => {
                        self.warn(
                            line,
                            Some(Field::Status),
                            format!("{e}: imported as in_stock"),
                        );
                        Status::InStock
                    }
                },
            };
            let condition = match self.get(f, Field::Condition) {
                None if broken => Condition::Broken,
                None => Condition::Good,
                Some(c) => match c.parse::<Condition>() {
                    Ok(c) => c,
                    Err(e) => {
                        self.err(line, Field::Condition, e.to_string());
                        Condition::Good
                    }
                },
            };
            let purchase_date = self.date(line, f, Field::PurchaseDate);
            let eol_date = self.date(line, f, Field::EolDate);
            let mut warranty_until = self.date(line, f, Field::WarrantyUntil);
            let due_date = self.date(line, f, Field::DueDate);
            let assigned_at = match self.get(f, Field::AssignedAt) {
                Some(v) => match parse_timestamp(v, self.opts.date_format.as_deref()) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        self.err(line, Field::AssignedAt, e);
                        None
                    }
                },
                None => None,
            };
            let mut currency = None;
            let purchase_cost = match self.get(f, Field::PurchaseCost) {
                Some(c) => match parse_cost(c, self.opts.decimal_comma) {
                    Ok((d, cur)) => {
                        currency = cur;
                        Some(d)
                    }
                    Err(e) => {
                        self.err(line, Field::PurchaseCost, e);
                        None
                    }
                },
                None => None,
            };
            if let Some(c) = self.get(f, Field::Currency) {
                match parse_currency(c) {
                    Ok(c) => currency = Some(c),
                    Err(e) => self.err(line, Field::Currency, e.to_string()),
                }
            }
            if purchase_cost.is_some() && currency.is_none() {
                currency = Some("USD".into());
            }
            if let Some(m) = self.get(f, Field::WarrantyMonths) {
                // Snipe-IT reads the leading number (`3 months` is 3) and adds months its way.
                match (leading_int(m).ok_or(()), &purchase_date) {
                    (Ok(0), _) => {}
                    (Ok(months), Some(pd)) if warranty_until.is_none() => {
                        warranty_until = snipeit_add_months(*pd, months);
                    }
                    (Ok(_), None) => self.warn(
                        line,
                        Some(Field::WarrantyMonths),
                        "warranty months without a purchase date: not imported".into(),
                    ),
                    (Ok(_), Some(_)) => {}
                    (Err(_), _) => self.err(
                        line,
                        Field::WarrantyMonths,
                        format!("'{}' is not a number of months", visible(m)),
                    ),
                }
            }
            let mut location = match self.get(f, Field::Location) {
                Some(l) => {
                    let l = l.to_string();
                    let ln = self.get(f, Field::LocationName).map(str::to_string);
                    self.location_ref(line, &l, ln.as_deref(), Field::Location)
                }
                None => None,
            };
            // The home: "Default Location" when given, else the Location column (Snipe-IT's
            // importer sets rtd_location from it).
            let home = match self.get(f, Field::HomeLocation) {
                Some(h) => {
                    let h = h.to_string();
                    self.location_ref(line, &h, None, Field::HomeLocation)
                }
                // An itam export's empty home_location means no home.
                None if self.cols.contains_key(&Field::HomeLocation) => None,
                None => location.clone(),
            };

            // Checked out to a person or a location.
            let ctype = self
                .get(f, Field::CheckoutType)
                .map(norm)
                .unwrap_or_default();
            let checked_out = self.get(f, Field::CheckedOut).map(str::to_string);
            let email = self.get(f, Field::Email).map(str::to_string);
            let first = self.get(f, Field::FirstName).map(str::to_string);
            let last = self.get(f, Field::LastName).map(str::to_string);
            let mut full = self
                .get(f, Field::FullName)
                .map(str::to_string)
                .or_else(|| join_name(first.as_deref(), last.as_deref()));
            let given_username = self.get(f, Field::Username).map(str::to_string);
            // A Custom Asset Report's "Checked Out" holds a user's full name.
            if full.is_none() && (ctype == "user" || ctype.is_empty()) {
                full = checked_out.clone();
            }
            // Snipe-IT needs a username or a name to check out to; an email alone is not enough.
            let has_person = given_username.is_some() || full.is_some();
            if !has_person && email.is_some() && (ctype.is_empty() || ctype == "user") {
                self.warn(
                    line,
                    Some(Field::Email),
                    "only an email is given: not checked out (Snipe-IT needs a username or a name)"
                        .into(),
                );
            }
            let mut assignee = None;
            match ctype.as_str() {
                "location" => {
                    let target = self
                        .get(f, Field::CheckoutLocation)
                        .map(str::to_string)
                        .or_else(|| checked_out.clone())
                        .or_else(|| location.as_ref().map(|l| l.code.clone()));
                    match target {
                        Some(t) => {
                            location = self.location_ref(line, &t, None, Field::CheckoutLocation)
                        }
                        None => self.err(
                            line,
                            Field::CheckoutType,
                            "checked out to a location, but no location is given".into(),
                        ),
                    }
                }
                "" | "user" | "person" if has_person || ctype == "user" || ctype == "person" => {
                    let derived = if has_person {
                        derive_username_as(
                            given_username.as_deref(),
                            email.as_deref(),
                            first.as_deref(),
                            last.as_deref(),
                            full.as_deref(),
                            &self.opts.username_format,
                        )
                    } else {
                        None
                    };
                    match derived {
                        Some(u) if u.chars().any(|c| c.is_whitespace() || c.is_control()) => self
                            .err(
                                line,
                                Field::Username,
                                format!("username '{}' must be one word", visible(&u)),
                            ),
                        Some(u) => match self.person_ref(&u)? {
                            Some((_, false)) => self.err(
                                line,
                                Field::Username,
                                format!(
                                    "{} is inactive (offboarded): cannot hold an asset",
                                    visible(&u)
                                ),
                            ),
                            Some((stored, true)) => assignee = Some((stored, None, None)),
                            None => {
                                assignee = Some((
                                    u.clone(),
                                    Some(full.clone().unwrap_or(u)),
                                    email.clone(),
                                ))
                            }
                        },
                        None => self.err(
                            line,
                            Field::CheckoutType,
                            "checked out to a user, but no username, email or name is given".into(),
                        ),
                    }
                }
                "" => {}
                "asset" => {
                    // Snipe-IT keeps a child asset where its parent is: so does itam, noted.
                    let what = checked_out.as_deref().unwrap_or("another asset");
                    let line_note = format!("checked out to asset {what} in Snipe-IT");
                    notes = Some(match notes.take() {
                        Some(n) if !n.contains(&line_note) => format!("{n}\n{line_note}"),
                        Some(n) => n,
                        None => line_note,
                    });
                }
                other => self.err(
                    line,
                    Field::CheckoutType,
                    format!("checkout type '{}' is not User or Location", visible(other)),
                ),
            }
            if assignee.is_some() {
                if !matches!(status, Status::InStock | Status::Deployed) {
                    let given = self.get(f, Field::Status).unwrap_or_default().to_string();
                    self.warn(
                        line,
                        Some(Field::Status),
                        format!(
                            "status '{}' ignored: the asset is checked out, so it is deployed",
                            visible(&given)
                        ),
                    );
                }
                status = Status::Deployed;
            } else if status == Status::Deployed && deployed_meta {
                // Snipe-IT says deployed for any check-out; to a place it is in stock there.
                status = Status::InStock;
            } else if status == Status::Deployed {
                self.warn(
                    line,
                    Some(Field::Status),
                    "deployed but checked out to no one: imported as in_stock".into(),
                );
                status = Status::InStock;
            }

            // The person's badge, team, title, phone and location, from a report's Employee
            // No., Department, Title, Phone and User Location.
            if let Some((u, _, _)) = &assignee {
                // A badge that is not one (spaces, control characters, too long) is left out:
                // the asset row itself is good.
                let badge = match self.get(f, Field::Badge).map(Badge::parse) {
                    Some(Ok(b)) => Some(b.into_string()),
                    Some(Err(e)) => {
                        self.warn(
                            line,
                            Some(Field::Badge),
                            format!("{e}: not given to {}", visible(u)),
                        );
                        None
                    }
                    None => None,
                };
                let team = self.get(f, Field::Team).map(str::to_string);
                let more = [Field::Title, Field::Phone, Field::PersonLocation]
                    .iter()
                    .any(|k| self.get(f, *k).is_some());
                if (badge.is_some() || team.is_some() || more)
                    && details_seen.insert(u.to_lowercase())
                {
                    let extra = self.person_extras(line, f)?;
                    if let Some(d) = self.person_details(line, u, badge, team, extra)? {
                        people_details.push(d);
                    }
                }
            }

            // Against the database.
            let mut existing = None;
            if let Some(t) = &tag {
                existing = self.asset_id_by_tag(t)?;
            }
            if let Some(s) = &serial {
                if let Some((id, other)) = self.serial_holder(s)? {
                    if Some(id) != existing {
                        self.err(
                            line,
                            Field::Serial,
                            format!(
                                "serial '{}' is already on asset {}",
                                visible(s),
                                visible(&other)
                            ),
                        );
                    }
                }
            }
            if !self.row_ok() {
                continue;
            }
            let Some(tag) = tag else { continue };
            if let Some(h) = &home {
                if location.as_ref().map(|l| norm(&l.code)) != Some(norm(&h.code)) {
                    // A home no asset is at is created by the write itself.
                    let known = home_only.iter().any(|x| norm(&x.code) == norm(&h.code));
                    if !known && self.location_code_for(&h.code)?.is_none() {
                        home_only.push(h.clone());
                    }
                }
            }
            let home = home.map(|h| h.code);
            let a = BulkAsset {
                tag,
                serial,
                name,
                model,
                model_number,
                manufacturer,
                category,
                status,
                condition,
                location: location.as_ref().map(|l| l.code.clone()),
                location_name: location.as_ref().map(|l| l.name.clone()),
                assignee: assignee.as_ref().map(|a| a.0.clone()),
                assignee_name: assignee.as_ref().and_then(|a| a.1.clone()),
                assignee_email: assignee.as_ref().and_then(|a| a.2.clone()),
                assigned_at,
                due_date,
                owner,
                supplier,
                order_number,
                purchase_date,
                purchase_cost,
                currency,
                warranty_until,
                eol_date,
                notes,
            };
            match existing {
                None => {
                    // Its create event's JSON is written below, for all rows at once.
                    creates.push((a, String::new()));
                    extras.push(CreateExtra {
                        home,
                        fields: values,
                        created_at,
                    });
                    self.summary.create += 1;
                }
                Some(id) if !self.opts.update => {
                    let _ = id;
                    self.warn(
                        line,
                        Some(Field::Tag),
                        format!(
                            "tag '{}' already exists: skipped (use --update to change it)",
                            visible(&a.tag)
                        ),
                    );
                    self.summary.skip += 1;
                }
                Some(id) => match self.asset_update(line, id, &a, values, home)? {
                    Some(u) => {
                        updates.push(u);
                        self.summary.update += 1;
                    }
                    None => self.summary.skip += 1,
                },
            }
        }
        let names: Vec<&str> = custom.iter().map(|c| c.name.as_str()).collect();
        fill_snapshots(&mut creates, &extras, &names);
        Ok(Ops::Assets {
            creates: Arc::new(creates),
            updates,
            extras,
            custom,
            home_only,
            people_details,
        })
    }

    /// The badge and team a row gives the person `username`, when they change something: a
    /// badge someone else holds is left out with a warning.
    fn person_details(
        &mut self,
        line: u64,
        username: &str,
        mut badge: Option<String>,
        team: Option<String>,
        extra: PersonDetails,
    ) -> Result<Option<(NewPerson, PersonDetails, Value, Value)>, InteropError> {
        if let Some(b) = &badge {
            if let Some(holder) = self.store.badge_holder(b)? {
                if !holder.eq_ignore_ascii_case(username) {
                    self.warn(
                        line,
                        Some(Field::Badge),
                        format!(
                            "badge '{}' belongs to {}: not given to {}",
                            visible(b),
                            visible(&holder),
                            visible(username)
                        ),
                    );
                    badge = None;
                }
            }
        }
        let cur = self.store.person(username).ok();
        let cur = |f: fn(&PersonView) -> &Option<String>| cur.as_ref().and_then(|p| f(p).clone());
        let mut before = Map::new();
        let mut after = Map::new();
        for (k, new, old) in [
            ("badge", &badge, cur(|p| &p.badge)),
            ("team", &team, cur(|p| &p.team)),
            ("title", &extra.title, cur(|p| &p.title)),
            ("phone", &extra.phone, cur(|p| &p.phone)),
            ("location", &extra.location, cur(|p| &p.location)),
        ] {
            let old = &old;
            if new.is_some() && new.as_deref().map(norm) != old.as_deref().map(norm) {
                before.insert(k.into(), json!(old));
                after.insert(k.into(), json!(new));
            }
        }
        if after.is_empty() {
            return Ok(None);
        }
        Ok(Some((
            NewPerson {
                username: username.to_string(),
                full_name: String::new(),
                email: None,
                badge,
                team,
            },
            extra,
            Value::Object(before),
            Value::Object(after),
        )))
    }

    /// How each custom field column is checked and defined: as the field already defined
    /// under that name, else by what its values look like (all numbers, all dates, all yes/no,
    /// all MAC addresses, else text).
    fn custom_plans(&mut self) -> Result<Vec<CustomPlan>, InteropError> {
        let mut out = Vec::with_capacity(self.custom.len());
        for (col, name) in self.custom.clone() {
            if let Some(f) = crate::store::field_by_name(self.store.conn(), &name)? {
                out.push(CustomPlan {
                    col,
                    name: f.name,
                    kind: f.kind,
                    format: f.format,
                    exists: true,
                });
                continue;
            }
            let values: Vec<&str> = self
                .table
                .rows
                .iter()
                .filter_map(|r| r.fields.get(col))
                .map(|v| unescape_formula(v.trim()))
                .filter(|v| !v.is_empty())
                .collect();
            let all = |p: &dyn Fn(&str) -> bool| !values.is_empty() && values.iter().all(|v| p(v));
            let (kind, format) = if all(&|v| v.parse::<rust_decimal::Decimal>().is_ok()) {
                (FieldKind::Number, None)
            } else if all(&|v| check_value(FieldKind::Date, None, v).is_ok()) {
                (FieldKind::Date, None)
            } else if all(&|v| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "yes" | "no" | "true" | "false"
                )
            }) {
                (FieldKind::Boolean, None)
            } else if all(&is_mac) {
                (FieldKind::Text, Some("mac".to_string()))
            } else {
                (FieldKind::Text, None)
            };
            out.push(CustomPlan {
                col,
                name,
                kind,
                format,
                exists: false,
            });
        }
        let new: Vec<String> = out
            .iter()
            .filter(|c| !c.exists)
            .map(|c| format!("\"{}\" ({})", visible(&c.name), c.kind))
            .collect();
        if !new.is_empty() {
            self.file_issue(
                Severity::Warning,
                format!(
                    "new custom fields (columns itam does not know; --map \"Header=-\" ignores one): {}",
                    new.join(", ")
                ),
            );
        }
        Ok(out)
    }

    /// The changes `--update` makes to an existing asset (None when nothing differs).
    fn asset_update(
        &mut self,
        line: u64,
        id: i64,
        a: &BulkAsset,
        fields: Vec<(usize, String)>,
        home: Option<String>,
    ) -> Result<Option<AssetUpdate>, InteropError> {
        let cur = self.store.asset_by_id(id)?;
        if cur.status == Status::Disposed {
            self.warn(
                line,
                Some(Field::Tag),
                format!(
                    "{} is disposed and never changes: skipped",
                    visible(&cur.tag)
                ),
            );
            return Ok(None);
        }
        let same = |x: &Option<String>, y: &Option<String>| {
            x.as_deref().map(norm) == y.as_deref().map(norm)
        };
        let mut changes = Vec::new();
        let mut before = Map::new();
        let mut after = Map::new();
        let cond = Some(a.condition.as_str().to_string());
        let cur_cond = Some(cur.condition.as_str().to_string());
        // An update's changes are the columns' text (dates and amounts as stored), compared as
        // text: `10.0` over `10.00` is a change, as it always was.
        fn text<T: ToString>(v: &Option<T>) -> Option<String> {
            v.as_ref().map(ToString::to_string)
        }
        let (cur_purchase_date, cur_purchase_cost, cur_warranty_until, cur_eol_date) = (
            text(&cur.purchase_date),
            text(&cur.purchase_cost),
            text(&cur.warranty_until),
            text(&cur.eol_date),
        );
        let (purchase_date, purchase_cost, warranty_until, eol_date) = (
            text(&a.purchase_date),
            text(&a.purchase_cost),
            text(&a.warranty_until),
            text(&a.eol_date),
        );
        let explicit_condition = self.cols.contains_key(&Field::Condition);
        for (field, key, new, old) in [
            (AssetField::Serial, "serial", &a.serial, &cur.serial),
            (AssetField::Name, "name", &a.name, &cur.name),
            (AssetField::Model, "model", &a.model, &cur.model),
            (
                AssetField::Manufacturer,
                "manufacturer",
                &a.manufacturer,
                &cur.manufacturer,
            ),
            (AssetField::Category, "category", &a.category, &cur.category),
            (AssetField::Location, "location", &a.location, &cur.location),
            (AssetField::Owner, "owner", &a.owner, &cur.owner),
            (AssetField::Supplier, "supplier", &a.supplier, &cur.supplier),
            (
                AssetField::OrderNumber,
                "order_number",
                &a.order_number,
                &cur.order_number,
            ),
            (
                AssetField::PurchaseDate,
                "purchase_date",
                &purchase_date,
                &cur_purchase_date,
            ),
            (
                AssetField::PurchaseCost,
                "purchase_cost",
                &purchase_cost,
                &cur_purchase_cost,
            ),
            (AssetField::Currency, "currency", &a.currency, &cur.currency),
            (
                AssetField::WarrantyUntil,
                "warranty_until",
                &warranty_until,
                &cur_warranty_until,
            ),
            (AssetField::EolDate, "eol_date", &eol_date, &cur_eol_date),
            (AssetField::Notes, "notes", &a.notes, &cur.notes),
            (
                AssetField::Condition,
                "condition",
                if explicit_condition { &cond } else { &None },
                &cur_cond,
            ),
        ] {
            // Only what the file says changes: an empty cell leaves the field alone.
            if new.is_none() || same(new, old) {
                continue;
            }
            changes.push((field, new.clone()));
            before.insert(key.into(), json!(old));
            after.insert(key.into(), json!(new));
        }
        let status_given = self.cols.contains_key(&Field::Status) || a.assignee.is_some();
        if status_given
            && (a.status != cur.status
                || a.assignee.as_deref().map(str::to_lowercase)
                    != cur.assignee.as_deref().map(str::to_lowercase))
        {
            self.warn(
                line,
                Some(Field::Status),
                format!(
                    "--update leaves status and check-outs alone ({} is {}); use itam checkout, checkin or status",
                    visible(&cur.tag),
                    cur.status
                ),
            );
        }
        if changes.is_empty() && fields.is_empty() && home.is_none() {
            return Ok(None);
        }
        Ok(Some(AssetUpdate {
            id,
            changes,
            before: Value::Object(before).to_string(),
            after: Value::Object(after).to_string(),
            fields,
            home,
        }))
    }
}

/// alphabetical order, as the `serde_json::Map` this replaced wrote them, so history reads the
/// same; serialising borrowed strings avoids building a map of ~20 owned strings per row.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    condition: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_date")]
    due_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_date")]
    eol_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<std::collections::BTreeMap<&'a str, &'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_cost: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_date")]
    purchase_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial: Option<&'a str>,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<&'a str>,
    tag: &'a str,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_date")]
    warranty_until: Option<NaiveDate>,
}

/// The create-event JSON of every new asset, on every core: serialising is a fifth of the
/// check of a large file, and each row's is independent of the others.
fn fill_snapshots(creates: &mut [(BulkAsset, String)], extras: &[CreateExtra], names: &[&str]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if creates.len() < 10_000 || threads == 1 {
        for ((a, snap), x) in creates.iter_mut().zip(extras) {
            *snap = snapshot(a, x, names);
        }
        return;
    }
    let size = creates.len().div_ceil(threads);
    std::thread::scope(|s| {
        for (chunk, xs) in creates.chunks_mut(size).zip(extras.chunks(size)) {
            s.spawn(move || {
                for ((a, snap), x) in chunk.iter_mut().zip(xs) {
                    *snap = snapshot(a, x, names);
                }
            });
        }
    });
}

fn snapshot(a: &BulkAsset, x: &CreateExtra, names: &[&str]) -> String {
    let fields = (!x.fields.is_empty()).then(|| {
        x.fields
            .iter()
            .filter_map(|(i, v)| names.get(*i).map(|n| (*n, v.as_str())))
            .collect()
    });
    let s = Snapshot {
        assignee: a.assignee.as_deref(),
        category: a.category.as_deref(),
        condition: a.condition.as_str(),
        created_at: x.created_at,
        currency: a.currency.as_deref(),
        due_date: a.due_date,
        eol_date: a.eol_date,
        fields,
        home_location: x
            .home
            .as_deref()
            .filter(|h| Some(*h) != a.location.as_deref()),
        location: a.location.as_deref(),
        manufacturer: a.manufacturer.as_deref(),
        model: a.model.as_deref(),
        name: a.name.as_deref(),
        notes: a.notes.as_deref(),
        order_number: a.order_number.as_deref(),
        owner: a.owner.as_deref(),
        purchase_cost: a.purchase_cost,
        purchase_date: a.purchase_date,
        serial: a.serial.as_deref(),
        status: a.status.as_str(),
        supplier: a.supplier.as_deref(),
        tag: &a.tag,
        warranty_until: a.warranty_until,
    };
    // Serialising strings and options into a String cannot fail; the fallback is never used.
    serde_json::to_string(&s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map-based snapshot this module wrote before; the struct must give the same text.
    fn snapshot_as_map(a: &BulkAsset) -> String {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                m.insert(k.into(), Value::String(v.into()));
            }
        };
        put("tag", Some(&a.tag));
        put("serial", a.serial.as_deref());
        put("name", a.name.as_deref());
        put("model", a.model.as_deref());
        put("manufacturer", a.manufacturer.as_deref());
        put("category", a.category.as_deref());
        put("status", Some(a.status.as_str()));
        put("condition", Some(a.condition.as_str()));
        put("location", a.location.as_deref());
        put("assignee", a.assignee.as_deref());
        let due_date = a.due_date.map(|d| d.to_string());
        put("due_date", due_date.as_deref());
        put("owner", a.owner.as_deref());
        put("supplier", a.supplier.as_deref());
        put("order_number", a.order_number.as_deref());
        let text = |d: Option<&dyn ToString>| d.map(ToString::to_string);
        let bought = text(a.purchase_date.as_ref().map(|d| d as _));
        put("purchase_date", bought.as_deref());
        let cost = text(a.purchase_cost.as_ref().map(|d| d as _));
        put("purchase_cost", cost.as_deref());
        put("currency", a.currency.as_deref());
        let warranty = text(a.warranty_until.as_ref().map(|d| d as _));
        put("warranty_until", warranty.as_deref());
        let eol = text(a.eol_date.as_ref().map(|d| d as _));
        put("eol_date", eol.as_deref());
        put("notes", a.notes.as_deref());
        Value::Object(m).to_string()
    }

    #[test]
    fn snapshots_read_as_before() {
        let s = |v: &str| Some(v.to_string());
        let mut a = BulkAsset {
            tag: "IT-1 \"q\"".into(),
            serial: s("SN\u{1}"),
            name: None,
            model: s("X1"),
            model_number: s("M-1"),
            manufacturer: s("Lenovo"),
            category: s("Laptop"),
            status: Status::Deployed,
            condition: Condition::Fair,
            location: s("HQ"),
            location_name: s("Head office"),
            assignee: s("jdoe"),
            assignee_name: s("J Doe"),
            assignee_email: None,
            assigned_at: "2024-01-01T00:00:00.000Z".parse().ok(),
            due_date: "2024-02-01".parse().ok(),
            owner: s("Finance"),
            supplier: s("CDW"),
            order_number: s("PO-1"),
            purchase_date: "2023-01-02".parse().ok(),
            purchase_cost: "10.00".parse().ok(),
            currency: s("USD"),
            warranty_until: "2026-01-02".parse().ok(),
            eol_date: "2028-01-02".parse().ok(),
            notes: s("line\nbreak"),
        };
        assert_eq!(
            snapshot(&a, &CreateExtra::default(), &[]),
            snapshot_as_map(&a)
        );
        a.serial = None;
        a.assignee = None;
        a.notes = None;
        a.due_date = None;
        a.category = None;
        assert_eq!(
            snapshot(&a, &CreateExtra::default(), &[]),
            snapshot_as_map(&a)
        );
    }
}
