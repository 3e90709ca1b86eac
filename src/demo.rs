//! `itam demo`: realistic, deterministic demo data (same seed, same data) for trying itam and
//! for the benchmarks, fast enough to write a million assets in well under a minute.
//!
//! Proportions are a real organisation's: about one person per three assets, and a tree of
//! sites, floors and rooms that grows with the fleet (so the person view, the location
//! pickers and the benchmarks are measured at scale). Everything goes in through the store's
//! bulk writer, with the same tables and append-only event log as real work and histories
//! consistent with each asset's final state, in ONE transaction: a kill or a full disk leaves
//! the database as it was. Demo data only goes into a database with no assets, so holding
//! the write lock for the whole run keeps no one waiting.

use crate::domain::time::Timestamp;
use crate::domain::{Condition, DisposalMethod, Status, WipeMethod};
use crate::store::{
    BulkWriter, Context, NameTable, NewPerson, PastAsset, PastDisposal, PastEvent, Result, Store,
    StoreError,
};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

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
const MODELS: &[(&str, &str, &str, u32, SerialStyle)] = &[
    ("Dell", "Latitude 7440", "Laptop", 1649, SerialStyle::Dell),
    ("Dell", "Latitude 5540", "Laptop", 1199, SerialStyle::Dell),
    (
        "Dell",
        "OptiPlex 7010 Micro",
        "Desktop",
        899,
        SerialStyle::Dell,
    ),
    (
        "Dell",
        "Precision 3581",
        "Workstation",
        2399,
        SerialStyle::Dell,
    ),
    (
        "Dell",
        "UltraSharp U2723QE",
        "Monitor",
        579,
        SerialStyle::Dell,
    ),
    (
        "Lenovo",
        "ThinkPad T14 Gen 4",
        "Laptop",
        1399,
        SerialStyle::Lenovo,
    ),
    (
        "Lenovo",
        "ThinkPad X1 Carbon Gen 11",
        "Laptop",
        1899,
        SerialStyle::Lenovo,
    ),
    (
        "Lenovo",
        "ThinkCentre M70q Gen 4",
        "Desktop",
        749,
        SerialStyle::Lenovo,
    ),
    (
        "Lenovo",
        "ThinkVision T24i-30",
        "Monitor",
        219,
        SerialStyle::Lenovo,
    ),
    (
        "Apple",
        "MacBook Pro 14\" M3",
        "Laptop",
        1999,
        SerialStyle::Apple,
    ),
    (
        "Apple",
        "MacBook Air 13\" M2",
        "Laptop",
        1099,
        SerialStyle::Apple,
    ),
    ("Apple", "iPhone 15", "Phone", 799, SerialStyle::Apple),
    ("Apple", "iPad Air 11\"", "Tablet", 599, SerialStyle::Apple),
    ("HP", "EliteBook 840 G10", "Laptop", 1549, SerialStyle::Hp),
    ("HP", "ProBook 450 G10", "Laptop", 899, SerialStyle::Hp),
    ("HP", "LaserJet Pro M404dn", "Printer", 349, SerialStyle::Hp),
    ("HP", "E24 G5 Monitor", "Monitor", 239, SerialStyle::Hp),
    (
        "Microsoft",
        "Surface Laptop 5",
        "Laptop",
        1299,
        SerialStyle::Generic,
    ),
    (
        "Microsoft",
        "Surface Pro 9",
        "Tablet",
        1099,
        SerialStyle::Generic,
    ),
    ("Samsung", "Galaxy S23", "Phone", 799, SerialStyle::Generic),
    (
        "Cisco",
        "Catalyst 9200L-24P",
        "Network",
        2899,
        SerialStyle::Cisco,
    ),
    ("Cisco", "IP Phone 8841", "Phone", 299, SerialStyle::Cisco),
    ("Logitech", "Rally Bar", "AV", 3999, SerialStyle::Generic),
    (
        "Zebra",
        "DS2208 Scanner",
        "Peripheral",
        129,
        SerialStyle::Generic,
    ),
    (
        "Zebra",
        "ZD421 Label Printer",
        "Printer",
        499,
        SerialStyle::Generic,
    ),
    (
        "Ubiquiti",
        "UniFi U6 Pro",
        "Network",
        159,
        SerialStyle::Generic,
    ),
];

#[derive(Clone, Copy)]
enum SerialStyle {
    Dell,
    Lenovo,
    Apple,
    Hp,
    Cisco,
    Generic,
}

/// The head office's rooms, by floor: codes that stay the same at every size (tests and the
/// README use them).
const HQ_ROOMS: &[(u32, &str, &str)] = &[
    (1, "HQ-101", "HQ IT Depot"),
    (1, "HQ-SRV", "HQ Server Room"),
    (2, "HQ-201", "HQ Floor 2 Open Office"),
    (3, "HQ-301", "HQ Floor 3 Meeting Rooms"),
];
/// Branch sites in order of opening; past the list they are numbered.
const BRANCHES: &[(&str, &str)] = &[
    ("LON", "London"),
    ("NYC", "New York"),
    ("PAR", "Paris"),
    ("BER", "Berlin"),
    ("TOR", "Toronto"),
    ("SYD", "Sydney"),
    ("SIN", "Singapore"),
    ("TYO", "Tokyo"),
    ("MAD", "Madrid"),
    ("DUB", "Dublin"),
    ("AMS", "Amsterdam"),
    ("WAW", "Warsaw"),
    ("CHI", "Chicago"),
    ("AUS", "Austin"),
    ("MUM", "Mumbai"),
    ("DXB", "Dubai"),
    ("JNB", "Johannesburg"),
    ("SAO", "Sao Paulo"),
    ("ZRH", "Zurich"),
    ("STO", "Stockholm"),
];
const ROOM_KINDS: &[&str] = &[
    "Open Office",
    "Meeting Room",
    "Team Room",
    "Lab",
    "Training Room",
    "Print Room",
];
/// Assets per room, on average, once the tree has grown past its minimum.
const ASSETS_PER_ROOM: u64 = 40;
/// Assets per branch site.
const ASSETS_PER_SITE: u64 = 10_000;

const FIRST: &[&str] = &[
    "Olivia", "Liam", "Amara", "Noah", "Sofia", "Mateo", "Priya", "Lucas", "Chen", "Fatima",
    "Jonas", "Aisha", "Ethan", "Mei", "Diego", "Hannah", "Kwame", "Elena", "Omar", "Ingrid",
    "Ravi", "Chloe", "Tomasz", "Yuki", "Samuel", "Grace", "Arjun", "Leila", "Mateus", "Nora",
    "Kenji", "Zara", "Felix", "Ines", "Tariq", "Maja", "Oscar", "Ama", "Viktor", "Lucia", "Jin",
    "Sienna", "Emeka", "Astrid", "Pablo", "Noor", "Hugo", "Ayesha", "Luca", "Freya", "Dmitri",
    "Wanjiru", "Mohammed", "Isla", "Rafael",
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
    "Adeyemi",
    "Kim",
    "Larsen",
    "Costa",
    "Wojcik",
    "Hernandez",
    "Sato",
    "Oconnor",
    "Bakker",
    "Mahlangu",
    "Petrov",
    "Yilmaz",
    "Andersen",
    "Chowdhury",
    "Ferreira",
    "Kaur",
    "Walsh",
    "Nakamura",
    "Abebe",
    "Lambert",
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
fn serial(style: SerialStyle, i: u64, seed: u64) -> String {
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
        SerialStyle::Dell => format!("D{body}"),
        SerialStyle::Lenovo => format!("PF{body}"),
        SerialStyle::Apple => format!("C02{body}"),
        SerialStyle::Hp => format!("5CG{body}"),
        SerialStyle::Cisco => format!("FOC{body}"),
        SerialStyle::Generic => format!("SN{body}"),
    }
}

fn ts(t: NaiveDateTime) -> Timestamp {
    Timestamp::from_utc(t.and_utc())
}

/// The reference "today" of demo data, fixed so the same seed gives the same database.
fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
}

/// The location tree for `n` assets: which ids take which assets.
struct Places {
    /// Rooms where deployed, retired and lost assets are.
    rooms: Vec<(i64, String)>,
    /// Where stock waits: the warehouse and each site's IT depot.
    depots: Vec<(i64, String)>,
    repair: (i64, String),
    count: u64,
}

/// Sites, floors and rooms, about one room per [`ASSETS_PER_ROOM`] assets: the head office,
/// a warehouse, a repair centre and one branch per [`ASSETS_PER_SITE`] (at least two).
fn places(w: &mut BulkWriter, rng: &mut Rng, n: u64) -> Result<Places> {
    let mut p = Places {
        rooms: Vec::new(),
        depots: Vec::new(),
        repair: (0, String::new()),
        count: 0,
    };
    let mut add = |w: &mut BulkWriter, code: &str, name: &str, parent: Option<&str>| {
        p.count += 1;
        w.location(code, name, parent)
            .map(|id| (id, code.to_string()))
    };
    add(w, "HQ", "Headquarters", None)?;
    for floor in 1..=3 {
        add(
            w,
            &format!("HQ-F{floor}"),
            &format!("HQ Floor {floor}"),
            Some("HQ"),
        )?;
    }
    let mut rooms = Vec::new();
    let mut depots = Vec::new();
    for (floor, code, name) in HQ_ROOMS {
        let r = add(w, code, name, Some(&format!("HQ-F{floor}")))?;
        if *code == "HQ-101" {
            depots.push(r.clone());
        }
        rooms.push(r);
    }
    depots.push(add(w, "WH-01", "Central Warehouse", None)?);
    let repair = add(w, "REPAIR", "Vendor Repair Centre", None)?;
    let sites = (n / ASSETS_PER_SITE).max(2);
    let floors_avg = 3;
    let rooms_per_floor = (n / ASSETS_PER_ROOM / (sites * floors_avg)).clamp(2, 99);
    for s in 0..sites {
        let (code, city) = match BRANCHES.get(s as usize) {
            Some((c, city)) => (format!("BR-{c}"), city.to_string()),
            None => (format!("BR-{:03}", s + 1), format!("Site {}", s + 1)),
        };
        add(w, &code, &format!("{city} Branch"), None)?;
        for floor in 1..=1 + rng.below(2 * floors_avg - 1) {
            let floor_code = format!("{code}-F{floor}");
            add(
                w,
                &floor_code,
                &format!("{city} Floor {floor}"),
                Some(&code),
            )?;
            for room in 1..=rooms_per_floor {
                let (room_code, name) = if floor == 1 && room == 1 {
                    (format!("{code}-101"), format!("{city} IT Depot"))
                } else {
                    let kind = rng.pick(ROOM_KINDS);
                    (
                        format!("{code}-{floor}{room:02}"),
                        format!("{city} {floor}.{room:02} {kind}"),
                    )
                };
                let r = add(w, &room_code, &name, Some(&floor_code))?;
                if floor == 1 && room == 1 {
                    depots.push(r.clone());
                }
                rooms.push(r);
            }
        }
    }
    p.rooms = rooms;
    p.depots = depots;
    p.repair = repair;
    Ok(p)
}

/// The first people, drawn from the main stream with the first names and surnames of the
/// original lists: a small demo's people (and so its assets, drawn after them) stay what they
/// were before the demo grew to real proportions, which the TUI tests and snapshots use.
const FIRST_PEOPLE: u64 = 50;

/// About one person per three assets (at least [`FIRST_PEOPLE`]), each with a badge, an email
/// and a team. People past the first come from their own stream, so the assets' stream is the
/// same at every size.
fn people(w: &mut BulkWriter, rng: &mut Rng, n: u64, seed: u64) -> Result<Vec<(i64, String)>> {
    let count = n.div_ceil(3).max(FIRST_PEOPLE);
    let mut more = Rng(seed ^ 0x0070_E0B1_E5A1);
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..count {
        let (r, first, last) = if i < FIRST_PEOPLE {
            (&mut *rng, &FIRST[..25], &LAST[..20])
        } else {
            (&mut more, FIRST, LAST)
        };
        let first = *r.pick(first);
        let last = *r.pick(last);
        let mut username = format!("{}{}", first[..1].to_lowercase(), last.to_lowercase());
        // jsmith, then jsmith57: the person's number keeps every username unique.
        if !taken.insert(username.clone()) {
            username = format!("{username}{i}");
        }
        let team = r.pick(TEAMS).to_string();
        let id = w.person(&NewPerson {
            username: username.clone(),
            full_name: format!("{first} {last}"),
            email: Some(format!("{username}@example.com")),
            badge: Some(format!("B{:05}", 10_000 + i * 7 + seed % 7)),
            team: Some(team),
        })?;
        out.push((id, username));
    }
    Ok(out)
}

/// Write `n` assets (and people, locations, histories). Refuses a database holding assets.
pub fn generate(store: &mut Store, n: u64, seed: u64) -> Result<Summary> {
    // One transaction of ~1 KiB a row: with SQLite's small default cache, pages of the random
    // indexes (serials, usernames) spill to the WAL and are written again and again before the
    // commit. A cache of a quarter of the data keeps them in memory (244 MiB at 1M assets).
    store.set_cache_mib((n / 4096).clamp(8, 512) as i64)?;
    store.write(|tx| {
        let held: i64 = tx
            .conn
            .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))
            .ctx("counting assets")?;
        if held > 0 {
            return Err(StoreError::Refused(
                "the database already holds assets; demo data goes only into an empty database \
                 (use --db with a new file)"
                    .into(),
            ));
        }
        let mut w = BulkWriter::new(tx, Some("demo data".into()));
        let mut rng = Rng(seed ^ 0x005E_ED1A_55E7);
        // The tree has its own stream, so that its size does not change the assets' draws.
        let places = places(&mut w, &mut Rng(seed ^ 0x00B1_ACE5), n)?;
        let people = people(&mut w, &mut rng, n, seed)?;
        let teams = TEAMS
            .iter()
            .map(|t| w.name_id(NameTable::Teams, Some(t)))
            .collect::<Result<Vec<_>>>()?;
        let models = MODELS
            .iter()
            .map(|(mf, model, cat, _, _)| {
                let mf = w.name_id(NameTable::Manufacturers, Some(mf))?;
                let cat = w.name_id(NameTable::Categories, Some(cat))?;
                w.model(Some(model), None, mf, cat)?
                    .ok_or_else(|| StoreError::Invalid("a demo model has no name".into()))
            })
            .collect::<Result<Vec<_>>>()?;
        let suppliers = SUPPLIERS
            .iter()
            .map(|s| w.name_id(NameTable::Suppliers, Some(s)))
            .collect::<Result<Vec<_>>>()?;
        for i in 0..n {
            let (a, history, disposal) = asset(
                &mut rng, i, seed, &places, &people, &teams, &models, &suppliers,
            );
            w.insert_past(&a, &history, disposal.as_ref())?;
        }
        Ok(Summary {
            assets: n,
            people: people.len() as u64,
            locations: places.count,
            events: w.events,
        })
    })
}

/// The `i`th demo asset, its history and its disposal.
#[allow(clippy::too_many_arguments)]
fn asset(
    rng: &mut Rng,
    i: u64,
    seed: u64,
    places: &Places,
    people: &[(i64, String)],
    teams: &[Option<i64>],
    models: &[crate::store::ModelIds],
    suppliers: &[Option<i64>],
) -> (PastAsset, Vec<PastEvent>, Option<PastDisposal>) {
    let today = demo_today();
    let mi = rng.below(MODELS.len() as u64) as usize;
    let (_, model_name, _, price, style) = MODELS[mi];
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
    // One draw whatever the status, so every later draw is the same at every size.
    let spot = rng.next() as usize;
    let loc = match status {
        Status::InRepair => &places.repair,
        Status::InStock | Status::Ordered => &places.depots[spot % places.depots.len()],
        _ => &places.rooms[spot % places.rooms.len()],
    };
    let (person, username) = rng.pick(people);
    let created = purchased.and_hms_opt(9, 0, 0).unwrap_or_default()
        + Duration::minutes(rng.below(480) as i64);
    let deployed_at = created + Duration::days(1 + rng.below(20) as i64);
    let deployed_at = deployed_at.min(today.and_hms_opt(8, 0, 0).unwrap_or_default());
    let deployed = status == Status::Deployed;
    let owner_team = teams[rng.below(teams.len() as u64) as usize];
    let cents = price as u64 * 100 - rng.below(price as u64 * 12);
    let cost = Decimal::new(i64::try_from(cents).unwrap_or(i64::MAX), 2);
    // A few assets have not been seen for a long time: the ghosts audits look for.
    let seen_days = if rng.below(100) < 8 {
        200 + rng.below(400) as i64
    } else {
        rng.below(60) as i64
    };
    let last_seen = (today - Duration::days(seen_days.min(age_days)))
        .and_hms_opt(10, 0, 0)
        .unwrap_or_default();
    let eol_years = if rng.below(2) == 0 { 4 } else { 5 };
    let initial = if status == Status::Ordered {
        "ordered"
    } else {
        "in_stock"
    };
    let a = PastAsset {
        tag: tag.clone(),
        serial: Some(serial.clone()),
        model: models[mi],
        status,
        condition,
        location: Some(loc.0),
        assignee: deployed.then_some(*person),
        assigned_at: deployed.then(|| ts(deployed_at)),
        owner_team,
        supplier: suppliers[(i % suppliers.len() as u64) as usize],
        order_number: Some(format!(
            "PO-{}-{:04}",
            purchased.format("%Y"),
            (i / 40) % 10_000
        )),
        purchase_date: Some(purchased),
        purchase_cost: Some(cost),
        currency: Some("USD".into()),
        warranty_until: Some(purchased + Duration::days(3 * 365)),
        eol_date: Some(purchased + Duration::days(eol_years * 365)),
        last_seen_at: Some(ts(last_seen)),
        created_at: ts(created),
        updated_at: ts(deployed_at.max(created)),
    };
    let create = format!(
        r#"{{"tag":"{tag}","serial":"{serial}","model":{model},"status":"{initial}","condition":"new","location":"{}","purchase_cost":"{cost}","currency":"USD"}}"#,
        loc.1,
        model = serde_json::Value::String(model_name.to_string()),
    );
    let later = ts(deployed_at);
    let mut history = vec![PastEvent {
        kind: "create",
        at: ts(created),
        before: None,
        after: create,
    }];
    let mut push = |kind: &'static str, before: &str, after: String| {
        history.push(PastEvent {
            kind,
            at: later,
            before: Some(before.to_string()),
            after,
        })
    };
    if status != Status::Ordered && condition != Condition::New {
        push(
            "condition",
            r#"{"condition":"new"}"#,
            format!(r#"{{"condition":"{condition}"}}"#),
        );
    }
    let mut disposal = None;
    match status {
        Status::Deployed => push(
            "checkout",
            r#"{"status":"in_stock","assignee":null}"#,
            format!(r#"{{"status":"deployed","assignee":"{username}"}}"#),
        ),
        Status::InRepair | Status::Lost | Status::Retired => push(
            "status",
            r#"{"status":"in_stock"}"#,
            format!(r#"{{"status":"{status}"}}"#),
        ),
        Status::Disposed => {
            push(
                "status",
                r#"{"status":"in_stock"}"#,
                r#"{"status":"retired"}"#.into(),
            );
            let method = [
                DisposalMethod::Recycle,
                DisposalMethod::Resale,
                DisposalMethod::Donate,
                DisposalMethod::Destroy,
            ][rng.below(4) as usize];
            push(
                "dispose",
                r#"{"status":"retired"}"#,
                format!(r#"{{"status":"disposed","method":"{method}","wipe":"purge"}}"#),
            );
            disposal = Some(PastDisposal {
                method,
                disposed_on: deployed_at.date(),
                wipe: WipeMethod::Purge,
                certificate: Some(format!("WIPE-{:07}", i + 1)),
                proceeds: (method == DisposalMethod::Resale)
                    .then(|| Decimal::new(i64::from(price / 10) * 100, 2)),
                recipient: Some("Demo Recycling Ltd".into()),
                at: later,
            });
        }
        _ => {}
    }
    (a, history, disposal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_unique_and_deterministic() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..20_000 {
            assert!(seen.insert(serial(SerialStyle::Generic, i, 7)));
        }
        assert_eq!(
            serial(SerialStyle::Dell, 5, 1),
            serial(SerialStyle::Dell, 5, 1)
        );
        assert_ne!(
            serial(SerialStyle::Dell, 5, 1),
            serial(SerialStyle::Dell, 5, 2)
        );
    }
}
