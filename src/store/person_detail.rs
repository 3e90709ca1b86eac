//! One person in full, for `itam person show`: who they are, what they hold, their licence
//! seats and every event that concerns them.

use super::sql::params;
use super::{Context, Result, Store};
use crate::domain::AssetView;
use crate::store::PersonView;
use serde::Serialize;
use serde_json::Value;

/// A licence seat a person holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonSeat {
    pub licence_id: i64,
    pub product: String,
    pub vendor: Option<String>,
    pub assigned_at: crate::domain::time::Timestamp,
    /// Assigned past the seats owned.
    pub breach: bool,
    pub note: Option<String>,
}

/// One event about the person or an asset they had: `asset` is its tag, `subject` the person
/// or licence the event is about otherwise (`licence` then names the licence's product).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonEvent {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub asset: Option<String>,
    pub subject: Option<String>,
    pub licence: Option<String>,
    pub note: Option<String>,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonDetail {
    #[serde(flatten)]
    pub person: PersonView,
    /// What they hold now, by tag.
    pub holding: Vec<AssetView>,
    pub seats: Vec<PersonSeat>,
    /// Oldest first.
    pub history: Vec<PersonEvent>,
}

impl Store {
    /// A person (by username or badge) with what they hold, their seats and their history.
    pub fn person_detail(&self, username_or_badge: &str) -> Result<PersonDetail> {
        let person = self.person(username_or_badge)?;
        let user = person.username.as_str();
        let holding = self.held_by(user)?;
        let seats = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.product, l.vendor, s.assigned_at, s.breach, s.note
                 FROM licence_seats s JOIN licences l ON l.id = s.licence_id
                 WHERE s.person_id = (SELECT id FROM people WHERE username = ?1)
                 ORDER BY l.product, l.id",
            )
            .ctx("reading a person's seats")?
            .query_map([user], |r| {
                Ok(PersonSeat {
                    licence_id: r.get(0)?,
                    product: r.get(1)?,
                    vendor: r.get(2)?,
                    assigned_at: super::values::stamp(r, 3)?,
                    breach: r.get(4)?,
                    note: r.get(5)?,
                })
            })
            .ctx("reading a person's seats")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading a person's seats")?;
        // The events table has no index by person: `instr` on the username as JSON text skips
        // almost every row cheaply before `json_extract` confirms which field holds it.
        let quoted = serde_json::to_string(user).unwrap_or_default();
        let parse = |s: Option<String>| {
            s.and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null)
        };
        let history = self
            .conn
            .prepare_cached(
                "SELECT e.at, e.actor, e.kind, a.tag, e.subject, e.note, e.before, e.after, l.product
                 FROM events e LEFT JOIN assets a ON a.id = e.asset_id
                 LEFT JOIN licences l ON l.id = CASE WHEN e.subject LIKE 'licence:%' THEN CAST(substr(e.subject, 9) AS INTEGER) END
                 WHERE e.subject = ?1
                    OR ((instr(e.after, ?3) > 0 OR instr(e.before, ?3) > 0)
                        AND (json_extract(e.after, '$.assignee') = ?2
                             OR json_extract(e.before, '$.assignee') = ?2
                             OR json_extract(e.after, '$.person') = ?2))
                 ORDER BY e.id",
            )
            .ctx("reading a person's history")?
            .query_map(params![format!("person:{user}"), user, quoted], |r| {
                Ok(PersonEvent {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    kind: r.get(2)?,
                    asset: r.get(3)?,
                    subject: r.get(4)?,
                    note: r.get(5)?,
                    before: parse(r.get(6)?),
                    after: parse(r.get(7)?),
                    licence: r.get(8)?,
                })
            })
            .ctx("reading a person's history")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading a person's history")?;
        Ok(PersonDetail {
            person,
            holding,
            seats,
            history,
        })
    }
}
