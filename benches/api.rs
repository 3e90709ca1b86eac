//! `itam serve` speed: GET /hardware/bytag/{tag} latency on one keep-alive connection, and
//! check-out/check-in pairs through the API against the same through the library directly.
//!
//!   ITAM_BENCH_DB=/tmp/serve-1m.db cargo bench --bench api
//!
//! ITAM_BENCH_DB is written to (copy the 1M database first); without it a 20k demo database
//! is made in a temp folder. ITAM_BENCH_LOOKUPS (default 5000) and ITAM_BENCH_PAIRS (default
//! 1000) set the sizes.

mod common;

use itam::store::{OpenOptions, Store};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_itam");

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).expect("nodelay");
        Conn {
            reader: BufReader::new(s.try_clone().expect("clone")),
            writer: s,
        }
    }

    /// One request on the kept-alive connection; returns the status and body.
    fn call(&mut self, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
        let req = format!(
            "{method} /api/v1{path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.writer.write_all(req.as_bytes()).expect("send");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let code = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut len = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut buf = vec![0u8; len];
        self.reader.read_exact(&mut buf).expect("body");
        (code, String::from_utf8_lossy(&buf).into_owned())
    }
}

fn itam(db: &std::path::Path, home: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run itam");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn main() {
    let home = tempfile::tempdir().expect("temp dir");
    let db = match std::env::var_os("ITAM_BENCH_DB") {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let p = home.path().join("bench.db");
            itam(&p, home.path(), &["demo", "--assets", "20000"]);
            p
        }
    };
    let lookups = common::env_u64("ITAM_BENCH_LOOKUPS", 5000) as usize;
    let pairs = common::env_u64("ITAM_BENCH_PAIRS", 1000) as usize;
    // Opening migrates the database (and adds the token table) before anything is timed.
    let store = Store::open(&db, &OpenOptions::default()).expect("open");
    let assets = store.asset_count().expect("count");
    let sample: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT tag FROM assets WHERE id IN (SELECT abs(random()) % (SELECT max(id) FROM assets) + 1 FROM generate_series(1, ?1))")
            .or_else(|_| store.conn().prepare("SELECT tag FROM assets ORDER BY random() LIMIT ?1"))
            .expect("sample tags");
        stmt.query_map([lookups as i64], |r| r.get(0))
            .expect("sample")
            .collect::<Result<_, _>>()
            .expect("sample")
    };
    let stock: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT tag FROM assets WHERE status = 'in_stock' ORDER BY id LIMIT ?1")
            .expect("stock");
        stmt.query_map([(2 * pairs) as i64], |r| r.get(0))
            .expect("stock")
            .collect::<Result<_, _>>()
            .expect("stock")
    };
    let (person_id, person): (i64, String) = store
        .conn()
        .query_row(
            "SELECT id, username FROM people WHERE active = 1 ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a person");
    // The floor under the same machine load: the same look-up in-process, no HTTP, no threads.
    let mut floor = Vec::with_capacity(sample.len());
    for tag in &sample {
        let t = Instant::now();
        let a = store.api_asset_by_tag(tag).expect("look-up");
        floor.push(t.elapsed());
        assert!(a.is_some());
    }
    println!(
        "library api_asset_by_tag at {assets} assets, in-process: {}",
        common::durations(floor)
    );
    drop(store);
    assert!(
        stock.len() >= 2 * pairs,
        "need {} in-stock assets, have {}",
        2 * pairs,
        stock.len()
    );

    // The library's pairs run first, the API's after: a run pays for the WAL the one before
    // it left behind, so the order favours the library, not the server.
    let (api_tags, lib_tags) = stock.split_at(pairs);
    let mut store = Store::open(&db, &OpenOptions::default()).expect("open");
    let t = Instant::now();
    for tag in lib_tags {
        store.checkout(tag, &person, None, None).expect("checkout");
        store.checkin(tag, None, None, None).expect("checkin");
    }
    let lib = t.elapsed();
    drop(store);

    let token = itam(&db, home.path(), &["token", "create", "bench"]);
    let mut server = Command::new(BIN)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("itam serve");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .trim_end_matches("/api/v1")
        .to_string();

    let mut conn = Conn::open(&addr);
    // Warm the page cache and the server's connections.
    for tag in sample.iter().take(200) {
        conn.call("GET", &format!("/hardware/bytag/{tag}"), &token, "");
    }
    let mut lat = Vec::with_capacity(sample.len());
    for tag in &sample {
        let t = Instant::now();
        let (code, body) = conn.call("GET", &format!("/hardware/bytag/{tag}"), &token, "");
        lat.push(t.elapsed());
        assert!(
            code == 200 && body.contains("\"asset_tag\""),
            "{code} {body}"
        );
    }
    println!(
        "GET /hardware/bytag at {assets} assets, one keep-alive client: {}",
        common::durations(lat)
    );

    let t = Instant::now();
    for tag in api_tags {
        let (_, row) = conn.call("GET", &format!("/hardware/bytag/{tag}"), &token, "");
        let id: i64 = serde_json::from_str::<serde_json::Value>(&row).expect("json")["id"]
            .as_i64()
            .expect("id");
        let out = conn.call(
            "POST",
            &format!("/hardware/{id}/checkout"),
            &token,
            &format!("{{\"assigned_user\": {person_id}}}"),
        );
        assert!(out.1.contains("\"success\""), "{}", out.1);
        let back = conn.call("POST", &format!("/hardware/{id}/checkin"), &token, "{}");
        assert!(back.1.contains("\"success\""), "{}", back.1);
    }
    let api = t.elapsed();
    let _ = server.kill();
    let _ = server.wait();

    let rate = |d: Duration| pairs as f64 / d.as_secs_f64();
    println!(
        "{pairs} check-out/check-in pairs: API {:.0} pairs/s ({:.2} s, incl. a bytag look-up each), library {:.0} pairs/s ({:.2} s); API/library time {:.2}x",
        rate(api),
        api.as_secs_f64(),
        rate(lib),
        lib.as_secs_f64(),
        api.as_secs_f64() / lib.as_secs_f64()
    );
}
