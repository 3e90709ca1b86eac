//! API tokens for `itam serve`: created once (the caller shows the token, only its SHA-256 is
//! stored), listed, revoked, and checked on every request. A checked token is the only way to
//! get an [`ApiIdentity`], and an identity is the only way to write as `api:USERNAME`: nothing on
//! the command line or in the environment can name the history's actor.

use super::sql::{params, OptionalExtension};
use super::{Context, Result, Store, StoreError};
use crate::domain::text::visible;
use crate::domain::time::Timestamp;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// One token as `itam token list` shows it (never the token itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenView {
    pub id: i64,
    pub username: String,
    pub read_only: bool,
    pub expires_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub revoked_at: Option<Timestamp>,
}

/// Who a request acts as, after its token was checked. Fields are private: only
/// [`Store::check_token`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiIdentity {
    token_id: i64,
    username: String,
    read_only: bool,
}

impl ApiIdentity {
    pub fn username(&self) -> &str {
        &self.username
    }
    pub fn read_only(&self) -> bool {
        self.read_only
    }
    pub fn token_id(&self) -> i64 {
        self.token_id
    }
}

/// A token row as checked: id, username, read-only, expiry, revocation.
type StoredToken = (i64, String, bool, Option<String>, Option<String>);

/// What checking a presented token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    Valid(ApiIdentity),
    Unknown,
    Revoked,
    Expired,
}

fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A new random token: `itam_` and 40 hex digits (160 bits from the OS).
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io {
        context: "reading random bytes for a token".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let mut out = String::from("itam_");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    Ok(out)
}

fn clean_username(s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.len() > 64 || t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(StoreError::Invalid(format!(
            "token user '{}' must be 1-64 characters with no spaces or control characters",
            visible(s)
        )));
    }
    Ok(t.to_string())
}

impl Store {
    /// Create a token for `username`; returns its id and the token (shown once, never stored).
    pub fn create_token(
        &mut self,
        username: &str,
        read_only: bool,
        expires_on: Option<NaiveDate>,
        note: Option<&str>,
    ) -> Result<(i64, String)> {
        let username = clean_username(username)?;
        let expires = super::values::date_text(expires_on);
        let token = new_token()?;
        let digest = hash(&token);
        let note = note.map(str::trim).filter(|s| !s.is_empty());
        let id = self.write(|tx| {
            let id: i64 = tx.conn
                .prepare_cached(
                    "INSERT INTO api_tokens(username, hash, read_only, expires_on, note, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                )
                .ctx("creating a token")?
                .insert(params![username, digest, read_only, expires, note, tx.now, tx.actor])
                .ctx("creating a token")?;
            tx.subject_event(
                &format!("token:{id}"),
                "token_create",
                json!({"username": username, "read_only": read_only, "expires_on": expires, "note": note}),
            )?;
            Ok(id)
        })?;
        Ok((id, token))
    }

    /// Every token, newest first.
    pub fn tokens(&self) -> Result<Vec<TokenView>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, username, read_only, expires_on, note, created_at, created_by, revoked_at
                 FROM api_tokens ORDER BY id DESC",
            )
            .ctx("listing tokens")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TokenView {
                    id: r.get(0)?,
                    username: r.get(1)?,
                    read_only: r.get(2)?,
                    expires_on: super::values::opt_date(r, 3)?,
                    note: r.get(4)?,
                    created_at: super::values::stamp(r, 5)?,
                    created_by: r.get(6)?,
                    revoked_at: super::values::opt_stamp(r, 7)?,
                })
            })
            .ctx("listing tokens")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("listing tokens")
    }

    /// Revoke a token by id; revoking twice is refused so a typo'd id is noticed.
    pub fn revoke_token(&mut self, id: i64) -> Result<()> {
        self.write(|tx| {
            let revoked: Option<Option<String>> = tx
                .conn
                .query_row(
                    "SELECT revoked_at FROM api_tokens WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .ctx("reading a token")?;
            match revoked {
                None => Err(StoreError::NotFound(format!("no token has the id {id}"))),
                Some(Some(at)) => Err(StoreError::Refused(format!(
                    "token {id} was already revoked at {at}"
                ))),
                Some(None) => {
                    tx.conn
                        .execute(
                            "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1",
                            params![id, tx.now],
                        )
                        .ctx("revoking a token")?;
                    tx.subject_event(
                        &format!("token:{id}"),
                        "token_revoke",
                        json!({"revoked": true}),
                    )
                }
            }
        })
    }

    /// Check a presented token against the stored hashes. `today` is `YYYY-MM-DD` (UTC).
    pub fn check_token(&self, token: &str, today: NaiveDate) -> Result<TokenCheck> {
        let row: Option<StoredToken> = self
            .conn
            .prepare_cached(
                "SELECT id, username, read_only, expires_on, revoked_at FROM api_tokens WHERE hash = ?1",
            )
            .ctx("checking a token")?
            .query_row([hash(token.trim())], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()
            .ctx("checking a token")?;
        let Some((id, username, read_only, expires, revoked)) = row else {
            return Ok(TokenCheck::Unknown);
        };
        if revoked.is_some() {
            return Ok(TokenCheck::Revoked);
        }
        if let Some(e) = expires {
            match NaiveDate::parse_from_str(&e, "%Y-%m-%d") {
                Ok(d) if d >= today => {}
                _ => return Ok(TokenCheck::Expired),
            }
        }
        Ok(TokenCheck::Valid(ApiIdentity {
            token_id: id,
            username,
            read_only,
        }))
    }

    /// Run `f` with the history actor set to `api:USERNAME` of a checked token, then restore it.
    pub fn as_api<T>(&mut self, who: &ApiIdentity, f: impl FnOnce(&mut Store) -> T) -> T {
        let saved = std::mem::replace(&mut self.actor, format!("api:{}", who.username));
        let out = f(self);
        self.actor = saved;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        (dir, s)
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_the_hash_is_stored_and_the_token_checks() {
        let (_d, mut s) = store();
        let (id, token) = s.create_token("intune", false, None, Some("sync")).unwrap();
        assert!(token.starts_with("itam_") && token.len() == 45);
        let stored: String = s
            .conn()
            .query_row("SELECT hash FROM api_tokens WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_ne!(stored, token);
        assert!(!stored.contains(&token[5..]));
        match s.check_token(&token, day("2026-01-01")).unwrap() {
            TokenCheck::Valid(who) => {
                assert_eq!(who.username(), "intune");
                assert!(!who.read_only());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            s.check_token("itam_nope", day("2026-01-01")).unwrap(),
            TokenCheck::Unknown
        );
    }

    #[test]
    fn revoked_and_expired_tokens_are_refused() {
        let (_d, mut s) = store();
        let (id, token) = s
            .create_token("jamf", true, Some(day("2026-06-30")), None)
            .unwrap();
        assert!(matches!(
            s.check_token(&token, day("2026-06-30")).unwrap(),
            TokenCheck::Valid(_)
        ));
        assert_eq!(
            s.check_token(&token, day("2026-07-01")).unwrap(),
            TokenCheck::Expired
        );
        s.revoke_token(id).unwrap();
        assert_eq!(
            s.check_token(&token, day("2026-01-01")).unwrap(),
            TokenCheck::Revoked
        );
        assert!(s.revoke_token(id).is_err());
        assert!(s.revoke_token(999).is_err());
        assert!(s.create_token("two words", false, None, None).is_err());
    }

    #[test]
    fn api_writes_name_the_token_user_and_the_actor_is_restored() {
        let (_d, mut s) = store();
        let (_, token) = s.create_token("intune", false, None, None).unwrap();
        let TokenCheck::Valid(who) = s.check_token(&token, day("2026-01-01")).unwrap() else {
            panic!("token should be valid");
        };
        let before = s.actor().to_string();
        s.as_api(&who, |s| {
            s.add_asset(&crate::store::NewAsset {
                tag: "A1".into(),
                ..Default::default()
            })
        })
        .unwrap();
        assert_eq!(s.actor(), before);
        let h = s.history("A1").unwrap();
        assert_eq!(h[0].actor, "api:intune");
    }
}
