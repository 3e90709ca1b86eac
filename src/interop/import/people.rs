//! People rows: Snipe-IT's user importer and itam's own people CSV/JSON.

use super::super::parse::parse_bool;
use super::super::snipeit::{norm, Field};
use super::super::InteropError;
use super::planner::Planner;
use super::Ops;
use crate::domain::text::visible;
use crate::store::NewPerson;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

impl Planner<'_> {
    pub(super) fn people(&mut self) -> Result<Ops, InteropError> {
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut badges: HashMap<String, u64> = HashMap::new();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let email = self.text(line, f, Field::Email);
            let first = self.text(line, f, Field::FirstName);
            let last = self.text(line, f, Field::LastName);
            let full = self
                .text(line, f, Field::FullName)
                .or_else(|| join_name(first.as_deref(), last.as_deref()));
            let given = self.text(line, f, Field::Username);
            let username = derive_username(
                given.as_deref(),
                email.as_deref(),
                first.as_deref(),
                last.as_deref(),
                full.as_deref(),
            );
            let Some(username) = username else {
                self.err(line, Field::Username, "no username, email or name".into());
                self.row_ok();
                continue;
            };
            if username
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
            {
                self.err(
                    line,
                    Field::Username,
                    format!(
                        "username '{}' must be one word without spaces",
                        visible(&username)
                    ),
                );
            }
            if let Some(first_line) = seen.insert(username.to_lowercase(), line) {
                self.err(
                    line,
                    Field::Username,
                    format!(
                        "{} is also on line {first_line} of this file",
                        visible(&username)
                    ),
                );
            }
            let badge = self.ident(line, f, Field::Badge, true);
            let existing = self.store.person_status(&username)?;
            if let Some(b) = &badge {
                if let Some(first_line) = badges.insert(b.to_lowercase(), line) {
                    self.err(
                        line,
                        Field::Badge,
                        format!(
                            "badge '{}' is also on line {first_line} of this file",
                            visible(b)
                        ),
                    );
                }
                if let Some(holder) = self.store.badge_holder(b)? {
                    if !holder.eq_ignore_ascii_case(&username) {
                        self.err(
                            line,
                            Field::Badge,
                            format!(
                                "badge '{}' already belongs to {}",
                                visible(b),
                                visible(&holder)
                            ),
                        );
                    }
                }
                if self.store.asset_id_by_tag(b)?.is_some()
                    || self.store.serial_holder(b)?.is_some()
                {
                    self.err(
                        line,
                        Field::Badge,
                        format!(
                            "badge '{}' is an asset's tag or serial; scans would be ambiguous",
                            visible(b)
                        ),
                    );
                }
            }
            if let Some(a) = self.get(f, Field::Active) {
                if parse_bool(a).is_none() {
                    self.warn(
                        line,
                        Some(Field::Active),
                        format!("'{}' is not true or false: ignored", visible(a)),
                    );
                }
            }
            let team = self.text(line, f, Field::Team);
            if !self.row_ok() {
                continue;
            }
            let p = NewPerson {
                full_name: full.clone().unwrap_or_else(|| username.clone()),
                username,
                email,
                badge,
                team,
            };
            match existing {
                None => {
                    creates.push(p);
                    self.summary.create += 1;
                }
                Some((stored, _)) if !self.opts.update => {
                    self.warn(
                        line,
                        Some(Field::Username),
                        format!(
                            "{} already exists: skipped (use --update to change them)",
                            visible(&stored)
                        ),
                    );
                    self.summary.skip += 1;
                }
                Some((stored, _)) => {
                    let cur = self.store.person(&stored)?;
                    let mut before = Map::new();
                    let mut after = Map::new();
                    let mut p = p;
                    p.username = stored;
                    if full.is_none() {
                        p.full_name = String::new();
                    }
                    for (k, new, old) in [
                        (
                            "full_name",
                            Some(p.full_name.clone()).filter(|n| !n.is_empty()),
                            Some(cur.full_name.clone()),
                        ),
                        ("email", p.email.clone(), cur.email.clone()),
                        ("badge", p.badge.clone(), cur.badge.clone()),
                        ("team", p.team.clone(), cur.team.clone()),
                    ] {
                        if new.is_some() && new.as_deref().map(norm) != old.as_deref().map(norm) {
                            before.insert(k.into(), json!(old));
                            after.insert(k.into(), json!(new));
                        }
                    }
                    if after.is_empty() {
                        self.summary.skip += 1;
                    } else {
                        updates.push((p, Value::Object(before), Value::Object(after)));
                        self.summary.update += 1;
                    }
                }
            }
        }
        Ok(Ops::People { creates, updates })
    }
}

pub(super) fn join_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let n = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let n = n.trim().to_string();
    (!n.is_empty()).then_some(n)
}

/// A username: as given, else the email's local part, else first initial + last name (as
/// Snipe-IT's default), else the full name without spaces; lower-cased when derived.
pub(super) fn derive_username(
    given: Option<&str>,
    email: Option<&str>,
    first: Option<&str>,
    last: Option<&str>,
    full: Option<&str>,
) -> Option<String> {
    if let Some(u) = given {
        return Some(u.trim().to_string());
    }
    if let Some(local) = email
        .and_then(|e| e.split('@').next())
        .filter(|l| !l.is_empty())
    {
        return Some(local.trim().to_lowercase());
    }
    let clean = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    match (first, last) {
        (Some(f), Some(l)) => {
            let i: String = f.chars().take(1).collect();
            Some(clean(&format!("{i}{l}")))
        }
        _ => full.or(first).or(last).map(clean).filter(|u| !u.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_derived_like_snipeit() {
        assert_eq!(
            derive_username(Some("jdoe"), None, None, None, None).as_deref(),
            Some("jdoe")
        );
        assert_eq!(
            derive_username(None, Some("Ann.S@x.org"), None, None, None).as_deref(),
            Some("ann.s")
        );
        assert_eq!(
            derive_username(None, None, Some("Jane"), Some("O'Doe"), None).as_deref(),
            Some("jodoe")
        );
        assert_eq!(derive_username(None, None, None, None, None), None);
    }
}
