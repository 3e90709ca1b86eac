//! The JSON Snipe-IT's transformers produce, built from itam's rows. Fields itam has no notion
//! of (companies, images, counters) are present with Snipe-IT's empty values, so clients that
//! read them find what they expect; itam's own extras sit under `"itam"`.

use crate::domain::time::Timestamp;
use crate::domain::Status;
use crate::store::{
    ApiAsset, ApiEvent, ApiLocation, ApiModel, ApiPerson, ApiSeat, IdName, LicenceView, NamedCount,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// `{"datetime": "2026-11-28 09:15:02", "formatted": "2026-11-28 09:15"}` from a stored UTC time.
pub fn datetime(t: Option<&str>) -> Value {
    match t.map(str::trim).filter(|s| s.len() >= 19) {
        Some(s) => {
            let plain = s[..19].replace('T', " ");
            json!({"datetime": plain, "formatted": &plain[..16]})
        }
        None => match t.map(str::trim).filter(|s| s.len() >= 10) {
            Some(s) => {
                json!({"datetime": format!("{} 00:00:00", &s[..10]), "formatted": format!("{} 00:00", &s[..10])})
            }
            None => Value::Null,
        },
    }
}

/// A time as Laravel serialises a model's timestamps: `2026-11-28T09:15:02.000000Z`.
fn laravel_time(t: &Timestamp) -> String {
    t.as_utc().format("%Y-%m-%dT%H:%M:%S.000000Z").to_string()
}

/// `{"date": "2026-11-28", "formatted": "2026-11-28"}`, or null.
pub fn day(d: Option<NaiveDate>) -> Value {
    match d {
        Some(d) => {
            let s = d.format("%Y-%m-%d").to_string();
            json!({"date": s, "formatted": s})
        }
        None => Value::Null,
    }
}

/// [`datetime`] of a typed time.
pub fn moment(t: Option<&Timestamp>) -> Value {
    match t {
        Some(t) => {
            let plain = t.as_utc().format("%Y-%m-%d %H:%M:%S").to_string();
            json!({"datetime": plain, "formatted": &plain[..16]})
        }
        None => Value::Null,
    }
}

/// An amount as Snipe-IT prints it: `1,299.00`, or null.
pub fn amount(d: Option<Decimal>) -> Value {
    let Some(d) = d else {
        return Value::Null;
    };
    // PHP's number_format rounds halves away from zero.
    let fixed = format!(
        "{:.2}",
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    );
    let (sign, digits) = fixed
        .strip_prefix('-')
        .map_or(("", fixed.as_str()), |r| ("-", r));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    json!(format!("{sign}{grouped}.{frac}"))
}

fn id_name(x: &Option<IdName>) -> Value {
    match x {
        Some(x) => json!({"id": x.id, "name": x.name}),
        None => Value::Null,
    }
}

fn pair(id: Option<i64>, name: &Option<String>) -> Value {
    match (id, name) {
        (Some(id), Some(name)) => json!({"id": id, "name": name}),
        _ => Value::Null,
    }
}

/// itam's statuses as Snipe-IT status labels: (stable id, label name, Snipe-IT type).
pub const STATUSES: [(i64, Status, &str, &str); 7] = [
    (1, Status::Ordered, "Ordered", "pending"),
    (2, Status::InStock, "In stock", "deployable"),
    (3, Status::Deployed, "Deployed", "deployable"),
    (4, Status::InRepair, "In repair", "undeployable"),
    (5, Status::Lost, "Lost", "undeployable"),
    (6, Status::Retired, "Retired", "archived"),
    (7, Status::Disposed, "Disposed", "archived"),
];

pub fn status_id(s: Status) -> i64 {
    STATUSES.iter().find(|x| x.1 == s).map_or(0, |x| x.0)
}

pub fn status_by_id(id: i64) -> Option<Status> {
    STATUSES.iter().find(|x| x.0 == id).map(|x| x.1)
}

fn status_entry(s: Status) -> (i64, &'static str, &'static str) {
    STATUSES
        .iter()
        .find(|x| x.1 == s)
        .map_or((0, "Unknown", "undeployable"), |x| (x.0, x.2, x.3))
}

/// Snipe-IT's `status` filter words (RTD, Deployed, ...) as itam statuses.
pub fn statuses_for_filter(word: &str) -> Option<Vec<Status>> {
    Some(match word.to_lowercase().as_str() {
        "rtd" | "deployable" => vec![Status::InStock],
        "deployed" => vec![Status::Deployed],
        "pending" => vec![Status::Ordered],
        "undeployable" => vec![Status::InRepair, Status::Lost],
        "archived" => vec![Status::Retired, Status::Disposed],
        _ => return None,
    })
}

pub fn status_label(id: i64, s: Status, count: i64) -> Value {
    let (_, name, kind) = status_entry(s);
    json!({
        "id": id, "name": name, "type": kind, "color": null, "show_in_nav": false,
        "default_label": s == Status::InStock, "assets_count": count,
        "notes": format!("itam status {}", s.as_str()), "created_by": null,
        "created_at": null, "updated_at": null,
        "available_actions": {"update": false, "delete": false},
        "itam": {"status": s.as_str()},
    })
}

fn split_name(full: &str) -> (String, Option<String>) {
    match full.trim().split_once(' ') {
        Some((f, l)) => (f.to_string(), Some(l.trim().to_string())),
        None => (full.trim().to_string(), None),
    }
}

/// AssetsTransformer::transformAsset, with the asset's custom fields (see `fields::shown`) and
/// its home location (`rtd_location`; null when it has none).
pub fn asset(a: &ApiAsset, custom_fields: Value, home: Value) -> Value {
    let v = &a.view;
    let (sid, sname, skind) = status_entry(v.status);
    let meta = if v.assignee.is_some() {
        "deployed"
    } else {
        skind
    };
    let location = pair(a.location_id, &v.location_name);
    let assigned = match (a.assignee_id, &v.assignee) {
        (Some(id), Some(username)) => {
            let full = v.assignee_name.clone().unwrap_or_default();
            let (first, last) = split_name(&full);
            json!({
                "id": id, "username": username, "name": full, "first_name": first,
                "last_name": last, "email": a.assignee_email, "employee_number": null,
                "type": "user",
            })
        }
        _ => Value::Null,
    };
    json!({
        "id": v.id,
        "name": v.name,
        "asset_tag": v.tag,
        "serial": v.serial,
        "model": pair(a.model_id, &v.model),
        "byod": false,
        "requestable": false,
        "model_number": a.model_number,
        "eol": null,
        "asset_eol_date": day(v.eol_date),
        "status_label": {"id": sid, "name": sname, "status_type": skind, "status_meta": meta},
        "category": pair(a.category_id, &v.category),
        "manufacturer": pair(a.manufacturer_id, &v.manufacturer),
        "supplier": pair(a.supplier_id, &v.supplier),
        "notes": v.notes,
        "order_number": v.order_number,
        "company": null,
        "location": location,
        "rtd_location": home,
        "image": null,
        "qr": null,
        "alt_barcode": null,
        "assigned_to": assigned,
        "warranty_months": null,
        "warranty_expires": day(v.warranty_until),
        "created_by": null,
        "created_at": moment(Some(&v.created_at)),
        "updated_at": moment(Some(&v.updated_at)),
        "last_audit_date": moment(v.last_seen_at.as_ref()),
        "next_audit_date": null,
        "deleted_at": null,
        "purchase_date": day(v.purchase_date),
        "age": "",
        "last_checkout": moment(v.assigned_at.as_ref()),
        "last_checkin": null,
        "expected_checkin": day(v.due_date),
        "purchase_cost": amount(v.purchase_cost),
        "checkin_counter": 0,
        "checkout_counter": 0,
        "requests_counter": 0,
        "user_can_checkout": v.status == Status::InStock,
        "book_value": null,
        "custom_fields": custom_fields,
        "available_actions": {
            "checkout": v.status == Status::InStock,
            "checkin": v.status == Status::Deployed,
            "clone": true,
            "restore": false,
            "update": v.status != Status::Disposed,
            "audit": v.status != Status::Disposed,
            "delete": false,
        },
        "itam": {
            "status": v.status.as_str(),
            "condition": v.condition.as_str(),
            "location_code": v.location,
            "owner": v.owner,
            "currency": v.currency,
            "version": v.version,
        },
    })
}

/// The asset as Snipe-IT's create and update answer it: the flat database row, with its
/// `_snipeit_` custom field columns.
pub fn asset_row(a: &ApiAsset, columns: Vec<(String, Value)>, home_id: Option<i64>) -> Value {
    let v = &a.view;
    let mut row = json!({
        "id": v.id,
        "name": v.name,
        "asset_tag": v.tag,
        "model_id": a.model_id,
        "serial": v.serial,
        "purchase_date": v.purchase_date,
        "purchase_cost": v.purchase_cost,
        "order_number": v.order_number,
        "assigned_to": a.assignee_id,
        "assigned_type": a.assignee_id.map(|_| "App\\Models\\User"),
        "notes": v.notes,
        "status_id": status_id(v.status),
        "supplier_id": a.supplier_id,
        "location_id": a.location_id,
        "rtd_location_id": home_id,
        "asset_eol_date": v.eol_date,
        "expected_checkin": v.due_date,
        "last_checkout": v.assigned_at,
        "created_at": laravel_time(&v.created_at),
        "updated_at": laravel_time(&v.updated_at),
        "deleted_at": null,
    });
    if let Value::Object(m) = &mut row {
        m.extend(columns);
    }
    row
}

/// UsersTransformer::transformUser.
pub fn person(p: &ApiPerson) -> Value {
    let (first, last) = split_name(&p.full_name);
    json!({
        "id": p.id, "avatar": null, "name": p.full_name, "first_name": first,
        "last_name": last, "username": p.username, "remote": false, "locale": null,
        "employee_num": p.badge, "manager": null, "jobtitle": null, "vip": false,
        "phone": null, "website": null, "address": null, "city": null, "state": null,
        "country": null, "zip": null, "email": p.email,
        "department": id_name(&p.team), "location": null, "notes": null,
        "permissions": null, "activated": p.active, "autoassign_licenses": false,
        "ldap_import": false, "two_factor_enrolled": false, "two_factor_optin": false,
        "assets_count": p.assets, "licenses_count": p.licences, "accessories_count": 0,
        "consumables_count": 0, "manages_users_count": 0, "manages_locations_count": 0,
        "company": null, "created_by": null,
        "created_at": moment(Some(&p.created_at)), "updated_at": moment(Some(&p.created_at)),
        "start_date": null, "end_date": null, "last_login": null, "deleted_at": null,
        "available_actions": {"update": true, "delete": false, "clone": false, "restore": false},
        "groups": null,
    })
}

/// LocationsTransformer::transformLocation (itam's scannable code under `code`).
pub fn location(l: &ApiLocation) -> Value {
    let children: Vec<Value> = l
        .children
        .iter()
        .map(|c| json!({"id": c.id, "name": c.name}))
        .collect();
    json!({
        "id": l.id, "name": l.name, "code": l.code, "image": null, "address": null,
        "address2": null, "city": null, "state": null, "country": null, "zip": null,
        "phone": null, "fax": null, "accessories_count": 0, "assigned_accessories_count": 0,
        "assigned_assets_count": l.assigned_assets, "assets_count": l.assets,
        "rtd_assets_count": l.assets, "users_count": 0, "currency": null, "ldap_ou": null,
        "notes": null, "created_at": moment(Some(&l.created_at)),
        "updated_at": moment(Some(&l.created_at)), "parent": id_name(&l.parent),
        "manager": null, "company": null, "children": children,
        "available_actions": {"update": false, "delete": false, "clone": false},
    })
}

/// AssetModelsTransformer::transformAssetModel.
pub fn model(m: &ApiModel) -> Value {
    json!({
        "id": m.id, "name": m.name, "manufacturer": id_name(&m.manufacturer), "image": null,
        "model_number": m.model_number, "min_amt": null, "remaining": m.assets,
        "depreciation": null, "assets_count": m.assets, "category": id_name(&m.category),
        "fieldset": null, "default_fieldset_values": [], "eol": "None", "requestable": false,
        "notes": null, "created_by": null,
        "created_at": moment(m.created_at.as_ref()),
        "updated_at": moment(m.created_at.as_ref()), "deleted_at": null,
        "available_actions": {"update": false, "delete": false, "clone": false, "restore": false},
    })
}

/// Categories, manufacturers and suppliers: the fields their transformers share.
pub fn named(kind: &str, n: &NamedCount) -> Value {
    let mut v = json!({
        "id": n.id, "name": n.name, "image": null, "assets_count": n.assets,
        "licenses_count": 0, "accessories_count": 0, "consumables_count": 0,
        "components_count": 0, "notes": null, "created_by": null, "created_at": null,
        "updated_at": null, "deleted_at": null,
        "available_actions": {"update": false, "delete": false, "restore": false},
    });
    let extra = match kind {
        "category" => json!({
            "category_type": "asset", "has_eula": false, "use_default_eula": false,
            "eula": null, "checkin_email": false, "require_acceptance": false,
            "item_count": n.assets,
        }),
        "manufacturer" => json!({
            "url": null, "support_url": null, "warranty_lookup_url": null,
            "support_phone": null, "support_email": null,
        }),
        _ => json!({
            "url": null, "address": null, "address2": null, "city": null, "state": null,
            "country": null, "zip": null, "fax": null, "phone": null, "email": null,
            "contact": null,
        }),
    };
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

/// LicensesTransformer::transformLicense. The key is masked, as for a user who cannot view keys.
pub fn licence(l: &LicenceView) -> Value {
    let free = l.free.map_or(0, i64::from);
    let seats = l.seats.map_or(i64::from(l.assigned), i64::from);
    json!({
        "id": l.id, "name": l.product, "company": null, "manufacturer": null,
        "product_key": l.key.as_deref().unwrap_or("------------"),
        "order_number": null, "purchase_order": null,
        "purchase_date": day(l.starts_on), "termination_date": null,
        "depreciation": null, "purchase_cost": amount(l.cost),
        "purchase_cost_numeric": l.cost, "notes": l.notes,
        "expiration_date": day(l.expires_on), "seats": seats,
        "free_seats_count": free, "remaining": free, "min_amt": null, "license_name": null,
        "license_email": null, "reassignable": true, "maintained": false, "supplier": null,
        "category": null, "created_by": null,
        "created_at": moment(Some(&l.created_at)), "updated_at": moment(Some(&l.updated_at)),
        "deleted_at": null, "user_can_checkout": l.free.is_none() || free > 0,
        "available_actions": {"checkout": true, "checkin": true, "clone": false, "update": false, "delete": false},
        "itam": {
            "vendor": l.vendor, "kind": l.kind.as_str(), "unlimited": l.seats.is_none(),
            "assigned": l.assigned, "over_deployed": l.over_deployed, "currency": l.currency,
            "cost_basis": l.cost_basis.as_str(), "cost_period": l.cost_period.as_str(),
            "renews_on": l.renews_on,
        },
    })
}

/// LicenseSeatsTransformer::transformLicenseSeat for seat number `n` (1-based; taken seats
/// first, in the order they were taken, then free ones).
pub fn seat(licence_id: i64, n: i64, s: Option<&ApiSeat>) -> Value {
    let user = s
        .and_then(|s| s.person.as_ref())
        .map(|(id, _username, name, email)| {
            json!({"id": id, "name": name, "email": email, "department": null,
               "created_at": moment(s.map(|s| &s.assigned_at))})
        });
    let asset = s.and_then(|s| s.asset.as_ref()).map(
        |(id, tag)| json!({"id": id, "name": tag, "created_at": moment(s.map(|s| &s.assigned_at))}),
    );
    json!({
        "id": n, "license_id": licence_id, "name": format!("Seat {n}"),
        "updated_at": moment(s.map(|s| &s.assigned_at)),
        "assigned_user": user, "assigned_asset": asset, "location": null,
        "reassignable": true, "notes": s.and_then(|s| s.note.clone()),
        "user_can_checkout": s.is_none(),
        "available_actions": {"checkout": s.is_none(), "checkin": s.is_some(), "clone": false, "update": true, "delete": false},
    })
}

/// One event of itam's history feed.
pub fn event(e: &ApiEvent) -> Value {
    json!({
        "id": e.id, "asset_id": e.asset_id, "asset_tag": e.asset_tag, "subject": e.subject,
        "kind": e.kind, "actor": e.actor, "at": e.at, "created_at": datetime(Some(&e.at)),
        "before": e.before, "after": e.after, "note": e.note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_with_two_decimals() {
        let money = |s: &str| amount(s.parse().ok());
        assert_eq!(money("1299"), json!("1,299.00"));
        assert_eq!(money("1234567.5"), json!("1,234,567.50"));
        assert_eq!(money("12.345"), json!("12.35"));
        assert_eq!(money("-1000"), json!("-1,000.00"));
        assert_eq!(amount(None), Value::Null);
    }

    #[test]
    fn dates_are_snipeit_objects() {
        assert_eq!(
            datetime(Some("2026-11-28T09:15:02.123Z")),
            json!({"datetime": "2026-11-28 09:15:02", "formatted": "2026-11-28 09:15"})
        );
        assert_eq!(
            day(NaiveDate::from_ymd_opt(2026, 11, 28)),
            json!({"date": "2026-11-28", "formatted": "2026-11-28"})
        );
        assert_eq!(day(None), Value::Null);
        let t = Timestamp::parse("2026-11-28T09:15:02.123Z").unwrap();
        assert_eq!(moment(Some(&t)), datetime(Some("2026-11-28T09:15:02.123Z")));
        assert_eq!(laravel_time(&t), "2026-11-28T09:15:02.000000Z");
    }

    #[test]
    fn every_status_has_a_stable_label() {
        for (id, s, _, _) in STATUSES {
            assert_eq!(status_id(s), id);
            assert_eq!(status_by_id(id), Some(s));
        }
        assert_eq!(status_by_id(99), None);
    }
}
