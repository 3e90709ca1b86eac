//! `itam demo`: realistic, deterministic demo data (same seed, same data) for trying itam and
//! for the benchmarks, fast enough to write a million assets in well under a minute.
//!
//! Rows go in through the same tables and the same append-only event log as real work, in
//! `BEGIN IMMEDIATE` chunks, with histories consistent with each asset's final state.

use crate::domain::{Condition, Status};
use crate::store::{Context, NewLocation, NewPerson, Result, Store, StoreError};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::params;

/// SplitMix64: tiny, fast and the same on every platform, which is all demo data needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// (manufacturer, model, category, list price, serial style)
const MODELS: &[(&str, &str, &str, u32, Serial)] = &[
    ("Dell", "Latitude 7440", "Laptop", 1649, Serial::Dell),
    ("Dell", "Latitude 5540", "Laptop", 1199, Serial::Dell),
    ("Dell", "OptiPlex 7010 Micro", "Desktop", 899, Serial::Dell),
    ("Dell", "Precision 3581", "Workstation", 2399, Serial::Dell),
    ("Dell", "UltraSharp U2723QE", "Monitor", 579, Serial::Dell),
    (
        "Lenovo",
        "ThinkPad T14 Gen 4",
        "Laptop",
        1399,
        Serial::Lenovo,
    ),
    (
        "Lenovo",
        "ThinkPad X1 Carbon Gen 11",
        "Laptop",
        1899,
        Serial::Lenovo,
    ),
    (
        "Lenovo",
        "ThinkCentre M70q Gen 4",
        "Desktop",
        749,
        Serial::Lenovo,
    ),
    (
        "Lenovo",
        "ThinkVision T24i-30",
        "Monitor",
        219,
        Serial::Lenovo,
    ),
    (
        "Apple",
        "MacBook Pro 14\" M3",
        "Laptop",
        1999,
        Serial::Apple,
    ),
    (
        "Apple",
        "MacBook Air 13\" M2",
        "Laptop",
        1099,
        Serial::Apple,
    ),
    ("Apple", "iPhone 15", "Phone", 799, Serial::Apple),
    ("Apple", "iPad Air 11\"", "Tablet", 599, Serial::Apple),
    ("HP", "EliteBook 840 G10", "Laptop", 1549, Serial::Hp),
    ("HP", "ProBook 450 G10", "Laptop", 899, Serial::Hp),
    ("HP", "LaserJet Pro M404dn", "Printer", 349, Serial::Hp),
    ("HP", "E24 G5 Monitor", "Monitor", 239, Serial::Hp),
    (
        "Microsoft",
        "Surface Laptop 5",
        "Laptop",
        1299,
        Serial::Generic,
    ),
    (
        "Microsoft",
        "Surface Pro 9",
        "Tablet",
        1099,
        Serial::Generic,
    ),
    ("Samsung", "Galaxy S23", "Phone", 799, Serial::Generic),
    (
        "Cisco",
        "Catalyst 9200L-24P",
        "Network",
        2899,
        Serial::Cisco,
    ),
    ("Cisco", "IP Phone 8841", "Phone", 299, Serial::Cisco),
    ("Logitech", "Rally Bar", "AV", 3999, Serial::Generic),
    (
        "Zebra",
        "DS2208 Scanner",
        "Peripheral",
        129,
        Serial::Generic,
    ),
    (
        "Zebra",
        "ZD421 Label Printer",
        "Printer",
        499,
        Serial::Generic,
    ),
    ("Ubiquiti", "UniFi U6 Pro", "Network", 159, Serial::Generic),
];

#[derive(Clone, Copy)]
enum Serial {
    Dell,
    Lenovo,
    Apple,
    Hp,
    Cisco,
    Generic,
}

const LOCATIONS: &[(&str, &str, Option<&str>)] = &[
    ("HQ", "Headquarters", None),
    ("HQ-101", "HQ IT Depot", Some("HQ")),
    ("HQ-201", "HQ Floor 2 Open Office", Some("HQ")),
    ("HQ-301", "HQ Floor 3 Meeting Rooms", Some("HQ")),
    ("HQ-SRV", "HQ Server Room", Some("HQ")),
    ("WH-01", "Central Warehouse", None),
    ("BR-LON", "London Branch", None),
    ("BR-NYC", "New York Branch", None),
    ("REPAIR", "Vendor Repair Centre", None),
];

const FIRST: &[&str] = &[
    "Olivia", "Liam", "Amara", "Noah", "Sofia", "Mateo", "Priya", "Lucas", "Chen", "Fatima",
    "Jonas", "Aisha", "Ethan", "Mei", "Diego", "Hannah", "Kwame", "Elena", "Omar", "Ingrid",
    "Ravi", "Chloe", "Tomasz", "Yuki", "Samuel",
];
const LAST: &[&str] = &[
    "Garcia",
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Johansson",
    "Patel",
    "Tanaka",
    "Dubois",
    "Mensah",
    "Silva",
    "Murphy",
    "Novak",
    "Fischer",
    "Ibrahim",
    "Lindqvist",
    "Moreau",
    "Brennan",
];
const TEAMS: &[&str] = &[
    "IT",
    "Finance",
    "Sales",
    "Engineering",
    "People",
    "Marketing",
    "Operations",
];
const SUPPLIERS: &[&str] = &[
    "CDW",
    "Insight",
    "SHI International",
    "Softcat",
    "Bechtle",
    "Apple Business",
];

/// What `generate` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub assets: u64,
    pub people: u64,
    pub locations: u64,
    pub events: u64,
}

const BASE36: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A serial that is unique per asset number: `i` goes through a bijection of [0, 36^8).
fn serial(style: Serial, i: u64, seed: u64) -> String {
    const SPACE: u64 = 2_821_109_907_456; // 36^8
    let mut x =
        (i.wrapping_add(seed.wrapping_mul(1_000_003)) % SPACE).wrapping_mul(2_654_435_761) % SPACE;
    let mut code = [0u8; 8];
    for c in code.iter_mut().rev() {
        *c = BASE36[(x % 36) as usize];
        x /= 36;
    }
    let body = std::str::from_utf8(&code).unwrap_or("00000000");
    match style {
        Serial::Dell => format!("D{body}"),
        Serial::Lenovo => format!("PF{body}"),
        Serial::Apple => format!("C02{body}"),
        Serial::Hp => format!("5CG{body}"),
        Serial::Cisco => format!("FOC{body}"),
        Serial::Generic => format!("SN{body}"),
    }
}

fn ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The reference "today" of demo data, fixed so the same seed gives the same database.
fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
}

/// Write `n` assets (and people, locations, histories). Refuses a database holding assets.
pub fn generate(store: &mut Store, n: u64, seed: u64) -> Result<Summary> {
    if store.asset_count()? > 0 {
        return Err(StoreError::Refused(
            "the database already holds assets; demo data goes only into an empty database \
             (use --db with a new file)"
                .into(),
        ));
    }
    let mut rng = Rng(seed ^ 0x005E_ED1A_55E7);
    let mut events = 0u64;

    for (code, name, parent) in LOCATIONS {
        if store.location(code)?.is_none() {
            store.add_location(&NewLocation {
                code: code.to_string(),
                name: name.to_string(),
                parent: parent.map(str::to_string),
            })?;
            events += 1;
        }
    }
    let mut usernames = Vec::new();
    for i in 0..50u64 {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let mut username = format!("{}{}", first[..1].to_lowercase(), last.to_lowercase());
        if store.person(&username).is_ok() {
            username = format!("{username}{i}");
        }
        store.add_person(&NewPerson {
            username: username.clone(),
            full_name: format!("{first} {last}"),
            email: Some(format!("{username}@example.com")),
            badge: Some(format!("B{:05}", 10_000 + i * 7 + seed % 7)),
            team: Some(rng.pick(TEAMS).to_string()),
        })?;
        events += 1;
        usernames.push(username);
    }

    // Ids of the reference rows, read back once.
    let conn = store.conn();
    let id_of = |sql: &str, key: &str| -> Result<i64> {
        conn.query_row(sql, [key], |r| r.get(0))
            .ctx("reading demo ids")
    };
    let person_ids: Vec<i64> = usernames
        .iter()
        .map(|u| id_of("SELECT id FROM people WHERE username = ?1", u))
        .collect::<Result<_>>()?;
    let location_ids: Vec<(i64, &str)> = LOCATIONS
        .iter()
        .map(|(c, _, _)| Ok((id_of("SELECT id FROM locations WHERE code = ?1", c)?, *c)))
        .collect::<Result<_>>()?;
    let team_ids: Vec<i64> = store.write(|tx| {
        TEAMS
            .iter()
            .map(|t| crate::store::lookup_id(tx, "teams", t))
            .collect()
    })?;

    // Models, manufacturers, categories and suppliers, created once.
    let (model_rows, supplier_ids) = store.write(|tx| {
        let mut rows = Vec::new();
        for (mf, model, cat, _, _) in MODELS {
            let mf_id = crate::store::lookup_id(tx, "manufacturers", mf)?;
            let cat_id = crate::store::lookup_id(tx, "categories", cat)?;
            tx.conn
                .prepare_cached("INSERT OR IGNORE INTO models(name, manufacturer_id, category_id) VALUES (?1, ?2, ?3)")
                .ctx("adding demo models")?
                .execute(params![model, mf_id, cat_id])
                .ctx("adding demo models")?;
            let id: i64 = tx.conn.query_row("SELECT id FROM models WHERE name = ?1", [model], |r| r.get(0)).ctx("reading demo models")?;
            rows.push((id, mf_id, cat_id));
        }
        let sup = SUPPLIERS.iter().map(|s| crate::store::lookup_id(tx, "suppliers", s)).collect::<Result<Vec<_>>>()?;
        Ok((rows, sup))
    })?;

    let today = demo_today();
    const CHUNK: u64 = 50_000;
    let mut written = 0u64;
    while written < n {
        let end = (written + CHUNK).min(n);
        events += store.write(|tx| {
            let mut ins_asset = tx.conn.prepare_cached(
                "INSERT INTO assets(id, tag, serial, name, model_id, manufacturer_id, category_id, status,
                   condition, location_id, assignee_id, assigned_at, owner_person_id, owner_team_id,
                   supplier_id, order_number, purchase_date, purchase_cost, currency, warranty_until,
                   eol_date, notes, last_seen_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                   ?17, 'USD', ?18, ?19, NULL, ?20, ?21, ?22)",
            ).ctx("writing demo assets")?;
            let mut ins_event = tx.conn.prepare_cached(
                "INSERT INTO events(asset_id, kind, actor, at, before, after, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'demo data')",
            ).ctx("writing demo history")?;
            let mut ins_disposal = tx.conn.prepare_cached(
                "INSERT INTO disposals(asset_id, method, disposed_on, wipe, certificate, proceeds, recipient, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            ).ctx("writing demo disposals")?;
            let mut ev = 0u64;
            let base_id: i64 = tx.conn.query_row("SELECT COALESCE(max(id), 0) FROM assets", [], |r| r.get(0)).ctx("reading demo ids")?;
            for i in written..end {
                let id = base_id + (i - written) as i64 + 1;
                let mi = rng.below(MODELS.len() as u64) as usize;
                let (mf_name, model_name, _, price, style) = MODELS[mi];
                let (model_id, mf_id, cat_id) = model_rows[mi];
                let _ = mf_name;
                let tag = format!("IT-{:06}", i + 1);
                let serial = serial(style, i, seed);
                let age_days = rng.below(5 * 365) as i64;
                let purchased = today - Duration::days(age_days);
                let status = match rng.below(100) {
                    0..=54 => Status::Deployed,
                    55..=74 => Status::InStock,
                    75..=79 => Status::InRepair,
                    80..=83 => Status::Ordered,
                    84..=85 => Status::Lost,
                    86..=93 => Status::Retired,
                    _ => Status::Disposed,
                };
                let condition = match (status, rng.below(100)) {
                    (Status::Ordered, _) => Condition::New,
                    (Status::InRepair, _) => Condition::Broken,
                    (_, 0..=14) => Condition::New,
                    (_, 15..=64) => Condition::Good,
                    (_, 65..=84) => Condition::Fair,
                    (_, 85..=94) => Condition::Poor,
                    _ => Condition::Broken,
                };
                let (loc_id, loc_code) = location_ids[1 + rng.below(location_ids.len() as u64 - 2) as usize];
                let loc = if status == Status::InRepair { location_ids[location_ids.len() - 1] } else { (loc_id, loc_code) };
                let pi = rng.below(person_ids.len() as u64) as usize;
                let created = purchased.and_hms_opt(9, 0, 0).unwrap_or_default() + Duration::minutes(rng.below(480) as i64);
                let deployed_at = created + Duration::days(1 + rng.below(20) as i64);
                let deployed_at = deployed_at.min(today.and_hms_opt(8, 0, 0).unwrap_or_default());
                let (assignee, assigned_at) = if status == Status::Deployed { (Some(person_ids[pi]), Some(ts(deployed_at))) } else { (None, None) };
                let owner_team = team_ids[rng.below(team_ids.len() as u64) as usize];
                let cents = price as u64 * 100 - rng.below(price as u64 * 12);
                let cost = format!("{}.{:02}", cents / 100, cents % 100);
                // A few assets have not been seen for a long time: the ghosts audits look for.
                let seen_days = if rng.below(100) < 8 { 200 + rng.below(400) as i64 } else { rng.below(60) as i64 };
                let last_seen = ts((today - Duration::days(seen_days.min(age_days))).and_hms_opt(10, 0, 0).unwrap_or_default());
                let order = format!("PO-{}-{:04}", purchased.format("%Y"), (i / 40) % 10_000);
                let initial = if status == Status::Ordered { "ordered" } else { "in_stock" };
                ins_asset.execute(params![
                    id, tag, serial, model_id, mf_id, cat_id, status.as_str(), condition.as_str(),
                    loc.0, assignee, assigned_at, None::<i64>, owner_team,
                    supplier_ids[(i % supplier_ids.len() as u64) as usize], order,
                    purchased.format("%Y-%m-%d").to_string(), cost,
                    (purchased + Duration::days(3 * 365)).format("%Y-%m-%d").to_string(),
                    (purchased + Duration::days(if rng.below(2) == 0 { 4 * 365 } else { 5 * 365 })).format("%Y-%m-%d").to_string(),
                    last_seen, ts(created), ts(deployed_at.max(created)),
                ]).ctx("writing demo assets")?;
                let create = format!(
                    r#"{{"tag":"{tag}","serial":"{serial}","model":{model},"status":"{initial}","condition":"new","location":"{}","purchase_cost":"{cost}","currency":"USD"}}"#,
                    loc.1,
                    model = serde_json::Value::String(model_name.to_string()),
                );
                ins_event.execute(params![id, "create", tx.actor, ts(created), None::<String>, create]).ctx("writing demo history")?;
                ev += 1;
                let later = ts(deployed_at);
                let mut push = |kind: &str, before: String, after: String| -> Result<()> {
                    ins_event.execute(params![id, kind, tx.actor, later, before, after]).ctx("writing demo history")?;
                    ev += 1;
                    Ok(())
                };
                if status != Status::Ordered && condition != Condition::New {
                    push("condition", r#"{"condition":"new"}"#.into(), format!(r#"{{"condition":"{condition}"}}"#))?;
                }
                match status {
                    Status::Deployed => push(
                        "checkout",
                        r#"{"status":"in_stock","assignee":null}"#.into(),
                        format!(r#"{{"status":"deployed","assignee":"{}"}}"#, usernames[pi]),
                    )?,
                    Status::InRepair | Status::Lost | Status::Retired => push(
                        "status",
                        r#"{"status":"in_stock"}"#.into(),
                        format!(r#"{{"status":"{status}"}}"#),
                    )?,
                    Status::Disposed => {
                        push("status", r#"{"status":"in_stock"}"#.into(), r#"{"status":"retired"}"#.into())?;
                        let method = ["recycle", "resale", "donate", "destroy"][rng.below(4) as usize];
                        let proceeds = if method == "resale" { Some(format!("{}.00", price / 10)) } else { None };
                        push("dispose", r#"{"status":"retired"}"#.into(), format!(r#"{{"status":"disposed","method":"{method}","wipe":"purge"}}"#))?;
                        ins_disposal.execute(params![id, method, deployed_at.format("%Y-%m-%d").to_string(), "purge", format!("WIPE-{:07}", i + 1), proceeds, "Demo Recycling Ltd", later]).ctx("writing demo disposals")?;
                    }
                    _ => {}
                }
            }
            Ok(ev)
        })?;
        written = end;
    }
    Ok(Summary {
        assets: n,
        people: usernames.len() as u64,
        locations: LOCATIONS.len() as u64,
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_unique_and_deterministic() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..20_000 {
            assert!(seen.insert(serial(Serial::Generic, i, 7)));
        }
        assert_eq!(serial(Serial::Dell, 5, 1), serial(Serial::Dell, 5, 1));
        assert_ne!(serial(Serial::Dell, 5, 1), serial(Serial::Dell, 5, 2));
    }
}
