//! Snipe-IT's answers: lists as `{"total": N, "rows": [...]}`, everything else as
//! `{"status": "success"|"error", "messages": ..., "payload": ...}`. Refusals and validation
//! errors are HTTP 200 with status error, as Snipe-IT sends them; clients check the status.

use crate::domain::text::visible;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no token, or one that is unknown, revoked or expired.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: a read-only token asked to write.
    #[error("{0}")]
    Forbidden(String),
    /// A request field that is missing or wrong: 200, status error, messages keyed by field.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// A request that cannot be read at all (bad JSON, bad parameter): 200, status error.
    #[error("{0}")]
    Invalid(String),
    /// The body was larger than the cap.
    #[error("{0}")]
    TooLarge(String),
    /// The body did not arrive in time.
    #[error("{0}")]
    Timeout(String),
    /// No such route.
    #[error("{0}")]
    NoRoute(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Field {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// `{"status": "error", ...}` with HTTP 200.
pub fn error(messages: Value, payload: Value) -> Response {
    envelope(StatusCode::OK, "error", messages, payload)
}

/// `{"status": "success", ...}`.
pub fn success(message: &str, payload: Value) -> Response {
    envelope(StatusCode::OK, "success", json!(message), payload)
}

fn envelope(code: StatusCode, status: &str, messages: Value, payload: Value) -> Response {
    (
        code,
        Json(json!({"status": status, "messages": messages, "payload": payload})),
    )
        .into_response()
}

/// A JSON body as is (single objects and lists).
pub fn ok(v: Value) -> Response {
    (StatusCode::OK, Json(v)).into_response()
}

/// `{"total": N, "rows": [...]}`.
pub fn list(total: i64, rows: Vec<Value>) -> Response {
    ok(json!({"total": total, "rows": rows}))
}

/// Which request field a store message is about, for Snipe-IT's `{"field": ["message"]}`.
fn field_of(msg: &str) -> Option<&'static str> {
    let m = msg.to_lowercase();
    if m.starts_with("tag") || m.contains("tag '") || m.contains("a tag ") {
        Some("asset_tag")
    } else if m.starts_with("serial") {
        Some("serial")
    } else if m.starts_with("purchase date") {
        Some("purchase_date")
    } else if m.starts_with("end-of-life") {
        Some("asset_eol_date")
    } else if m.starts_with("due date") {
        Some("expected_checkin")
    } else if m.contains("amount") || m.contains("cost") {
        Some("purchase_cost")
    } else {
        None
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let text = visible(&self.to_string()).into_owned();
        match self {
            ApiError::Unauthorized(_) => {
                envelope(StatusCode::UNAUTHORIZED, "error", json!(text), Value::Null)
            }
            ApiError::Forbidden(_) => {
                envelope(StatusCode::FORBIDDEN, "error", json!(text), Value::Null)
            }
            ApiError::Field { field, message } => {
                error(json!({ field: [visible(&message)] }), Value::Null)
            }
            ApiError::Invalid(_) => error(json!(text), Value::Null),
            ApiError::TooLarge(_) => envelope(
                StatusCode::PAYLOAD_TOO_LARGE,
                "error",
                json!(text),
                Value::Null,
            ),
            ApiError::Timeout(_) => envelope(
                StatusCode::REQUEST_TIMEOUT,
                "error",
                json!(text),
                Value::Null,
            ),
            ApiError::NoRoute(_) => {
                envelope(StatusCode::NOT_FOUND, "error", json!(text), Value::Null)
            }
            ApiError::Store(e) => match e {
                StoreError::Invalid(m) | StoreError::Refused(m) => match field_of(&m) {
                    Some(f) => error(json!({ f: [visible(&m)] }), Value::Null),
                    None => error(json!(visible(&m)), Value::Null),
                },
                StoreError::NotFound(m) => error(json!(visible(&m)), Value::Null),
                StoreError::Transition(t) => error(json!(visible(&t.to_string())), Value::Null),
                StoreError::ReadOnly(m) => envelope(
                    StatusCode::FORBIDDEN,
                    "error",
                    json!(visible(&m)),
                    Value::Null,
                ),
                StoreError::Db { source, .. } if source.is_busy() => envelope(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "error",
                    json!(text),
                    Value::Null,
                ),
                _ => envelope(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "error",
                    json!(text),
                    Value::Null,
                ),
            },
            ApiError::Internal(_) => envelope(
                StatusCode::INTERNAL_SERVER_ERROR,
                "error",
                json!(text),
                Value::Null,
            ),
        }
    }
}
