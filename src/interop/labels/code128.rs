//! Code 128 (ISO/IEC 15417): text to bar/space module widths, and back.
//!
//! The encoder covers printable ASCII (32-126) in code set B and packs long digit runs two per
//! symbol in code set C, which keeps numeric tags narrow enough for a 2" label. The decoder reads
//! sets A, B and C; it exists so the tests can prove that what we draw scans back to the tag.

/// Bar/space widths (in modules, bar first) for symbol values 0-105. Every symbol is 11 modules.
/// The standard table; the tests check the invariants that catch a mistyped row.
#[rustfmt::skip]
const PATTERNS: [[u8; 6]; 106] = [
    [2, 1, 2, 2, 2, 2], [2, 2, 2, 1, 2, 2], [2, 2, 2, 2, 2, 1], [1, 2, 1, 2, 2, 3], [1, 2, 1, 3, 2, 2],  // 0-4
    [1, 3, 1, 2, 2, 2], [1, 2, 2, 2, 1, 3], [1, 2, 2, 3, 1, 2], [1, 3, 2, 2, 1, 2], [2, 2, 1, 2, 1, 3],  // 5-9
    [2, 2, 1, 3, 1, 2], [2, 3, 1, 2, 1, 2], [1, 1, 2, 2, 3, 2], [1, 2, 2, 1, 3, 2], [1, 2, 2, 2, 3, 1],  // 10-14
    [1, 1, 3, 2, 2, 2], [1, 2, 3, 1, 2, 2], [1, 2, 3, 2, 2, 1], [2, 2, 3, 2, 1, 1], [2, 2, 1, 1, 3, 2],  // 15-19
    [2, 2, 1, 2, 3, 1], [2, 1, 3, 2, 1, 2], [2, 2, 3, 1, 1, 2], [3, 1, 2, 1, 3, 1], [3, 1, 1, 2, 2, 2],  // 20-24
    [3, 2, 1, 1, 2, 2], [3, 2, 1, 2, 2, 1], [3, 1, 2, 2, 1, 2], [3, 2, 2, 1, 1, 2], [3, 2, 2, 2, 1, 1],  // 25-29
    [2, 1, 2, 1, 2, 3], [2, 1, 2, 3, 2, 1], [2, 3, 2, 1, 2, 1], [1, 1, 1, 3, 2, 3], [1, 3, 1, 1, 2, 3],  // 30-34
    [1, 3, 1, 3, 2, 1], [1, 1, 2, 3, 1, 3], [1, 3, 2, 1, 1, 3], [1, 3, 2, 3, 1, 1], [2, 1, 1, 3, 1, 3],  // 35-39
    [2, 3, 1, 1, 1, 3], [2, 3, 1, 3, 1, 1], [1, 1, 2, 1, 3, 3], [1, 1, 2, 3, 3, 1], [1, 3, 2, 1, 3, 1],  // 40-44
    [1, 1, 3, 1, 2, 3], [1, 1, 3, 3, 2, 1], [1, 3, 3, 1, 2, 1], [3, 1, 3, 1, 2, 1], [2, 1, 1, 3, 3, 1],  // 45-49
    [2, 3, 1, 1, 3, 1], [2, 1, 3, 1, 1, 3], [2, 1, 3, 3, 1, 1], [2, 1, 3, 1, 3, 1], [3, 1, 1, 1, 2, 3],  // 50-54
    [3, 1, 1, 3, 2, 1], [3, 3, 1, 1, 2, 1], [3, 1, 2, 1, 1, 3], [3, 1, 2, 3, 1, 1], [3, 3, 2, 1, 1, 1],  // 55-59
    [3, 1, 4, 1, 1, 1], [2, 2, 1, 4, 1, 1], [4, 3, 1, 1, 1, 1], [1, 1, 1, 2, 2, 4], [1, 1, 1, 4, 2, 2],  // 60-64
    [1, 2, 1, 1, 2, 4], [1, 2, 1, 4, 2, 1], [1, 4, 1, 1, 2, 2], [1, 4, 1, 2, 2, 1], [1, 1, 2, 2, 1, 4],  // 65-69
    [1, 1, 2, 4, 1, 2], [1, 2, 2, 1, 1, 4], [1, 2, 2, 4, 1, 1], [1, 4, 2, 1, 1, 2], [1, 4, 2, 2, 1, 1],  // 70-74
    [2, 4, 1, 2, 1, 1], [2, 2, 1, 1, 1, 4], [4, 1, 3, 1, 1, 1], [2, 4, 1, 1, 1, 2], [1, 3, 4, 1, 1, 1],  // 75-79
    [1, 1, 1, 2, 4, 2], [1, 2, 1, 1, 4, 2], [1, 2, 1, 2, 4, 1], [1, 1, 4, 2, 1, 2], [1, 2, 4, 1, 1, 2],  // 80-84
    [1, 2, 4, 2, 1, 1], [4, 1, 1, 2, 1, 2], [4, 2, 1, 1, 1, 2], [4, 2, 1, 2, 1, 1], [2, 1, 2, 1, 4, 1],  // 85-89
    [2, 1, 4, 1, 2, 1], [4, 1, 2, 1, 2, 1], [1, 1, 1, 1, 4, 3], [1, 1, 1, 3, 4, 1], [1, 3, 1, 1, 4, 1],  // 90-94
    [1, 1, 4, 1, 1, 3], [1, 1, 4, 3, 1, 1], [4, 1, 1, 1, 1, 3], [4, 1, 1, 3, 1, 1], [1, 1, 3, 1, 4, 1],  // 95-99
    [1, 1, 4, 1, 3, 1], [3, 1, 1, 1, 4, 1], [4, 1, 1, 1, 3, 1], [2, 1, 1, 4, 1, 2], [2, 1, 1, 2, 1, 4],  // 100-104
    [2, 1, 1, 2, 3, 2],  // 105-105
];

/// The stop symbol with its final 2-module termination bar: 13 modules.
const STOP: [u8; 7] = [2, 3, 3, 1, 1, 1, 2];

pub const START_A: u8 = 103;
pub const START_B: u8 = 104;
pub const START_C: u8 = 105;
/// In sets A and B: switch to C. (In C, 99 is the digit pair "99".)
pub const CODE_C: u8 = 99;
/// In sets A and C: switch to B. (In B it is FNC4.)
pub const CODE_B: u8 = 100;
/// In sets B and C: switch to A. (In A it is FNC4.)
pub const CODE_A: u8 = 101;
/// In sets A and B: the next symbol only is read in the other of A/B.
pub const SHIFT: u8 = 98;

/// Why a text cannot be a Code 128 barcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("an empty text has no barcode")]
    Empty,
    /// Only printable ASCII is encoded: control characters would need set A and are never
    /// meant in a tag, and non-ASCII needs FNC4 tricks that few scanners decode the same way.
    #[error("'{ch}' (character {at}) cannot be put in a Code 128 barcode (printable ASCII only)")]
    Unencodable { ch: char, at: usize },
}

/// Why a width sequence does not read as Code 128.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Code 128 barcode: {0}")]
pub struct DecodeError(pub String);

/// The symbol values for `text`: the start code and the data, without check digit and stop.
/// Digit runs go to set C when that saves symbols: at the start or the end of the text a run of
/// 4 or more, in the middle 6 or more (a switch there costs two symbols, one in and one out).
pub fn symbols(text: &str) -> Result<Vec<u8>, EncodeError> {
    if text.is_empty() {
        return Err(EncodeError::Empty);
    }
    if let Some((at, ch)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !(' '..='~').contains(c))
    {
        return Err(EncodeError::Unencodable { ch, at });
    }
    // Printable ASCII only from here, so bytes are characters.
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 4);
    let mut in_c: Option<bool> = None;
    let mut i = 0;
    while i < b.len() {
        let mut run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let at_end = i + run == b.len();
        let worth_c = if i == 0 {
            run >= 4 || (at_end && run == 2)
        } else {
            run >= 6 || (at_end && run >= 4)
        };
        if !worth_c {
            switch(&mut out, &mut in_c, false);
            out.push(b[i] - b' ');
            i += 1;
            continue;
        }
        if run % 2 == 1 {
            // An odd run: its first digit goes in set B so the rest pairs up.
            switch(&mut out, &mut in_c, false);
            out.push(b[i] - b' ');
            i += 1;
            run -= 1;
        }
        switch(&mut out, &mut in_c, true);
        for pair in b[i..i + run].chunks(2) {
            out.push((pair[0] - b'0') * 10 + (pair[1] - b'0'));
        }
        i += run;
    }
    Ok(out)
}

/// Start (or switch to) set C when `c`, else set B.
fn switch(out: &mut Vec<u8>, current: &mut Option<bool>, c: bool) {
    match *current {
        None => out.push(if c { START_C } else { START_B }),
        Some(now) if now != c => out.push(if c { CODE_C } else { CODE_B }),
        Some(_) => {}
    }
    *current = Some(c);
}

/// The symbol check character: the start value plus each data value times its position, mod 103.
pub fn check_digit(symbols: &[u8]) -> u8 {
    let sum: u64 = symbols
        .iter()
        .enumerate()
        .map(|(i, &v)| u64::from(v) * (i as u64).max(1))
        .sum();
    (sum % 103) as u8
}

/// The whole barcode as module widths, bar first: start, data, check digit, stop (no quiet
/// zones; those are the renderer's, at least 10 modules each side).
pub fn encode(text: &str) -> Result<Vec<u8>, EncodeError> {
    let mut syms = symbols(text)?;
    syms.push(check_digit(&syms));
    let mut widths = Vec::with_capacity(syms.len() * 6 + STOP.len());
    for s in syms {
        widths.extend_from_slice(&PATTERNS[usize::from(s)]);
    }
    widths.extend_from_slice(&STOP);
    Ok(widths)
}

/// The total width in modules of `encode(text)`.
pub fn module_count(widths: &[u8]) -> u32 {
    widths.iter().map(|&w| u32::from(w)).sum()
}

#[derive(Clone, Copy, PartialEq)]
enum Set {
    A,
    B,
    C,
}

/// Module widths (bar first, as [`encode`] makes them) back to the text. Checks the start, the
/// check digit and the stop; FNC1-4 are refused since the encoder never writes them.
pub fn decode(widths: &[u8]) -> Result<String, DecodeError> {
    let err = |m: String| Err(DecodeError(m));
    if widths.len() < 6 * 2 + STOP.len() || !(widths.len() - STOP.len()).is_multiple_of(6) {
        return err(format!(
            "{} bars and spaces is not a whole number of symbols",
            widths.len()
        ));
    }
    let (body, stop) = widths.split_at(widths.len() - STOP.len());
    if stop != STOP {
        return err(format!("no stop pattern at the end ({stop:?})"));
    }
    let mut values = Vec::with_capacity(body.len() / 6);
    for (n, chunk) in body.chunks(6).enumerate() {
        match PATTERNS.iter().position(|p| p[..] == *chunk) {
            Some(v) => values.push(v as u8),
            None => return err(format!("symbol {n} {chunk:?} is not in the table")),
        }
    }
    let Some((&check, syms)) = values.split_last() else {
        return err("no symbols".into());
    };
    if check_digit(syms) != check {
        return err(format!(
            "check digit is {check}, the symbols add up to {}",
            check_digit(syms)
        ));
    }
    let mut set = match syms.first() {
        Some(&START_A) => Set::A,
        Some(&START_B) => Set::B,
        Some(&START_C) => Set::C,
        other => return err(format!("starts with {other:?}, not a start code")),
    };
    let mut out = String::new();
    let mut shift = false;
    for &v in &syms[1..] {
        let now = if shift {
            shift = false;
            if set == Set::A {
                Set::B
            } else {
                Set::A
            }
        } else {
            set
        };
        match (now, v) {
            (Set::C, 0..=99) => {
                out.push(char::from(b'0' + v / 10));
                out.push(char::from(b'0' + v % 10));
            }
            (Set::A, 0..=63) | (Set::B, 0..=95) => out.push(char::from(v + b' ')),
            (Set::A, 64..=95) => out.push(char::from(v - 64)),
            (Set::A | Set::B, SHIFT) => shift = true,
            (Set::A | Set::B, CODE_C) => set = Set::C,
            (Set::A | Set::C, CODE_B) => set = Set::B,
            (Set::B | Set::C, CODE_A) => set = Set::A,
            (_, v) => {
                return err(format!(
                    "symbol value {v} (a function code) is not supported"
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_code_128_invariants() {
        for (v, p) in PATTERNS.iter().enumerate() {
            assert_eq!(
                p.iter().map(|&w| u32::from(w)).sum::<u32>(),
                11,
                "value {v}"
            );
            // Bars add up to an even number of modules, spaces to odd: Code 128's parity.
            assert_eq!((p[0] + p[2] + p[4]) % 2, 0, "value {v} bar parity");
            assert!(p.iter().all(|&w| (1..=4).contains(&w)), "value {v}");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(
            PATTERNS.iter().all(|p| seen.insert(*p)),
            "patterns are unique"
        );
        assert_eq!(STOP.iter().map(|&w| u32::from(w)).sum::<u32>(), 13);
    }

    #[test]
    fn check_digit_matches_the_published_example() {
        // "PJJ123C" in set B (the example in the Code 128 literature):
        // 104 + 1*48(P) + 2*42(J) + 3*42(J) + 4*17(1) + 5*18(2) + 6*19(3) + 7*35(C)
        // = 104 + 48 + 84 + 126 + 68 + 90 + 114 + 245 = 879; 879 mod 103 = 55.
        let s = symbols("PJJ123C").unwrap();
        assert_eq!(s, vec![104, 48, 42, 42, 17, 18, 19, 35]);
        assert_eq!(check_digit(&s), 55);
        let w = encode("PJJ123C").unwrap();
        assert_eq!(module_count(&w), 9 * 11 + 13);
        assert_eq!(&w[..6], &[2, 1, 1, 2, 1, 4], "Start B");
        assert_eq!(&w[w.len() - 7..], &STOP);
    }

    #[test]
    fn digit_runs_use_set_c_where_it_pays() {
        assert_eq!(symbols("1234").unwrap(), vec![START_C, 12, 34]);
        assert_eq!(symbols("12").unwrap(), vec![START_C, 12]);
        assert_eq!(symbols("123").unwrap(), vec![START_B, 17, 18, 19]);
        // Odd run at the start: one digit in B, the rest in C.
        assert_eq!(symbols("12345").unwrap(), vec![START_B, 17, CODE_C, 23, 45]);
        // A 4-digit run at the end switches; in the middle it does not.
        assert_eq!(
            symbols("IT-0001").unwrap(),
            vec![START_B, 41, 52, 13, CODE_C, 0, 1]
        );
        assert_eq!(symbols("A1234B").unwrap().len(), 7);
        assert_eq!(
            symbols("A123456B").unwrap(),
            vec![START_B, 33, CODE_C, 12, 34, 56, CODE_B, 34]
        );
        assert_eq!(symbols("0000").unwrap(), vec![START_C, 0, 0]);
    }

    fn round_trip(text: &str) {
        let w = encode(text).unwrap();
        assert_eq!(decode(&w).unwrap(), text, "{text:?}");
    }

    #[test]
    fn round_trips() {
        for t in [
            "A",
            "IT-0001",
            "it-0001",
            "PJJ123C",
            "0",
            "12",
            "123",
            "1234",
            "12345",
            "999999",
            "A123456B",
            "SN 42/x",
            "LAP-2024-000123",
            "CMD-CHECKIN",
            "00000000000001",
            "a1b22c333d4444e55555f666666",
            "~^_>\\`{|}",
        ] {
            round_trip(t);
        }
        let all: String = (' '..='~').collect();
        round_trip(&all);
    }

    #[test]
    fn refuses_what_it_cannot_encode() {
        assert_eq!(symbols(""), Err(EncodeError::Empty));
        assert_eq!(
            symbols("IT-é"),
            Err(EncodeError::Unencodable { ch: 'é', at: 3 })
        );
        assert!(matches!(
            symbols("A\tB"),
            Err(EncodeError::Unencodable { ch: '\t', at: 1 })
        ));
        assert!(symbols("A\u{7f}").is_err());
    }

    #[test]
    fn decode_rejects_damage() {
        let mut w = encode("IT-0001").unwrap();
        assert!(decode(&w[..w.len() - 1]).is_err());
        // Swap a data symbol for another valid one: the check digit catches it.
        w[6..12].copy_from_slice(&PATTERNS[42]);
        let e = decode(&w).unwrap_err();
        assert!(e.0.contains("check digit"), "{e}");
    }

    #[test]
    fn decode_reads_set_a_and_shift() {
        // Start A, "A", SHIFT, 'a' (B value 65), control 0x09 (A value 73).
        let mut syms = vec![START_A, 33, SHIFT, 65, 73];
        syms.push(check_digit(&syms));
        let mut w: Vec<u8> = syms
            .iter()
            .flat_map(|&s| PATTERNS[usize::from(s)])
            .collect();
        w.extend_from_slice(&STOP);
        assert_eq!(decode(&w).unwrap(), "Aa\t");
    }
}
