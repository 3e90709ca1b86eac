//! Reading a request: its JSON body (size-capped, time-limited) and its fields and query
//! parameters, each checked with a message that names it.

use super::reply::ApiError;
use super::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::body::Body;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Duration;

/// The largest body accepted: Snipe-IT's writes are a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// How long a client may take to send its body once the headers are in.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A JSON object body; an empty body is an empty object.
pub async fn read(body: Body) -> Result<Fields, ApiError> {
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await
    {
        Err(_) => {
            return Err(ApiError::Timeout(format!(
                "the request body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            )))
        }
        Ok(Err(_)) => {
            return Err(ApiError::TooLarge(format!(
                "the request body is larger than {} KiB (or broke off)",
                MAX_BODY / 1024
            )))
        }
        Ok(Ok(b)) => b,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields(Map::new()));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(Fields(m)),
        Ok(_) => Err(ApiError::Invalid(
            "the request body must be a JSON object".into(),
        )),
        Err(e) => Err(ApiError::Invalid(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

/// A body's fields. Absent and `null` differ: `null` clears a field.
#[derive(Debug, Default)]
pub struct Fields(pub Map<String, Value>);

impl Fields {
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// `None`: absent. `Some(None)`: null or empty (clear). `Some(Some(text))`.
    pub fn text(&self, key: &str) -> Result<Option<Option<String>>, ApiError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(Value::Number(n)) => Ok(Some(Some(n.to_string()))),
            Some(Value::Bool(b)) => Ok(Some(Some(b.to_string()))),
            Some(_) => Err(ApiError::field(key, "must be text, not a list or object")),
        }
    }

    /// Text that must be present and non-empty when given.
    pub fn some_text(&self, key: &str) -> Result<Option<String>, ApiError> {
        Ok(self.text(key)?.flatten())
    }

    /// Text the request must give; refused in Snipe-IT's words ("The asset tag field is
    /// required.") when absent, null or empty.
    pub fn required_text(&self, key: &str) -> Result<String, ApiError> {
        self.some_text(key)?.ok_or_else(|| {
            ApiError::field(
                key,
                format!("The {} field is required.", key.replace('_', " ")),
            )
        })
    }

    /// An integer id, given as a number or a string of digits. `Some(None)` for null or "".
    pub fn id(&self, key: &str) -> Result<Option<Option<i64>>, ApiError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(Some(i))),
                None => Err(ApiError::field(key, "must be an integer id")),
            },
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
            Some(Value::String(s)) => {
                s.trim().parse::<i64>().map(|i| Some(Some(i))).map_err(|_| {
                    ApiError::field(key, format!("must be an integer id, not '{}'", s.trim()))
                })
            }
            Some(_) => Err(ApiError::field(key, "must be an integer id")),
        }
    }

    pub fn some_id(&self, key: &str) -> Result<Option<i64>, ApiError> {
        Ok(self.id(key)?.flatten())
    }

    pub fn flag(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => Ok(Some(n.as_i64() != Some(0))),
            Some(Value::String(s)) => match s.trim().to_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(Some(true)),
                "0" | "false" | "no" | "off" | "" => Ok(Some(false)),
                other => Err(ApiError::field(
                    key,
                    format!("must be true or false, not '{other}'"),
                )),
            },
            Some(_) => Err(ApiError::field(key, "must be true or false")),
        }
    }
}

/// Query parameters.
pub struct Params<'a>(pub &'a HashMap<String, String>);

impl Params<'_> {
    pub fn text(&self, key: &str) -> Option<String> {
        self.0
            .get(key)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.text(key) {
            None => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::Invalid(format!("{key} must be an integer, not '{s}'"))),
        }
    }

    /// `limit` (default 50, at most 500) and `offset` (0 or more).
    pub fn page(&self) -> Result<(i64, i64), ApiError> {
        let limit = self.int("limit")?.unwrap_or(DEFAULT_LIMIT);
        if limit < 1 {
            return Err(ApiError::Invalid(format!(
                "limit must be 1 or more, not {limit}"
            )));
        }
        let offset = self.int("offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::Invalid(format!(
                "offset must be 0 or more, not {offset}"
            )));
        }
        Ok((limit.min(MAX_LIMIT), offset))
    }
}

/// A path segment that must be an integer id.
pub fn path_id(what: &str, s: &str) -> Result<i64, ApiError> {
    s.trim().parse::<i64>().map_err(|_| {
        ApiError::Invalid(format!(
            "{what} id must be an integer, not '{}'",
            crate::domain::text::visible(s)
        ))
    })
}
