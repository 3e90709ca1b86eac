//! Custom fields as Snipe-IT's API shows and takes them: in an asset's `custom_fields`, keyed by
//! field name with the `_snipeit_name_ID` column beside each value; in writes, either a
//! `custom_fields` object (by name or column) or top-level `_snipeit_...` keys.

use super::body::Fields;
use super::reply::ApiError;
use crate::domain::field::{check_value, FieldKind};
use crate::domain::text::visible;
use crate::store::{CustomField, FieldValue};
use serde_json::{json, Map, Value};

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Snipe-IT's database column for a field: `_snipeit_mac_address_3`.
pub fn column(f: &CustomField) -> String {
    format!("_snipeit_{}_{}", slug(&f.name), f.id)
}

fn format_name(f: &CustomField) -> String {
    match (f.kind, &f.format) {
        (FieldKind::Text, Some(fmt)) => fmt.to_uppercase(),
        (FieldKind::Text, None) => "ANY".into(),
        (FieldKind::Number, _) => "NUMERIC".into(),
        (FieldKind::Date, _) => "DATE".into(),
        (FieldKind::Boolean, _) => "BOOLEAN".into(),
    }
}

fn find<'a>(defs: &'a [CustomField], key: &str) -> Option<&'a CustomField> {
    let k = key.trim().to_lowercase();
    defs.iter().find(|f| {
        column(f) == k || f.name.to_lowercase() == k || format!("_snipeit_{}", slug(&f.name)) == k
    })
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1".into() } else { "0".into() }),
        _ => None,
    }
}

/// The field values a write asks for, as (field name, value); an empty value clears. Unknown
/// fields and values that do not fit their field are refused before anything is written.
pub fn requested(defs: &[CustomField], f: &Fields) -> Result<Vec<(String, String)>, ApiError> {
    let mut pairs: Vec<(String, &Value)> = Vec::new();
    match f.0.get("custom_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => pairs.extend(m.iter().map(|(k, v)| (k.clone(), v))),
        Some(_) => {
            return Err(ApiError::field(
                "custom_fields",
                "must be an object of field name (or _snipeit_ column) to value",
            ))
        }
    }
    pairs.extend(
        f.0.iter()
            .filter(|(k, _)| k.starts_with("_snipeit_"))
            .map(|(k, v)| (k.clone(), v)),
    );
    let mut out = Vec::new();
    for (key, v) in pairs {
        let Some(def) = find(defs, &key) else {
            return Err(ApiError::field(
                &key,
                format!(
                    "no custom field '{}' (define it with `itam field add`)",
                    visible(&key)
                ),
            ));
        };
        let Some(raw) = text_of(v) else {
            return Err(ApiError::field(
                &key,
                "must be text, a number or true/false",
            ));
        };
        check_value(def.kind, def.format.as_deref(), &raw).map_err(|e| ApiError::field(&key, e))?;
        out.push((def.name.clone(), raw));
    }
    Ok(out)
}

/// An asset's `custom_fields`: every defined field, with its value or "".
pub fn shown(defs: &[CustomField], values: &[FieldValue]) -> Value {
    let mut m = Map::new();
    for f in defs {
        let value = values
            .iter()
            .find(|v| v.field_id == f.id)
            .map_or("", |v| v.value.as_str());
        m.insert(
            f.name.clone(),
            json!({"field": column(f), "value": value, "field_format": format_name(f), "element": "text"}),
        );
    }
    Value::Object(m)
}

/// The `_snipeit_` columns of an asset's flat row.
pub fn columns(defs: &[CustomField], values: &[FieldValue]) -> Vec<(String, Value)> {
    defs.iter()
        .map(|f| {
            let v = values.iter().find(|v| v.field_id == f.id);
            (column(f), v.map_or(Value::Null, |v| json!(v.value)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(id: i64, name: &str, kind: FieldKind, format: Option<&str>) -> CustomField {
        CustomField {
            id,
            name: name.into(),
            kind,
            format: format.map(Into::into),
            created_at: "2026-01-01T00:00:00.000Z".parse().unwrap(),
        }
    }

    #[test]
    fn fields_are_found_by_name_or_column() {
        let defs = vec![
            def(3, "MAC Address", FieldKind::Text, Some("mac")),
            def(4, "RAM GB", FieldKind::Number, None),
        ];
        assert_eq!(column(&defs[0]), "_snipeit_mac_address_3");
        let body = Fields(
            json!({"_snipeit_ram_gb_4": 16, "custom_fields": {"MAC Address": "00:11:22:33:44:55"}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let mut got = requested(&defs, &body).unwrap();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("MAC Address".to_string(), "00:11:22:33:44:55".to_string()),
                ("RAM GB".to_string(), "16".to_string())
            ]
        );
        let bad = Fields(
            json!({"_snipeit_ram_gb_4": "lots"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert!(requested(&defs, &bad).is_err());
        let unknown = Fields(
            json!({"_snipeit_cpu_9": "x"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert!(requested(&defs, &unknown).is_err());
    }
}
