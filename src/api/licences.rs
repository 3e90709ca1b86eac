//! `/api/v1/licenses` and their seats. itam keeps only the seats in use, so a seat's id is its
//! position: taken seats first (in the order they were taken), then the free ones. PATCHing a
//! free seat assigns it, PATCHing a taken seat with `assigned_to: null` releases it; the
//! over-assignment refusal holds unless the body says `"force": true`.

use super::body::{self, path_id, Fields, Params};
use super::hardware::refusal;
use super::reply::{self, ApiError};
use super::routes::App;
use super::shape;
use crate::domain::text::visible;
use crate::store::{ApiIdentity, SeatTarget, Store, StoreError};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};
use std::collections::HashMap;

const NO_LICENCE: &str = "License does not exist.";

pub async fn list(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params(&q);
    let (limit, offset) = p.page()?;
    let search = p.text("search").map(|s| s.to_lowercase());
    let all = app.pool.run(|s| s.licences(false)).await??;
    let matching: Vec<_> = all
        .iter()
        .filter(|l| {
            search.as_deref().is_none_or(|q| {
                l.product.to_lowercase().contains(q)
                    || l.vendor
                        .as_deref()
                        .is_some_and(|v| v.to_lowercase().contains(q))
            })
        })
        .collect();
    let rows = matching
        .iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|l| shape::licence(l))
        .collect();
    Ok(reply::list(matching.len() as i64, rows))
}

fn licence_or_none(s: &Store, id: i64) -> Result<Option<crate::store::LicenceDetail>, ApiError> {
    match s.licence(&id.to_string(), false) {
        Ok(d) if d.licence.id == id => Ok(Some(d)),
        Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn by_id(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id("license", &id)?;
    match app.pool.run(move |s| licence_or_none(s, id)).await?? {
        Some(d) => Ok(reply::ok(shape::licence(&d.licence))),
        None => Ok(reply::error(json!(NO_LICENCE), Value::Null)),
    }
}

/// How many seat positions a licence shows: what it owns, or what is taken when more (or
/// unlimited, plus one free seat to take).
fn positions(l: &crate::store::LicenceView) -> i64 {
    match l.seats {
        Some(n) => i64::from(n.max(l.assigned)),
        None => i64::from(l.assigned) + 1,
    }
}

pub async fn seats(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let id = path_id("license", &id)?;
    let (limit, offset) = Params(&q).page()?;
    let found = app
        .pool
        .run(move |s| -> Result<_, ApiError> {
            match licence_or_none(s, id)? {
                Some(d) => Ok(Some((d.licence, s.api_seats(id)?))),
                None => Ok(None),
            }
        })
        .await??;
    let Some((licence, taken)) = found else {
        return Ok(reply::error(json!(NO_LICENCE), Value::Null));
    };
    let total = positions(&licence);
    let rows = (offset + 1..=total)
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|n| {
            shape::seat(
                id,
                n,
                usize::try_from(n - 1).ok().and_then(|i| taken.get(i)),
            )
        })
        .collect();
    Ok(reply::list(total, rows))
}

pub async fn seat(
    State(app): State<App>,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = path_id("license", &id)?;
    let n = path_id("seat", &n)?;
    let found = app
        .pool
        .run(move |s| -> Result<_, ApiError> {
            match licence_or_none(s, id)? {
                Some(d) => Ok(Some((d.licence, s.api_seats(id)?))),
                None => Ok(None),
            }
        })
        .await??;
    let Some((licence, taken)) = found else {
        return Ok(reply::error(json!(NO_LICENCE), Value::Null));
    };
    if n < 1 || n > positions(&licence) {
        return Ok(reply::error(json!("Seat does not exist."), Value::Null));
    }
    let held = usize::try_from(n - 1).ok().and_then(|i| taken.get(i));
    Ok(reply::ok(shape::seat(id, n, held)))
}

fn target_of(s: &Store, f: &Fields) -> Result<Option<SeatTarget>, ApiError> {
    if let Some(uid) = f.some_id("assigned_to")? {
        let u = s
            .person_username_by_id(uid)?
            .ok_or_else(|| ApiError::field("assigned_to", format!("no user has the id {uid}")))?;
        return Ok(Some(SeatTarget::Person(u)));
    }
    if let Some(aid) = f.some_id("asset_id")? {
        let tag = s
            .api_asset(aid)?
            .ok_or_else(|| ApiError::field("asset_id", format!("no asset has the id {aid}")))?
            .view
            .tag;
        return Ok(Some(SeatTarget::Asset(tag)));
    }
    Ok(None)
}

fn update_seat_tx(
    s: &mut Store,
    who: &ApiIdentity,
    id: i64,
    n: i64,
    f: &Fields,
) -> Result<Response, ApiError> {
    let Some(d) = licence_or_none(s, id)? else {
        return Ok(reply::error(json!(NO_LICENCE), Value::Null));
    };
    let taken = s.api_seats(id)?;
    let force = f.flag("force")?.unwrap_or(false);
    if n < 1 || n > positions(&d.licence) + i64::from(force) {
        return Ok(reply::error(json!("Seat does not exist."), Value::Null));
    }
    let target = target_of(s, f)?;
    let note = f.some_text("notes")?.or(f.some_text("note")?);
    let reference = id.to_string();
    let held = usize::try_from(n - 1)
        .ok()
        .and_then(|i| taken.get(i))
        .cloned();
    let outcome = match (held, target) {
        (Some(h), None) => {
            let holder = match (&h.person, &h.asset) {
                (Some(p), _) => SeatTarget::Person(p.1.clone()),
                (None, Some(a)) => SeatTarget::Asset(a.1.clone()),
                (None, None) => return Err(ApiError::Internal("a seat with no holder".into())),
            };
            if !(f.has("assigned_to") || f.has("asset_id")) {
                return Err(ApiError::field(
                    "assigned_to",
                    "send a user id to assign the seat, or null to release it",
                ));
            }
            s.as_api(who, |s| {
                s.unassign_seat(&reference, &holder, note.as_deref())
                    .map(|_| ())
            })
        }
        (Some(h), Some(t)) => {
            let same = match (&t, &h.person, &h.asset) {
                (SeatTarget::Person(u), Some(p), _) => p.1.eq_ignore_ascii_case(u),
                (SeatTarget::Asset(tag), _, Some(a)) => a.1.eq_ignore_ascii_case(tag),
                _ => false,
            };
            if !same {
                let name = h
                    .person
                    .as_ref()
                    .map(|p| p.1.clone())
                    .or(h.asset.as_ref().map(|a| a.1.clone()))
                    .unwrap_or_default();
                return Ok(reply::error(
                    json!(format!(
                        "seat {n} is held by {}; release it first (assigned_to: null)",
                        visible(&name)
                    )),
                    Value::Null,
                ));
            }
            Ok(())
        }
        (None, Some(t)) => s.as_api(who, |s| {
            s.assign_seat(&reference, &t, force, note.as_deref())
                .map(|_| ())
        }),
        (None, None) => {
            return Err(ApiError::field(
                "assigned_to",
                "send the user id (assigned_to) or asset id (asset_id) to give the seat to",
            ))
        }
    };
    if let Err(e) = outcome {
        return refusal(e, Value::Null);
    }
    let after = s.api_seats(id)?;
    let pos = match usize::try_from(n - 1).ok().and_then(|i| after.get(i)) {
        Some(_) => n,
        None => after.len() as i64,
    };
    let seat = usize::try_from(pos - 1).ok().and_then(|i| after.get(i));
    Ok(reply::success(
        "License seat updated successfully.",
        shape::seat(id, pos.max(1), seat),
    ))
}

pub async fn update_seat(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path((id, n)): Path<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id("license", &id)?;
    let n = path_id("seat", &n)?;
    let f = body::read(body).await?;
    app.pool
        .run(move |s| update_seat_tx(s, &who, id, n, &f))
        .await?
}
