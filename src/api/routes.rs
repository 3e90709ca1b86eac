//! The routes under `/api/v1`, and the state handlers share.

use super::pool::Pool;
use super::reply::ApiError;
use super::{auth, catalogue, hardware, licences, people};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub pool: Arc<Pool>,
}

pub fn router(app: App) -> Router {
    let refuse = hardware::refuse_delete;
    let api = Router::new()
        .route("/hardware", get(hardware::list).post(hardware::create))
        .route("/hardware/audit", post(hardware::audit_by_body))
        .route("/hardware/bytag/{tag}", get(hardware::by_tag))
        .route(
            "/hardware/bytag/{tag}/checkout",
            post(hardware::checkout_by_tag),
        )
        .route(
            "/hardware/bytag/{tag}/checkin",
            post(hardware::checkin_by_tag),
        )
        .route("/hardware/byserial/{serial}", get(hardware::by_serial))
        .route(
            "/hardware/{id}",
            get(hardware::by_id)
                .put(hardware::update)
                .patch(hardware::update)
                .delete(refuse),
        )
        .route("/hardware/{id}/checkout", post(hardware::checkout))
        .route("/hardware/{id}/checkin", post(hardware::checkin))
        .route("/hardware/{id}/audit", post(hardware::audit_by_id))
        .route("/users", get(people::list).post(people::create))
        .route("/users/me", get(people::me))
        .route(
            "/users/{id}",
            get(people::by_id)
                .patch(people::update)
                .put(people::update)
                .delete(refuse),
        )
        .route("/users/{id}/assets", get(people::assets))
        .route("/locations", get(people::locations))
        .route("/locations/{id}", get(people::location).delete(refuse))
        .route(
            "/models",
            get(catalogue::models).post(catalogue::create_model),
        )
        .route("/models/{id}", get(catalogue::model).delete(refuse))
        .route("/categories", get(catalogue::categories))
        .route("/categories/{id}", get(catalogue::category).delete(refuse))
        .route("/manufacturers", get(catalogue::manufacturers))
        .route(
            "/manufacturers/{id}",
            get(catalogue::manufacturer).delete(refuse),
        )
        .route("/suppliers", get(catalogue::suppliers))
        .route("/suppliers/{id}", get(catalogue::supplier).delete(refuse))
        .route("/statuslabels", get(catalogue::statuslabels))
        .route(
            "/statuslabels/{id}",
            get(catalogue::statuslabel).delete(refuse),
        )
        .route("/licenses", get(licences::list))
        .route("/licenses/{id}", get(licences::by_id).delete(refuse))
        .route("/licenses/{id}/seats", get(licences::seats))
        .route(
            "/licenses/{id}/seats/{seat}",
            get(licences::seat)
                .patch(licences::update_seat)
                .put(licences::update_seat),
        )
        .route("/events", get(catalogue::events))
        .fallback(no_route)
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::require_token,
        ))
        .with_state(app);
    Router::new().nest("/api/v1", api).fallback(no_route)
}

async fn no_route(uri: axum::http::Uri) -> axum::response::Response {
    ApiError::NoRoute(format!(
        "no such endpoint: {} (itam serves Snipe-IT's API under /api/v1)",
        crate::domain::text::visible(uri.path())
    ))
    .into_response()
}
