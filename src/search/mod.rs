//! Fuzzy search over every asset: tag, serial, name, model, assignee and location in one line.
//!
//! The haystack is one lower-cased string with end offsets (about 80 bytes an asset, no per-row
//! allocation) so a million assets fit in well under 100 MB. A query first runs a cheap ordered
//! byte-subsequence test, then scores the survivors with fuzzy-matcher's Skim algorithm. Each
//! query keeps the positions that passed, so the next keystroke (which usually extends the
//! query) searches only those.

use crate::store::{Result, Store};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// The id of a line that was replaced: never matches.
const DEAD: i64 = i64::MIN;

#[derive(Default)]
pub struct Index {
    text: String,
    ends: Vec<u32>,
    ids: Vec<i64>,
}

/// The outcome of one query: every matching row (for narrowing) and the best `limit` of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matches {
    pub query: String,
    /// Positions (into the index) of every row that matched, in index order.
    pub all: Vec<u32>,
    /// The best rows, best first: (asset id, score).
    pub top: Vec<(i64, i64)>,
}

/// Is `needle` (lower-case bytes) a subsequence of `hay`? The fast reject before scoring.
fn subsequence(hay: &[u8], needle: &[u8]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|n| it.any(|h| h == n))
}

impl Index {
    pub fn with_capacity(rows: usize) -> Index {
        Index {
            text: String::with_capacity(rows * 64),
            ends: Vec::with_capacity(rows),
            ids: Vec::with_capacity(rows),
        }
    }

    /// Read every asset from the store.
    pub fn build(store: &Store) -> Result<Index> {
        let n = store.asset_count()?.max(0) as usize;
        let mut idx = Index::with_capacity(n);
        store.for_each_search_row(|row| idx.push(row.id, &row.text))?;
        Ok(idx)
    }

    pub fn push(&mut self, id: i64, text: &str) {
        for c in text.chars() {
            // Control characters never help a search and would only confuse offsets downstream.
            if !c.is_control() {
                self.text.extend(c.to_lowercase());
            }
        }
        self.ends.push(self.text.len() as u32);
        self.ids.push(id);
    }

    /// Point `id` at new text (after an edit elsewhere); the old line is left dead in place.
    pub fn replace(&mut self, id: i64, text: &str) {
        if let Some(pos) = self.ids.iter().rposition(|&x| x == id) {
            self.ids[pos] = DEAD;
        }
        self.push(id, text);
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn row(&self, pos: u32) -> &str {
        let p = pos as usize;
        let start = if p == 0 { 0 } else { self.ends[p - 1] as usize };
        &self.text[start..self.ends[p] as usize]
    }

    pub fn id_at(&self, pos: u32) -> i64 {
        self.ids[pos as usize]
    }

    /// Search, optionally only within the rows of a previous query that this one extends.
    pub fn search(&self, query: &str, limit: usize, previous: Option<&Matches>) -> Matches {
        let q: String = query.trim().to_lowercase();
        if q.is_empty() {
            return Matches {
                query: q,
                all: Vec::new(),
                top: Vec::new(),
            };
        }
        let needle: Vec<u8> = q.bytes().filter(|b| *b != b' ').collect();
        let narrowed = previous.filter(|p| !p.query.is_empty() && q.starts_with(&p.query));
        let candidates: Box<dyn Iterator<Item = u32>> = match narrowed {
            Some(p) => Box::new(p.all.iter().copied()),
            None => Box::new(0..self.ids.len() as u32),
        };
        let matcher = SkimMatcherV2::default().respect_case();
        let mut scored: Vec<(i64, u32)> = candidates
            .filter(|&pos| {
                self.ids[pos as usize] != DEAD && subsequence(self.row(pos).as_bytes(), &needle)
            })
            .filter_map(|pos| matcher.fuzzy_match(self.row(pos), &q).map(|s| (s, pos)))
            .collect();
        let all: Vec<u32> = scored.iter().map(|&(_, pos)| pos).collect();
        // Best score first; ties keep index (tag) order so results are stable between keystrokes.
        let by_rank = |a: &(i64, u32), b: &(i64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, by_rank);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(by_rank);
        scored.truncate(limit);
        Matches {
            query: q,
            all,
            top: scored
                .into_iter()
                .map(|(s, pos)| (self.id_at(pos), s))
                .collect(),
        }
    }
}

/// Positions of `query`'s characters in `text` for highlighting, or None when it does not match.
pub fn highlight(text: &str, query: &str) -> Option<Vec<usize>> {
    SkimMatcherV2::default()
        .ignore_case()
        .fuzzy_indices(text, query.trim())
        .map(|(_, idx)| idx)
}

/// `itam find`: an exact tag or serial first, then the best fuzzy matches.
pub fn find(store: &Store, query: &str, limit: usize) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(limit);
    if let Some(exact) = store.find_code(query)? {
        out.push(exact.id);
    }
    let idx = Index::build(store)?;
    for (id, _) in idx.search(query, limit + 1, None).top {
        if out.len() >= limit {
            break;
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let mut i = Index::default();
        i.push(
            1,
            "IT-000001 7X2KQ93 Latitude 7440 jdoe Jane Doe HQ-101 IT Depot",
        );
        i.push(2, "IT-000002 C02ZK1 MacBook Pro 14 asmith Ann Smith HQ-201");
        i.push(3, "IT-000003 PF4A2B ThinkPad T14 WH-01 Warehouse");
        i
    }

    #[test]
    fn finds_fuzzy_and_ranks() {
        let idx = index();
        let m = idx.search("lat74", 10, None);
        assert_eq!(m.top.first().map(|t| t.0), Some(1));
        assert_eq!(m.all, vec![0]);
        let m = idx.search("smith", 10, None);
        assert_eq!(m.top.iter().map(|t| t.0).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn narrowing_gives_the_same_answer_as_a_full_search() {
        let idx = index();
        let mut prev = idx.search("i", 10, None);
        for q in ["it", "it-", "it-00", "it-0000", "it-000003"] {
            let narrowed = idx.search(q, 10, Some(&prev));
            let full = idx.search(q, 10, None);
            assert_eq!(narrowed, full, "query {q}");
            prev = narrowed;
        }
        assert_eq!(prev.top.first().map(|t| t.0), Some(3));
    }

    #[test]
    fn a_query_that_is_not_an_extension_searches_everything() {
        let idx = index();
        let prev = idx.search("macbook", 10, None);
        let m = idx.search("think", 10, Some(&prev));
        assert_eq!(m.top.first().map(|t| t.0), Some(3));
    }

    #[test]
    fn limit_keeps_the_best() {
        let mut idx = Index::default();
        for i in 0..100 {
            idx.push(i, &format!("IT-{i:06} laptop"));
        }
        let m = idx.search("laptop", 5, None);
        assert_eq!(m.top.len(), 5);
        assert_eq!(m.all.len(), 100);
        assert!(m.top.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn replaced_lines_match_their_new_text_only() {
        let mut idx = index();
        idx.replace(1, "IT-000001 Latitude 7440 bwayne Bruce Wayne");
        assert!(idx.search("jane", 10, None).top.is_empty());
        assert_eq!(
            idx.search("wayne", 10, None).top,
            vec![(1, idx.search("wayne", 10, None).top[0].1)]
        );
    }

    #[test]
    fn highlight_positions() {
        assert_eq!(highlight("Latitude", "ltt"), Some(vec![0, 2, 4]));
        assert_eq!(highlight("Latitude", "zz"), None);
    }
}
