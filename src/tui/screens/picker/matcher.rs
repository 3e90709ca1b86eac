//! A long picker's matching (333,000 people at a million assets) on its own thread: each
//! keystroke is drawn at once, the matches follow, the newest query's last.

use super::find;
use crate::tui::app::App;
use crate::tui::db::Reply;
use crate::tui::Msg;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Instant;

/// The thread that matches a long picker's labels against what is typed.
#[derive(Debug)]
pub(super) struct Matcher {
    pub(super) tx: Sender<Query>,
}

pub(super) struct Query {
    pub(super) generation: u64,
    pub(super) text: String,
    /// When the keystroke was made (the latency log).
    pub(super) at: Option<Instant>,
}

impl Matcher {
    /// Start matching `labels`; it ends when the picker, and with it the sender, is gone.
    pub(super) fn spawn(id: u64, labels: Arc<Vec<String>>, ui: Sender<Msg>) -> Matcher {
        let (tx, rx) = channel::<Query>();
        std::thread::spawn(move || {
            crate::tui::priority::lower_this_thread();
            // The previous query and its matches: a longer query is matched among them only.
            let mut previous: Option<(String, Vec<usize>)> = None;
            while let Ok(first) = rx.recv() {
                // Only the newest query is worth matching.
                let q = rx.try_iter().last().unwrap_or(first);
                let text = q.text.trim().to_string();
                let among = previous
                    .as_ref()
                    .filter(|(p, _)| !p.is_empty() && text.starts_with(p.as_str()))
                    .map(|(_, m)| m.as_slice());
                let found = matches(&labels, &text, among);
                let (generation, at, shown) = (q.generation, q.at, found.clone());
                let reply: Reply = Box::new(move |app: &mut App| {
                    let Some(p) = find(app, id) else { return };
                    if p.matched(generation, shown) {
                        let effects = p.choose_if_asked();
                        app.picker_answered = at;
                        app.run(effects);
                    }
                });
                if ui.send(Msg::Db(reply, false)).is_err() {
                    return;
                }
                previous = Some((text, found));
            }
        });
        Matcher { tx }
    }
}

/// The labels `q` matches, best first (equal scores in list order). `among`: the matches of a
/// query `q` extends, which hold every match of `q` (a fuzzy match is a subsequence), so only
/// they need looking at. Both cores share a long list.
pub fn matches(labels: &[String], q: &str, among: Option<&[usize]>) -> Vec<usize> {
    if q.is_empty() {
        return (0..labels.len()).collect();
    }
    let all: Vec<usize>;
    let candidates = match among {
        Some(m) => m,
        None => {
            all = (0..labels.len()).collect();
            &all
        }
    };
    let score = |part: &[usize]| -> Vec<(i64, usize)> {
        let m = SkimMatcherV2::default().ignore_case();
        part.iter()
            .filter_map(|&i| m.fuzzy_match(&labels[i], q).map(|s| (s, i)))
            .collect()
    };
    let mut scored: Vec<(i64, usize)> = if candidates.len() >= 20_000 {
        let (a, b) = candidates.split_at(candidates.len() / 2);
        std::thread::scope(|s| {
            let other = s.spawn(|| {
                crate::tui::priority::lower_this_thread();
                score(b)
            });
            let mut v = score(a);
            v.extend(other.join().unwrap_or_default());
            v
        })
    } else {
        score(candidates)
    };
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|x| x.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_among_a_shorter_querys_matches_equals_matching_all() {
        // The matcher narrows from the previous keystroke's matches: it must choose and rank
        // exactly as a full pass would, on both cores (over 20,000 labels) or one.
        let first = [
            "Olivia", "Liam", "Amara", "Noah", "Chen", "Jonas", "Aisha", "Kwame",
        ];
        let last = [
            "Garcia", "Okafor", "Nguyen", "Schmidt", "Rossi", "Haddad", "Tanaka",
        ];
        let labels: Vec<String> = (0..24_000)
            .map(|i| {
                let (f, l) = (first[i % first.len()], last[(i / 7) % last.len()]);
                let user = format!("{}{}{i}", &f[..1].to_lowercase(), l.to_lowercase());
                format!("{user:<16} {f} {l} <{user}@example.com>")
            })
            .collect();
        for typed in [
            "okafor 12",
            "jn",
            "CHEN t",
            "aisha@",
            "zq",
            "kwame garcia 3",
        ] {
            let mut previous: Option<Vec<usize>> = None;
            for end in 1..=typed.len() {
                let q = typed[..end].trim();
                let full = matches(&labels, q, None);
                if let Some(prev) = &previous {
                    assert_eq!(matches(&labels, q, Some(prev)), full, "{q:?}");
                }
                previous = Some(full);
            }
        }
    }
}
