//! Fuzzy search over every asset: tag, serial, name, model, manufacturer, category, assignee
//! and location in one line.
//!
//! The haystack is one lower-cased string with end offsets (about 90 bytes an asset, no per-row
//! allocation) so a million assets fit in well under 150 MB. A query runs one pass over the
//! candidates (see [`pass`]): a per-line character mask, an ordered byte-subsequence test and a
//! cheap rank; then scores the best few hundred with nucleo-matcher. Each query keeps the rows
//! that passed and what it learnt of them, so the next keystroke (which usually extends the
//! query) searches only those, and mostly only past where the shorter query matched.

mod cache;
mod pass;

use crate::store::{Result, Store};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use pass::{Carry, Growth, Plan};
use std::sync::Arc;

/// The id of a line that was replaced: never matches.
const DEAD: i64 = i64::MIN;

/// Ask the CPU to start loading the cache line holding `p`: a hint, which changes nothing else.
#[inline(always)]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and has no effect but on the cache; `p` is a valid
    // reference in any case.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Results rank first by how many terms they contain as typed (see `pass::cheap_score`), only
/// then by the fuzzy score: a row holding the typed text is never ranked below a scattered hit.
const TIER: i64 = 1 << 32;

#[derive(Default)]
pub struct Index {
    text: String,
    ends: Vec<u32>,
    ids: Vec<i64>,
    /// Which byte classes each line contains: rows missing a query byte are skipped without
    /// reading their text, and one-letter queries need no text at all.
    masks: Vec<u64>,
}

/// The outcome of one query: every matching row (for narrowing) and the best `limit` of them.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    pub query: String,
    /// Every row that matched, in index order, with what the next keystroke can start from.
    pub all: Rows,
    /// The best rows, best first: (asset id, score).
    pub top: Vec<(i64, i64)>,
    /// Answers to shorter prefixes of this query, longest first, shared rather than copied: a
    /// backspace narrows from the prefix it returns to instead of searching everything again.
    prefixes: Vec<Level>,
}

/// Positions (into the index) of matching rows, in index order, held as the chunks the pass
/// produced them in: each chunk is searched on its own by the next keystroke, on whichever core
/// is free, and nothing is copied to join them.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    chunks: Vec<Arc<Chunk>>,
    len: usize,
    /// Non-zero: the rows are every line whose mask holds these bits (a one-letter query),
    /// counted but not listed. Such an answer is not narrowed from: a search of everything
    /// checks each line's mask first anyway, and listing a million rows would cost more than
    /// the one-letter query itself.
    by_mask: u64,
}

#[derive(Debug, Clone, Default)]
struct Chunk {
    pos: Vec<u32>,
    /// Per row of `pos`, what the next keystroke can start from.
    carry: Vec<Carry>,
    /// Per row of `pos` once [`Index::prepare`] has run on a one-term answer (else empty): what
    /// lets the next keystroke, one more letter or digit, read no text.
    next: Vec<pass::Next>,
    /// The byte this answer added to its term without reading text: the carries' tails are
    /// still before it until [`Index::prepare`] moves them. Such rows cannot be narrowed from
    /// by reading text until then.
    pending: Option<u8>,
}

impl Chunk {
    /// Its rows can be narrowed from by reading text.
    fn settled(&self) -> bool {
        self.pending.is_none()
    }

    /// Its rows can be narrowed from without reading text.
    fn ready(&self) -> bool {
        self.settled() && self.next.len() == self.pos.len()
    }
}

impl Rows {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What its rows take in memory (about).
    fn bytes(&self) -> usize {
        let each = std::mem::size_of::<u32>() + std::mem::size_of::<Carry>();
        let next = std::mem::size_of::<pass::Next>();
        self.chunks
            .iter()
            .map(|c| c.pos.len() * each + c.next.len() * next)
            .sum()
    }

    fn listed(&self) -> impl Iterator<Item = u32> + '_ {
        self.chunks.iter().flat_map(|c| c.pos.iter().copied())
    }
}

/// The same rows, however they are split into chunks.
impl PartialEq for Rows {
    fn eq(&self, other: &Rows) -> bool {
        self.len == other.len && self.by_mask == other.by_mask && self.listed().eq(other.listed())
    }
}

/// A kept answer: what narrowing needs of a [`Matches`].
#[derive(Debug, Clone, Default)]
struct Level {
    query: String,
    all: Rows,
}

/// At most this many bytes of rows are kept across a query's prefixes: 10 a row, 34 once
/// prepared (at a million assets, the two or three answers before a dense one).
const PREFIX_BYTES: usize = 64_000_000;

/// Rows per chunk of a search over the whole index: 16 chunks at 1M, enough for two cores to
/// share them evenly whatever their density.
const CHUNK_ROWS: usize = if cfg!(test) { 16 } else { 1 << 16 };

impl Matches {
    /// Nothing is left for [`Index::prepare`] to do: the answer is ready, or it is not a one-term
    /// query (only those are prepared).
    pub fn prepared(&self) -> bool {
        self.query.is_empty()
            || self.query.contains(char::is_whitespace)
            || (self.all.by_mask == 0 && self.all.chunks.iter().all(|c| c.ready()))
    }

    fn level(&self) -> Level {
        Level {
            query: self.query.clone(),
            all: self.all.clone(),
        }
    }
}

/// Two searches are the same when they found the same rows and chose the same best ones;
/// what each learnt on the way (the carries) depends on the path taken.
impl PartialEq for Matches {
    fn eq(&self, other: &Matches) -> bool {
        self.query == other.query && self.all == other.all && self.top == other.top
    }
}

/// How `q` grows `prev` (both trimmed and lower-cased), if it does.
fn growth(prev: &str, q: &str) -> Option<Growth> {
    let rest = q.strip_prefix(prev)?;
    let k = prev.split_whitespace().count().checked_sub(1)?;
    // Letters typed straight after the previous query extend its last term.
    let added = rest.len() - rest.trim_start_matches(|c: char| !c.is_whitespace()).len();
    Some(Growth { k, added })
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
        self.masks
            .push(pass::mask_of(&self.text.as_bytes()[start..]));
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

    /// The line as bytes: what the pass reads (no char-boundary checks on a million slices).
    fn row_bytes(&self, pos: u32) -> &[u8] {
        let p = pos as usize;
        let start = if p == 0 { 0 } else { self.ends[p - 1] as usize };
        &self.text.as_bytes()[start..self.ends[p] as usize]
    }

    /// Start loading row `pos`'s mask and offsets into cache.
    fn prefetch_offsets(&self, pos: u32) {
        let p = pos as usize;
        if let Some(m) = self.masks.get(p) {
            prefetch(m);
        }
        if let Some(e) = self.ends.get(p.saturating_sub(1)) {
            prefetch(e);
        }
    }

    /// Start loading row `pos`'s text into cache (its offsets should be there already).
    fn prefetch_text(&self, pos: u32) {
        let p = pos as usize;
        let start = if p == 0 { 0 } else { self.ends[p - 1] as usize };
        if let Some(b) = self.text.as_bytes().get(start) {
            prefetch(b);
            // A line is ~90 bytes: it often spans two cache lines.
            if let Some(b) = self.text.as_bytes().get(start + 64) {
                prefetch(b);
            }
        }
    }

    /// The positions of `rows` (an answer of this index), in index order.
    pub fn positions(&self, rows: &Rows) -> Vec<u32> {
        if rows.by_mask == 0 {
            return rows.listed().collect();
        }
        (0u32..)
            .zip(&self.masks)
            .filter(|(_, &m)| m & rows.by_mask == rows.by_mask)
            .map(|(p, _)| p)
            .collect()
    }

    /// A one-letter query: its rows are the lines whose mask holds the letter, so no text is
    /// read and nothing is listed; the first `keep` of them (all rank the same) are scored.
    fn search_letter(&self, q: String, letter: u8, keep: usize, limit: usize) -> Matches {
        let bit = pass::mask_of(&[letter]);
        let mut first = Vec::with_capacity(keep);
        let mut len = 0usize;
        for (p, &m) in (0u32..).zip(&self.masks) {
            if m & bit != 0 {
                if first.len() < keep {
                    first.push((pass::VERBATIM, p));
                }
                len += 1;
            }
        }
        let top = self.precise(&q, first, limit);
        Matches {
            query: q,
            all: Rows {
                chunks: Vec::new(),
                len,
                by_mask: bit,
            },
            top,
            prefixes: Vec::new(),
        }
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
    /// Space-separated terms must all match (as in fzf). One pass over the candidates (split
    /// across cores) tests each row's character mask, then its ordered bytes, and ranks it
    /// cheaply: rows containing a term verbatim, at a word start best. The fuzzy matcher's
    /// precise score then orders only the few hundred best of those, within their rank.
    pub fn search(&self, query: &str, limit: usize, previous: Option<&Matches>) -> Matches {
        let q: String = query.trim().to_lowercase();
        let terms: Vec<&[u8]> = q.split_whitespace().map(str::as_bytes).collect();
        if terms.is_empty() {
            return Matches {
                query: q,
                ..Matches::default()
            };
        }
        let keep = (limit.max(1) * 2).max(200);
        if let [&[letter]] = terms[..] {
            if letter.is_ascii_alphanumeric() {
                return self.search_letter(q.clone(), letter, keep, limit);
            }
        }
        // The nearest answer this query extends: the previous one, or a prefix of it (one
        // that lists its rows).
        let chain: Vec<Level> = previous
            .map(|p| std::iter::once(p.level()).chain(p.prefixes.iter().cloned()))
            .into_iter()
            .flatten()
            .filter(|l| l.all.by_mask == 0 && l.all.chunks.iter().all(|c| c.settled()))
            .collect();
        let found = chain
            .iter()
            .enumerate()
            .find_map(|(i, l)| Some((i, growth(&l.query, &q)?)));
        let narrowed = found.map(|(i, g)| (&chain[i], g));
        // One letter or digit added to a one-term query whose rows are ready: masks only.
        let quick = narrowed
            .filter(|(l, g)| {
                terms.len() == 1
                    && g.k == 0
                    && g.added == 1
                    && l.all.chunks.iter().all(|c| c.ready())
            })
            .and_then(|_| q.as_bytes().last().copied())
            .filter(u8::is_ascii_alphanumeric);
        let plan = Plan::new(terms, narrowed.map(|n| n.1), keep);
        let line = |pos| self.row_bytes(pos);
        let mask = |pos: u32| self.masks[pos as usize];
        let parts = match (quick, narrowed) {
            (Some(b), Some((p, _))) => pass::parallel(p.all.chunks.len(), p.all.len(), |i| {
                let c = &p.all.chunks[i];
                plan.run_next(i, (&c.pos, &c.carry, &c.next), b)
            }),
            (None, Some((p, _))) => pass::parallel(p.all.chunks.len(), p.all.len(), |i| {
                let c = &p.all.chunks[i];
                let rows = c.pos.iter().copied();
                // Rows left after a few keystrokes are scattered over the index, where the
                // hardware cannot guess the next one: each would wait on memory (~200 ns a row
                // for `thinkpad h`). Their offsets are fetched 16 rows ahead, text 8 ahead.
                let ahead = |k: usize| {
                    if let Some(&far) = c.pos.get(k + 16) {
                        self.prefetch_offsets(far);
                    }
                    if let Some(&near) = c.pos.get(k + 8) {
                        self.prefetch_text(near);
                    }
                };
                plan.run(
                    i,
                    rows.zip(c.carry.iter().map(|&c| Some(c))),
                    line,
                    mask,
                    ahead,
                )
            }),
            (_, None) => {
                let n = self.ids.len();
                pass::parallel(n.div_ceil(CHUNK_ROWS), n, |i| {
                    let rows = (i * CHUNK_ROWS) as u32..((i + 1) * CHUNK_ROWS).min(n) as u32;
                    // Every row in order: the hardware prefetches that by itself.
                    plan.run(i, rows.map(|p| (p, None)), line, mask, |_| {})
                })
            }
        };
        let mut all = Rows::default();
        let mut cheap = Vec::new();
        for p in parts {
            cheap.extend(p.ranked);
            if p.all.is_empty() {
                continue;
            }
            all.len += p.all.len();
            let (mut pos, mut carry) = (p.all, p.carry);
            // Sized for every candidate: give back what a narrow query left unused.
            if pos.len() * 2 < pos.capacity() {
                pos.shrink_to_fit();
                carry.shrink_to_fit();
            }
            all.chunks.push(Arc::new(Chunk {
                pos,
                carry,
                next: Vec::new(),
                pending: quick,
            }));
        }
        pass::best_first(&mut cheap, keep);
        let top = self.precise(&q, cheap, limit);
        // This answer's prefixes: the one it narrowed from (unless it is the same query) and
        // that one's own, longest first, the shortest (and largest) dropped past the bound.
        let mut prefixes: Vec<Level> = match found {
            Some((i, _)) if chain[i].query == q => chain[i + 1..].to_vec(),
            Some((i, _)) => chain[i..].to_vec(),
            None => Vec::new(),
        };
        let mut bytes = all.bytes();
        let kept = prefixes
            .iter()
            .take_while(|l| {
                bytes += l.all.bytes();
                bytes <= PREFIX_BYTES
            })
            .count();
        prefixes.truncate(kept);
        Matches {
            query: q,
            all,
            top,
            prefixes,
        }
    }

    /// Make a one-term answer `m` ready for a next keystroke that adds a letter or digit to
    /// read no text (see `pass::Next`): the search thread runs this after the answer is drawn,
    /// while the next key is on its way. `stop` says a keystroke is waiting: the chunks not yet
    /// done are left, and the answer is then searched past rather than narrowed from.
    pub fn prepare(&self, m: &mut Matches, stop: &(dyn Fn() -> bool + Sync)) {
        if m.prepared() {
            return;
        }
        let term = m.query.as_bytes();
        let row =
            |p: u32, c: Carry, pending| pass::prepare_row(self.row_bytes(p), term, c, pending);
        if m.all.by_mask != 0 {
            let bit = m.all.by_mask;
            let n = self.ids.len();
            let chunks = pass::parallel(n.div_ceil(CHUNK_ROWS), n, |i| {
                if stop() {
                    return None;
                }
                let mut c = Chunk::default();
                for p in (i * CHUNK_ROWS) as u32..((i + 1) * CHUNK_ROWS).min(n) as u32 {
                    if p % 4096 == 0 && stop() {
                        return None;
                    }
                    if self.masks[p as usize] & bit == bit {
                        let (carry, next) = row(p, Carry::UNKNOWN, None);
                        c.pos.push(p);
                        c.carry.push(carry);
                        c.next.push(next);
                    }
                }
                Some(c)
            });
            if let Some(chunks) = chunks.into_iter().collect::<Option<Vec<Chunk>>>() {
                m.all.chunks = chunks
                    .into_iter()
                    .filter(|c| !c.pos.is_empty())
                    .map(Arc::new)
                    .collect();
                m.all.by_mask = 0;
            }
            return;
        }
        let done = pass::parallel(m.all.chunks.len(), m.all.len(), |i| {
            let c = &m.all.chunks[i];
            if c.ready() || stop() {
                return None;
            }
            let mut carry = Vec::with_capacity(c.pos.len());
            let mut next = Vec::with_capacity(c.pos.len());
            for (k, (&p, &was)) in c.pos.iter().zip(&c.carry).enumerate() {
                if k % 4096 == 4095 && stop() {
                    return None;
                }
                let (a, b) = row(p, was, c.pending);
                carry.push(a);
                next.push(b);
            }
            Some((carry, next))
        });
        for (c, made) in m.all.chunks.iter_mut().zip(done) {
            if let Some((carry, next)) = made {
                let c = Arc::make_mut(c);
                c.carry = carry;
                c.next = next;
                c.pending = None;
            }
        }
    }

    /// The best `limit` of the cheaply ranked rows: by rank, then the fuzzy score.
    fn precise(&self, q: &str, cheap: Vec<(u32, u32)>, limit: usize) -> Vec<(i64, i64)> {
        // nucleo-matcher scores a line 3-4x faster than fuzzy-matcher here (benches/search.rs),
        // which matters for long queries: the cost grows with query length times line length.
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let pattern = Pattern::parse(q, CaseMatching::Respect, Normalization::Never);
        let mut buf = Vec::new();
        let mut scored: Vec<(i64, u32)> = cheap
            .iter()
            .map(|&(c, pos)| {
                let line = nucleo_matcher::Utf32Str::new(self.row(pos), &mut buf);
                let precise = pattern.score(line, &mut matcher).map_or(0, i64::from);
                (i64::from(c) * TIER + precise, pos)
            })
            .collect();
        // Best score first; ties keep index (tag) order so results are stable between keystrokes.
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(limit);
        scored
            .into_iter()
            .map(|(s, pos)| (self.id_at(pos), s))
            .collect()
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
        assert_eq!(idx.positions(&m.all), vec![0]);
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

    /// The cheap rank a row gets, computed the slow and obvious way.
    fn naive_rank(row: &str, terms: &[&str]) -> i64 {
        if terms.len() == 1 && terms[0].len() == 1 && terms[0].as_bytes()[0].is_ascii_alphanumeric()
        {
            return 100;
        }
        let starts_word =
            |i: usize| i == 0 || matches!(row.as_bytes()[i - 1], b' ' | b'-' | b'_' | b'/' | b'.');
        terms
            .iter()
            .map(|t| {
                let at: Vec<usize> = (0..row.len())
                    .filter(|&i| row[i..].starts_with(t))
                    .collect();
                if at.iter().any(|&i| starts_word(i)) {
                    150
                } else if at.is_empty() {
                    0
                } else {
                    100
                }
            })
            .sum()
    }

    fn is_subsequence(row: &str, t: &str) -> bool {
        let mut it = row.bytes();
        t.bytes().all(|b| it.any(|x| x == b))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Typing a query one key at a time, narrowing at each, chooses exactly what a full
        /// search chooses; every matching row is found; and no row holding more of the typed
        /// text verbatim is left out for one holding less.
        #[test]
        fn narrowing_chooses_what_a_full_search_chooses(
            rows in proptest::collection::vec("[abc1 .-]{0,24}", 1..300),
            typed in "[abc1 ]{1,8}",
            limit in 1usize..12,
            prepared in proptest::collection::vec(proptest::bool::ANY, 16),
        ) {
            let mut idx = Index::default();
            for (i, r) in rows.iter().enumerate() {
                idx.push(i as i64 + 1, r);
            }
            let mut prev: Option<Matches> = None;
            // Typed one key at a time, then taken back one key at a time (backspace).
            let ends = (1..=typed.len()).chain((1..typed.len()).rev());
            for end in ends {
                let q = &typed[..end];
                let narrowed = idx.search(q, limit, prev.as_ref());
                let full = idx.search(q, limit, None);
                proptest::prop_assert_eq!(&narrowed, &full, "query {:?}", q);
                let terms: Vec<&str> = q.split_whitespace().collect();
                let naive: Vec<u32> = (0..rows.len() as u32)
                    .filter(|&p| !terms.is_empty() && terms.iter().all(|t| is_subsequence(&rows[p as usize], t)))
                    .collect();
                proptest::prop_assert_eq!(&idx.positions(&full.all), &naive, "query {:?}", q);
                proptest::prop_assert_eq!(full.top.len(), limit.min(naive.len()));
                let rank_of = |id: i64| naive_rank(&rows[id as usize - 1], &terms);
                for (id, score) in &full.top {
                    proptest::prop_assert_eq!(score / TIER, rank_of(*id), "rank of row {}", id);
                }
                if let Some(worst) = full.top.iter().map(|t| rank_of(t.0)).min() {
                    let shown: std::collections::HashSet<i64> = full.top.iter().map(|t| t.0).collect();
                    let best_left = naive.iter().map(|&p| idx.id_at(p)).filter(|id| !shown.contains(id)).map(rank_of).max();
                    proptest::prop_assert!(best_left.is_none_or(|b| b <= worst), "query {:?}: a better row was left out", q);
                }
                // The search thread prepares each answer after drawing it (not always: a
                // keystroke may come first); a prepared answer must narrow to the same rows.
                let mut narrowed = narrowed;
                if prepared[end % 16] {
                    idx.prepare(&mut narrowed, &|| false);
                    proptest::prop_assert_eq!(idx.positions(&narrowed.all), naive, "prepared {:?}", q);
                }
                prev = Some(narrowed);
            }
        }
    }

    #[test]
    fn a_row_holding_the_typed_text_ranks_above_scattered_hits() {
        let mut idx = Index::default();
        // Scattered: t(hinkpad) ... novak; the exact username comes later in tag order.
        idx.push(1, "IT-1 ThinkPad T14 inovak Ingrid Novak HQ-101");
        idx.push(2, "IT-2 Latitude 7440 tnovak Tomasz Novak HQ-201");
        idx.push(3, "IT-3 tnovakowski T Novakowski WH-01");
        let ids: Vec<i64> = idx
            .search("tnovak", 10, None)
            .top
            .iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(ids.len(), 3);
        assert_eq!(ids[2], 1, "{ids:?}");
    }

    #[test]
    fn manufacturer_and_category_are_searched() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db"), &Default::default()).unwrap();
        crate::demo::generate(&mut store, 40, 1).unwrap();
        let idx = Index::build(&store).unwrap();
        for (query, field) in [("lenovo", "manufacturer"), ("laptop", "category")] {
            let m = idx.search(query, 100, None);
            assert!(!m.top.is_empty(), "{field} {query}");
            for (id, _) in m.top.iter().take(5) {
                let a = store.asset_by_id(*id).unwrap();
                let v = if field == "manufacturer" {
                    a.manufacturer
                } else {
                    a.category
                };
                assert_eq!(v.map(|s| s.to_lowercase()).as_deref(), Some(query));
            }
        }
    }

    #[test]
    fn highlight_positions() {
        assert_eq!(highlight("Latitude", "ltt"), Some(vec![0, 2, 4]));
        assert_eq!(highlight("Latitude", "zz"), None);
    }
}
