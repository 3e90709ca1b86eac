//! Purchase orders and receiving against them: each serial scanned at the bench becomes an
//! in-stock asset with the PO's cost, supplier, order number and date, and the next free tag.

use super::lookup::{clean_name, get_or_create, get_or_create_model, NameTable};
use super::ops::{insert_asset, NewAsset};
use super::sql::{params, OptionalExtension};
use super::values::{self, date_text};
use super::{Context, Result, Store, StoreError, Tx};
use crate::domain::identifier::{self, Serial, Tag};
use crate::domain::money::parse_currency;
use crate::domain::text::visible;
use crate::domain::{AssetView, Condition, Status};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Serialize)]
pub struct PoLine {
    pub model: String,
    pub ordered: i64,
    pub received: i64,
    pub outstanding: i64,
    pub unit_cost: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseOrder {
    pub number: String,
    pub supplier: Option<String>,
    pub date: NaiveDate,
    pub lines: Vec<PoLine>,
}

/// Expand a tag pattern such as `IT-{seq:06}` (or `{seq}`) for one sequence number.
/// The widest zero-padded `{seq:NN}` a tag pattern may ask for.
pub const MAX_SEQ_WIDTH: usize = 20;

pub fn expand_tag(pattern: &str, seq: i64) -> Result<String> {
    let start = pattern.find("{seq").ok_or_else(|| {
        StoreError::Invalid(format!(
            "tag pattern '{}' has no {{seq}} or {{seq:06}}",
            visible(pattern)
        ))
    })?;
    let end = pattern[start..]
        .find('}')
        .map(|e| start + e)
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "tag pattern '{}' has an unclosed {{",
                visible(pattern)
            ))
        })?;
    let spec = &pattern[start + 4..end];
    let width: usize = match spec.strip_prefix(':') {
        Some(w) => w
            .trim_start_matches('0')
            .parse()
            .or_else(|_| {
                if w.chars().all(|c| c == '0') {
                    Ok(0)
                } else {
                    Err(())
                }
            })
            .map_err(|_| {
                StoreError::Invalid(format!(
                    "tag pattern '{}': width must be digits, e.g. {{seq:06}}",
                    visible(pattern)
                ))
            })?,
        None if spec.is_empty() => 0,
        None => {
            return Err(StoreError::Invalid(format!(
                "tag pattern '{}': write {{seq}} or {{seq:06}}",
                visible(pattern)
            )))
        }
    };
    // A sequence number has at most 19 digits; a wider field is a typo (and `format!` panics
    // on widths past 65535).
    if width > MAX_SEQ_WIDTH {
        return Err(StoreError::Invalid(format!(
            "tag pattern '{}': the width of {{seq}} is at most {MAX_SEQ_WIDTH}, e.g. {{seq:06}}",
            visible(pattern)
        )));
    }
    Ok(format!(
        "{}{:0width$}{}",
        &pattern[..start],
        seq,
        &pattern[end + 1..]
    ))
}

fn po_id(tx: &Tx, number: &str) -> Result<(i64, Option<i64>, Option<NaiveDate>, String)> {
    tx.conn
        .prepare_cached(
            "SELECT id, supplier_id, ordered_on, number FROM purchase_orders WHERE number = ?1",
        )
        .ctx("reading a purchase order")?
        .query_row([number.trim()], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                super::values::opt_date(r, 2)?,
                r.get(3)?,
            ))
        })
        .optional()
        .ctx("reading a purchase order")?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "no purchase order has the number '{}'",
                visible(number)
            ))
        })
}

/// The next free tag from `pattern` and its sequence number, without using it up.
fn peek_tag(conn: &super::sql::Conn, pattern: &str) -> Result<(i64, String)> {
    let mut seq: i64 = conn
        .prepare_cached("SELECT value FROM sequences WHERE name = ?1")
        .ctx("reading a tag counter")?
        .query_row([pattern], |r| r.get(0))
        .optional()
        .ctx("reading a tag counter")?
        .unwrap_or(0);
    loop {
        seq += 1;
        let tag = expand_tag(pattern, seq)?;
        let taken = conn
            .prepare_cached("SELECT 1 FROM assets WHERE tag = ?1")
            .ctx("checking a tag")?
            .query_row([&tag], |_| Ok(()))
            .optional()
            .ctx("checking a tag")?
            .is_some();
        if !taken {
            return Ok((seq, tag));
        }
    }
}

/// The next free tag from `pattern`, advancing the pattern's counter past tags already in use.
fn next_tag(tx: &Tx, pattern: &str) -> Result<String> {
    let (seq, tag) = peek_tag(tx.conn, pattern)?;
    tx.conn
        .prepare_cached("INSERT INTO sequences(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        .ctx("advancing a tag counter")?
        .execute(params![pattern, seq])
        .ctx("advancing a tag counter")?;
    Ok(tag)
}

/// A purchase-order line to add or change. `manufacturer` and `category` are needed only when
/// `model` names no model yet: a line never creates a bare model.
#[derive(Debug, Clone, Default)]
pub struct NewPoLine {
    pub model: String,
    pub qty: i64,
    /// Kept as given (not rounded: a unit price may carry more decimals than the currency).
    pub unit_cost: Decimal,
    pub currency: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
}

/// How a line's model was found: an existing one (with what the line filled in of its blank
/// manufacturer or category), or a new one.
enum LineModel {
    Existing { filled: serde_json::Value },
    Created,
}

/// The model a line is for: an existing one by name (any case, any spacing), else a new one
/// with its manufacturer and category, which must both be given. For an existing model a given
/// manufacturer or category must match what it records, or fills it when blank.
fn line_model(tx: &Tx, l: &NewPoLine) -> Result<(i64, String, LineModel)> {
    let name = clean_name(&l.model);
    if name.is_empty() {
        return Err(StoreError::Invalid("a line needs a model (--model)".into()));
    }
    let given = |v: &Option<String>| v.as_deref().map(clean_name).filter(|v| !v.is_empty());
    let found: Option<(i64, String, Option<String>, Option<String>)> = tx
        .conn
        .prepare_cached(
            "SELECT m.id, m.name, mf.name, c.name FROM models m
             LEFT JOIN manufacturers mf ON mf.id = m.manufacturer_id
             LEFT JOIN categories c ON c.id = m.category_id WHERE m.name = ?1",
        )
        .ctx("looking up a model")?
        .query_row([&name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .ctx("looking up a model")?;
    if let Some((id, name, mf, cat)) = found {
        let mut filled = serde_json::Map::new();
        let fields = [
            (
                "manufacturer",
                "made by",
                mf,
                given(&l.manufacturer),
                NameTable::Manufacturers,
            ),
            (
                "category",
                "in the category",
                cat,
                given(&l.category),
                NameTable::Categories,
            ),
        ];
        for (key, what, recorded, wanted, table) in fields {
            let flag = format!("--{key}");
            match (recorded, wanted) {
                (Some(r), Some(w)) if !r.eq_ignore_ascii_case(&w) => {
                    return Err(StoreError::Refused(format!(
                        "model '{}' is {what} '{}', not '{}': leave out {flag} to use it",
                        visible(&name),
                        visible(&r),
                        visible(&w)
                    )))
                }
                (None, Some(w)) => {
                    let wid = get_or_create(tx.conn, table, &w)?;
                    // `key` is one of the two constants above, never user text.
                    tx.conn
                        .prepare_cached(&format!("UPDATE models SET {key}_id = ?2 WHERE id = ?1"))
                        .ctx("completing a model")?
                        .execute(params![id, wid])
                        .ctx("completing a model")?;
                    filled.insert(key.to_string(), json!(w));
                }
                _ => {}
            }
        }
        return Ok((
            id,
            name,
            LineModel::Existing {
                filled: serde_json::Value::Object(filled),
            },
        ));
    }
    let (Some(manufacturer), Some(category)) = (given(&l.manufacturer), given(&l.category)) else {
        return Err(StoreError::Invalid(format!(
            "no model is named '{}': to add it, give its --manufacturer and --category",
            visible(&name)
        )));
    };
    let manufacturer = get_or_create(tx.conn, NameTable::Manufacturers, &manufacturer)?;
    let category = get_or_create(tx.conn, NameTable::Categories, &category)?;
    let (id, ..) = get_or_create_model(tx.conn, &name, manufacturer, category)?
        .ok_or_else(|| StoreError::Invalid("a line needs a model (--model)".into()))?;
    Ok((id, name, LineModel::Created))
}

impl Store {
    pub fn po_add(
        &mut self,
        number: &str,
        supplier: &str,
        date: Option<NaiveDate>,
    ) -> Result<PurchaseOrder> {
        // An order number is typed and printed like the other codes, so it follows their rules.
        let number = identifier::check("purchase order number", number, Tag::MAX)?.to_string();
        self.write(|tx| {
            if po_id(tx, &number).is_ok() {
                return Err(StoreError::Refused(format!("purchase order '{}' already exists", visible(&number))));
            }
            let sup = get_or_create(tx.conn, NameTable::Suppliers, supplier)?;
            let date = date_text(date).unwrap_or_else(|| tx.now[..10].to_string());
            tx.conn
                .prepare_cached("INSERT INTO purchase_orders(number, supplier_id, ordered_on, created_at) VALUES (?1, ?2, ?3, ?4)")
                .ctx("adding a purchase order")?
                .execute(params![number, sup, date, tx.now])
                .ctx("adding a purchase order")?;
            tx.subject_event(&format!("po:{number}"), "po_add", json!({"number": number, "supplier": supplier.trim(), "date": date}))?;
            Ok(())
        })?;
        self.po(&number)
    }

    /// Add (or change) a line for a model that already exists.
    pub fn po_line(
        &mut self,
        number: &str,
        model: &str,
        qty: i64,
        unit_cost: Decimal,
        currency: Option<&str>,
    ) -> Result<PurchaseOrder> {
        self.po_add_line(
            number,
            &NewPoLine {
                model: model.to_string(),
                qty,
                unit_cost,
                currency: currency.map(str::to_string),
                ..Default::default()
            },
        )
    }

    /// Add (or change) a line; a new model is created with the line's manufacturer and category.
    pub fn po_add_line(&mut self, number: &str, l: &NewPoLine) -> Result<PurchaseOrder> {
        let qty = l.qty;
        if qty <= 0 {
            return Err(StoreError::Invalid(format!(
                "quantity must be at least 1, not {qty}"
            )));
        }
        let cost = l.unit_cost.to_string();
        let currency = l
            .currency
            .as_deref()
            .map(parse_currency)
            .transpose()?
            .unwrap_or_else(|| "USD".into());
        self.write(|tx| {
            let (po, ..) = po_id(tx, number)?;
            let (model_id, model, how) = line_model(tx, l)?;
            tx.conn
                .prepare_cached(
                    "INSERT INTO po_lines(po_id, model_id, qty, unit_cost, currency) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(po_id, model_id) DO UPDATE SET qty = excluded.qty, unit_cost = excluded.unit_cost, currency = excluded.currency",
                )
                .ctx("adding a purchase order line")?
                .execute(params![po, model_id, qty, cost, currency])
                .ctx("adding a purchase order line")?;
            let mut after = json!({"model": model, "qty": qty, "unit_cost": cost, "currency": currency});
            match how {
                LineModel::Created => {
                    after["new_model"] = json!({
                        "manufacturer": l.manufacturer.as_deref().map(clean_name),
                        "category": l.category.as_deref().map(clean_name),
                    });
                }
                LineModel::Existing { filled } if filled.as_object().is_some_and(|f| !f.is_empty()) => {
                    after["model_completed"] = filled;
                }
                LineModel::Existing { .. } => {}
            }
            tx.subject_event(&format!("po:{}", number.trim()), "po_line", after)?;
            Ok(())
        })?;
        self.po(number)
    }

    pub fn po(&self, number: &str) -> Result<PurchaseOrder> {
        let (id, number, supplier, date): (i64, String, Option<String>, NaiveDate) = self
            .conn
            .prepare_cached(
                "SELECT p.id, p.number, s.name, p.ordered_on FROM purchase_orders p
                 LEFT JOIN suppliers s ON s.id = p.supplier_id WHERE p.number = ?1",
            )
            .ctx("reading a purchase order")?
            .query_row([number.trim()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, values::date(r, 3)?))
            })
            .optional()
            .ctx("reading a purchase order")?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no purchase order has the number '{}'",
                    visible(number)
                ))
            })?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.name, l.qty, (SELECT count(*) FROM assets a WHERE a.po_line_id = l.id), l.unit_cost, l.currency
                 FROM po_lines l JOIN models m ON m.id = l.model_id WHERE l.po_id = ?1 ORDER BY l.id",
            )
            .ctx("reading a purchase order")?;
        let lines = stmt
            .query_map([id], |r| {
                let ordered: i64 = r.get(1)?;
                let received: i64 = r.get(2)?;
                Ok(PoLine {
                    model: r.get(0)?,
                    ordered,
                    received,
                    outstanding: (ordered - received).max(0),
                    unit_cost: values::amount(r, 3)?,
                    currency: r.get(4)?,
                })
            })
            .ctx("reading a purchase order")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading a purchase order")?;
        Ok(PurchaseOrder {
            number,
            supplier,
            date,
            lines,
        })
    }

    /// Every purchase order with its lines, newest order date first.
    pub fn purchase_orders(&self) -> Result<Vec<PurchaseOrder>> {
        let numbers: Vec<String> = self
            .conn
            .prepare_cached("SELECT number FROM purchase_orders ORDER BY ordered_on DESC, number")
            .ctx("listing purchase orders")?
            .query_map([], |r| r.get(0))
            .ctx("listing purchase orders")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing purchase orders")?;
        numbers.iter().map(|n| self.po(n)).collect()
    }

    /// One line of a purchase order, with what has been received and what is outstanding:
    /// what the receiving header shows for the line being received.
    pub fn po_line_status(&self, number: &str, model: &str) -> Result<PoLine> {
        let po = self.po(number)?;
        let wanted = clean_name(model);
        po.lines
            .into_iter()
            .find(|l| l.model.to_lowercase() == wanted.to_lowercase())
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "purchase order {} has no line for model '{}'",
                    visible(&po.number),
                    visible(model)
                ))
            })
    }

    /// The tag the next received unit will get from `pattern` (nothing is used up).
    pub fn next_receive_tag(&self, pattern: &str) -> Result<String> {
        Ok(peek_tag(&self.conn, pattern)?.1)
    }

    /// Open lines of every purchase order: (po number, model, outstanding), for a picker.
    pub fn open_po_lines(&self) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                // The outstanding count twice, not by its alias: PostgreSQL's WHERE sees no aliases.
                "SELECT p.number, m.name, l.qty - (SELECT count(*) FROM assets a WHERE a.po_line_id = l.id) AS outstanding
                 FROM po_lines l JOIN purchase_orders p ON p.id = l.po_id JOIN models m ON m.id = l.model_id
                 WHERE l.qty - (SELECT count(*) FROM assets a WHERE a.po_line_id = l.id) > 0
                 ORDER BY p.number, m.name",
            )
            .ctx("reading purchase orders")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("reading purchase orders")?;
        rows.collect::<std::result::Result<_, _>>()
            .ctx("reading purchase orders")
    }

    /// Receive serials against a line with no location (see [`Store::po_receive_into`]).
    pub fn po_receive(
        &mut self,
        number: &str,
        model: &str,
        serials: &[String],
        tag_pattern: &str,
    ) -> Result<Vec<AssetView>> {
        self.po_receive_into(number, model, serials, tag_pattern, None)
    }

    /// Receive serials against a line, all or nothing: over-receipt and known serials refuse
    /// the whole batch, naming the serial. Each unit is placed at `location` (a location code)
    /// when one is given, and its creation event records it.
    pub fn po_receive_into(
        &mut self,
        number: &str,
        model: &str,
        serials: &[String],
        tag_pattern: &str,
        location: Option<&str>,
    ) -> Result<Vec<AssetView>> {
        expand_tag(tag_pattern, 1)?;
        let location = location.map(str::trim).filter(|l| !l.is_empty());
        self.write(|tx| {
            let (po, supplier_id, date, po_number) = po_id(tx, number)?;
            let location = location
                .map(|code| -> Result<String> {
                    super::ops::location_id(tx, code)?;
                    Ok(code.to_string())
                })
                .transpose()?;
            let line: Option<(i64, i64, Option<Decimal>, String, String)> = tx
                .conn
                .prepare_cached(
                    "SELECT l.id, l.qty, l.unit_cost, l.currency, m.name FROM po_lines l JOIN models m ON m.id = l.model_id
                     WHERE l.po_id = ?1 AND m.name = ?2",
                )
                .ctx("reading a purchase order line")?
                .query_row(params![po, model.trim()], |r| Ok((r.get(0)?, r.get(1)?, super::values::opt_amount(r, 2)?, r.get(3)?, r.get(4)?)))
                .optional()
                .ctx("reading a purchase order line")?;
            let Some((line_id, qty, cost, currency, model_name)) = line else {
                return Err(StoreError::NotFound(format!("purchase order {} has no line for model '{}'", visible(&po_number), visible(model))));
            };
            let supplier: Option<String> = match supplier_id {
                Some(id) => Some(tx.conn.query_row("SELECT name FROM suppliers WHERE id = ?1", [id], |r| r.get(0)).ctx("reading a supplier")?),
                None => None,
            };
            let already: i64 = tx
                .conn
                .query_row("SELECT count(*) FROM assets WHERE po_line_id = ?1", [line_id], |r| r.get(0))
                .ctx("counting received items")?;
            let mut out = Vec::new();
            for (received, serial) in (already..).zip(serials) {
                let serial = Serial::parse(serial)?;
                let serial = serial.as_str();
                if super::assets::resolve(tx.conn, serial)?.is_some() {
                    return Err(StoreError::Refused(format!("serial {} is already known; nothing received", visible(serial))));
                }
                if received >= qty {
                    return Err(StoreError::Refused(format!(
                        "over-receipt: {} ordered {qty} × {}, all {received} already received; serial {} refused",
                        visible(&po_number), visible(&model_name), visible(serial)
                    )));
                }
                let tag = next_tag(tx, tag_pattern)?;
                let v = insert_asset(
                    tx,
                    &NewAsset {
                        tag,
                        serial: Some(serial.to_string()),
                        model: Some(model_name.clone()),
                        supplier: supplier.clone(),
                        order_number: Some(po_number.clone()),
                        purchase_cost: cost,
                        currency: Some(currency.clone()),
                        purchase_date: date,
                        location: location.clone(),
                        status: Some(Status::InStock),
                        condition: Some(Condition::New),
                        ..Default::default()
                    },
                    Some(&format!("received against {po_number}")),
                )?;
                tx.conn
                    .prepare_cached("UPDATE assets SET po_line_id = ?2, last_seen_at = ?3 WHERE id = ?1")
                    .ctx("receiving")?
                    .execute(params![v.id, line_id, tx.now])
                    .ctx("receiving")?;
                out.push(super::assets::view_by_id(tx.conn, v.id)?);
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_patterns_expand() {
        assert_eq!(expand_tag("IT-{seq:06}", 42).unwrap(), "IT-000042");
        assert_eq!(expand_tag("{seq}", 7).unwrap(), "7");
        assert_eq!(expand_tag("A{seq:3}Z", 5).unwrap(), "A005Z");
        assert!(expand_tag("IT-", 1).is_err());
        assert!(expand_tag("IT-{seq:x}", 1).is_err());
    }

    #[test]
    fn the_receiving_header_reads_the_next_tag_and_line_progress() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        store
            .po_add("PO-1", "CDW", chrono::NaiveDate::from_ymd_opt(2026, 11, 1))
            .unwrap();
        store
            .po_add_line(
                "PO-1",
                &NewPoLine {
                    model: "Latitude 7440".into(),
                    qty: 3,
                    unit_cost: rust_decimal::Decimal::ONE,
                    manufacturer: Some("Dell".into()),
                    category: Some("Laptop".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let pattern = "IT-{seq:04}";
        assert_eq!(store.next_receive_tag(pattern).unwrap(), "IT-0001");
        assert_eq!(
            store.next_receive_tag(pattern).unwrap(),
            "IT-0001",
            "peeking uses nothing up"
        );
        store
            .po_receive("PO-1", "Latitude 7440", &["S1".into()], pattern)
            .unwrap();
        assert_eq!(store.next_receive_tag(pattern).unwrap(), "IT-0002");
        let l = store.po_line_status("po-1", "LATITUDE  7440").unwrap();
        assert_eq!((l.ordered, l.received, l.outstanding), (3, 1, 2));
        assert!(store.po_line_status("PO-1", "MacBook").is_err());
    }
}
