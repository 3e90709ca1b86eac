//! The store's SQL is SQLite's; this turns it into PostgreSQL's, once per statement text (the
//! connection caches the prepared result). Only what the store uses and what translates by
//! text: placeholders, `IS [NOT] ?` (null-safe comparison), `COLLATE NOCASE`, `LIKE` (ASCII
//! case-insensitive in SQLite), `INSERT OR IGNORE`, `IFNULL`, `instr`, two-argument `max`/`min`,
//! `json_extract(x, '$.key')`, `CAST(.. AS REAL/INTEGER)`. Queries using anything else are
//! written in the store in a form both accept.

/// One piece of SQL: code (translated) or a quoted literal/identifier (kept as is).
enum Piece<'a> {
    Code(String),
    Quoted(&'a str),
}

fn split(sql: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let bytes = sql.as_bytes();
    let (mut i, mut start) = (0, 0);
    while i < bytes.len() {
        let q = bytes[i];
        if q == b'\'' || q == b'"' {
            if start < i {
                out.push(Piece::Code(sql[start..i].to_string()));
            }
            let mut j = i + 1;
            while j < bytes.len() {
                if bytes[j] == q {
                    // A doubled quote is an escaped one.
                    if bytes.get(j + 1) == Some(&q) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            let end = (j + 1).min(bytes.len());
            out.push(Piece::Quoted(&sql[i..end]));
            i = end;
            start = end;
        } else if q == b'-' && bytes.get(i + 1) == Some(&b'-') {
            // A comment to the end of the line: dropped.
            if start < i {
                out.push(Piece::Code(sql[start..i].to_string()));
            }
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.push(Piece::Code(sql[start..].to_string()));
    }
    out
}

/// `?` and `?NNN` to `$N` (a bare `?` takes the next number after the highest so far).
fn placeholders(code: &str, next: &mut usize) -> String {
    let mut out = String::with_capacity(code.len() + 8);
    let mut chars = code.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '?' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek() {
            if d.is_ascii_digit() {
                digits.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let n = match digits.parse::<usize>() {
            Ok(n) => n,
            Err(_) => *next + 1,
        };
        *next = (*next).max(n);
        out.push('$');
        out.push_str(&n.to_string());
    }
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Replace the keyword `from` (case-insensitive, whole word) with `to`.
fn word(code: &str, from: &str, to: &str) -> String {
    let lower = code.to_ascii_lowercase();
    let from_l = from.to_ascii_lowercase();
    let (b, mut out, mut last) = (code.as_bytes(), String::new(), 0);
    let mut pos = 0;
    while let Some(k) = lower[pos..].find(&from_l) {
        let at = pos + k;
        let end = at + from.len();
        let before_ok = at == 0 || !is_word(b[at - 1]);
        let after_ok =
            end >= b.len() || !is_word(b[end]) || !is_word(from.as_bytes()[from.len() - 1]);
        if before_ok && after_ok {
            out.push_str(&code[last..at]);
            out.push_str(to);
            last = end;
        }
        pos = end;
    }
    out.push_str(&code[last..]);
    out
}

/// The end (exclusive) of the balanced parenthesis group opening at `open`.
fn close_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Top-level commas in `s`.
fn args(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Scalar `max(a, b)`/`min(a, b)` to GREATEST/LEAST (the aggregates keep one argument).
fn scalar_minmax(sql: &str) -> String {
    let mut s = sql.to_string();
    for (f, to) in [("max(", "GREATEST("), ("min(", "LEAST(")] {
        let mut pos = 0;
        loop {
            let lower = s.to_ascii_lowercase();
            let Some(k) = lower[pos..].find(f) else { break };
            let at = pos + k;
            let open = at + f.len() - 1;
            if at > 0 && is_word(s.as_bytes()[at - 1]) {
                pos = at + f.len();
                continue;
            }
            match close_paren(&s, open) {
                Some(end) if args(&s[open + 1..end - 1]).len() > 1 => {
                    s.replace_range(at..open + 1, to);
                    pos = at + to.len();
                }
                _ => pos = at + f.len(),
            }
        }
    }
    s
}

/// `json_extract(x, '$.key')` to `(x::jsonb ->> 'key')`.
fn json_extract(sql: &str) -> String {
    let mut s = sql.to_string();
    let mut pos = 0;
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(k) = lower[pos..].find("json_extract(") else {
            break;
        };
        let at = pos + k;
        let open = at + "json_extract".len();
        let Some(end) = close_paren(&s, open) else {
            break;
        };
        let a = args(&s[open + 1..end - 1]);
        if a.len() == 2 {
            let path = a[1].trim();
            if let Some(key) = path.strip_prefix("'$.").and_then(|p| p.strip_suffix('\'')) {
                let new = format!("(({})::jsonb ->> '{key}')", a[0].trim());
                s.replace_range(at..end, &new);
                pos = at + new.len();
                continue;
            }
        }
        pos = end;
    }
    s
}

/// `A = B COLLATE NOCASE` to `lower(A) = lower(B)` and any other `X COLLATE NOCASE` (an
/// ORDER BY term) to `lower(X)`, for simple terms (names, placeholders, calls).
fn nocase(sql: &str) -> String {
    let mut s = sql.to_string();
    const KEY: &str = " COLLATE NOCASE";
    while let Some(at) = s.find(KEY) {
        let b = s.as_bytes();
        // The term before: a name or placeholder, or a call ending in ')'.
        let term_start = |end: usize| -> usize {
            let mut i = end;
            if i > 0 && b[i - 1] == b')' {
                let mut depth = 0;
                while i > 0 {
                    i -= 1;
                    match b[i] {
                        b')' => depth += 1,
                        b'(' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            while i > 0 && (is_word(b[i - 1]) || b[i - 1] == b'.' || b[i - 1] == b'$') {
                i -= 1;
            }
            i
        };
        let rhs = term_start(at);
        let rhs_text = s[rhs..at].to_string();
        let before = s[..rhs].trim_end();
        let new;
        let start;
        let low = |t: &str| {
            if t.to_ascii_lowercase().starts_with("lower(") {
                t.to_string()
            } else {
                format!("lower({t})")
            }
        };
        if let Some(lhs_end) = before.strip_suffix('=').map(|p| p.trim_end().len()) {
            let l = term_start(lhs_end);
            new = format!("{} = {}", low(&s[l..lhs_end]), low(&rhs_text));
            start = l;
        } else {
            new = low(&rhs_text);
            start = rhs;
        }
        s.replace_range(start..at + KEY.len(), &new);
    }
    s
}

/// `IS NOT $n` / `IS $n`: SQLite's null-safe comparison with a value.
fn null_safe(sql: &str) -> String {
    let mut s = String::with_capacity(sql.len());
    let mut rest = sql;
    loop {
        let upper = rest.to_ascii_uppercase();
        let Some(k) = upper.find(" IS ") else {
            s.push_str(rest);
            break;
        };
        let after = &rest[k + 4..];
        let t = after.trim_start();
        let (not, t2) = match t.get(..4) {
            Some(w) if w.eq_ignore_ascii_case("NOT ") => (true, t[4..].trim_start()),
            _ => (false, t),
        };
        s.push_str(&rest[..k]);
        if t2.starts_with('$') {
            s.push_str(if not {
                " IS DISTINCT FROM "
            } else {
                " IS NOT DISTINCT FROM "
            });
            rest = t2;
        } else {
            s.push_str(" IS ");
            rest = after;
        }
    }
    s
}

/// Columns SQLite's schema declares `COLLATE NOCASE`: there `col = ?` ignores ASCII case; here
/// it is `lower(col) = lower(?)`, which the schema's unique indexes on lower(col) serve.
const NOCASE: &[&str] = &[
    "tag",
    "serial",
    "code",
    "username",
    "badge",
    "name",
    "number",
    "product",
    "publisher",
];

/// The identifier chain (`a.tag`, `tag`) or placeholder (`$3`) ending at `end`.
fn term_before(s: &str, end: usize) -> usize {
    let b = s.as_bytes();
    let mut i = end;
    while i > 0 && (is_word(b[i - 1]) || b[i - 1] == b'.' || b[i - 1] == b'$') {
        i -= 1;
    }
    i
}

fn term_after(s: &str, start: usize) -> usize {
    let b = s.as_bytes();
    let mut i = start;
    while i < b.len() && (is_word(b[i]) || b[i] == b'.' || b[i] == b'$') {
        i += 1;
    }
    i
}

fn nocase_column(term: &str) -> bool {
    let last = term.rsplit('.').next().unwrap_or(term);
    !term.starts_with('$') && NOCASE.iter().any(|c| last.eq_ignore_ascii_case(c))
}

/// `tag = $1` (after WHERE, AND, OR, ON, WHEN, NOT or `(`: never a SET) to
/// `lower(tag) = lower($1)`, and likewise between two such columns.
fn nocase_equality(code: &str) -> String {
    let mut s = code.to_string();
    let mut pos = 0;
    while let Some(k) = s[pos..].find('=') {
        let eq = pos + k;
        pos = eq + 1;
        let b = s.as_bytes();
        if eq > 0 && matches!(b[eq - 1], b'<' | b'>' | b'!' | b'=') || b.get(eq + 1) == Some(&b'=')
        {
            continue;
        }
        let l_end = s[..eq].trim_end().len();
        let l_start = term_before(&s, l_end);
        let r_start = eq + 1 + (s[eq + 1..].len() - s[eq + 1..].trim_start().len());
        let r_end = term_after(&s, r_start);
        if l_start == l_end || r_start == r_end {
            continue;
        }
        let (l, r) = (&s[l_start..l_end], &s[r_start..r_end]);
        let r_ok = r.starts_with('$') || nocase_column(r);
        if !(nocase_column(l) && r_ok) {
            continue;
        }
        let prev = s[..l_start].trim_end();
        let prev_word = &prev[term_before(prev, prev.len())..];
        let context_ok = prev.ends_with('(')
            || ["WHERE", "AND", "OR", "ON", "WHEN", "NOT"]
                .iter()
                .any(|w| prev_word.eq_ignore_ascii_case(w));
        if !context_ok {
            continue;
        }
        let new = format!("lower({l}) = lower({r})");
        s.replace_range(l_start..r_end, &new);
        pos = l_start + new.len();
    }
    s
}

/// `a GLOB b` (b a pattern from the data) to `a LIKE b` with `*` as `%` and `?` as `_`:
/// character classes are not translated.
fn glob(sql: &str) -> String {
    let mut s = sql.to_string();
    const KEY: &str = " GLOB ";
    let mut pos = 0;
    while let Some(k) = s[pos..].find(KEY) {
        let at = pos + k;
        let start = at + KEY.len();
        let mut end = term_after(&s, start);
        if s[end..].starts_with('(') {
            end = close_paren(&s, end).unwrap_or(end);
        }
        if end == start {
            pos = start;
            continue;
        }
        let new = format!(
            " LIKE replace(replace({}, '*', '%'), '?', '_')",
            &s[start..end]
        );
        s.replace_range(at..end, &new);
        pos = at + new.len();
    }
    s
}

/// SQLite SQL to PostgreSQL SQL.
pub(super) fn translate(sql: &str) -> String {
    let mut next = 0;
    let mut out = String::with_capacity(sql.len() + 16);
    let mut or_ignore = false;
    for piece in split(sql) {
        match piece {
            Piece::Quoted(q) => out.push_str(q),
            Piece::Code(c) => {
                let mut c = nocase_equality(&placeholders(&c, &mut next));
                if c.to_ascii_uppercase().contains("INSERT OR IGNORE") {
                    or_ignore = true;
                    c = word(&c, "INSERT OR IGNORE", "INSERT");
                }
                c = word(&c, "IFNULL(", "COALESCE(");
                // SQLite's name for the database's own schema (beside TEMP).
                c = word(&c, "main.", "");
                c = word(&c, "instr(", "strpos(");
                c = word(&c, "LIKE", "ILIKE");
                c = word(&c, "AS REAL)", "AS DOUBLE PRECISION)");
                c = word(&c, "AS INTEGER)", "AS BIGINT)");
                // The asset list's order: SQLite sorts the NOCASE tag ignoring case and reads
                // it from the tag's index; here only lower(tag) is indexed, and a plain
                // `ORDER BY a.tag` sorted all the rows (the list's first page took 0.7-1 s at
                // 1M assets, 10 ms this way) in byte order.
                c = word(&c, "ORDER BY a.tag", "ORDER BY lower(a.tag)");
                out.push_str(&c);
            }
        }
    }
    // These look across quoted pieces ('$.key'), so run on the whole text.
    let mut out = json_extract(&out);
    out = scalar_minmax(&out);
    out = nocase(&out);
    out = null_safe(&out);
    out = glob(&out);
    if or_ignore {
        let t = out.trim_end().trim_end_matches(';').to_string();
        match t.to_ascii_uppercase().rfind(" RETURNING ") {
            Some(r) => out = format!("{} ON CONFLICT DO NOTHING{}", &t[..r], &t[r..]),
            None => out = format!("{t} ON CONFLICT DO NOTHING"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn placeholders_and_literals() {
        assert_eq!(
            translate("SELECT '?' , ? , ?3, ? FROM t WHERE a = ?1"),
            "SELECT '?' , $1 , $3, $4 FROM t WHERE a = $1"
        );
    }

    #[test]
    fn sqlite_only_spellings() {
        assert_eq!(
            translate("SELECT tag FROM assets WHERE serial = ?1 AND id IS NOT ?2"),
            "SELECT tag FROM assets WHERE lower(serial) = lower($1) AND id IS DISTINCT FROM $2"
        );
        assert_eq!(
            translate("SELECT 1 WHERE a IS NOT NULL AND b IS ?3"),
            "SELECT 1 WHERE a IS NOT NULL AND b IS NOT DISTINCT FROM $3"
        );
        assert_eq!(
            translate("SELECT id FROM licences WHERE product = ?1 COLLATE NOCASE LIMIT 2"),
            "SELECT id FROM licences WHERE lower(product) = lower($1) LIMIT 2"
        );
        assert_eq!(
            translate("SELECT a FROM t ORDER BY s.product COLLATE NOCASE, s.id"),
            "SELECT a FROM t ORDER BY lower(s.product), s.id"
        );
        assert_eq!(
            translate("SELECT 1 WHERE json_extract(e.after, '$.status') IS NOT NULL"),
            "SELECT 1 WHERE ((e.after)::jsonb ->> 'status') IS NOT NULL"
        );
        assert_eq!(
            translate("UPDATE t SET seen_at = max(seen_at, excluded.seen_at), n = max(n)"),
            "UPDATE t SET seen_at = GREATEST(seen_at, excluded.seen_at), n = max(n)"
        );
        assert_eq!(
            translate("SELECT 1 WHERE name LIKE ?1 ESCAPE '\\' AND x NOT LIKE 'a%'"),
            "SELECT 1 WHERE name ILIKE $1 ESCAPE '\\' AND x NOT ILIKE 'a%'"
        );
        assert_eq!(
            translate("INSERT OR IGNORE INTO t(a) VALUES (?1)"),
            "INSERT INTO t(a) VALUES ($1) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            translate("SELECT a.id FROM assets a JOIN l ON l.code = a.code WHERE a.tag = ?1 AND (serial = ?2) AND a.status = ?3"),
            "SELECT a.id FROM assets a JOIN l ON lower(l.code) = lower(a.code) WHERE lower(a.tag) = lower($1) AND (lower(serial) = lower($2)) AND a.status = $3"
        );
        assert_eq!(
            translate("UPDATE assets SET tag = ?2, serial = ?3 WHERE id = ?1 AND tag <= ?4"),
            "UPDATE assets SET tag = $2, serial = $3 WHERE id = $1 AND tag <= $4"
        );
        assert_eq!(
            translate("SELECT 1 WHERE lower(s.product) GLOB lower(m.product_glob)"),
            "SELECT 1 WHERE lower(s.product) LIKE replace(replace(lower(m.product_glob), '*', '%'), '?', '_')"
        );
        assert_eq!(
            translate("SELECT a.tag FROM assets a ORDER BY a.tag LIMIT ?1"),
            "SELECT a.tag FROM assets a ORDER BY lower(a.tag) LIMIT $1"
        );
        assert_eq!(
            translate("SELECT 1 ORDER BY a.tag_x, a.tag DESC"),
            "SELECT 1 ORDER BY a.tag_x, a.tag DESC"
        );
        assert_eq!(
            translate("SELECT CAST(a.cost AS REAL), instr(x, ?1)"),
            "SELECT CAST(a.cost AS DOUBLE PRECISION), strpos(x, $1)"
        );
    }
}
