//! The scan assembler: tells a barcode wand's burst from a person's typing.
//!
//! A wand types a code then Enter with 0–10 ms between keys; people type >80 ms apart. In views
//! where letters are commands, printable keys that arrive within `max_gap` of each other are
//! held; if Enter (or Tab) follows with at least `min_len` held, the burst is one `Scan(code)`.
//! Otherwise every held key is replayed, in order: nothing is ever dropped or reordered.
//! A configured prefix character makes detection exact: prefix, code, Enter.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assembled {
    /// A key to handle normally.
    Key(KeyEvent),
    /// A complete scanned code.
    Scan(String),
}

#[derive(Debug, Clone)]
pub struct Assembler {
    max_gap: Duration,
    min_len: usize,
    prefix: Option<char>,
    held: Vec<KeyEvent>,
    last: Option<Instant>,
    /// Inside a prefixed scan: everything up to Enter is the code.
    in_prefixed: bool,
}

/// The character a key types, if it types one (no ctrl or alt).
pub(crate) fn printable(k: &KeyEvent) -> Option<char> {
    match k.code {
        KeyCode::Char(c)
            if !k
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

fn is_terminator(k: &KeyEvent) -> bool {
    matches!(k.code, KeyCode::Enter | KeyCode::Tab)
        && k.modifiers.difference(KeyModifiers::SHIFT).is_empty()
}

impl Assembler {
    pub fn new(max_gap_ms: u64, min_len: usize, prefix: Option<char>) -> Assembler {
        Assembler {
            max_gap: Duration::from_millis(max_gap_ms),
            min_len: min_len.max(1),
            prefix,
            held: Vec::new(),
            last: None,
            in_prefixed: false,
        }
    }

    /// When held keys must be replayed if nothing else arrives.
    pub fn deadline(&self) -> Option<Instant> {
        if self.held.is_empty() || self.in_prefixed {
            // A prefixed scan waits for its Enter, but not forever: a second is plenty.
            return self
                .last
                .filter(|_| self.in_prefixed)
                .map(|t| t + Duration::from_secs(1));
        }
        self.last.map(|t| t + self.max_gap)
    }

    fn code(&self) -> String {
        self.held.iter().filter_map(printable).collect()
    }

    fn release(&mut self, out: &mut Vec<Assembled>) {
        out.extend(self.held.drain(..).map(Assembled::Key));
        self.in_prefixed = false;
    }

    /// Feed one key that arrived at `at`; returns what is ready, in order.
    pub fn feed(&mut self, key: KeyEvent, at: Instant) -> Vec<Assembled> {
        let mut out = Vec::new();
        let within = self
            .last
            .is_some_and(|l| at.saturating_duration_since(l) <= self.max_gap);
        if self.in_prefixed {
            if is_terminator(&key) {
                let mut code = self.code();
                if let Some(p) = self.prefix {
                    code = code.strip_prefix(p).map(str::to_owned).unwrap_or(code);
                }
                self.last = Some(at);
                if code.is_empty() {
                    // The prefix key then Enter is typing, not a scan of nothing.
                    self.release(&mut out);
                    out.push(Assembled::Key(key));
                    return out;
                }
                self.held.clear();
                self.in_prefixed = false;
                out.push(Assembled::Scan(code));
                return out;
            }
            if printable(&key).is_some() {
                self.held.push(key);
                self.last = Some(at);
                return out;
            }
            self.release(&mut out);
            out.push(Assembled::Key(key));
            self.last = Some(at);
            return out;
        }
        if !self.held.is_empty() && !within {
            self.release(&mut out);
        }
        if let Some(c) = printable(&key) {
            if self.prefix == Some(c) && self.held.is_empty() {
                self.in_prefixed = true;
            }
            self.held.push(key);
        } else if is_terminator(&key)
            && !self.held.is_empty()
            && within
            && self.held.len() >= self.min_len
        {
            let code = self.code();
            self.held.clear();
            out.push(Assembled::Scan(code));
        } else {
            self.release(&mut out);
            out.push(Assembled::Key(key));
        }
        self.last = Some(at);
        out
    }

    /// Called when the deadline passes with no new key: the held keys were typing.
    pub fn flush(&mut self, now: Instant) -> Vec<Assembled> {
        let mut out = Vec::new();
        if self.deadline().is_some_and(|d| now >= d) {
            self.release(&mut out);
        }
        out
    }

    /// Everything held, released now (e.g. when leaving a view or on paste).
    pub fn drain(&mut self) -> Vec<Assembled> {
        let mut out = Vec::new();
        self.release(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }
    fn enter() -> KeyEvent {
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
    }
    fn ms(t0: Instant, n: u64) -> Instant {
        t0 + Duration::from_millis(n)
    }

    fn feed_all(a: &mut Assembler, keys: &[(KeyEvent, u64)], t0: Instant) -> Vec<Assembled> {
        keys.iter()
            .flat_map(|(k, t)| a.feed(*k, ms(t0, *t)))
            .collect()
    }

    #[test]
    fn a_fast_burst_with_enter_is_a_scan() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        let keys: Vec<_> = "IT-0042"
            .chars()
            .enumerate()
            .map(|(i, c)| (key(c), i as u64 * 3))
            .chain([(enter(), 25)])
            .collect();
        assert_eq!(
            feed_all(&mut a, &keys, t0),
            vec![Assembled::Scan("IT-0042".into())]
        );
        assert!(a.deadline().is_none());
    }

    #[test]
    fn slow_typing_is_replayed_in_order() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        let out = feed_all(
            &mut a,
            &[
                (key('j'), 0),
                (key('j'), 120),
                (key('k'), 250),
                (enter(), 400),
            ],
            t0,
        );
        assert_eq!(
            out,
            vec![
                Assembled::Key(key('j')),
                Assembled::Key(key('j')),
                Assembled::Key(key('k')),
                Assembled::Key(enter())
            ]
        );
    }

    #[test]
    fn a_held_key_is_released_at_its_deadline() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        assert!(a.feed(key('q'), t0).is_empty());
        assert_eq!(a.deadline(), Some(ms(t0, 40)));
        assert!(a.flush(ms(t0, 39)).is_empty());
        assert_eq!(a.flush(ms(t0, 41)), vec![Assembled::Key(key('q'))]);
    }

    #[test]
    fn a_short_burst_is_not_a_scan() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        let out = feed_all(&mut a, &[(key('g'), 0), (key('g'), 5), (enter(), 8)], t0);
        assert_eq!(
            out,
            vec![
                Assembled::Key(key('g')),
                Assembled::Key(key('g')),
                Assembled::Key(enter())
            ]
        );
    }

    #[test]
    fn back_to_back_scans_stay_separate_and_ordered() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        let mut keys = Vec::new();
        for (n, code) in ["AAA1", "BBB2", "CCC3"].iter().enumerate() {
            for c in code.chars() {
                keys.push((key(c), n as u64));
            }
            keys.push((enter(), n as u64));
        }
        let out = feed_all(&mut a, &keys, t0);
        assert_eq!(
            out,
            ["AAA1", "BBB2", "CCC3"]
                .map(|s| Assembled::Scan(s.into()))
                .to_vec()
        );
    }

    #[test]
    fn a_control_key_mid_burst_releases_everything_in_order() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        let out = feed_all(
            &mut a,
            &[(key('a'), 0), (key('b'), 1), (down, 2), (key('c'), 3)],
            t0,
        );
        assert_eq!(
            out,
            vec![
                Assembled::Key(key('a')),
                Assembled::Key(key('b')),
                Assembled::Key(down)
            ]
        );
        assert_eq!(a.drain(), vec![Assembled::Key(key('c'))]);
    }

    #[test]
    fn a_prefix_makes_detection_exact_even_when_slow() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, Some('~'));
        let out = feed_all(
            &mut a,
            &[
                (key('~'), 0),
                (key('X'), 100),
                (key('1'), 300),
                (enter(), 500),
            ],
            t0,
        );
        assert_eq!(out, vec![Assembled::Scan("X1".into())]);
    }

    #[test]
    fn a_prefix_alone_then_enter_is_typing() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, Some('~'));
        let out = feed_all(&mut a, &[(key('~'), 0), (enter(), 1)], t0);
        assert_eq!(out, vec![Assembled::Key(key('~')), Assembled::Key(enter())]);
    }

    #[test]
    fn tab_terminates_a_scan_too() {
        let t0 = Instant::now();
        let mut a = Assembler::new(40, 3, None);
        let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
        let out = feed_all(
            &mut a,
            &[(key('S'), 0), (key('N'), 1), (key('9'), 2), (tab, 3)],
            t0,
        );
        assert_eq!(out, vec![Assembled::Scan("SN9".into())]);
    }
}
