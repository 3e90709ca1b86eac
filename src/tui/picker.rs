//! A fuzzy pick-list: people, locations, grades, statuses, filters. Typing narrows it.

use crate::domain::{Condition, Status};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use tui_input::Input;

/// What the choice is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    CheckoutTo(String),
    CheckinGrade(String),
    SetGrade(String),
    MoveTo(String),
    SetStatus(String),
    Filter,
    ScanPerson,
    ScanLocation,
    ScanPoLine,
    EditLocation,
    ScanOffboardPerson,
    FinishOffboarding,
}

#[derive(Debug)]
pub struct Picker {
    pub title: String,
    /// (label shown, value returned)
    pub items: Vec<(String, String)>,
    pub input: Input,
    pub filtered: Vec<usize>,
    pub selected: usize,
    pub purpose: Purpose,
}

impl Picker {
    pub fn new(title: &str, items: Vec<(String, String)>, purpose: Purpose) -> Picker {
        let mut p = Picker {
            title: title.to_string(),
            items,
            input: Input::default(),
            filtered: Vec::new(),
            selected: 0,
            purpose,
        };
        p.refilter();
        p
    }

    pub fn grades(purpose: Purpose, default: Condition) -> Picker {
        let items = Condition::ALL
            .iter()
            .map(|c| (c.to_string(), c.to_string()))
            .collect();
        let mut p = Picker::new("condition?", items, purpose);
        p.selected = Condition::ALL
            .iter()
            .position(|c| *c == default)
            .unwrap_or(0);
        p
    }

    /// The statuses reachable by `itam status` from `current` (others would be refused).
    pub fn statuses(purpose: Purpose, current: Status) -> Picker {
        let items = [
            Status::InRepair,
            Status::Lost,
            Status::InStock,
            Status::Retired,
        ]
        .iter()
        .filter(|s| crate::domain::lifecycle::action_to_reach(current, **s).is_ok())
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
        Picker::new(&format!("status (now {current})?"), items, purpose)
    }

    pub fn refilter(&mut self) {
        let q = self.input.value().trim();
        if q.is_empty() {
            self.filtered = (0..self.items.len()).collect();
        } else {
            let m = SkimMatcherV2::default().ignore_case();
            let mut scored: Vec<(i64, usize)> = self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, (label, _))| m.fuzzy_match(label, q).map(|s| (s, i)))
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.filtered = scored.into_iter().map(|x| x.1).collect();
            self.selected = 0;
        }
        self.selected = self.selected.min(self.filtered.len().saturating_sub(1));
    }

    pub fn choice(&self) -> Option<String> {
        self.filtered
            .get(self.selected)
            .map(|&i| self.items[i].1.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_narrows_and_ranks() {
        let mut p = Picker::new(
            "t",
            vec![
                ("jdoe Jane Doe".into(), "jdoe".into()),
                ("asmith Ann Smith".into(), "asmith".into()),
            ],
            Purpose::Filter,
        );
        p.input = Input::new("smi".into());
        p.refilter();
        assert_eq!(p.choice().as_deref(), Some("asmith"));
        p.input = Input::new("zzz".into());
        p.refilter();
        assert_eq!(p.choice(), None);
    }

    #[test]
    fn status_choices_follow_the_lifecycle() {
        let p = Picker::statuses(Purpose::Filter, Status::Deployed);
        let values: Vec<_> = p.items.iter().map(|i| i.1.as_str()).collect();
        assert_eq!(values, ["in_repair", "lost", "in_stock"]);
    }
}
