//! Fuzzy search over every asset: tag, serial, name, model, assignee and location in one line.
//!
//! The haystack is one lower-cased string with end offsets (about 80 bytes an asset, no per-row
//! allocation) so a million assets fit in well under 100 MB. A query first runs a cheap ordered
//! byte-subsequence test, then scores the survivors with fuzzy-matcher's Skim algorithm. Each
//! query keeps the positions that passed, so the next keystroke (which usually extends the
//! query) searches only those.

mod cache;

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
    /// Which byte classes each line contains: rows missing a query byte are skipped without
    /// reading their text, and one-letter queries need no text at all.
    masks: Vec<u64>,
}

/// The class bit of a lower-case byte: a–z and 0–9 each have their own; others share 28 bits.
fn class_bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 1 << (36 + b % 28),
    }
}

fn mask_of(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |m, &b| m | class_bit(b))
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

/// Is `needle` (lower-case bytes) an ordered subsequence of `hay`? memchr jumps to each byte.
fn subsequence(hay: &[u8], needle: &[u8]) -> bool {
    let mut rest = hay;
    for &b in needle {
        match memchr::memchr(b, rest) {
            Some(i) => rest = &rest[i + 1..],
            None => return false,
        }
    }
    true
}

/// Keep the `keep` best (rank, position) pairs: higher rank first, then the earlier row.
fn best_first(ranked: &mut Vec<(u32, u32)>, keep: usize) {
    if ranked.len() > keep {
        ranked.select_nth_unstable_by(keep - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(keep);
    }
}

/// The best a term can rank in [`cheap_score`].
const TOP_RANK: u32 = VERBATIM + WORD_START;
/// A term found verbatim, and the bonus when that starts a word.
const VERBATIM: u32 = 100;
const WORD_START: u32 = 50;

/// 100 per term found verbatim, 50 more when it starts a word: typed text beats scattered hits.
fn cheap_score(row: &[u8], finders: &[memchr::memmem::Finder<'_>]) -> u32 {
    let mut score = 0;
    for t in finders {
        if let Some(i) = t.find(row) {
            score += VERBATIM;
            if i == 0 || matches!(row[i - 1], b' ' | b'-' | b'_' | b'/' | b'.') {
                score += WORD_START;
            }
        }
    }
    score
}

impl Index {
    pub fn with_capacity(rows: usize) -> Index {
        Index {
            text: String::with_capacity(rows * 64),
            ends: Vec::with_capacity(rows),
            ids: Vec::with_capacity(rows),
            masks: Vec::with_capacity(rows),
        }
    }

    /// Read every asset from the store.
    pub fn build(store: &Store) -> Result<Index> {
        let n = store.asset_count()?.max(0) as usize;
        let mut idx = Index::with_capacity(n);
        store.for_each_haystack(|id, text| idx.push(id, text))?;
        Ok(idx)
    }

    pub fn push(&mut self, id: i64, text: &str) {
        let start = self.text.len();
        for c in text.chars() {
            // Control characters never help a search and would only confuse offsets downstream.
            if !c.is_control() {
                self.text.extend(c.to_lowercase());
            }
        }
        self.ends.push(self.text.len() as u32);
        self.ids.push(id);
        self.masks.push(mask_of(&self.text.as_bytes()[start..]));
    }

    /// Point `id` at new text (after an edit elsewhere); the old line is left dead in place.
    pub fn replace(&mut self, id: i64, text: &str) {
        if let Some(pos) = self.ids.iter().rposition(|&x| x == id) {
            self.ids[pos] = DEAD;
            // No query's mask is empty, so an empty mask keeps the dead line out of every
            // result without the search reading `ids`.
            self.masks[pos] = 0;
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

    /// The line as bytes: what the filters read (no char-boundary checks on a million slices).
    fn row_bytes(&self, pos: u32) -> &[u8] {
        let p = pos as usize;
        let start = if p == 0 { 0 } else { self.ends[p - 1] as usize };
        &self.text.as_bytes()[start..self.ends[p] as usize]
    }

    pub fn id_at(&self, pos: u32) -> i64 {
        self.ids[pos as usize]
    }

    /// Every line, for benchmarks comparing matchers on the same haystack.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        (0..self.ids.len() as u32).map(|p| self.row(p))
    }

    /// Search, optionally only within the rows of a previous query that this one extends.
    ///
    /// Space-separated terms must all match (as in fzf). Three stages keep a keystroke cheap
    /// on a million rows: an ordered-bytes test with memchr over the candidates (split across
    /// threads when there are many); a cheap rank that prefers rows containing a term
    /// verbatim, at a word start best; and the fuzzy matcher's precise score for only the few
    /// thousand best of those, which orders the results.
    pub fn search(&self, query: &str, limit: usize, previous: Option<&Matches>) -> Matches {
        let q: String = query.trim().to_lowercase();
        let terms: Vec<&[u8]> = q.split_whitespace().map(str::as_bytes).collect();
        if terms.is_empty() {
            return Matches {
                query: q,
                all: Vec::new(),
                top: Vec::new(),
            };
        }
        let narrowed = previous.filter(|p| !p.query.is_empty() && q.starts_with(&p.query));
        let all: Vec<u32> = match narrowed {
            Some(p) => self.filter(&p.all, &terms),
            None => self.filter_all(&terms),
        };
        let keep = (limit.max(1) * 2).max(200);
        let cheap = self.best_by_cheap(&all, &terms, keep);
        // nucleo-matcher scores a line 3-4x faster than fuzzy-matcher here (benches/search.rs),
        // which matters for long queries: the cost grows with query length times line length.
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let pattern = Pattern::parse(&q, CaseMatching::Respect, Normalization::Never);
        let mut buf = Vec::new();
        let mut scored: Vec<(i64, u32)> = cheap
            .iter()
            .map(|&(c, pos)| {
                let line = nucleo_matcher::Utf32Str::new(self.row(pos), &mut buf);
                let precise = pattern.score(line, &mut matcher).map_or(0, i64::from);
                (precise + i64::from(c), pos)
            })
            .collect();
        // Best score first; ties keep index (tag) order so results are stable between keystrokes.
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
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

    /// The `keep` rows (of `all`, in index order) with the best cheap rank, ties to the
    /// earlier row; as (rank, position). A broad query's first letters match most of a
    /// million rows, but only the best few hundred are wanted: ranking stops as soon as
    /// `keep` rows have the highest rank there is, which gives the same rows as ranking all.
    fn best_by_cheap(&self, all: &[u32], terms: &[&[u8]], keep: usize) -> Vec<(u32, u32)> {
        // One letter or digit: taken as ranking the same everywhere, so its text is not read
        // (a deliberate approximation: the word-start bonus is ignored for the first keystroke,
        // which is over in ~5 ms at 1M; the next letter ranks properly).
        if terms.len() == 1 && terms[0].len() == 1 && terms[0][0].is_ascii_alphanumeric() {
            return all.iter().take(keep).map(|&p| (VERBATIM, p)).collect();
        }
        let finders: Vec<memchr::memmem::Finder<'_>> =
            terms.iter().map(memchr::memmem::Finder::new).collect();
        let highest = TOP_RANK * terms.len() as u32;
        // Each core ranks a contiguous part; the best `keep` overall are among the parts' best.
        let mut best = self.parallel(all.len(), |range| {
            let mut at_highest = Vec::new();
            let mut ranked = Vec::new();
            for &pos in &all[range] {
                let c = cheap_score(self.row_bytes(pos), &finders);
                if c == highest {
                    at_highest.push((c, pos));
                    if at_highest.len() == keep {
                        return at_highest;
                    }
                }
                ranked.push((c, pos));
            }
            best_first(&mut ranked, keep);
            ranked
        });
        best_first(&mut best, keep);
        best
    }

    /// Every row in which every term is an ordered subsequence, in index order. Split
    /// across threads: a million rows is a lot for one core.
    fn filter_all(&self, terms: &[&[u8]]) -> Vec<u32> {
        self.parallel(self.ids.len(), |range| {
            self.test(range.map(|p| p as u32), terms)
        })
    }

    /// The same over the survivors of a previous query.
    fn filter(&self, candidates: &[u32], terms: &[&[u8]]) -> Vec<u32> {
        self.parallel(candidates.len(), |range| {
            self.test(candidates[range].iter().copied(), terms)
        })
    }

    fn test(&self, positions: impl Iterator<Item = u32>, terms: &[&[u8]]) -> Vec<u32> {
        let need = terms.iter().fold(0, |m, t| m | mask_of(t));
        // One letter or digit: the mask alone is exact, and there is no order to check.
        let mask_is_enough =
            terms.len() == 1 && terms[0].len() == 1 && terms[0][0].is_ascii_alphanumeric();
        positions
            .filter(|&pos| {
                // Dead lines have an empty mask (see `replace`).
                if self.masks[pos as usize] & need != need {
                    return false;
                }
                if mask_is_enough {
                    return true;
                }
                let row = self.row_bytes(pos);
                terms.iter().all(|t| subsequence(row, t))
            })
            .collect()
    }

    /// Run `f` over `0..n` in contiguous chunks, one per core, results concatenated in order.
    fn parallel<T: Send, F>(&self, n: usize, f: F) -> Vec<T>
    where
        F: Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
    {
        let threads = std::thread::available_parallelism()
            .map_or(2, |t| t.get())
            .clamp(1, 8);
        if n < 50_000 || threads == 1 {
            return f(0..n);
        }
        let size = n.div_ceil(threads);
        std::thread::scope(|s| {
            let f = &f;
            let parts: Vec<_> = (0..n)
                .step_by(size)
                .map(|start| s.spawn(move || f(start..(start + size).min(n))))
                .collect();
            let mut out = Vec::new();
            for p in parts {
                // A chunk only fails if the filter panicked; its rows are then left out.
                out.extend(p.join().unwrap_or_default());
            }
            out
        })
    }
}

/// Every term is highlighted where it matches; None when no term matches `text` at all.
pub fn highlight(text: &str, query: &str) -> Option<Vec<usize>> {
    let m = SkimMatcherV2::default().ignore_case();
    let mut all: Vec<usize> = query
        .split_whitespace()
        .filter_map(|t| m.fuzzy_indices(text, t).map(|(_, idx)| idx))
        .flatten()
        .collect();
    all.sort_unstable();
    all.dedup();
    (!all.is_empty()).then_some(all)
}

/// `itam find`: an exact tag or serial first, then the best fuzzy matches.
pub fn find(store: &Store, query: &str, limit: usize) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(limit);
    if let Some(exact) = store.find_code(query)? {
        out.push(exact.id);
    }
    let idx = Index::load_or_build(store)?;
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
