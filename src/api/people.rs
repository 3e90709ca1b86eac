//! `/api/v1/users` (itam's people) and `/api/v1/locations`.

use super::body::{self, path_id, Fields, Params};
use super::hardware::refusal;
use super::reply::{self, ApiError};
use super::routes::App;
use super::{shape, MAX_LIMIT};
use crate::store::{ApiIdentity, AssetQuery, NewPerson, Store};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};
use std::collections::HashMap;

const NO_USER: &str = "User not found";

pub async fn list(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params(&q);
    let (limit, offset) = p.page()?;
    let search = p.text("search").or(p.text("username")).or(p.text("email"));
    let (total, rows) = app
        .pool
        .run(move |s| s.api_people(limit, offset, search.as_deref(), None))
        .await??;
    Ok(reply::list(total, rows.iter().map(shape::person).collect()))
}

fn one(s: &Store, id: i64) -> Result<Option<Value>, ApiError> {
    let (_, rows) = s.api_people(1, 0, None, Some(id))?;
    Ok(rows.first().map(shape::person))
}

pub async fn by_id(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id("user", &id)?;
    match app.pool.run(move |s| one(s, id)).await?? {
        Some(v) => Ok(reply::ok(v)),
        None => Ok(reply::error(json!(NO_USER), Value::Null)),
    }
}

/// `/users/me`: the person the token is named after, when there is one.
pub async fn me(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
) -> Result<Response, ApiError> {
    let name = who.username().to_string();
    let found = app
        .pool
        .run(move |s| -> Result<_, ApiError> {
            match s.person_id_by_username(&name)? {
                Some(id) => one(s, id),
                None => Ok(None),
            }
        })
        .await??;
    match found {
        Some(v) => Ok(reply::ok(v)),
        None => Ok(reply::error(
            json!(format!(
                "the token's user '{}' is not a person in itam",
                crate::domain::text::visible(who.username())
            )),
            Value::Null,
        )),
    }
}

pub async fn assets(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id("user", &id)?;
    let query = AssetQuery {
        limit: MAX_LIMIT,
        assignee_id: Some(id),
        sort: crate::store::AssetSort::Tag,
        ..Default::default()
    };
    let found = app
        .pool
        .run(move |s| -> Result<_, ApiError> {
            if s.person_username_by_id(id)?.is_none() {
                return Ok(None);
            }
            let (total, rows) = s.api_assets(&query)?;
            Ok(Some((total, super::hardware::render(s, &rows)?)))
        })
        .await??;
    match found {
        Some((total, rows)) => Ok(reply::list(total, rows)),
        None => Ok(reply::error(json!(NO_USER), Value::Null)),
    }
}

fn full_name(first: Option<String>, last: Option<String>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn create_tx(s: &mut Store, who: &ApiIdentity, f: &Fields) -> Result<Response, ApiError> {
    let username = f.required_text("username")?;
    let first = f.required_text("first_name")?;
    let new = NewPerson {
        username: username.clone(),
        full_name: full_name(Some(first), f.some_text("last_name")?),
        email: f.some_text("email")?,
        badge: f.some_text("employee_num")?,
        team: None,
    };
    if let Err(e) = s.as_api(who, |s| s.add_person(&new)) {
        return refusal(e, Value::Null);
    }
    let id = s.person_id_by_username(&username)?.unwrap_or_default();
    Ok(reply::success(
        "User created successfully.",
        one(s, id)?.unwrap_or(Value::Null),
    ))
}

pub async fn create(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    body: Body,
) -> Result<Response, ApiError> {
    let f = body::read(body).await?;
    app.pool.run(move |s| create_tx(s, &who, &f)).await?
}

fn update_tx(s: &mut Store, who: &ApiIdentity, id: i64, f: &Fields) -> Result<Response, ApiError> {
    let Some(username) = s.person_username_by_id(id)? else {
        return Ok(reply::error(json!(NO_USER), Value::Null));
    };
    if f.flag("activated")? == Some(false) {
        return Err(ApiError::field(
            "activated",
            "deactivate people with `itam person offboard`, which settles what they hold",
        ));
    }
    if f.has("username") && f.some_text("username")?.as_deref() != Some(username.as_str()) {
        return Err(ApiError::field(
            "username",
            "itam does not rename people (the username is in their history)",
        ));
    }
    let cur = s.person(&username)?;
    let (cur_first, cur_last) = match cur.full_name.split_once(' ') {
        Some((a, b)) => (a.to_string(), Some(b.to_string())),
        None => (cur.full_name.clone(), None),
    };
    let name = if f.has("first_name") || f.has("last_name") {
        let first = f.text("first_name")?.map_or(Some(cur_first), |v| v);
        let last = f.text("last_name")?.map_or(cur_last, |v| v);
        full_name(first, last)
    } else {
        String::new()
    };
    let changes = NewPerson {
        username: username.clone(),
        full_name: name,
        email: f.text("email")?.map(Option::unwrap_or_default),
        badge: f.text("employee_num")?.map(Option::unwrap_or_default),
        team: None,
    };
    if let Err(e) = s.as_api(who, |s| s.edit_person(&username, &changes)) {
        return refusal(e, Value::Null);
    }
    Ok(reply::success(
        "User updated successfully.",
        one(s, id)?.unwrap_or(Value::Null),
    ))
}

pub async fn update(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id("user", &id)?;
    let f = body::read(body).await?;
    app.pool.run(move |s| update_tx(s, &who, id, &f)).await?
}

pub async fn locations(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params(&q);
    let (limit, offset) = p.page()?;
    let search = p.text("search").or(p.text("name"));
    let (total, rows) = app
        .pool
        .run(move |s| s.api_locations(limit, offset, search.as_deref(), None))
        .await??;
    Ok(reply::list(
        total,
        rows.iter().map(shape::location).collect(),
    ))
}

pub async fn location(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id("location", &id)?;
    let (_, rows) = app
        .pool
        .run(move |s| s.api_locations(1, 0, None, Some(id)))
        .await??;
    match rows.first() {
        Some(l) => Ok(reply::ok(shape::location(l))),
        None => Ok(reply::error(json!("Location does not exist."), Value::Null)),
    }
}
