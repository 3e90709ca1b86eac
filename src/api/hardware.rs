//! `/api/v1/hardware`: assets. Reads by id, tag and serial; create, update, check-out, check-in
//! and audit as ordinary itam writes; DELETE refused (itam retires and disposes, never deletes).

use super::body::{self, path_id, Fields, Params};
use super::fields;
use super::reply::{self, ApiError};
use super::routes::App;
use super::shape;
use crate::domain::text::visible;
use crate::domain::Status;
use crate::store::{
    self, audit_seen_tx, edit_asset_tx, insert_asset, move_asset_tx, set_fields_tx,
    set_home_location_tx, set_status_tx, ApiAsset, ApiIdentity, AssetEdit, AssetQuery, AssetSort,
    NameTable, NewAsset, Store, StoreError,
};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::HashMap;

const NO_ASSET: &str = "Asset does not exist.";

/// A store refusal as Snipe-IT answers it (200, status error, the payload it names); failures
/// of the database itself stay errors.
pub fn refusal(e: StoreError, payload: Value) -> Result<Response, ApiError> {
    match e {
        StoreError::NotFound(_)
        | StoreError::Refused(_)
        | StoreError::Invalid(_)
        | StoreError::Transition(_) => Ok(reply::error(json!(visible(&e.to_string())), payload)),
        other => Err(ApiError::Store(other)),
    }
}

/// An asset's home location as `(id, name)`, if it has one.
fn home_of(s: &Store, a: &ApiAsset) -> Result<Option<(i64, String)>, ApiError> {
    match s.home_location(&a.view.tag)? {
        Some(h) => Ok(s.location_id_by_code(&h.code)?.map(|id| (id, h.name))),
        None => Ok(None),
    }
}

/// Assets as Snipe-IT shows them, with their custom fields and home.
pub fn render(s: &Store, rows: &[ApiAsset]) -> Result<Vec<Value>, ApiError> {
    let defs = s.fields()?;
    rows.iter()
        .map(|a| {
            let values = if defs.is_empty() {
                Vec::new()
            } else {
                s.asset_fields_by_id(a.view.id)?
            };
            let home =
                home_of(s, a)?.map_or(Value::Null, |(id, name)| json!({"id": id, "name": name}));
            Ok(shape::asset(a, fields::shown(&defs, &values), home))
        })
        .collect()
}

fn render_one(s: &Store, a: Option<ApiAsset>) -> Result<Option<Value>, ApiError> {
    match a {
        Some(a) => Ok(render(s, std::slice::from_ref(&a))?.pop()),
        None => Ok(None),
    }
}

fn query_from(p: &Params) -> Result<AssetQuery, ApiError> {
    let (limit, offset) = p.page()?;
    let mut statuses = None;
    if let Some(id) = p.int("status_id")? {
        let s = shape::status_by_id(id).ok_or_else(|| {
            ApiError::Invalid(format!(
                "status_id {id} is not a status label (see /api/v1/statuslabels)"
            ))
        })?;
        statuses = Some(vec![s]);
    } else if let Some(word) = p.text("status") {
        statuses = Some(shape::statuses_for_filter(&word).ok_or_else(|| {
            ApiError::Invalid(format!(
                "status must be RTD, Deployed, Pending, Undeployable or Archived, not '{}'",
                visible(&word)
            ))
        })?);
    }
    let assignee_id = match (p.int("assigned_to")?, p.text("assigned_type")) {
        (Some(id), None) => Some(id),
        (Some(id), Some(t)) if t.to_lowercase().contains("user") => Some(id),
        (Some(_), Some(_)) => Some(-1),
        (None, _) => None,
    };
    Ok(AssetQuery {
        limit,
        offset,
        search: p.text("search"),
        sort: AssetSort::from_snipeit(&p.text("sort").unwrap_or_default()),
        // Snipe-IT lists newest first unless asked otherwise.
        desc: p
            .text("order")
            .is_none_or(|o| !o.eq_ignore_ascii_case("asc")),
        statuses,
        model_id: p.int("model_id")?,
        category_id: p.int("category_id")?,
        manufacturer_id: p.int("manufacturer_id")?,
        location_id: p.int("location_id")?.or(p.int("rtd_location_id")?),
        supplier_id: p.int("supplier_id")?,
        assignee_id,
        tag: p.text("asset_tag"),
        serial: p.text("serial"),
        order_number: p.text("order_number"),
    })
}

/// One page of assets that `query` finds, rendered, with how many it finds in all.
async fn rendered_page(app: &App, query: AssetQuery) -> Result<(i64, Vec<Value>), ApiError> {
    app.pool
        .run(move |s| -> Result<_, ApiError> {
            let (total, rows) = s.api_assets(&query)?;
            Ok((total, render(s, &rows)?))
        })
        .await?
}

pub async fn list(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let query = query_from(&Params(&q))?;
    let (total, rows) = rendered_page(&app, query).await?;
    Ok(reply::list(total, rows))
}

pub async fn by_id(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id("asset", &id)?;
    match app
        .pool
        .run(move |s| render_one(s, s.api_asset(id)?))
        .await??
    {
        Some(a) => Ok(reply::ok(a)),
        None => Ok(reply::error(json!(NO_ASSET), Value::Null)),
    }
}

pub async fn by_tag(State(app): State<App>, Path(tag): Path<String>) -> Result<Response, ApiError> {
    match app
        .pool
        .run(move |s| render_one(s, s.api_asset_by_tag(&tag)?))
        .await??
    {
        Some(a) => Ok(reply::ok(a)),
        None => Ok(reply::error(json!(NO_ASSET), Value::Null)),
    }
}

pub async fn by_serial(
    State(app): State<App>,
    Path(serial): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (limit, offset) = Params(&q).page()?;
    let query = AssetQuery {
        limit,
        offset,
        serial: Some(serial),
        ..Default::default()
    };
    let (total, rows) = rendered_page(&app, query).await?;
    if total == 0 {
        return Ok(reply::error(json!(NO_ASSET), Value::Null));
    }
    Ok(reply::list(total, rows))
}

/// A date field: `YYYY-MM-DD`, or a Snipe-IT datetime whose day is taken.
/// A date field: absent, cleared, or its first ten characters as `YYYY-MM-DD` (Snipe-IT clients
/// send `2026-11-28 00:00:00` too). A bad one is refused in the store's words for `what`.
fn day(f: &Fields, key: &str, what: &str) -> Result<Option<Option<NaiveDate>>, ApiError> {
    let Some(v) = f.text(key)? else {
        return Ok(None);
    };
    let first: Option<String> = v.map(|s| s.trim().chars().take(10).collect());
    Ok(Some(
        crate::domain::time::optional_date(what, first.as_deref()).map_err(StoreError::from)?,
    ))
}

/// The cost field: absent, cleared, or an amount (refused in the store's words).
fn cost(f: &Fields) -> Result<Option<Option<Decimal>>, ApiError> {
    let Some(v) = f.text("purchase_cost")? else {
        return Ok(None);
    };
    Ok(Some(
        crate::domain::money::optional_amount(v.as_deref()).map_err(StoreError::from)?,
    ))
}

/// A nullable id field resolved to what itam keys on: absent, cleared, or the `what` that
/// `find` names (an id that names nothing is refused).
fn resolve_id(
    f: &Fields,
    key: &str,
    what: &str,
    find: impl FnOnce(i64) -> Result<Option<String>, StoreError>,
) -> Result<Option<Option<String>>, ApiError> {
    match f.id(key)? {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(id)) => match find(id)? {
            Some(n) => Ok(Some(Some(n))),
            None => Err(ApiError::field(key, format!("no {what} has the id {id}"))),
        },
    }
}

fn model_name(s: &Store, f: &Fields) -> Result<Option<Option<String>>, ApiError> {
    resolve_id(f, "model_id", "model", |id| s.model_name_by_id(id))
}

fn supplier_name(s: &Store, f: &Fields) -> Result<Option<Option<String>>, ApiError> {
    resolve_id(f, "supplier_id", "supplier", |id| {
        s.name_by_id(NameTable::Suppliers, id)
    })
}

/// `location_id` (where the asset is now) as a location code.
fn location_code(s: &Store, f: &Fields) -> Result<Option<String>, ApiError> {
    for key in ["location_id"] {
        if let Some(id) = f.some_id(key)? {
            return match s.location_code_by_id(id)? {
                Some(c) => Ok(Some(c)),
                None => Err(ApiError::field(key, format!("no location has the id {id}"))),
            };
        }
    }
    Ok(None)
}

/// Snipe-IT keeps warranty months; itam keeps the end date: purchase date plus the months.
fn warranty_until(f: &Fields, purchase: Option<NaiveDate>) -> Result<Option<NaiveDate>, ApiError> {
    let Some(months) = f.some_id("warranty_months")? else {
        return Ok(None);
    };
    let Some(start) = purchase else {
        return Err(ApiError::field(
            "warranty_months",
            "needs a purchase_date to count from (itam stores the warranty's end date)",
        ));
    };
    let months = u32::try_from(months)
        .map_err(|_| ApiError::field("warranty_months", "must be 0 or more"))?;
    crate::interop::parse::snipeit_add_months(start, months)
        .map(Some)
        .ok_or_else(|| ApiError::field("warranty_months", "is too large"))
}

fn row_of(s: &Store, id: i64) -> Result<Value, ApiError> {
    let Some(a) = s.api_asset(id)? else {
        return Ok(Value::Null);
    };
    let defs = s.fields()?;
    let values = s.asset_fields_by_id(id)?;
    let home = home_of(s, &a)?.map(|h| h.0);
    Ok(shape::asset_row(&a, fields::columns(&defs, &values), home))
}

/// `rtd_location_id` (Snipe-IT's default location, itam's home) as a location code.
fn home_code(s: &Store, f: &Fields) -> Result<Option<Option<String>>, ApiError> {
    resolve_id(f, "rtd_location_id", "location", |id| {
        s.location_code_by_id(id)
    })
}

/// `assigned_user` (to check the asset out to) as a username.
fn assigned_user(s: &Store, f: &Fields) -> Result<Option<String>, ApiError> {
    match f.some_id("assigned_user")? {
        Some(uid) => Ok(Some(s.person_username_by_id(uid)?.ok_or_else(|| {
            ApiError::field("assigned_user", format!("no user has the id {uid}"))
        })?)),
        None => Ok(None),
    }
}

fn create_tx(s: &mut Store, who: &ApiIdentity, f: &Fields) -> Result<Response, ApiError> {
    let tag = f.required_text("asset_tag")?;
    let status = match f.some_id("status_id")? {
        None => None,
        Some(id) => match shape::status_by_id(id) {
            Some(st @ (Status::Ordered | Status::InStock)) => Some(st),
            Some(st) => {
                return Err(ApiError::field(
                    "status_id",
                    format!(
                        "a new asset starts as Ordered (1) or In stock (2), not {}",
                        st.as_str()
                    ),
                ))
            }
            None => {
                return Err(ApiError::field(
                    "status_id",
                    format!("no status label has the id {id}"),
                ))
            }
        },
    };
    let purchase_date = day(f, "purchase_date", "purchase date")?.flatten();
    let custom = fields::requested(&s.fields()?, f)?;
    let home = home_code(s, f)?.flatten();
    let location = location_code(s, f)?.or(home.clone());
    let new = NewAsset {
        tag,
        serial: f.some_text("serial")?,
        name: f.some_text("name")?,
        model: model_name(s, f)?.flatten(),
        location: location.clone(),
        supplier: supplier_name(s, f)?.flatten(),
        order_number: f.some_text("order_number")?,
        purchase_cost: cost(f)?.flatten(),
        warranty_until: warranty_until(f, purchase_date)?,
        purchase_date,
        eol_date: day(f, "asset_eol_date", "end-of-life date")?.flatten(),
        status,
        notes: f.some_text("notes")?,
        ..Default::default()
    };
    let user = assigned_user(s, f)?;
    // One transaction: a refusal of any part (home, a field, the check-out) leaves no asset.
    let home = home.or(location);
    let created = s.as_api(who, |s| {
        s.write(|tx| {
            let v = insert_asset(tx, &new, None)?;
            // Snipe-IT's default location is itam's home; an asset created somewhere lives there.
            if let Some(code) = &home {
                set_home_location_tx(tx, v.id, Some(code), None)?;
            }
            if !custom.is_empty() {
                set_fields_tx(tx, v.id, &custom, None)?;
            }
            if let Some(u) = &user {
                store::checkout_tx(tx, &v.tag, u, None, Some("Checked out on asset creation"))?;
            }
            Ok(v)
        })
    })?;
    Ok(reply::success(
        "Asset created successfully. :)",
        row_of(s, created.id)?,
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

fn clear(v: Option<Option<String>>) -> Option<String> {
    v.map(Option::unwrap_or_default)
}

fn update_tx(s: &mut Store, who: &ApiIdentity, id: i64, f: &Fields) -> Result<Response, ApiError> {
    let Some(cur) = s.api_asset(id)? else {
        return Ok(reply::error(json!(NO_ASSET), Value::Null));
    };
    let purchase_date = day(f, "purchase_date", "purchase date")?;
    let warranty = warranty_until(f, purchase_date.flatten().or(cur.view.purchase_date))?;
    let edit = AssetEdit {
        tag: match f.text("asset_tag")? {
            Some(None) => {
                return Err(ApiError::field(
                    "asset_tag",
                    "an asset's tag cannot be cleared",
                ))
            }
            other => clear(other),
        },
        serial: clear(f.text("serial")?),
        name: clear(f.text("name")?),
        model: clear(model_name(s, f)?),
        supplier: clear(supplier_name(s, f)?),
        order_number: clear(f.text("order_number")?),
        notes: clear(f.text("notes")?),
        purchase_date,
        purchase_cost: cost(f)?,
        eol_date: day(f, "asset_eol_date", "end-of-life date")?,
        warranty_until: warranty.map(Some),
        ..Default::default()
    };
    let target_status = match f.some_id("status_id")? {
        None => None,
        Some(sid) => Some(shape::status_by_id(sid).ok_or_else(|| {
            ApiError::field("status_id", format!("no status label has the id {sid}"))
        })?),
    };
    if target_status == Some(Status::Deployed)
        && cur.view.status != Status::Deployed
        && !f.has("assigned_user")
    {
        return Err(ApiError::field(
            "status_id",
            "an asset becomes Deployed by checking it out (POST /api/v1/hardware/{id}/checkout)",
        ));
    }
    let location = location_code(s, f)?;
    let home = home_code(s, f)?;
    let custom = fields::requested(&s.fields()?, f)?;
    let user = assigned_user(s, f)?;
    let payload = json!({"asset": cur.view.tag});
    // Every part in one transaction, each with its own event: a refusal of any part (the
    // lifecycle, a lost race, a value the store rejects) leaves the asset as it was.
    let done = s.as_api(who, |s| {
        s.write(|tx| {
            let view = edit_asset_tx(tx, &cur.view.tag, &edit, None)?;
            if let Some(code) = &location {
                if view.location.as_deref().map(str::to_lowercase) != Some(code.to_lowercase()) {
                    move_asset_tx(tx, &view.tag, code, None)?;
                }
            }
            if let Some(h) = &home {
                set_home_location_tx(tx, view.id, h.as_deref(), None)?;
            }
            if !custom.is_empty() {
                set_fields_tx(tx, view.id, &custom, None)?;
            }
            if let Some(st) = target_status {
                if st != view.status && st != Status::Deployed {
                    set_status_tx(tx, &view.tag, st, None)?;
                }
            }
            if let Some(u) = &user {
                store::checkout_tx(tx, &view.tag, u, None, Some("Checked out on asset update"))?;
            }
            Ok(())
        })
    });
    if let Err(e) = done {
        return refusal(e, payload);
    }
    Ok(reply::success(
        "Asset updated successfully.",
        row_of(s, id)?,
    ))
}

pub async fn update(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id("asset", &id)?;
    let f = body::read(body).await?;
    app.pool.run(move |s| update_tx(s, &who, id, &f)).await?
}

/// The asset a route names: by its id or by its tag.
enum Which {
    Id(i64),
    Tag(String),
}

/// Runs `op` on the asset `which` names, or answers `missing` (Snipe-IT's 200 with status
/// error) when there is none.
async fn on_asset(
    app: &App,
    which: Which,
    missing: Value,
    op: impl FnOnce(&mut Store, &ApiAsset) -> Result<Response, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    app.pool
        .run(move |s| {
            let found = match &which {
                Which::Id(id) => s.api_asset(*id)?,
                Which::Tag(tag) => s.api_asset_by_tag(tag)?,
            };
            match found {
                Some(a) => op(s, &a),
                None => Ok(reply::error(missing, Value::Null)),
            }
        })
        .await?
}

fn checkout_tx(
    s: &mut Store,
    who: &ApiIdentity,
    tag: &str,
    f: &Fields,
) -> Result<Response, ApiError> {
    let payload = json!({"asset": tag});
    let kind = f
        .some_text("checkout_to_type")?
        .unwrap_or_else(|| "user".into());
    let note = f.some_text("note")?;
    match kind.to_lowercase().as_str() {
        "user" => {
            let Some(uid) = f.some_id("assigned_user")?.or(f.some_id("assigned_to")?) else {
                return Err(ApiError::field("assigned_user", "The assigned user field is required when checking out to a user."));
            };
            let Some(username) = s.person_username_by_id(uid)? else {
                return Ok(reply::error(
                    json!(format!("Checkout target for asset {} is invalid - user does not exist.", visible(tag))),
                    json!({"asset": {"asset_tag": tag}, "target_id": uid, "target_type": "user"}),
                ));
            };
            let due = day(f, "expected_checkin", "due date")?.flatten();
            match s.as_api(who, |s| s.checkout(tag, &username, due, note.as_deref())) {
                Ok(_) => Ok(reply::success("Asset checked out successfully.", payload)),
                Err(e) => refusal(e, payload),
            }
        }
        "location" => {
            let Some(lid) = f.some_id("assigned_location")? else {
                return Err(ApiError::field("assigned_location", "The assigned location field is required when checking out to a location."));
            };
            let Some(code) = s.location_code_by_id(lid)? else {
                return Ok(reply::error(
                    json!(format!("Checkout target for asset {} is invalid - location does not exist.", visible(tag))),
                    json!({"asset": {"asset_tag": tag}, "target_id": lid, "target_type": "location"}),
                ));
            };
            // itam assigns assets to people; "checked out to a location" is being kept there.
            match s.as_api(who, |s| s.move_asset(tag, &code, note.as_deref())) {
                Ok(_) => Ok(reply::success("Asset checked out successfully.", payload)),
                Err(e) => refusal(e, payload),
            }
        }
        "asset" => Ok(reply::error(
            json!("itam checks assets out to people (or keeps them at a location), not to other assets"),
            payload,
        )),
        other => Err(ApiError::field(
            "checkout_to_type",
            format!("must be user, location or asset, not '{}'", visible(other)),
        )),
    }
}

pub async fn checkout(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id("asset", &id)?;
    let f = body::read(body).await?;
    on_asset(&app, Which::Id(id), json!(NO_ASSET), move |s, a| {
        checkout_tx(s, &who, &a.view.tag, &f)
    })
    .await
}

pub async fn checkout_by_tag(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(tag): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let f = body::read(body).await?;
    on_asset(
        &app,
        Which::Tag(tag),
        json!("Asset not found"),
        move |s, a| checkout_tx(s, &who, &a.view.tag, &f),
    )
    .await
}

fn checkin_tx(
    s: &mut Store,
    who: &ApiIdentity,
    a: &ApiAsset,
    f: &Fields,
) -> Result<Response, ApiError> {
    let payload = json!({
        "asset_tag": a.view.tag, "model": a.view.model, "model_number": a.model_number,
    });
    let note = f.some_text("note")?;
    let location = location_code(s, f)?;
    match s.as_api(who, |s| {
        s.checkin(&a.view.tag, None, location.as_deref(), note.as_deref())
    }) {
        Ok(_) => Ok(reply::success("Asset checked in successfully.", payload)),
        Err(e) => refusal(e, payload),
    }
}

pub async fn checkin(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id("asset", &id)?;
    let f = body::read(body).await?;
    on_asset(&app, Which::Id(id), json!(NO_ASSET), move |s, a| {
        checkin_tx(s, &who, a, &f)
    })
    .await
}

pub async fn checkin_by_tag(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(tag): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let f = body::read(body).await?;
    let missing = json!(format!("Asset with tag {} not found", visible(&tag)));
    on_asset(&app, Which::Tag(tag), missing, move |s, a| {
        checkin_tx(s, &who, a, &f)
    })
    .await
}

fn audit_tx(
    s: &mut Store,
    who: &ApiIdentity,
    a: &ApiAsset,
    f: &Fields,
) -> Result<Response, ApiError> {
    let note = f.some_text("note")?;
    let payload = json!({"id": a.view.id, "asset_tag": a.view.tag});
    let location = location_code(s, f)?.filter(|code| {
        a.view.location.as_deref().map(str::to_lowercase) != Some(code.to_lowercase())
    });
    // The move and the audit together or not at all.
    let done = s.as_api(who, |s| {
        s.write(|tx| {
            if let Some(code) = &location {
                move_asset_tx(tx, &a.view.tag, code, Some("moved during audit"))?;
            }
            audit_seen_tx(tx, &a.view.tag, note.as_deref())
        })
    });
    match done {
        Ok(_) => Ok(reply::success(
            "Asset audit successfully logged.",
            json!({"id": a.view.id, "asset_tag": a.view.tag, "note": note, "next_audit_date": null}),
        )),
        Err(e) => refusal(e, payload),
    }
}

/// POST /hardware/audit with `asset_tag` in the body (Snipe-IT's older form).
pub async fn audit_by_body(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    body: Body,
) -> Result<Response, ApiError> {
    let f = body::read(body).await?;
    let tag = f.required_text("asset_tag")?;
    on_asset(&app, Which::Tag(tag), json!(NO_ASSET), move |s, a| {
        audit_tx(s, &who, a, &f)
    })
    .await
}

pub async fn audit_by_id(
    State(app): State<App>,
    Extension(who): Extension<ApiIdentity>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id("asset", &id)?;
    let f = body::read(body).await?;
    on_asset(&app, Which::Id(id), json!(NO_ASSET), move |s, a| {
        audit_tx(s, &who, a, &f)
    })
    .await
}

/// DELETE anything: refused, with what to do instead.
pub async fn refuse_delete() -> Response {
    reply::error(
        json!("itam never deletes records: its history must stay whole. Retire an asset and dispose of it instead (`itam status TAG retired`, then `itam dispose TAG ...`); offboard a person with `itam person offboard`."),
        Value::Null,
    )
}
