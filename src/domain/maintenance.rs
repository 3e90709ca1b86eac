//! Maintenance records (repairs, upgrades, warranty work, calibration) and total cost of
//! ownership: purchase + maintenance - disposal proceeds, per year in service.

use super::text_enum;
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaintenanceKind {
    Repair,
    Upgrade,
    Warranty,
    Calibration,
    Other,
}

text_enum!(MaintenanceKind, "maintenance kind", {
    Repair => "repair",
    Upgrade => "upgrade",
    Warranty => "warranty",
    Calibration => "calibration",
    Other => "other",
});

/// Total cost of ownership: what was paid, plus upkeep, less what disposal brought back.
pub fn tco(purchase: Decimal, maintenance: Decimal, proceeds: Decimal) -> Decimal {
    purchase + maintenance - proceeds
}

/// Years in service from purchase to `end` (disposal, else today), at least one month so a
/// brand-new asset does not divide by zero. Counted in days / 365.25.
pub fn years_in_service(purchased: NaiveDate, end: NaiveDate) -> Decimal {
    let days = (end - purchased).num_days().max(30);
    Decimal::from(days) / Decimal::new(36525, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn tco_and_years_in_service() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(tco(d("1000"), d("250.50"), d("100")), d("1150.50"));
        let y = years_in_service(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
        assert_eq!(y.round_dp(3), d("2.001"));
        let y = years_in_service(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        );
        assert!(y > Decimal::ZERO);
        assert_eq!(
            "Calibration".parse::<MaintenanceKind>(),
            Ok(MaintenanceKind::Calibration)
        );
    }
}
