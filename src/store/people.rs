//! People: who assets are checked out to, who owns them, whose badge scans.

use super::lookup::{clean_name, get_or_create, NameTable};
use super::sql::{params, OptionalExtension, Row};
use super::{Context, Result, Store, StoreError};
use crate::domain::identifier::{self, Badge};
use crate::domain::text::visible;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub badge: Option<String>,
    pub team: Option<String>,
}

/// A person's job title, phone and location (by code or name), kept apart from [`NewPerson`]
/// so its many callers stay as they are. `None` leaves a field alone; in an edit `Some("")`
/// clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonDetails {
    pub title: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
    /// Only for a person an import creates: `Some(false)` adds them as no longer active (an
    /// exported leaver comes back a leaver). An existing person leaves through `offboard`,
    /// which also takes back what they hold.
    pub active: Option<bool>,
}

impl PersonDetails {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.phone.is_none()
            && self.location.is_none()
            && self.active.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonView {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub badge: Option<String>,
    pub team: Option<String>,
    pub active: bool,
    pub holds: i64,
    pub title: Option<String>,
    pub phone: Option<String>,
    /// The code of the location they sit at.
    pub location: Option<String>,
}

const SELECT_PERSON: &str = "
SELECT p.username, p.full_name, p.email, p.badge, t.name, p.active,
       (SELECT count(*) FROM assets a WHERE a.assignee_id = p.id),
       p.title, p.phone, lo.code
FROM people p LEFT JOIN teams t ON t.id = p.team_id
LEFT JOIN locations lo ON lo.id = p.location_id";

fn person_from_row(r: &Row) -> super::sql::Result<PersonView> {
    Ok(PersonView {
        username: r.get(0)?,
        full_name: r.get(1)?,
        email: r.get(2)?,
        badge: r.get(3)?,
        team: r.get(4)?,
        active: r.get(5)?,
        holds: r.get(6)?,
        title: r.get(7)?,
        phone: r.get(8)?,
        location: r.get(9)?,
    })
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The code of the location `key` names (by code, else name); blank is none and an unknown
/// location is refused.
fn location_of(conn: &super::sql::Conn, key: &Option<String>) -> Result<Option<String>> {
    let Some(k) = trimmed(key) else {
        return Ok(None);
    };
    conn.prepare_cached(
        "SELECT code FROM locations WHERE code = ?1
         UNION ALL SELECT code FROM locations WHERE name = ?1 COLLATE NOCASE LIMIT 1",
    )
    .ctx("looking up a location")?
    .query_row([&k], |r| r.get::<_, String>(0))
    .optional()
    .ctx("looking up a location")?
    .map(Some)
    .ok_or_else(|| {
        StoreError::NotFound(format!(
            "no location has the code or name '{}'",
            visible(&k)
        ))
    })
}

/// What offboarding did: what came back, what did not, and whether the rest was marked lost.
#[derive(Debug, Clone, Serialize)]
pub struct Offboarding {
    pub username: String,
    pub returned: Vec<String>,
    pub unreturned: Vec<String>,
    pub marked_lost: bool,
    /// Licence seats the person held, now free.
    pub seats_released: usize,
}

impl Store {
    /// Offboard a person in one transaction: check in each returned code (it must be theirs),
    /// mark what is still out as lost if asked, and make the person inactive.
    pub fn offboard(
        &mut self,
        username: &str,
        returned: &[String],
        condition: Option<crate::domain::Condition>,
        mark_lost: bool,
    ) -> Result<Offboarding> {
        let person = self.person(username)?;
        if !person.active {
            return Err(StoreError::Refused(format!(
                "{} is already inactive (offboarded)",
                visible(&person.username)
            )));
        }
        let uname = person.username.clone();
        self.write(|tx| {
            let note = format!("offboarding {uname}");
            let mut back = Vec::new();
            for code in returned {
                let cur = super::ops::current(tx, code)?;
                if cur.assignee.as_deref() != Some(uname.as_str()) {
                    return Err(StoreError::Refused(format!(
                        "{} is not held by {} ({}); nothing was changed",
                        visible(&cur.tag),
                        visible(&uname),
                        cur.assignee.as_deref().map(|a| format!("held by {}", visible(a))).unwrap_or_else(|| cur.status.to_string())
                    )));
                }
                back.push(super::ops::checkin_tx(tx, &cur.tag, condition, None, Some(&note))?.tag);
            }
            let still: Vec<String> = {
                let mut stmt = tx
                    .conn
                    .prepare_cached("SELECT a.tag FROM assets a JOIN people p ON p.id = a.assignee_id WHERE p.username = ?1 ORDER BY a.tag")
                    .ctx("listing what is still out")?;
                let rows = stmt.query_map([&uname], |r| r.get(0)).ctx("listing what is still out")?;
                rows.collect::<std::result::Result<_, _>>().ctx("listing what is still out")?
            };
            if mark_lost {
                for tag in &still {
                    super::ops::set_status_tx(tx, tag, crate::domain::Status::Lost, Some(&format!("not returned at offboarding of {uname}")))?;
                }
            }
            let person_id: i64 = tx
                .conn
                .query_row("SELECT id FROM people WHERE username = ?1", [&uname], |r| r.get(0))
                .ctx("reading a person")?;
            let seats = super::licences::release_person_seats(tx, person_id)?;
            tx.conn
                .prepare_cached("UPDATE people SET active = 0 WHERE username = ?1")
                .ctx("deactivating a person")?
                .execute([&uname])
                .ctx("deactivating a person")?;
            tx.subject_event(
                &format!("person:{uname}"),
                "offboard",
                json!({"active": false, "returned": back, "unreturned": still, "marked_lost": mark_lost, "seats_released": seats}),
            )?;
            Ok(Offboarding { username: uname.clone(), returned: back, unreturned: still, marked_lost: mark_lost, seats_released: seats })
        })
    }

    pub fn add_person(&mut self, p: &NewPerson) -> Result<PersonView> {
        self.add_person_with(p, &PersonDetails::default())
    }

    /// Add a person with a title, phone and location (which must exist) too.
    pub fn add_person_with(&mut self, p: &NewPerson, d: &PersonDetails) -> Result<PersonView> {
        let username = p.username.trim().to_string();
        if username.is_empty()
            || username
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(StoreError::Invalid(format!(
                "username '{}' must be one word without spaces",
                visible(&p.username)
            )));
        }
        let full_name = clean_name(&p.full_name);
        if full_name.is_empty() {
            return Err(StoreError::Invalid(
                "a person needs a full name (--name)".into(),
            ));
        }
        let badge = identifier::optional(p.badge.as_deref(), Badge::parse)?.map(Badge::into_string);
        self.write(|tx| {
            let exists: Option<String> = tx
                .conn
                .prepare_cached("SELECT username FROM people WHERE username = ?1 OR (?2 IS NOT NULL AND badge = ?2)")
                .ctx("checking a person")?
                .query_row(params![username, badge], |r| r.get(0))
                .optional()
                .ctx("checking a person")?;
            if let Some(other) = exists {
                return Err(StoreError::Refused(if other.eq_ignore_ascii_case(&username) {
                    format!("username '{}' is already in use", visible(&username))
                } else {
                    format!("badge '{}' already belongs to {}", visible(badge.as_deref().unwrap_or("")), visible(&other))
                }));
            }
            // A badge must not be mistaken for an asset when scanned.
            if let Some(b) = &badge {
                if super::assets::resolve(tx.conn, b)?.is_some() {
                    return Err(StoreError::Refused(format!(
                        "badge '{}' is already an asset's tag or serial; scans would be ambiguous",
                        visible(b)
                    )));
                }
            }
            let team = match &p.team {
                Some(t) => get_or_create(tx.conn, NameTable::Teams, t)?,
                None => None,
            };
            let location = location_of(tx.conn, &d.location)?;
            tx.conn
                .prepare_cached(
                    "INSERT INTO people(username, full_name, email, badge, team_id, created_at,
                                        title, phone, location_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                             (SELECT id FROM locations WHERE code = ?9))",
                )
                .ctx("adding a person")?
                .execute(params![username, full_name, trimmed(&p.email), badge, team, tx.now,
                                 trimmed(&d.title), trimmed(&d.phone), location])
                .ctx("adding a person")?;
            let mut add = json!({"username": username, "full_name": full_name, "email": trimmed(&p.email),
                       "badge": badge, "team": trimmed(&p.team)});
            for (k, v) in [("title", trimmed(&d.title)), ("phone", trimmed(&d.phone)), ("location", location)] {
                if v.is_some() {
                    add[k] = json!(v);
                }
            }
            tx.subject_event(&format!("person:{username}"), "person_add", add)?;
            Ok(())
        })?;
        self.person(&username)
    }

    /// Change a person's name, email, badge or team (`Some("")` clears email, badge, team).
    /// Every change is one `person_edit` event with before and after.
    pub fn edit_person(&mut self, username: &str, changes: &NewPerson) -> Result<PersonView> {
        self.edit_person_with(username, changes, &PersonDetails::default())
    }

    /// [`Store::edit_person`] with title, phone and location too, in the same event.
    pub fn edit_person_with(
        &mut self,
        username: &str,
        changes: &NewPerson,
        details: &PersonDetails,
    ) -> Result<PersonView> {
        let cur = self.person(username)?;
        let uname = cur.username.clone();
        let name = Some(clean_name(&changes.full_name)).filter(|n| !n.is_empty());
        self.write(|tx| {
            let mut before = serde_json::Map::new();
            let mut after = serde_json::Map::new();
            let mut change = |key: &str, old: Option<String>, new: Option<String>| {
                if old != new {
                    before.insert(key.into(), json!(old));
                    after.insert(key.into(), json!(new));
                }
            };
            if let Some(n) = &name {
                change("full_name", Some(cur.full_name.clone()), Some(n.clone()));
            }
            if let Some(e) = &changes.email {
                change("email", cur.email.clone(), trimmed(&Some(e.clone())));
            }
            if let Some(b) = &changes.badge {
                let b = identifier::optional(Some(b), Badge::parse)?.map(Badge::into_string);
                if let Some(badge) = &b {
                    let other: Option<String> = tx
                        .conn
                        .prepare_cached("SELECT username FROM people WHERE badge = ?1 AND username <> ?2")
                        .ctx("checking a badge")?
                        .query_row(params![badge, uname], |r| r.get(0))
                        .optional()
                        .ctx("checking a badge")?;
                    if let Some(o) = other {
                        return Err(StoreError::Refused(format!("badge '{}' already belongs to {}", visible(badge), visible(&o))));
                    }
                    if super::assets::resolve(tx.conn, badge)?.is_some() {
                        return Err(StoreError::Refused(format!("badge '{}' is already an asset's tag or serial; scans would be ambiguous", visible(badge))));
                    }
                }
                change("badge", cur.badge.clone(), b);
            }
            if let Some(t) = &changes.team {
                change("team", cur.team.clone(), trimmed(&Some(t.clone())));
            }
            if details.title.is_some() {
                change("title", cur.title.clone(), trimmed(&details.title));
            }
            if details.phone.is_some() {
                change("phone", cur.phone.clone(), trimmed(&details.phone));
            }
            if details.location.is_some() {
                change("location", cur.location.clone(), location_of(tx.conn, &details.location)?);
            }
            if after.is_empty() {
                return Ok(());
            }
            let team = match after.get("team") {
                Some(serde_json::Value::String(t)) => get_or_create(tx.conn, NameTable::Teams, t)?,
                _ => None,
            };
            tx.conn
                .prepare_cached(
                    "UPDATE people SET
                       full_name = COALESCE(?2, full_name),
                       email = CASE WHEN ?3 THEN ?4 ELSE email END,
                       badge = CASE WHEN ?5 THEN ?6 ELSE badge END,
                       team_id = CASE WHEN ?7 THEN ?8 ELSE team_id END,
                       title = CASE WHEN ?9 THEN ?10 ELSE title END,
                       phone = CASE WHEN ?11 THEN ?12 ELSE phone END,
                       location_id = CASE WHEN ?13
                         THEN (SELECT id FROM locations WHERE code = ?14) ELSE location_id END
                     WHERE username = ?1",
                )
                .ctx("editing a person")?
                .execute(params![
                    uname,
                    after.get("full_name").and_then(|v| v.as_str()),
                    after.contains_key("email"),
                    after.get("email").and_then(|v| v.as_str()),
                    after.contains_key("badge"),
                    after.get("badge").and_then(|v| v.as_str()),
                    after.contains_key("team"),
                    team,
                    after.contains_key("title"),
                    after.get("title").and_then(|v| v.as_str()),
                    after.contains_key("phone"),
                    after.get("phone").and_then(|v| v.as_str()),
                    after.contains_key("location"),
                    after.get("location").and_then(|v| v.as_str()),
                ])
                .ctx("editing a person")?;
            tx.conn
                .prepare_cached("INSERT INTO events(subject, kind, actor, at, before, after) VALUES (?1, 'person_edit', ?2, ?3, ?4, ?5)")
                .ctx("recording history")?
                .execute(params![format!("person:{uname}"), tx.actor, tx.now, serde_json::Value::Object(before).to_string(), serde_json::Value::Object(after).to_string()])
                .ctx("recording history")?;
            Ok(())
        })?;
        self.person(&uname)
    }

    pub fn person(&self, username_or_badge: &str) -> Result<PersonView> {
        self.conn
            .prepare_cached(&format!(
                "{SELECT_PERSON} WHERE p.username = ?1 OR p.badge = ?1 ORDER BY p.username = ?1 DESC LIMIT 1"
            ))
            .ctx("reading a person")?
            .query_row([username_or_badge.trim()], person_from_row)
            .optional()
            .ctx("reading a person")?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no person has the username or badge '{}'",
                    visible(username_or_badge)
                ))
            })
    }

    /// A person by badge only: what a scan in check-out mode asks.
    pub fn person_by_badge(&self, badge: &str) -> Result<Option<PersonView>> {
        self.conn
            .prepare_cached(&format!("{SELECT_PERSON} WHERE p.badge = ?1"))
            .ctx("reading a badge")?
            .query_row([badge.trim()], person_from_row)
            .optional()
            .ctx("reading a badge")
    }

    pub fn people(&self) -> Result<Vec<PersonView>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_PERSON} ORDER BY p.username"))
            .ctx("listing people")?;
        let rows = stmt.query_map([], person_from_row).ctx("listing people")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("listing people")
    }
}
