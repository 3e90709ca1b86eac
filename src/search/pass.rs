//! One pass of a query over candidate rows: the subsequence filter and the cheap rank, done
//! together while a row's bytes are in cache, split across cores.
//!
//! Each row that matches leaves a [`Carry`] for the next keystroke. A query that grows its
//! last term only has to look past where that term's greedy match ended (a leftmost greedy
//! match is the earliest possible end, so the longer term matches iff its added bytes occur
//! in order after it), and a term with no verbatim occurrence cannot gain one by growing, so
//! its rank stays 0 without reading the row again.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A tail not computed (the one-letter query reads no text, or the line is very long).
const NO_TAIL: u16 = u16::MAX;
const NO_FIXED: u16 = u16::MAX;
const NO_LAST: u8 = u8::MAX;

/// A term found verbatim, and the bonus when that starts a word.
pub(super) const VERBATIM: u32 = 100;
pub(super) const WORD_START: u32 = 50;
/// The best a term can rank in [`cheap_score`].
const TOP_RANK: u32 = VERBATIM + WORD_START;

/// What the next, longer query can reuse of one matching row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Carry {
    /// Just past the greedy match of the last term in the row, or [`NO_TAIL`].
    tail: u16,
    /// Cheap rank of the terms before the last, or [`NO_FIXED`].
    fixed: u16,
    /// Cheap rank of the last term, or [`NO_LAST`].
    last: u8,
}

impl Carry {
    pub(super) const UNKNOWN: Carry = Carry {
        tail: NO_TAIL,
        fixed: NO_FIXED,
        last: NO_LAST,
    };
}

/// The class bit of a lower-case byte: a–z and 0–9 each have their own; others share 28 bits.
const fn class_bit_of(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 1 << (36 + b % 28),
    }
}

/// [`class_bit_of`] of every byte, looked up rather than worked out: a mask is one load and
/// one or a byte (the answers prepared for the next keystroke take the mask of most of a
/// million lines).
const CLASS_BITS: [u64; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = class_bit_of(b as u8);
        b += 1;
    }
    t
};

#[inline(always)]
fn class_bit(b: u8) -> u64 {
    CLASS_BITS[usize::from(b)]
}

pub(super) fn mask_of(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |m, &b| m | class_bit(b))
}

/// Where the leftmost greedy match of `needle` in `hay[from..]` ends (one past its last
/// byte), if `needle` is an ordered subsequence there.
fn greedy_end(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    for &b in needle {
        at = find_byte(hay, b, at)? + 1;
    }
    Some(at)
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes of `s` from `at` as one little-endian word (one load).
#[inline(always)]
fn word(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Which bytes of `w` equal the byte repeated in `pattern`: the lowest set high bit marks the
/// first (higher ones may be false, after a true one).
#[inline(always)]
fn equal_bytes(w: u64, pattern: u64) -> u64 {
    let x = w ^ pattern;
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS
}

/// The first `b` in `hay[from..]`. A row is ~90 bytes and the byte sought is usually a few
/// bytes past `from`: memchr's dispatch and its set-up for short slices cost more than the
/// search itself (45% of a keystroke's time in the profile), so this is inline and plain.
#[inline(always)]
fn find_byte(hay: &[u8], b: u8, from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    return find_byte_sse2(hay, b, from);
    #[cfg(not(target_arch = "x86_64"))]
    return find_byte_swar(hay, b, from);
}

/// [`find_byte`] sixteen bytes at a time with SSE2, which every x86_64 CPU has: a byte absent
/// from a line's rest (the common case for a dense keystroke's later letters) is ruled out in
/// six steps instead of eleven, each a compare and a mask.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn find_byte_sse2(hay: &[u8], b: u8, from: usize) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let n = hay.len();
    if n < 16 {
        return find_byte_swar(hay, b, from);
    }
    // Which of the sixteen bytes of `hay` from `at` (at + 16 <= n) equal `b`, one bit each.
    let hits = |at: usize| -> u32 {
        let chunk = &hay[at..at + 16];
        // SAFETY: SSE2 is part of the x86_64 baseline; the load reads the sixteen bytes of
        // `chunk`, unaligned loads being allowed.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u32
        }
    };
    let mut at = from;
    while at + 16 <= n {
        let m = hits(at);
        if m != 0 {
            return Some(at + m.trailing_zeros() as usize);
        }
        at += 16;
    }
    if at >= n {
        return None;
    }
    // The last sixteen bytes, shifted so that bit 0 is `at`; bits past the end are zero.
    let m = hits(n - 16) >> (16 - (n - at));
    (m != 0).then(|| at + m.trailing_zeros() as usize)
}

/// [`find_byte`] eight bytes at a time in a plain word, for any CPU.
#[inline(always)]
fn find_byte_swar(hay: &[u8], b: u8, from: usize) -> Option<usize> {
    let n = hay.len();
    let pattern = LOW_BITS * u64::from(b);
    let mut at = from;
    while at + 8 <= n {
        let z = equal_bytes(word(hay, at), pattern);
        if z != 0 {
            return Some(at + (z.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    if at >= n {
        return None;
    }
    let rest = n - at;
    if n >= 8 {
        // The last eight bytes, shifted so that `at` is the lowest; the bytes shifted in are
        // zero and only count when below `rest`.
        let z = equal_bytes(word(hay, n - 8) >> ((8 - rest) * 8), pattern);
        let i = (z.trailing_zeros() / 8) as usize;
        return (i < rest).then_some(at + i);
    }
    hay[at..].iter().position(|&x| x == b).map(|i| at + i)
}

/// Whether position `i` of `row` starts a word.
fn word_start(row: &[u8], i: usize) -> bool {
    i == 0 || matches!(row[i - 1], b' ' | b'-' | b'_' | b'/' | b'.')
}

/// Call `f` with each place `term` occurs in `row`, overlapping ones too, until it says stop.
/// A line is short and a term is typed: finding its first byte and comparing the rest costs
/// less than a substring searcher's set-up for each occurrence.
fn each_occurrence(row: &[u8], term: &[u8], mut f: impl FnMut(usize) -> bool) {
    let Some((&first, rest)) = term.split_first() else {
        return;
    };
    let mut from = 0;
    while let Some(i) = find_byte(row, first, from) {
        // Compared byte by byte: a library compare of a few bytes (or none) costs more.
        let after = &row[i + 1..];
        let here = after.len() >= rest.len() && rest.iter().zip(after).all(|(a, b)| a == b);
        if here && !f(i) {
            return;
        }
        from = i + 1;
    }
}

/// 100 when the term occurs verbatim, 150 when an occurrence starts a word: typed text beats
/// scattered hits.
fn cheap_score(row: &[u8], term: &[u8]) -> u32 {
    let mut rank = 0;
    each_occurrence(row, term, |i| {
        rank = if word_start(row, i) {
            TOP_RANK
        } else {
            VERBATIM
        };
        rank != TOP_RANK
    });
    rank
}

/// What a row matching a one-term query knows for the keystroke that adds one letter or digit
/// to the term: which bytes occur after the term's greedy match (the longer term matches iff
/// its new byte is among them), and which follow a verbatim occurrence of the term, one that
/// starts a word or any (the longer term's rank). So that keystroke reads no text at all; this
/// is computed after the answer is drawn, while the user lifts a finger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Next {
    after: u64,
    follow: u64,
    follow_word: u64,
}

/// A row of a one-term query's answer made ready for [`Plan::run_next`]: its tail moved past
/// `pending` (the byte the answer added without reading text) or found (when unknown), its
/// rank and its [`Next`]. `term` is the whole term.
pub(super) fn prepare_row(row: &[u8], term: &[u8], c: Carry, pending: Option<u8>) -> (Carry, Next) {
    let moved = match pending {
        Some(b) if c.tail != NO_TAIL => find_byte(row, b, c.tail as usize).map(|i| i + 1),
        None if c.tail != NO_TAIL => Some(c.tail as usize),
        _ => None,
    };
    // The row matched, so the greedy match exists; from the start if the tail was not kept.
    let end = moved.or_else(|| greedy_end(row, term, 0));
    debug_assert!(end.is_some(), "a row of the answer matches its query");
    let end = end.unwrap_or(row.len());
    let (rank, next) = next_of(row, term, end);
    let carry = Carry {
        tail: u16::try_from(end).unwrap_or(NO_TAIL),
        fixed: 0,
        last: rank as u8,
    };
    (carry, next)
}

/// The rank of the one-term query's row (see [`cheap_score`]) and its [`Next`], the greedy
/// match of the term (`len` bytes long) ending at `end`.
fn next_of(row: &[u8], term: &[u8], end: usize) -> (u32, Next) {
    let len = term.len();
    let mut n = Next {
        after: mask_of(row.get(end..).unwrap_or_default()),
        ..Next::default()
    };
    let mut rank = 0;
    each_occurrence(row, term, |i| {
        let ws = word_start(row, i);
        rank = rank.max(if ws { TOP_RANK } else { VERBATIM });
        if let Some(&b) = row.get(i + len) {
            n.follow |= class_bit(b);
            if ws {
                n.follow_word |= class_bit(b);
            }
        }
        true
    });
    (rank, n)
}

/// How this query grows the previous one: its term `k` extends the previous last term by
/// `added` bytes, and any terms after `k` are new.
#[derive(Debug, Clone, Copy)]
pub(super) struct Growth {
    pub k: usize,
    pub added: usize,
}

/// A query made ready for the pass.
pub(super) struct Plan<'q> {
    terms: Vec<&'q [u8]>,
    need: u64,
    growth: Option<Growth>,
    keep: usize,
    /// The first chunk known to hold `keep` rows at the highest rank: rows of any later chunk
    /// can only tie those and lose on position, so later chunks stop ranking (usize::MAX: none).
    ranked_by: AtomicUsize,
}

/// What one part of the candidates gave: matching positions and their carries (in order),
/// and the best `keep` of them by cheap rank, as (rank, position).
#[derive(Default)]
pub(super) struct Part {
    pub all: Vec<u32>,
    pub carry: Vec<Carry>,
    pub ranked: Vec<(u32, u32)>,
}

impl<'q> Plan<'q> {
    pub fn new(terms: Vec<&'q [u8]>, growth: Option<Growth>, keep: usize) -> Plan<'q> {
        let need = terms.iter().fold(0, |m, t| m | mask_of(t));
        Plan {
            terms,
            need,
            growth,
            keep: keep.max(1),
            ranked_by: AtomicUsize::new(usize::MAX),
        }
    }

    /// The carry of a row that matches the whole query from scratch, or None.
    fn test_full(&self, row: &[u8]) -> Option<Carry> {
        let mut tail = 0;
        for t in &self.terms {
            tail = greedy_end(row, t, 0)?;
        }
        Some(Carry {
            tail: u16::try_from(tail).unwrap_or(NO_TAIL),
            ..Carry::UNKNOWN
        })
    }

    /// The carry of a row that matched the previous query (`c`), if it matches this one.
    /// Terms before `g.k` are unchanged and already known to match.
    fn test_grown(&self, row: &[u8], c: Carry, g: Growth) -> Option<Carry> {
        let m = self.terms.len();
        let tk = self.terms[g.k];
        let mut tail = if g.added == 0 {
            c.tail
        } else if c.tail == NO_TAIL {
            u16::try_from(greedy_end(row, tk, 0)?).unwrap_or(NO_TAIL)
        } else {
            let t = greedy_end(row, &tk[tk.len() - g.added..], c.tail as usize)?;
            u16::try_from(t).unwrap_or(NO_TAIL)
        };
        for t in &self.terms[g.k + 1..] {
            tail = u16::try_from(greedy_end(row, t, 0)?).unwrap_or(NO_TAIL);
        }
        // A term with no verbatim occurrence has none once longer; otherwise rank again.
        let grown_last = match (g.added, c.last) {
            (0, l) => l,
            (_, 0) => 0,
            _ => NO_LAST,
        };
        Some(if g.k + 1 == m {
            Carry {
                tail,
                fixed: c.fixed,
                last: grown_last,
            }
        } else {
            // Term k now comes before the last: it joins the fixed rank when both are known
            // and only it does (one space and a letter typed); otherwise ranked afresh.
            let fixed = if g.k + 2 == m && c.fixed != NO_FIXED && grown_last != NO_LAST {
                c.fixed
                    .checked_add(u16::from(grown_last))
                    .unwrap_or(NO_FIXED)
            } else {
                NO_FIXED
            };
            Carry {
                tail,
                fixed,
                last: NO_LAST,
            }
        })
    }

    /// The cheap rank of a matching row, filling in what its carry does not know.
    fn rank(&self, row: &[u8], c: &mut Carry) -> u32 {
        let (before, last) = self.terms.split_at(self.terms.len() - 1);
        if c.fixed == NO_FIXED {
            let f: u32 = before.iter().map(|t| cheap_score(row, t)).sum();
            // Queries of hundreds of terms simply rank again each time.
            c.fixed = u16::try_from(f)
                .ok()
                .filter(|&f| f != NO_FIXED)
                .unwrap_or(NO_FIXED);
            if c.fixed == NO_FIXED {
                return f + last.iter().map(|t| cheap_score(row, t)).sum::<u32>();
            }
        }
        if c.last == NO_LAST {
            c.last = last.iter().map(|t| cheap_score(row, t)).sum::<u32>() as u8;
        }
        u32::from(c.fixed) + u32::from(c.last)
    }

    fn highest(&self) -> u32 {
        TOP_RANK * self.terms.len() as u32
    }

    /// Test and rank `rows` (positions with their previous carry when narrowing), calling
    /// `ahead` with each row's number first (to prefetch what later rows will read). Ranking
    /// stops once `keep` rows have the highest rank there is: the part's best `keep` are
    /// then those, the earliest, exactly as if every row had been ranked. It also stops (and
    /// the part ranks nothing) once an earlier `chunk` has done so: the best `keep` overall are
    /// then none of this part's rows. Chunks must hold ascending positions in chunk order.
    pub fn run<'r>(
        &self,
        chunk: usize,
        rows: impl Iterator<Item = (u32, Option<Carry>)>,
        line: impl Fn(u32) -> &'r [u8],
        mask: impl Fn(u32) -> u64,
        mut ahead: impl FnMut(usize),
    ) -> Part {
        // Sized for every row matching, so the vectors never grow (and copy) on the way.
        let mut part = Part::with_capacity(rows.size_hint().0);
        let mut ranker = Ranker::new(self, chunk);
        for (k, (pos, prev)) in rows.enumerate() {
            ahead(k);
            // Dead lines have an empty mask, and no query's is empty.
            if mask(pos) & self.need != self.need {
                continue;
            }
            let row = line(pos);
            let carry = match (prev, self.growth) {
                (Some(c), Some(g)) => self.test_grown(row, c, g),
                _ => self.test_full(row),
            };
            let Some(mut carry) = carry else { continue };
            if ranker.wanted(&mut part) {
                let r = self.rank(row, &mut carry);
                ranker.add(&mut part, r, pos);
            }
            part.all.push(pos);
            part.carry.push(carry);
        }
        best_first(&mut part.ranked, self.keep);
        part
    }

    /// [`Plan::run`] for a one-term query that adds the letter or digit `b` to the term of the
    /// rows given (positions, carries and their [`Next`]): matching and rank come from the
    /// masks, no text is read. The carries' tails stay before `b` until [`next_of`] is taken.
    pub fn run_next(&self, chunk: usize, rows: (&[u32], &[Carry], &[Next]), b: u8) -> Part {
        let bit = class_bit(b);
        let (pos, carries, next) = rows;
        let mut part = Part::with_capacity(pos.len());
        let mut ranker = Ranker::new(self, chunk);
        for ((&p, &c), n) in pos.iter().zip(carries).zip(next) {
            if n.after & bit == 0 {
                continue;
            }
            let last = if n.follow_word & bit != 0 {
                TOP_RANK
            } else if n.follow & bit != 0 {
                VERBATIM
            } else {
                0
            };
            if ranker.wanted(&mut part) {
                ranker.add(&mut part, last, p);
            }
            part.all.push(p);
            part.carry.push(Carry {
                tail: c.tail,
                fixed: c.fixed,
                last: last as u8,
            });
        }
        best_first(&mut part.ranked, self.keep);
        part
    }
}

impl Part {
    fn with_capacity(most: usize) -> Part {
        Part {
            all: Vec::with_capacity(most),
            carry: Vec::with_capacity(most),
            ranked: Vec::new(),
        }
    }
}

/// A part's ranking as rows arrive: it stops once `keep` rows have the highest rank there is
/// (the part's best `keep` are then those, the earliest, exactly as if every row had been
/// ranked), or once an earlier chunk has done so (the best `keep` overall are then none of this
/// part's rows). Chunks hold ascending positions in chunk order.
struct Ranker<'p, 'q> {
    plan: &'p Plan<'q>,
    chunk: usize,
    highest: u32,
    at_highest: usize,
    on: bool,
}

impl<'p, 'q> Ranker<'p, 'q> {
    fn new(plan: &'p Plan<'q>, chunk: usize) -> Self {
        Ranker {
            plan,
            chunk,
            highest: plan.highest(),
            at_highest: 0,
            on: true,
        }
    }

    /// Whether the next row is still worth ranking.
    fn wanted(&mut self, part: &mut Part) -> bool {
        if self.on && self.plan.ranked_by.load(Ordering::Relaxed) < self.chunk {
            self.on = false;
            part.ranked.clear();
        }
        self.on
    }

    fn add(&mut self, part: &mut Part, r: u32, pos: u32) {
        let keep = self.plan.keep;
        part.ranked.push((r, pos));
        if r == self.highest {
            self.at_highest += 1;
            if self.at_highest == keep {
                part.ranked.retain(|x| x.0 == self.highest);
                self.on = false;
                self.plan.ranked_by.fetch_min(self.chunk, Ordering::Relaxed);
            }
        }
        // Bound the memory of a broad query: only the best `keep` can be wanted.
        if self.on && part.ranked.len() >= 4 * keep {
            best_first(&mut part.ranked, keep);
        }
    }
}

/// Keep the `keep` best (rank, position) pairs: higher rank first, then the earlier row.
pub(super) fn best_first(ranked: &mut Vec<(u32, u32)>, keep: usize) {
    if ranked.len() > keep {
        ranked.select_nth_unstable_by(keep - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(keep);
    }
}

/// Run `f` on each of the chunks `0..chunks`, on every core, each taking the next chunk not yet
/// taken (so a core that drew dense chunks does not hold the answer up); the results in chunk
/// order. `rows` (their total size) below a threshold runs on the calling thread alone.
pub(super) fn parallel<T: Send, F>(chunks: usize, rows: usize, f: F) -> Vec<T>
where
    F: Fn(usize) -> T + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(2, |t| t.get())
        .clamp(1, 8)
        .min(chunks);
    // Below this, starting a thread costs more than it saves. Tests split small indexes too,
    // so that their chunks and the early stops within chunks are exercised.
    let min_rows = if cfg!(test) { 16 } else { 50_000 };
    if rows < min_rows || threads <= 1 {
        return (0..chunks).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= chunks {
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut out: Vec<(usize, T)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        // The calling thread works too rather than waiting idle.
        let mut out = work();
        for h in helpers {
            // A helper only fails if the pass panicked: its chunks are then missing, so run
            // them here (a panic again then reaches the caller).
            if let Ok(done) = h.join() {
                out.extend(done);
            }
        }
        out
    });
    out.sort_unstable_by_key(|x| x.0);
    if out.len() < chunks {
        let have: Vec<usize> = out.iter().map(|x| x.0).collect();
        for i in (0..chunks).filter(|i| have.binary_search(i).is_err()) {
            out.push((i, f(i)));
        }
        out.sort_unstable_by_key(|x| x.0);
    }
    out.into_iter().map(|x| x.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_byte_finds_the_first_at_or_after() {
        let hay: Vec<u8> = (0..40u8).map(|i| b'a' + i % 7).collect();
        for len in 0..hay.len() {
            let h = &hay[..len];
            for from in 0..=len + 1 {
                for b in [b'a', b'c', b'g', b'z', 0, 0x80, 0xff] {
                    let naive = h
                        .get(from..)
                        .and_then(|s| s.iter().position(|&x| x == b))
                        .map(|i| from + i);
                    assert_eq!(find_byte(h, b, from), naive, "{len} {from} {b}");
                    assert_eq!(find_byte_swar(h, b, from), naive, "{len} {from} {b}");
                }
            }
        }
        // Bytes just below and above the one sought, and 0x80/0x00 neighbours, are not it.
        let tricky = [
            0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x61, 0x60, 0x62, 0x00,
        ];
        for b in 0..=255u8 {
            let naive = tricky.iter().position(|&x| x == b);
            assert_eq!(find_byte(&tricky, b, 0), naive, "{b}");
            assert_eq!(find_byte_swar(&tricky, b, 0), naive, "{b}");
        }
    }

    #[test]
    fn greedy_end_is_the_earliest_end() {
        assert_eq!(greedy_end(b"abcabc", b"ac", 0), Some(3));
        assert_eq!(greedy_end(b"abcabc", b"c", 3), Some(6));
        assert_eq!(greedy_end(b"abcabc", b"cc", 3), None);
        assert_eq!(greedy_end(b"abc", b"", 3), Some(3));
        assert_eq!(greedy_end(b"abc", b"a", 9), None);
    }

    /// The best `keep` of every chunk's ranked rows, with chunks run in `order`.
    fn best_of_chunks(
        lines: &[&[u8]],
        terms: &[&[u8]],
        keep: usize,
        order: &[usize],
    ) -> Vec<(u32, u32)> {
        let plan = Plan::new(terms.to_vec(), None, keep);
        let chunk_rows = 4;
        let mut ranked = Vec::new();
        for &i in order {
            let rows = (i * chunk_rows) as u32..((i + 1) * chunk_rows).min(lines.len()) as u32;
            let part = plan.run(
                i,
                rows.map(|p| (p, None)),
                |p| lines[p as usize],
                |p| mask_of(lines[p as usize]),
                |_| {},
            );
            ranked.extend(part.ranked);
        }
        best_first(&mut ranked, keep);
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Chunks that stop ranking (their own `keep` rows at the highest rank, or an earlier
        /// chunk's) leave the best `keep` overall as ranking every row would, in any order the
        /// chunks are run.
        #[test]
        fn stopping_ranking_early_keeps_the_same_best(
            lines in proptest::collection::vec("[ab .]{0,12}", 1..60),
            term in "[ab]{1,3}",
            keep in 1usize..6,
            reverse in proptest::bool::ANY,
        ) {
            let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
            let chunks = lines.len().div_ceil(4);
            let mut order: Vec<usize> = (0..chunks).collect();
            if reverse {
                order.reverse();
            }
            let terms = [term.as_bytes()];
            let early = best_of_chunks(&lines, &terms, keep, &order);
            let every = best_of_chunks(&lines, &terms, usize::MAX / 8, &order);
            let every: Vec<(u32, u32)> = every.into_iter().take(keep).collect();
            proptest::prop_assert_eq!(early, every);
        }
    }
}
