//! Due dates: when a checked-out asset should come back.

use chrono::NaiveDate;

/// What to tell someone who gives a due date that has already passed on `today`: it is kept
/// as given (back-dating a hand-out is legitimate), but it is most often a typo.
pub fn past_due_warning(due: NaiveDate, today: NaiveDate) -> Option<String> {
    (due < today).then(|| {
        format!(
            "the due date {due} is in the past (today is {today}): the asset is overdue at once"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_day_before_today_warns() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-11-30");
        let w = past_due_warning(d("2026-11-29"), today).unwrap();
        assert!(w.contains("2026-11-29") && w.contains("in the past"), "{w}");
        assert_eq!(past_due_warning(today, today), None);
        assert_eq!(past_due_warning(d("2026-12-01"), today), None);
    }
}
