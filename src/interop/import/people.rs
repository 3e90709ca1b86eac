//! People rows: Snipe-IT's user importer and itam's own people CSV/JSON.

use super::super::parse::parse_bool;
use super::super::snipeit::{norm, Field};
use super::super::InteropError;
use super::planner::Planner;
use super::Ops;
use crate::domain::text::visible;
use crate::domain::Badge;
use crate::store::{NewPerson, PersonDetails};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

impl Planner<'_> {
    /// A row's title, phone and location for a person; a location that is not known (by
    /// code or name, or from an earlier row's asset location) is left out with a warning.
    pub(super) fn person_extras(
        &mut self,
        line: u64,
        f: &csv::StringRecord,
    ) -> Result<PersonDetails, InteropError> {
        let title = self.text(line, f, Field::Title);
        let phone = self.text(line, f, Field::Phone);
        let mut location = None;
        if let Some(l) = self.text(line, f, Field::PersonLocation) {
            // One this file already brings in (as an asset's location), else one stored.
            location = match self.locations.get(&norm(&l)) {
                Some(r) => Some(r.code.clone()),
                None => self.store.location_code_for(&l)?,
            };
            if location.is_none() {
                self.warn(
                    line,
                    Some(Field::PersonLocation),
                    format!(
                        "location '{}' is not known: not given to the person",
                        visible(&l)
                    ),
                );
            }
        }
        Ok(PersonDetails {
            title,
            phone,
            location,
            active: None,
        })
    }

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
            let username = derive_username_as(
                given.as_deref(),
                email.as_deref(),
                first.as_deref(),
                last.as_deref(),
                full.as_deref(),
                &self.opts.username_format,
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
            let badge = self
                .code(line, f, Field::Badge, Badge::parse)
                .map(Badge::into_string);
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
            let mut inactive = false;
            if let Some(a) = self.get(f, Field::Active) {
                match parse_bool(a) {
                    Some(v) => inactive = !v,
                    None => self.warn(
                        line,
                        Some(Field::Active),
                        format!("'{}' is not true or false: ignored", visible(a)),
                    ),
                }
            }
            let team = self.text(line, f, Field::Team);
            let mut extra = self.person_extras(line, f)?;
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
                    if inactive {
                        extra.active = Some(false);
                    }
                    creates.push((p, extra));
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
                        ("title", extra.title.clone(), cur.title.clone()),
                        ("phone", extra.phone.clone(), cur.phone.clone()),
                        ("location", extra.location.clone(), cur.location.clone()),
                    ] {
                        if new.is_some() && new.as_deref().map(norm) != old.as_deref().map(norm) {
                            before.insert(k.into(), json!(old));
                            after.insert(k.into(), json!(new));
                        }
                    }
                    if after.is_empty() {
                        self.summary.skip += 1;
                    } else {
                        updates.push((p, extra, Value::Object(before), Value::Object(after)));
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

/// Snipe-IT's `username_format` settings (Admin > Settings > Users), as User.php names them.
pub(super) const USERNAME_FORMATS: &[&str] = &[
    "filastname",
    "firstname.lastname",
    "lastnamefirstinitial",
    "firstintial.lastname",
    "firstname_lastname",
    "firstname",
    "lastname",
    "firstinitial.lastname",
    "lastname_firstinitial",
    "lastname.firstinitial",
    "firstnamelastname",
    "firstnamelastinitial",
    "lastname.firstname",
    "email",
];

/// A username: as given; else from the full name (or first and last) the way Snipe-IT's
/// `User::generateFormattedNameFromFullName` makes it in `format` (`filastname` by default:
/// "Maria Schmidt" -> `mschmidt`); else the email's local part (or the whole email with the
/// `email` format).
#[cfg(test)]
pub(super) fn derive_username(
    given: Option<&str>,
    email: Option<&str>,
    first: Option<&str>,
    last: Option<&str>,
    full: Option<&str>,
) -> Option<String> {
    derive_username_as(given, email, first, last, full, "filastname")
}

/// [`derive_username`] in one of [`USERNAME_FORMATS`].
pub(super) fn derive_username_as(
    given: Option<&str>,
    email: Option<&str>,
    first: Option<&str>,
    last: Option<&str>,
    full: Option<&str>,
    format: &str,
) -> Option<String> {
    if let Some(u) = given {
        return Some(u.trim().to_string());
    }
    if format == "email" {
        if let Some(e) = email {
            return Some(e.trim().to_lowercase());
        }
    }
    let name = full
        .map(str::to_string)
        .or_else(|| join_name(first, last))
        .filter(|n| !n.trim().is_empty());
    if let Some(n) = name {
        return Some(snipeit_username(n.trim(), format)).filter(|u| !u.is_empty());
    }
    email
        .and_then(|e| e.split('@').next())
        .filter(|l| !l.is_empty())
        .map(|l| l.trim().to_lowercase())
}

/// Snipe-IT's `generateFormattedNameFromFullName`: split at the first space; one word is the
/// username as it is (lower-cased); otherwise the format's parts, each through Laravel's
/// `Str::slug` (accents folded, punctuation dropped, spaces to `-`).
pub fn snipeit_username(full: &str, format: &str) -> String {
    let Some((first, last)) = full.split_once(' ') else {
        return full.to_lowercase();
    };
    let fi: String = first.chars().take(1).collect();
    let li: String = last.chars().take(1).collect();
    let u = match format {
        "firstname.lastname" => format!("{}.{}", slug(first), slug(last)),
        "lastnamefirstinitial" => slug(&format!("{last}{fi}")),
        "firstintial.lastname" => format!("{fi}.{}", slug(last)),
        "firstname_lastname" => format!("{}_{}", slug(first), slug(last)),
        "firstname" => slug(first),
        "lastname" => slug(last),
        "firstinitial.lastname" => slug(&format!("{fi}.{}", slug(last))),
        "lastname_firstinitial" => format!("{}_{}", slug(last), slug(&fi)),
        "lastname.firstinitial" => format!("{}.{}", slug(last), slug(&fi)),
        "firstnamelastname" => format!("{}{}", slug(first), slug(last)),
        "firstnamelastinitial" => slug(&format!("{first}{li}")),
        "lastname.firstname" => format!("{}.{}", slug(last), slug(first)),
        _ => slug(&format!("{fi}{last}")),
    };
    u.to_lowercase()
}

/// Laravel's `Str::slug` with `-`: ASCII-folded, `_` and spaces to `-`, `@` to `-at-`,
/// anything else that is not a letter or digit dropped, lower case, no outer dashes.
fn slug(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            '_' => folded.push('-'),
            '@' => folded.push_str("-at-"),
            c if c.is_ascii_alphanumeric() || c == '-' || c.is_whitespace() => folded.push(c),
            c => folded.push_str(fold(c)),
        }
    }
    let mut out = String::with_capacity(folded.len());
    let mut dash = false;
    for c in folded.chars() {
        if c == '-' || c.is_whitespace() {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        }
    }
    out
}

/// ASCII for the Latin letters names carry (as Laravel's `Str::ascii` for English); other
/// characters are dropped.
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
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

    #[test]
    fn snipeit_username_formats() {
        assert_eq!(snipeit_username("Maria Schmidt", "filastname"), "mschmidt");
        assert_eq!(
            snipeit_username("Zoë Müller-Lüdenscheidt", "filastname"),
            "zmuller-ludenscheidt"
        );
        assert_eq!(
            snipeit_username("José Ángel Núñez", "filastname"),
            "jangel-nunez"
        );
        assert_eq!(
            snipeit_username("Maria Schmidt", "firstname.lastname"),
            "maria.schmidt"
        );
        assert_eq!(
            snipeit_username("Maria Schmidt", "lastnamefirstinitial"),
            "schmidtm"
        );
        assert_eq!(
            snipeit_username("Maria Schmidt", "firstname_lastname"),
            "maria_schmidt"
        );
        assert_eq!(snipeit_username("Madonna", "filastname"), "madonna");
        assert_eq!(snipeit_username("Seán O'Brien", "filastname"), "sobrien");
        assert_eq!(
            derive_username_as(
                None,
                Some("m@x.org"),
                None,
                None,
                Some("Maria Schmidt"),
                "email"
            )
            .as_deref(),
            Some("m@x.org")
        );
    }
}
