//! One pass of a query over candidate rows: the subsequence filter and the cheap rank, done
//! together while a row's bytes are in cache, split across cores.
//!
//! Each row that matches leaves a [`Carry`] for the next keystroke. A query that grows its
//! last term only has to look past where that term's greedy match ended (a leftmost greedy
//! match is the earliest possible end, so the longer term matches iff its added bytes occur
//! in order after it), and a term with no verbatim occurrence cannot gain one by growing, so
//! its rank stays 0 without reading the row again.

use memchr::memmem::Finder;

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
    const UNKNOWN: Carry = Carry {
        tail: NO_TAIL,
        fixed: NO_FIXED,
        last: NO_LAST,
    };
}

/// The class bit of a lower-case byte: a–z and 0–9 each have their own; others share 28 bits.
fn class_bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 1 << (36 + b % 28),
    }
}

pub(super) fn mask_of(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |m, &b| m | class_bit(b))
}

/// Where the leftmost greedy match of `needle` in `hay[from..]` ends (one past its last
/// byte), if `needle` is an ordered subsequence there. memchr jumps to each byte.
fn greedy_end(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    for &b in needle {
        at += memchr::memchr(b, hay.get(at..)?)? + 1;
    }
    Some(at)
}

/// 100 when the term occurs verbatim, 150 when its first occurrence starts a word: typed
/// text beats scattered hits.
fn cheap_score(row: &[u8], term: &Finder<'_>) -> u32 {
    match term.find(row) {
        Some(i) if i == 0 || matches!(row[i - 1], b' ' | b'-' | b'_' | b'/' | b'.') => TOP_RANK,
        Some(_) => VERBATIM,
        None => 0,
    }
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
    finders: Vec<Finder<'q>>,
    need: u64,
    /// One letter or digit: the mask alone is exact, and its rank is taken as the same
    /// everywhere (the next keystroke ranks properly). Its tail is still found: one memchr
    /// that usually stops within a few bytes, which spares the second keystroke (the costliest,
    /// since it still sees most rows) from starting at the beginning of every line.
    mask_only: bool,
    growth: Option<Growth>,
    keep: usize,
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
        let mask_only =
            terms.len() == 1 && terms[0].len() == 1 && terms[0][0].is_ascii_alphanumeric();
        let finders = terms.iter().map(|t: &&'q [u8]| Finder::new(*t)).collect();
        Plan {
            terms,
            finders,
            need,
            mask_only,
            growth,
            keep: keep.max(1),
        }
    }

    /// The carry of a row that matches the whole query from scratch, or None.
    fn test_full(&self, row: &[u8]) -> Option<Carry> {
        if self.mask_only {
            let tail = memchr::memchr(self.terms[0][0], row)
                .map_or(NO_TAIL, |i| u16::try_from(i + 1).unwrap_or(NO_TAIL));
            return Some(Carry {
                tail,
                ..Carry::UNKNOWN
            });
        }
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
        if self.mask_only {
            return VERBATIM;
        }
        let (before, last) = self.finders.split_at(self.finders.len() - 1);
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
        if self.mask_only {
            VERBATIM
        } else {
            TOP_RANK * self.terms.len() as u32
        }
    }

    /// Test and rank `rows` (positions with their previous carry when narrowing). Ranking
    /// stops once `keep` rows have the highest rank there is: the part's best `keep` are
    /// then those, the earliest, exactly as if every row had been ranked.
    pub fn run<'r>(
        &self,
        rows: impl Iterator<Item = (u32, Option<Carry>)>,
        line: impl Fn(u32) -> &'r [u8],
        mask: impl Fn(u32) -> u64,
    ) -> Part {
        let highest = self.highest();
        let mut part = Part::default();
        let mut at_highest = 0usize;
        let mut ranking = true;
        for (pos, prev) in rows {
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
            if ranking {
                let r = self.rank(row, &mut carry);
                part.ranked.push((r, pos));
                if r == highest {
                    at_highest += 1;
                    if at_highest == self.keep {
                        part.ranked.retain(|x| x.0 == highest);
                        ranking = false;
                    }
                }
                // Bound the memory of a broad query: only the best `keep` can be wanted.
                if ranking && part.ranked.len() >= 4 * self.keep {
                    best_first(&mut part.ranked, self.keep);
                }
            }
            part.all.push(pos);
            part.carry.push(carry);
        }
        best_first(&mut part.ranked, self.keep);
        part
    }
}

/// Keep the `keep` best (rank, position) pairs: higher rank first, then the earlier row.
pub(super) fn best_first(ranked: &mut Vec<(u32, u32)>, keep: usize) {
    if ranked.len() > keep {
        ranked.select_nth_unstable_by(keep - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(keep);
    }
}

/// Run `f` over `0..n` in contiguous parts, one per core; the parts' results in order.
pub(super) fn parallel<T: Send + Default, F>(n: usize, f: F) -> Vec<T>
where
    F: Fn(std::ops::Range<usize>) -> T + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(2, |t| t.get())
        .clamp(1, 8);
    // Below this, starting a thread costs more than it saves. Tests split small indexes too,
    // so that their parts and the early stops within parts are exercised.
    let min_rows = if cfg!(test) { 16 } else { 50_000 };
    if n < min_rows || threads == 1 {
        return vec![f(0..n)];
    }
    let size = n.div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        let parts: Vec<_> = (size..n)
            .step_by(size)
            .map(|start| s.spawn(move || f(start..(start + size).min(n))))
            .collect();
        // The calling thread takes the first part rather than waiting idle.
        let mut out = vec![f(0..size.min(n))];
        for p in parts {
            // A part only fails if the pass panicked; its rows are then left out.
            out.push(p.join().unwrap_or_default());
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_end_is_the_earliest_end() {
        assert_eq!(greedy_end(b"abcabc", b"ac", 0), Some(3));
        assert_eq!(greedy_end(b"abcabc", b"c", 3), Some(6));
        assert_eq!(greedy_end(b"abcabc", b"cc", 3), None);
        assert_eq!(greedy_end(b"abc", b"", 3), Some(3));
        assert_eq!(greedy_end(b"abc", b"a", 9), None);
    }
}
