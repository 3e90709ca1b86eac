//! Bearer tokens: every request names a token; unknown, revoked or expired ones get 401, a
//! read-only token asking to write gets 403. The checked identity rides in the request's
//! extensions for the handlers.

use super::reply::ApiError;
use super::routes::App;
use crate::store::TokenCheck;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn require_token(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = presented else {
        return ApiError::Unauthorized(
            "Unauthorized: send the header `Authorization: Bearer TOKEN` (make one with `itam token create USERNAME`)".into(),
        )
        .into_response();
    };
    let today = chrono::Utc::now().date_naive();
    let checked = match app.pool.run(move |s| s.check_token(&token, today)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return ApiError::Store(e).into_response(),
        Err(e) => return e.into_response(),
    };
    let who = match checked {
        TokenCheck::Valid(who) => who,
        TokenCheck::Unknown => {
            return ApiError::Unauthorized("Unauthorized: the token is not known".into())
                .into_response()
        }
        TokenCheck::Revoked => {
            return ApiError::Unauthorized("Unauthorized: the token was revoked".into())
                .into_response()
        }
        TokenCheck::Expired => {
            return ApiError::Unauthorized("Unauthorized: the token has expired".into())
                .into_response()
        }
    };
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if who.read_only() && !reads {
        return ApiError::Forbidden(format!(
            "Forbidden: token {} is read-only; nothing was changed",
            who.token_id()
        ))
        .into_response();
    }
    req.extensions_mut().insert(who);
    next.run(req).await
}
