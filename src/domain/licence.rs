//! Software licences: kinds, costs, seats and compliance, key masking. Pure rules; the store
//! applies them (Snipe-IT's licence CSV is read by `interop::import::licences`).

use super::currency;
use super::text_enum;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenceKind {
    PerUser,
    PerDevice,
    Site,
    Subscription,
}

text_enum!(LicenceKind, "licence kind", {
    PerUser => "per_user",
    PerDevice => "per_device",
    Site => "site",
    Subscription => "subscription",
});

/// Whether `cost` is per seat or for the whole licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostBasis {
    PerSeat,
    Total,
}

text_enum!(CostBasis, "cost basis", {
    PerSeat => "per_seat",
    Total => "total",
});

/// What period `cost` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostPeriod {
    OneTime,
    Monthly,
    Annual,
}

text_enum!(CostPeriod, "cost period", {
    OneTime => "one_time",
    Monthly => "monthly",
    Annual => "annual",
});

/// A licence as typed or imported, validated by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLicence {
    pub product: String,
    pub vendor: Option<String>,
    pub kind: LicenceKind,
    /// `None`: unlimited seats.
    pub seats: Option<u32>,
    pub cost: Option<Decimal>,
    pub currency: Option<String>,
    pub cost_basis: CostBasis,
    pub cost_period: CostPeriod,
    pub starts_on: Option<NaiveDate>,
    pub renews_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub key: Option<String>,
    pub notes: Option<String>,
}

impl NewLicence {
    pub fn new(product: &str, kind: LicenceKind) -> NewLicence {
        NewLicence {
            product: product.to_string(),
            vendor: None,
            kind,
            seats: None,
            cost: None,
            currency: None,
            cost_basis: CostBasis::Total,
            cost_period: CostPeriod::OneTime,
            starts_on: None,
            renews_on: None,
            expires_on: None,
            key: None,
            notes: None,
        }
    }

    /// The rules every licence keeps, whoever writes it.
    pub fn validate(&self) -> Result<(), String> {
        if self.product.trim().is_empty() {
            return Err("a licence needs a product name".into());
        }
        if let (Some(s), Some(e)) = (self.starts_on, self.expires_on) {
            if e < s {
                return Err(format!("the licence expires ({e}) before it starts ({s})"));
            }
        }
        if let (Some(s), Some(r)) = (self.starts_on, self.renews_on) {
            if r < s {
                return Err(format!("the licence renews ({r}) before it starts ({s})"));
            }
        }
        if self.cost_basis == CostBasis::PerSeat && self.seats.is_none() && self.cost.is_some() {
            return Err("a per-seat cost needs a number of seats (not unlimited)".into());
        }
        Ok(())
    }
}

/// `--seats 25` or `--seats unlimited`.
pub fn parse_seats(s: &str) -> Result<Option<u32>, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("seats '{t}' is not a whole number of seats (or 'unlimited')"))
}

/// A key with everything but its last four letters or digits hidden, separators kept:
/// `ABCD-EFGH-IJKL` → `****-****-IJKL`.
pub fn mask_key(key: &str) -> String {
    let significant = key.chars().filter(|c| c.is_alphanumeric()).count();
    // Four or fewer significant characters: show none of them, nor the separators.
    let hide = if significant > 4 {
        significant - 4
    } else {
        significant
    };
    let mut seen = 0;
    key.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen <= hide {
                    '*'
                } else {
                    c
                }
            } else if significant <= 4 {
                '*'
            } else if c.is_control() {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Why a seat cannot be assigned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatError {
    #[error("all {owned} seats are in use; assigning another would over-deploy the licence (use --force to record a compliance breach)")]
    NoFreeSeat { owned: u32 },
}

/// May one more seat be assigned, with `assigned` in use? `Ok(true)` means it is allowed only
/// because it was forced, and is a compliance breach.
pub fn check_assign(owned: Option<u32>, assigned: u32, force: bool) -> Result<bool, SeatError> {
    match owned {
        Some(owned) if assigned >= owned => {
            if force {
                Ok(true)
            } else {
                Err(SeatError::NoFreeSeat { owned })
            }
        }
        _ => Ok(false),
    }
}

/// Seats of one licence, as the compliance report counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatCount {
    /// `None`: unlimited.
    pub owned: Option<u32>,
    pub assigned: u32,
    /// `None` when unlimited.
    pub free: Option<u32>,
    /// Seats in use beyond those owned.
    pub over_deployed: u32,
}

pub fn seat_count(owned: Option<u32>, assigned: u32) -> SeatCount {
    SeatCount {
        owned,
        assigned,
        free: owned.map(|o| o.saturating_sub(assigned)),
        over_deployed: owned.map(|o| assigned.saturating_sub(o)).unwrap_or(0),
    }
}

/// What the unused seats cost per `period`: the per-seat cost (or total / seats owned) times the
/// free seats, rounded to the currency. `None` without a cost, or with unlimited seats.
pub fn unused_cost(
    cost: Option<Decimal>,
    basis: CostBasis,
    currency: &str,
    seats: &SeatCount,
) -> Option<Decimal> {
    let cost = cost?;
    let owned = seats.owned?;
    let free = seats.free?;
    let per_seat = match basis {
        CostBasis::PerSeat => cost,
        CostBasis::Total if owned == 0 => return Some(currency::round(Decimal::ZERO, currency)),
        CostBasis::Total => cost / Decimal::from(owned),
    };
    Some(currency::round(per_seat * Decimal::from(free), currency))
}

/// Which renewal window a date falls in, seen from `today`: 30, 60 or 90 days, else none.
/// A date already past is in no window (the licence has lapsed; the report says so).
pub fn renewal_window(date: NaiveDate, today: NaiveDate) -> Option<u32> {
    let days = (date - today).num_days();
    match days {
        0..=30 => Some(30),
        31..=60 => Some(60),
        61..=90 => Some(90),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn keys_are_masked_but_for_the_last_four() {
        assert_eq!(mask_key("ABCD-EFGH-IJKL"), "****-****-IJKL");
        assert_eq!(
            mask_key("4c2713a1-5b73-4ecb-b2e9-62bf0ff57165"),
            "********-****-****-****-********7165"
        );
        assert_eq!(mask_key("ABC"), "***");
        assert_eq!(mask_key("AB-CD"), "*****");
        assert_eq!(mask_key("XXXXXY\x1b"), "**XXXY?");
    }

    #[test]
    fn seats_past_those_owned_need_force_and_are_a_breach() {
        assert_eq!(check_assign(Some(2), 1, false), Ok(false));
        assert_eq!(
            check_assign(Some(2), 2, false),
            Err(SeatError::NoFreeSeat { owned: 2 })
        );
        assert_eq!(check_assign(Some(2), 2, true), Ok(true));
        assert_eq!(check_assign(None, 10_000, false), Ok(false));
        let c = seat_count(Some(5), 7);
        assert_eq!((c.free, c.over_deployed), (Some(0), 2));
        let c = seat_count(Some(5), 3);
        assert_eq!((c.free, c.over_deployed), (Some(2), 0));
        assert_eq!(seat_count(None, 3).free, None);
        assert_eq!(parse_seats("unlimited"), Ok(None));
        assert_eq!(parse_seats("25"), Ok(Some(25)));
        assert!(parse_seats("-1").is_err());
    }

    #[test]
    fn unused_seats_cost_per_seat_or_a_share_of_the_total() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let c = seat_count(Some(10), 7);
        assert_eq!(
            unused_cost(Some(d("12.50")), CostBasis::PerSeat, "USD", &c),
            Some(d("37.50"))
        );
        // 1,000 / 3 seats = 333.333..; two free = 666.666.. -> 666.67
        let c = seat_count(Some(3), 1);
        assert_eq!(
            unused_cost(Some(d("1000")), CostBasis::Total, "USD", &c)
                .unwrap()
                .to_string(),
            "666.67"
        );
        assert_eq!(unused_cost(None, CostBasis::Total, "USD", &c), None);
        assert_eq!(
            unused_cost(Some(d("1")), CostBasis::Total, "USD", &seat_count(None, 1)),
            None
        );
    }

    #[test]
    fn renewal_windows() {
        let today = date("2026-01-01");
        assert_eq!(renewal_window(date("2025-12-01"), today), None);
        assert_eq!(renewal_window(today, today), Some(30));
        assert_eq!(renewal_window(date("2026-01-31"), today), Some(30));
        assert_eq!(renewal_window(date("2026-02-01"), today), Some(60));
        assert_eq!(renewal_window(date("2026-03-30"), today), Some(90));
        assert_eq!(renewal_window(date("2026-04-02"), today), None);
    }

    #[test]
    fn validation_refuses_backwards_dates() {
        let mut l = NewLicence::new("Office", LicenceKind::PerUser);
        l.starts_on = Some(date("2026-01-01"));
        l.expires_on = Some(date("2025-01-01"));
        assert!(l.validate().unwrap_err().contains("before it starts"));
        let l = NewLicence::new("  ", LicenceKind::Site);
        assert!(l.validate().is_err());
    }
}
