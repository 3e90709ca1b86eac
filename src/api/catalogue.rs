//! Models, categories, manufacturers, suppliers, status labels, and itam's history feed.

use super::body::{self, path_id, Params};
use super::reply::{self, ApiError};
use super::routes::App;
use super::{shape, MAX_LIMIT};
use crate::store::{ApiIdentity, NameTable};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};
use std::collections::HashMap;

pub async fn models(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params(&q);
    let (limit, offset) = p.page()?;
    let search = p.text("search");
    let (total, rows) = app
        .pool
        .run(move |s| s.api_models(limit, offset, search.as_deref(), None))
        .await??;
    Ok(reply::list(total, rows.iter().map(shape::model).collect()))
}

pub async fn model(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id("model", &id)?;
    let (_, rows) = app
        .pool
        .run(move |s| s.api_models(1, 0, None, Some(id)))
        .await??;
    match rows.first() {
        Some(m) => Ok(reply::ok(shape::model(m))),
        None => Ok(reply::error(json!("Model does not exist."), Value::Null)),
    }
}

pub async fn create_model(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    body: Body,
) -> Result<Response, ApiError> {
    let f = body::read(body).await?;
    let name = f.required_text("name")?;
    let number = f.some_text("model_number")?;
    let manufacturer = f.some_id("manufacturer_id")?;
    let category = f.some_id("category_id")?;
    app.pool
        .run(move |s| {
            match s.as_api(&who, |s| {
                s.create_model(&name, number.as_deref(), manufacturer, category)
            }) {
                Ok(id) => {
                    let (_, rows) = s.api_models(1, 0, None, Some(id))?;
                    Ok(reply::success(
                        "Model created successfully.",
                        rows.first().map(shape::model).unwrap_or(Value::Null),
                    ))
                }
                Err(e) => super::hardware::refusal(e, Value::Null),
            }
        })
        .await?
}

fn table_of(kind: &str) -> NameTable {
    match kind {
        "category" => NameTable::Categories,
        "manufacturer" => NameTable::Manufacturers,
        _ => NameTable::Suppliers,
    }
}

async fn names(
    app: App,
    kind: &'static str,
    q: HashMap<String, String>,
    id: Option<i64>,
) -> Result<Response, ApiError> {
    let p = Params(&q);
    let (limit, offset) = p.page()?;
    let search = p.text("search").or(p.text("name"));
    let (total, rows) = app
        .pool
        .run(move |s| s.api_names(table_of(kind), limit, offset, search.as_deref(), id))
        .await??;
    if id.is_some() {
        return Ok(match rows.first() {
            Some(n) => reply::ok(shape::named(kind, n)),
            None => reply::error(json!(format!("That {kind} does not exist.")), Value::Null),
        });
    }
    Ok(reply::list(
        total,
        rows.iter().map(|n| shape::named(kind, n)).collect(),
    ))
}

pub async fn categories(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    names(app, "category", q, None).await
}
pub async fn category(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    names(
        app,
        "category",
        HashMap::new(),
        Some(path_id("category", &id)?),
    )
    .await
}
pub async fn manufacturers(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    names(app, "manufacturer", q, None).await
}
pub async fn manufacturer(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    names(
        app,
        "manufacturer",
        HashMap::new(),
        Some(path_id("manufacturer", &id)?),
    )
    .await
}
pub async fn suppliers(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    names(app, "supplier", q, None).await
}
pub async fn supplier(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    names(
        app,
        "supplier",
        HashMap::new(),
        Some(path_id("supplier", &id)?),
    )
    .await
}

pub async fn statuslabels(State(app): State<App>) -> Result<Response, ApiError> {
    let counts = app.pool.run(|s| s.status_counts()).await??;
    let rows: Vec<Value> = shape::STATUSES
        .iter()
        .map(|(id, st, _, _)| {
            let n = counts.iter().find(|c| c.0 == *st).map_or(0, |c| c.1);
            shape::status_label(*id, *st, n)
        })
        .collect();
    Ok(reply::list(rows.len() as i64, rows))
}

pub async fn statuslabel(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id("status label", &id)?;
    let Some(st) = shape::status_by_id(id) else {
        return Ok(reply::error(
            json!("Status label does not exist."),
            Value::Null,
        ));
    };
    let counts = app.pool.run(|s| s.status_counts()).await??;
    let n = counts.iter().find(|c| c.0 == st).map_or(0, |c| c.1);
    Ok(reply::ok(shape::status_label(id, st, n)))
}

/// `/api/v1/events?since=ID&limit=N`: the history after event ID, oldest first, with the id to
/// ask from next time.
pub async fn events(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params(&q);
    let since = p.int("since")?.unwrap_or(0);
    let limit = p.int("limit")?.unwrap_or(MAX_LIMIT).clamp(1, MAX_LIMIT);
    let rows = app.pool.run(move |s| s.api_events(since, limit)).await??;
    let last = rows.last().map_or(since, |e| e.id);
    Ok(reply::ok(json!({
        "total": rows.len(),
        "since": since,
        "last_id": last,
        "rows": rows.iter().map(shape::event).collect::<Vec<_>>(),
    })))
}
