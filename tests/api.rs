//! `itam serve` over HTTP: every endpoint, its auth, its errors and its JSON shape, against the
//! real binary on a temp database. A small HTTP/1.1 client over std's TcpStream keeps the
//! requests exactly as written.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::Env;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(env: &Env) -> Server {
        Server::start_args(env, &["--listen", "127.0.0.1:0"])
    }

    fn start_args(env: &Env, args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("itam"))
            .env("XDG_CONFIG_HOME", env.dir.path().join("config"))
            .env("XDG_DATA_HOME", env.dir.path().join("data"))
            .env_remove("ITAM_DB")
            .arg("--db")
            .arg(env.target())
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn itam serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|r| r.strip_suffix("/api/v1"))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Resp {
    code: u16,
    body: Value,
}

fn raw(addr: &str, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request).expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    let chunked = text
        .split_once("\r\n\r\n")
        .map(|x| x.0.to_lowercase().contains("transfer-encoding: chunked"))
        .unwrap_or(false);
    if !chunked {
        return (code, body);
    }
    let mut rest = body.as_str();
    let mut decoded = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        decoded.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    (code, decoded)
}

fn call(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Resp {
    let mut req =
        format!("{method} /api/v1{path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let b = body.unwrap_or("");
    req.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
        b.len()
    ));
    let (code, text) = raw(addr, req.as_bytes());
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Resp { code, body }
}

struct Api {
    addr: String,
    token: String,
}

impl Api {
    fn get(&self, path: &str) -> Resp {
        call(&self.addr, "GET", path, Some(&self.token), None)
    }
    fn send(&self, method: &str, path: &str, body: Value) -> Resp {
        call(
            &self.addr,
            method,
            path,
            Some(&self.token),
            Some(&body.to_string()),
        )
    }
}

fn token(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["token", "create"];
    all.extend_from_slice(args);
    env.ok(&all).trim().to_string()
}

fn setup() -> (Env, Server, Api) {
    serve(Env::seeded(), "intune")
}

/// `itam serve` on `env`, with a client holding a new token named `token_name`.
fn serve(env: Env, token_name: &str) -> (Env, Server, Api) {
    let t = token(&env, &[token_name]);
    let server = Server::start(&env);
    let api = Api {
        addr: server.addr.clone(),
        token: t,
    };
    (env, server, api)
}

fn success(r: &Resp) -> &Value {
    assert_eq!(r.code, 200, "{r:?}");
    assert_eq!(r.body["status"], "success", "{r:?}");
    &r.body["payload"]
}

fn refused(r: &Resp) -> String {
    assert_eq!(r.code, 200, "{r:?}");
    assert_eq!(r.body["status"], "error", "{r:?}");
    r.body["messages"].to_string()
}

fn id_of(api: &Api, kind: &str, field: &str, value: &str) -> i64 {
    let r = api.get(&format!("/{kind}?limit=500"));
    r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x[field] == value)
        .unwrap_or_else(|| panic!("no {kind} with {field} {value}: {:?}", r.body))["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn tokens_missing_unknown_revoked_expired_and_read_only() {
    let env = Env::seeded();
    let good = token(&env, &["intune"]);
    let ro = token(&env, &["reporting", "--read-only"]);
    let old = token(&env, &["legacy", "--expires", "2020-01-01"]);
    let gone = token(&env, &["temp"]);
    let list = env.json(&["token", "list", "--json"]);
    let gone_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["username"] == "temp")
        .unwrap()["id"]
        .to_string();
    env.ok(&["token", "revoke", &gone_id]);
    assert!(
        !env.ok(&["token", "list"]).contains(&good),
        "tokens are never shown again"
    );

    let s = Server::start(&env);
    let a = &s.addr;
    for (t, why) in [
        (None, "Authorization"),
        (Some("itam_0000"), "not known"),
        (Some(gone.as_str()), "revoked"),
        (Some(old.as_str()), "expired"),
    ] {
        let r = call(a, "GET", "/hardware", t, None);
        assert_eq!(r.code, 401, "{r:?}");
        assert_eq!(r.body["status"], "error");
        assert!(r.body["messages"].as_str().unwrap().contains(why), "{r:?}");
    }
    assert_eq!(call(a, "GET", "/hardware", Some(&good), None).code, 200);
    assert_eq!(call(a, "GET", "/hardware", Some(&ro), None).code, 200);
    let w = call(
        a,
        "POST",
        "/hardware",
        Some(&ro),
        Some(r#"{"asset_tag":"RO-1"}"#),
    );
    assert_eq!(w.code, 403, "{w:?}");
    assert!(w.body["messages"].as_str().unwrap().contains("read-only"));
    let d = call(
        a,
        "PATCH",
        "/hardware/1",
        Some(&ro),
        Some(r#"{"notes":"x"}"#),
    );
    assert_eq!(d.code, 403);
    // Nothing was written by the refused requests.
    assert!(env.ok(&["history", "IT-0001"]).lines().count() == 1);
}

#[test]
fn hardware_reads_by_id_tag_serial_and_list_shapes() {
    let (_env, _s, api) = setup();
    let one = api.get("/hardware/bytag/IT-0001");
    assert_eq!(one.code, 200);
    let a = &one.body;
    assert_eq!(a["asset_tag"], "IT-0001");
    assert_eq!(a["serial"], "SN-AAA");
    assert_eq!(a["model"]["name"], "Latitude 7440");
    assert_eq!(a["manufacturer"]["name"], "Dell");
    assert_eq!(a["category"]["name"], "Laptop");
    assert_eq!(a["location"]["name"], "IT Depot");
    assert_eq!(a["status_label"]["id"], 2);
    assert_eq!(a["status_label"]["status_type"], "deployable");
    assert_eq!(a["purchase_cost"], "1,649.00");
    assert_eq!(
        a["purchase_date"],
        json!({"date": "2025-01-15", "formatted": "2025-01-15"})
    );
    assert_eq!(a["warranty_expires"]["date"], "2028-01-15");
    assert!(a["created_at"]["datetime"].as_str().unwrap().len() == 19);
    assert_eq!(a["assigned_to"], Value::Null);
    assert!(a["custom_fields"].is_object());
    assert_eq!(a["available_actions"]["checkout"], true);
    let id = a["id"].as_i64().unwrap();

    let by_id = api.get(&format!("/hardware/{id}"));
    assert_eq!(by_id.body["asset_tag"], "IT-0001");
    let ser = api.get("/hardware/byserial/SN-AAA");
    assert_eq!(ser.body["total"], 1);
    assert_eq!(ser.body["rows"][0]["id"], id);
    // Tags compare without case, as everywhere in itam.
    assert_eq!(api.get("/hardware/bytag/it-0001").body["id"], id);

    for missing in [
        "/hardware/bytag/NOPE",
        "/hardware/byserial/NOPE",
        "/hardware/99999",
    ] {
        let r = api.get(missing);
        assert!(refused(&r).contains("does not exist"), "{missing}: {r:?}");
    }
    assert!(refused(&api.get("/hardware/abc")).contains("integer"));

    let list = api.get("/hardware?search=latitude&limit=10&offset=0&sort=asset_tag&order=asc");
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["rows"][0]["asset_tag"], "IT-0001");
    assert_eq!(api.get("/hardware?search=zzz").body["total"], 0);
    assert_eq!(api.get("/hardware?status=RTD").body["total"], 1);
    assert_eq!(api.get("/hardware?status=Deployed").body["total"], 0);
    assert_eq!(api.get("/hardware?status_id=2").body["total"], 1);
    let model = a["model"]["id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/hardware?model_id={model}")).body["total"],
        1
    );
    assert_eq!(
        api.get(&format!("/hardware?model_id={}", model + 100)).body["total"],
        0
    );
    assert!(refused(&api.get("/hardware?limit=abc")).contains("limit"));
    assert!(refused(&api.get("/hardware?status_id=42")).contains("status"));
    assert!(refused(&api.get("/hardware?status=Bogus")).contains("RTD"));
}

#[test]
fn pages_are_capped_at_500() {
    let env = Env::new();
    env.ok(&["demo", "--assets", "600"]);
    let (_env, _server, api) = serve(env, "bulk");
    let r = api.get("/hardware?limit=100000");
    let rows = r.body["rows"].as_array().unwrap().len() as i64;
    assert!(rows <= 500, "{rows}");
    assert_eq!(rows, r.body["total"].as_i64().unwrap().min(500));
    assert!(
        r.body["total"].as_i64().unwrap() > 500,
        "the demo has more than a page"
    );
    let page2 = api.get("/hardware?limit=5&offset=5&sort=id&order=asc");
    assert_eq!(page2.body["rows"].as_array().unwrap().len(), 5);
    let first = api.get("/hardware?limit=10&sort=id&order=asc");
    assert_eq!(first.body["rows"][5]["id"], page2.body["rows"][0]["id"]);
}

#[test]
fn hardware_writes_are_itam_writes_with_the_api_actor() {
    let (env, _s, api) = setup();
    let model = id_of(&api, "models", "name", "Latitude 7440");
    let hq = id_of(&api, "locations", "name", "IT Depot");
    let floor2 = id_of(&api, "locations", "name", "Floor 2");
    let jdoe = id_of(&api, "users", "username", "jdoe");

    let created = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "IT-0100", "serial": "SN-100", "model_id": model, "status_id": 2,
               "name": "Loaner", "purchase_date": "2026-01-10", "purchase_cost": "999.5",
               "warranty_months": 24, "location_id": hq}),
    );
    let p = success(&created);
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["asset_tag"], "IT-0100");
    assert_eq!(p["model_id"], model);
    assert_eq!(p["status_id"], 2);
    assert!(p["created_at"].as_str().unwrap().ends_with(".000000Z"));
    let full = api.get(&format!("/hardware/{id}")).body;
    assert_eq!(full["warranty_expires"]["date"], "2028-01-10");
    assert_eq!(full["purchase_cost"], "999.50");

    let upd = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"notes": "spare", "location_id": floor2}),
    );
    assert_eq!(success(&upd)["notes"], "spare");
    assert_eq!(
        api.get(&format!("/hardware/{id}")).body["location"]["name"],
        "Floor 2"
    );
    let put = api.send("PUT", &format!("/hardware/{id}"), json!({"name": null}));
    assert_eq!(success(&put)["name"], Value::Null);

    let out = api.send(
        "POST",
        &format!("/hardware/{id}/checkout"),
        json!({"checkout_to_type": "user", "assigned_user": jdoe, "expected_checkin": "2026-12-24", "note": "for travel"}),
    );
    assert_eq!(success(&out)["asset"], "IT-0100");
    let held = api.get(&format!("/hardware/{id}")).body;
    assert_eq!(held["assigned_to"]["username"], "jdoe");
    assert_eq!(held["assigned_to"]["type"], "user");
    assert_eq!(held["status_label"]["status_meta"], "deployed");
    assert_eq!(held["expected_checkin"]["date"], "2026-12-24");
    assert_eq!(api.get(&format!("/users/{jdoe}/assets")).body["total"], 1);
    // A second check-out is a lifecycle refusal: HTTP 200, status error, naming the holder.
    let again = api.send(
        "POST",
        &format!("/hardware/{id}/checkout"),
        json!({"assigned_user": jdoe}),
    );
    assert!(refused(&again).contains("already checked out"));
    let bad_user = api.send(
        "POST",
        &format!("/hardware/{id}/checkout"),
        json!({"assigned_user": 9999}),
    );
    assert!(refused(&bad_user).contains("does not exist"));
    let to_asset = api.send(
        "POST",
        &format!("/hardware/{id}/checkout"),
        json!({"checkout_to_type": "asset", "assigned_asset": 1}),
    );
    refused(&to_asset);

    let back = api.send(
        "POST",
        &format!("/hardware/{id}/checkin"),
        json!({"note": "returned", "location_id": hq}),
    );
    assert_eq!(success(&back)["asset_tag"], "IT-0100");
    let twice = api.send("POST", &format!("/hardware/{id}/checkin"), json!({}));
    assert!(refused(&twice).contains("check in"));

    let moved = api.send(
        "POST",
        &format!("/hardware/{id}/checkout"),
        json!({"checkout_to_type": "location", "assigned_location": floor2}),
    );
    success(&moved);
    assert_eq!(
        api.get(&format!("/hardware/{id}")).body["location"]["name"],
        "Floor 2"
    );

    let audit = api.send(
        "POST",
        "/hardware/audit",
        json!({"asset_tag": "IT-0100", "note": "seen"}),
    );
    assert_eq!(success(&audit)["asset_tag"], "IT-0100");
    success(&api.send("POST", &format!("/hardware/{id}/audit"), json!({})));
    let repair = api.send("PATCH", &format!("/hardware/{id}"), json!({"status_id": 4}));
    success(&repair);
    assert_eq!(
        api.get(&format!("/hardware/{id}")).body["status_label"]["name"],
        "In repair"
    );
    let deploy = api.send("PATCH", &format!("/hardware/{id}"), json!({"status_id": 3}));
    assert!(refused(&deploy).contains("checkout"));

    let del = call(
        &api.addr,
        "DELETE",
        &format!("/hardware/{id}"),
        Some(&api.token),
        None,
    );
    assert!(refused(&del).contains("never deletes"));
    assert_eq!(
        api.get(&format!("/hardware/{id}")).body["asset_tag"],
        "IT-0100"
    );

    let by_tag_out = api.send(
        "POST",
        "/hardware/bytag/IT-0001/checkout",
        json!({"assigned_user": jdoe}),
    );
    success(&by_tag_out);
    success(&api.send("POST", "/hardware/bytag/IT-0001/checkin", json!({})));

    let hist = env.json(&["history", "IT-0100", "--json"]);
    let kinds: Vec<(&str, &str)> = hist
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["kind"].as_str().unwrap(), h["actor"].as_str().unwrap()))
        .collect();
    assert!(kinds.iter().all(|k| k.1 == "api:intune"), "{kinds:?}");
    let names: Vec<&str> = kinds.iter().map(|k| k.0).collect();
    assert_eq!(
        names,
        [
            "create", "home", "edit", "move", "edit", "checkout", "checkin", "move", "audited",
            "audited", "status"
        ]
    );
    assert!(env.ok(&["check"]).starts_with("ok"));
}

#[test]
fn bad_requests_get_messages_never_a_crash() {
    let (_env, s, api) = setup();
    let bad_json = call(
        &api.addr,
        "POST",
        "/hardware",
        Some(&api.token),
        Some("{\"asset_tag\": "),
    );
    assert!(
        refused(&bad_json).contains("not valid JSON"),
        "{bad_json:?}"
    );
    assert!(refused(&api.send("POST", "/hardware", json!([1, 2]))).contains("JSON object"));
    let missing = api.send("POST", "/hardware", json!({"name": "x"}));
    assert_eq!(
        missing.body["messages"]["asset_tag"][0],
        "The asset tag field is required."
    );
    let dup = api.send("POST", "/hardware", json!({"asset_tag": "IT-0001"}));
    assert!(
        dup.body["messages"]["asset_tag"][0]
            .as_str()
            .unwrap()
            .contains("already in use"),
        "{dup:?}"
    );
    let date = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "X-1", "purchase_date": "soon"}),
    );
    assert!(refused(&date).contains("purchase"), "{date:?}");
    let model = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "X-1", "model_id": "seven"}),
    );
    assert!(model.body["messages"]["model_id"][0]
        .as_str()
        .unwrap()
        .contains("integer"));
    let status = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "X-1", "status_id": 6}),
    );
    assert!(status.body["messages"]["status_id"].is_array());
    let obj = api.send("PATCH", "/hardware/1", json!({"notes": {"a": 1}}));
    assert!(obj.body["messages"]["notes"].is_array());
    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(100 * 1024));
    let big = call(
        &api.addr,
        "PATCH",
        "/hardware/1",
        Some(&api.token),
        Some(&huge),
    );
    assert_eq!(big.code, 413, "{big:?}");
    let nowhere = api.get("/nothing/here");
    assert_eq!(nowhere.code, 404);
    assert_eq!(nowhere.body["status"], "error");
    let outside = call(&s.addr, "GET", "/../../etc/passwd", Some(&api.token), None);
    assert_ne!(outside.code, 200);
    // Control characters in a value are refused, and shown visibly when echoed.
    let ctl = api.send("POST", "/hardware", json!({"asset_tag": "A\u{1b}[31m"}));
    assert!(!ctl.body.to_string().contains('\u{1b}'), "{ctl:?}");
    // The server is still answering.
    assert_eq!(api.get("/hardware/bytag/IT-0001").code, 200);
}

#[test]
fn a_client_that_sends_nothing_is_dropped() {
    let (_env, s, api) = setup();
    let started = Instant::now();
    let mut idle = TcpStream::connect(&s.addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    idle.write_all(b"GET /api/v1/hardware HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut slow_body = TcpStream::connect(&s.addr).unwrap();
    slow_body
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    slow_body
        .write_all(
            format!(
                "PATCH /api/v1/hardware/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 50\r\n\r\n{{",
                api.token
            )
            .as_bytes(),
        )
        .unwrap();
    // Others are served meanwhile.
    assert_eq!(api.get("/hardware/bytag/IT-0001").code, 200);
    let mut buf = Vec::new();
    let _ = idle.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(25), "held for {waited:?}");
    let mut body = Vec::new();
    let _ = slow_body.read_to_end(&mut body);
    let text = String::from_utf8_lossy(&body);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[test]
fn users_locations_and_the_catalogue() {
    let (env, _s, api) = setup();
    let users = api.get("/users?search=doe");
    assert_eq!(users.body["total"], 1);
    let u = &users.body["rows"][0];
    assert_eq!(u["username"], "jdoe");
    assert_eq!(u["first_name"], "Jane");
    assert_eq!(u["last_name"], "Doe");
    assert_eq!(u["employee_num"], "B1001");
    assert_eq!(u["department"]["name"], "IT");
    assert_eq!(u["activated"], true);
    let id = u["id"].as_i64().unwrap();
    assert_eq!(api.get(&format!("/users/{id}")).body["username"], "jdoe");
    assert!(refused(&api.get("/users/9999")).contains("not found"));
    assert!(refused(&api.get("/users/me")).contains("not a person"));
    let mine = token(&env, &["jdoe"]);
    let me = call(&api.addr, "GET", "/users/me", Some(&mine), None);
    assert_eq!(me.body["username"], "jdoe");

    let made = api.send(
        "POST",
        "/users",
        json!({"username": "bwayne", "first_name": "Bruce", "last_name": "Wayne", "email": "b@example.com", "password": "ignored"}),
    );
    let nid = success(&made)["id"].as_i64().unwrap();
    assert_eq!(made.body["payload"]["name"], "Bruce Wayne");
    let again = api.send(
        "POST",
        "/users",
        json!({"username": "bwayne", "first_name": "B"}),
    );
    refused(&again);
    assert!(
        api.send("POST", "/users", json!({"first_name": "x"})).body["messages"]["username"]
            .is_array()
    );
    let patched = api.send(
        "PATCH",
        &format!("/users/{nid}"),
        json!({"last_name": "Wayne II", "employee_num": "B77"}),
    );
    assert_eq!(success(&patched)["name"], "Bruce Wayne II");
    assert_eq!(patched.body["payload"]["employee_num"], "B77");
    refused(&api.send(
        "PATCH",
        &format!("/users/{nid}"),
        json!({"activated": false}),
    ));
    let people = env.json(&["person", "list", "--json"]);
    let shown = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["username"] == "bwayne")
        .unwrap();
    assert_eq!(shown["full_name"], "Bruce Wayne II");

    let locs = api.get("/locations");
    assert_eq!(locs.body["total"], 2);
    let depot = locs.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "IT Depot")
        .unwrap();
    assert_eq!(depot["code"], "HQ-101");
    assert_eq!(depot["assets_count"], 1);
    assert_eq!(depot["children"][0]["name"], "Floor 2");
    let lid = depot["id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/locations/{lid}")).body["name"],
        "IT Depot"
    );
    let floor = api.get(&format!("/locations/{}", depot["children"][0]["id"]));
    assert_eq!(floor.body["parent"]["name"], "IT Depot");

    let models = api.get("/models");
    assert_eq!(models.body["rows"][0]["name"], "Latitude 7440");
    assert_eq!(models.body["rows"][0]["assets_count"], 1);
    let mf = id_of(&api, "manufacturers", "name", "Dell");
    let cat = id_of(&api, "categories", "name", "Laptop");
    let m = api.send("POST", "/models", json!({"name": "OptiPlex 7010", "manufacturer_id": mf, "category_id": cat, "model_number": "D15S"}));
    let mp = success(&m);
    assert_eq!(mp["manufacturer"]["name"], "Dell");
    assert_eq!(mp["model_number"], "D15S");
    assert!(mp["created_at"]["datetime"].is_string());
    refused(&api.send("POST", "/models", json!({"name": "optiplex 7010"})));
    refused(&api.send("POST", "/models", json!({"name": "Y", "category_id": 999})));
    assert_eq!(
        api.get(&format!("/models/{}", mp["id"])).body["name"],
        "OptiPlex 7010"
    );

    assert_eq!(
        api.get(&format!("/manufacturers/{mf}")).body["assets_count"],
        1
    );
    assert_eq!(
        api.get(&format!("/categories/{cat}")).body["category_type"],
        "asset"
    );
    assert_eq!(api.get("/suppliers").body["total"], 0);
    refused(&api.get("/suppliers/5"));

    let labels = api.get("/statuslabels");
    assert_eq!(labels.body["total"], 7);
    let types: Vec<(i64, String)> = labels.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_i64().unwrap(),
                l["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(types[0], (1, "pending".into()));
    assert_eq!(types[1], (2, "deployable".into()));
    assert!(types.iter().any(|t| t.1 == "archived") && types.iter().any(|t| t.1 == "undeployable"));
    assert_eq!(api.get("/statuslabels/2").body["assets_count"], 1);
    refused(&api.get("/statuslabels/9"));
    refused(&call(
        &api.addr,
        "DELETE",
        &format!("/users/{nid}"),
        Some(&api.token),
        None,
    ));
}

#[test]
fn licence_seats_assign_release_and_refuse_over_assignment() {
    let (env, _s, api) = setup();
    env.ok(&[
        "licence",
        "add",
        "Adobe CC",
        "--vendor",
        "Adobe",
        "--seats",
        "1",
        "--cost",
        "600",
        "--key",
        "ABCD-EFGH-IJKL",
    ]);
    let list = api.get("/licenses");
    assert_eq!(list.body["total"], 1);
    let l = &list.body["rows"][0];
    assert_eq!(l["name"], "Adobe CC");
    assert_eq!(l["seats"], 1);
    assert_eq!(l["free_seats_count"], 1);
    assert!(!l["product_key"].as_str().unwrap().contains("EFGH"));
    let lid = l["id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/licenses/{lid}")).body["purchase_cost"],
        "600.00"
    );
    refused(&api.get("/licenses/99"));

    let seats = api.get(&format!("/licenses/{lid}/seats"));
    assert_eq!(seats.body["total"], 1);
    assert_eq!(seats.body["rows"][0]["assigned_user"], Value::Null);
    let jdoe = id_of(&api, "users", "username", "jdoe");
    let ann = id_of(&api, "users", "username", "asmith");
    let got = api.send(
        "PATCH",
        &format!("/licenses/{lid}/seats/1"),
        json!({"assigned_to": jdoe}),
    );
    assert_eq!(success(&got)["assigned_user"]["id"], jdoe);
    assert_eq!(
        api.get(&format!("/licenses/{lid}/seats/1")).body["assigned_user"]["id"],
        jdoe
    );
    let full = api.send(
        "PATCH",
        &format!("/licenses/{lid}/seats/2"),
        json!({"assigned_to": ann}),
    );
    refused(&full);
    let taken = api.send(
        "PATCH",
        &format!("/licenses/{lid}/seats/1"),
        json!({"assigned_to": ann}),
    );
    assert!(refused(&taken).contains("held by"));
    let over = api.send(
        "PATCH",
        &format!("/licenses/{lid}/seats/2"),
        json!({"assigned_to": ann, "force": true}),
    );
    success(&over);
    assert_eq!(
        api.get(&format!("/licenses/{lid}")).body["itam"]["over_deployed"],
        1
    );
    let release = api.send(
        "PATCH",
        &format!("/licenses/{lid}/seats/1"),
        json!({"assigned_to": null}),
    );
    success(&release);
    assert_eq!(
        api.get(&format!("/licenses/{lid}/seats")).body["rows"][0]["assigned_user"]["id"],
        ann
    );
    let asset = id_of(&api, "hardware", "asset_tag", "IT-0001");
    let dev = api.send(
        "PATCH",
        &format!("/licenses/{lid}/seats/2"),
        json!({"asset_id": asset}),
    );
    assert!(refused(&dev).contains("Seat does not exist"), "{dev:?}");
    let events = env.json(&["export", "--kind", "events", "--format", "json"]);
    let seat_writes = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "api:intune" && e["kind"].as_str().unwrap().starts_with("seat_"))
        .count();
    assert_eq!(seat_writes, 3, "{events}");
}

#[test]
fn events_feed_follows_the_history() {
    let (_env, _s, api) = setup();
    let first = api.get("/events?since=0&limit=2");
    assert_eq!(first.body["rows"].as_array().unwrap().len(), 2);
    let last = first.body["last_id"].as_i64().unwrap();
    let all = api.get("/events");
    let newest = all.body["last_id"].as_i64().unwrap();
    assert!(newest >= last);
    let none = api.get(&format!("/events?since={newest}"));
    assert_eq!(none.body["total"], 0);
    assert_eq!(none.body["last_id"], newest);
    let id = id_of(&api, "hardware", "asset_tag", "IT-0001");
    success(&api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"notes": "feed"}),
    ));
    let fresh = api.get(&format!("/events?since={newest}"));
    assert_eq!(fresh.body["total"], 1);
    let e = &fresh.body["rows"][0];
    assert_eq!(e["kind"], "edit");
    assert_eq!(e["actor"], "api:intune");
    assert_eq!(e["asset_tag"], "IT-0001");
    assert_eq!(e["after"]["notes"], "feed");
    assert!(refused(&api.get("/events?since=x")).contains("since"));
}

#[test]
fn listening_beyond_loopback_needs_tls_or_saying_so() {
    let env = Env::seeded();
    let err = env.fails(&["serve", "--listen", "0.0.0.0:0"], 1);
    assert!(
        err.contains("TLS") && err.contains("--insecure-http"),
        "{err}"
    );
    let err = env.fails(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent.pem",
            "--tls-key",
            "/nonexistent.key",
        ],
        1,
    );
    assert!(err.contains("nonexistent.pem"), "{err}");
    let s = Server::start_args(&env, &["--listen", "0.0.0.0:0", "--insecure-http"]);
    let port = s.addr.rsplit(':').next().unwrap().to_string();
    let t = token(&env, &["x"]);
    let r = call(
        &format!("127.0.0.1:{port}"),
        "GET",
        "/statuslabels",
        Some(&t),
        None,
    );
    assert_eq!(r.code, 200);
}

#[test]
fn tls_with_a_self_signed_certificate() {
    let env = Env::seeded();
    let dir = env.dir.path();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output();
    let Ok(out) = made else {
        eprintln!("SKIPPED: no openssl to make a certificate");
        return;
    };
    assert!(out.status.success());
    let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("itam"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .arg("--db")
        .arg(env.target())
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&c)
        .arg("--tls-key")
        .arg(&k)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on https://"), "{line}");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let t = token(&env, &["tls"]);
    let curl = Command::new("curl")
        .args([
            "-sk",
            "-H",
            &format!("Authorization: Bearer {t}"),
            &format!("{url}/statuslabels/2"),
        ])
        .output();
    let _ = child.kill();
    let _ = child.wait();
    match curl {
        Ok(o) => {
            let v: Value = serde_json::from_slice(&o.stdout).expect("json over TLS");
            assert_eq!(v["name"], "In stock");
        }
        Err(_) => eprintln!("SKIPPED: no curl for the TLS request"),
    }
}

/// 8 clients x N mixed requests (ITAM_API_CONCURRENCY_REQUESTS, default 60; the issue's full
/// size is 500) while the TUI is open on the same database in a pseudo-terminal: no answer but
/// success or a lifecycle refusal, and the history holds exactly the acknowledged writes.
#[test]
fn concurrent_clients_with_the_tui_open() {
    let per_client: usize = std::env::var("ITAM_API_CONCURRENCY_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let (env, _s, api) = setup();
    let mut tui = pty::Pty::spawn(
        &assert_cmd::cargo::cargo_bin("itam"),
        &["--db", env.target().to_str().unwrap()],
        env.dir.path(),
        &[],
    );
    assert!(
        tui.wait_for("IT-0001", 20),
        "the TUI should open: {}",
        tui.screen()
    );
    let before = env.json(&["export", "--kind", "events", "--format", "json"]);
    let events_before = before.as_array().map_or(0, Vec::len);
    let jdoe = id_of(&api, "users", "username", "jdoe");
    let shared = id_of(&api, "hardware", "asset_tag", "IT-0001");
    let addr = api.addr.clone();
    let token = api.token.clone();
    let handles: Vec<_> = (0..8)
        .map(|c| {
            let (addr, token) = (addr.clone(), token.clone());
            std::thread::spawn(move || {
                let api = Api { addr, token };
                let mut acked = 0usize;
                let mut refusals = 0usize;
                let tag = format!("C{c}-0001");
                let made = api.send(
                    "POST",
                    "/hardware",
                    json!({"asset_tag": tag, "serial": format!("SER-C{c}")}),
                );
                let id = success(&made)["id"].as_i64().unwrap();
                acked += 1;
                for i in 1..per_client {
                    let r = match i % 6 {
                        0 => api.get(&format!("/hardware/bytag/{tag}")),
                        1 => api.send(
                            "POST",
                            &format!("/hardware/{id}/checkout"),
                            json!({"assigned_user": jdoe}),
                        ),
                        2 => api.send("POST", &format!("/hardware/{id}/checkin"), json!({})),
                        3 => api.send(
                            "PATCH",
                            &format!("/hardware/{id}"),
                            json!({"notes": format!("n{c}-{i}")}),
                        ),
                        4 => api.send(
                            "POST",
                            &format!("/hardware/{shared}/checkout"),
                            json!({"assigned_user": jdoe}),
                        ),
                        _ => api.send("POST", &format!("/hardware/{shared}/checkin"), json!({})),
                    };
                    assert_eq!(r.code, 200, "client {c} request {i}: {r:?}");
                    match r.body["status"].as_str() {
                        Some("success") => acked += 1,
                        Some("error") => {
                            let m = r.body["messages"].to_string();
                            assert!(
                                m.contains("already checked out") || m.contains("cannot check"),
                                "client {c} request {i}: not a lifecycle refusal: {m}"
                            );
                            refusals += 1;
                        }
                        _ => {} // reads answer the asset itself
                    }
                }
                (acked, refusals)
            })
        })
        .collect();
    let mut acked = 0;
    let mut refusals = 0;
    for h in handles {
        let (a, r) = h.join().expect("client thread");
        acked += a;
        refusals += r;
    }
    let after = env.json(&["export", "--kind", "events", "--format", "json"]);
    let api_events = after
        .as_array()
        .unwrap()
        .iter()
        .skip(events_before)
        .filter(|e| e["actor"] == "api:intune")
        .count();
    println!(
        "8 clients x {per_client} requests: {acked} writes acknowledged, {api_events} api events, {refusals} lifecycle refusals"
    );
    assert_eq!(api_events, acked, "refusals: {refusals}");
    assert!(refusals > 0, "the shared asset should have raced");
    // The TUI is still alive and shows an API-made asset after its live refresh.
    tui.send(b"/C7-0001\r");
    assert!(tui.wait_for("C7-0001", 20), "{}", tui.screen());
    let _ = tui.child.kill();
    let _ = tui.child.wait();
    assert!(env.ok(&["check"]).starts_with("ok"));
}

#[test]
fn custom_fields_by_name_and_snipeit_column_and_the_home_location() {
    let (env, _s, api) = setup();
    env.ok(&["field", "add", "MAC Address", "--format", "mac"]);
    env.ok(&["field", "add", "RAM GB", "--kind", "number"]);
    let id = id_of(&api, "hardware", "asset_tag", "IT-0001");
    let floor2 = id_of(&api, "locations", "name", "Floor 2");
    let shown = api.get(&format!("/hardware/{id}")).body;
    let mac = &shown["custom_fields"]["MAC Address"];
    assert_eq!(mac["value"], "");
    assert_eq!(mac["field_format"], "MAC");
    let column = mac["field"].as_str().unwrap().to_string();
    assert!(column.starts_with("_snipeit_mac_address_"), "{column}");

    let by_column = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({column.clone(): "00:1A:2B:3C:4D:5E"}),
    );
    assert_eq!(success(&by_column)[&column], "00:1A:2B:3C:4D:5E");
    let by_name = api.send(
        "PUT",
        &format!("/hardware/{id}"),
        json!({"custom_fields": {"RAM GB": 32}, "rtd_location_id": floor2}),
    );
    assert_eq!(success(&by_name)["rtd_location_id"], floor2);
    let after = api.get(&format!("/hardware/{id}")).body;
    assert_eq!(after["custom_fields"]["RAM GB"]["value"], "32");
    assert_eq!(
        after["custom_fields"]["MAC Address"]["value"],
        "00:1A:2B:3C:4D:5E"
    );
    assert_eq!(after["rtd_location"]["name"], "Floor 2");
    assert_eq!(after["location"]["name"], "IT Depot");

    let bad = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"custom_fields": {"RAM GB": "lots"}}),
    );
    assert!(bad.body["messages"]["RAM GB"].is_array(), "{bad:?}");
    let unknown = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"_snipeit_cpu_99": "x"}),
    );
    assert!(
        unknown.body["messages"]["_snipeit_cpu_99"].is_array(),
        "{unknown:?}"
    );
    let created = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "IT-0200", "custom_fields": {"MAC Address": "AA:BB:CC:DD:EE:FF"}}),
    );
    assert_eq!(success(&created)[&column], "AA:BB:CC:DD:EE:FF");
    let cleared = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({column.clone(): null}),
    );
    assert_eq!(success(&cleared)[&column], Value::Null);

    let hist = env.json(&["history", "IT-0001", "--json"]);
    let by_api: Vec<&str> = hist
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["actor"] == "api:intune")
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(by_api, ["field", "home", "field", "field"]);
}

/// The id of the newest event, so a test can count what a request added.
fn last_event(api: &Api) -> i64 {
    api.get("/events").body["last_id"].as_i64().unwrap()
}

fn events_since(api: &Api, id: i64) -> i64 {
    api.get(&format!("/events?since={id}")).body["total"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_refused_last_part_leaves_the_whole_update_unwritten() {
    let (env, _s, api) = setup();
    env.ok(&["field", "add", "RAM GB", "--kind", "number"]);
    let id = id_of(&api, "hardware", "asset_tag", "IT-0001");
    let floor2 = id_of(&api, "locations", "name", "Floor 2");
    let asmith = id_of(&api, "users", "username", "asmith");
    env.ok(&["person", "offboard", "asmith"]);
    let before = api.get(&format!("/hardware/{id}")).body;
    let history = env.json(&["history", "IT-0001", "--json"]);
    let mark = last_event(&api);

    // Name, notes, move, home and a field would all pass; the lifecycle refuses the status
    // (nothing goes back to Ordered), so none of them may stay.
    let status = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"name": "Renamed", "notes": "half", "location_id": floor2,
               "rtd_location_id": floor2, "custom_fields": {"RAM GB": 16}, "status_id": 1}),
    );
    assert!(refused(&status).contains("ordered"), "{status:?}");
    // The check-out comes last: an offboarded person is refused inside the transaction.
    let checkout = api.send(
        "PUT",
        &format!("/hardware/{id}"),
        json!({"name": "Renamed", "location_id": floor2, "assigned_user": asmith}),
    );
    assert!(refused(&checkout).contains("inactive"), "{checkout:?}");
    // A value of the wrong kind is refused before anything is written.
    let kind = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"name": "Renamed", "custom_fields": {"RAM GB": "lots"}}),
    );
    assert!(kind.body["messages"]["RAM GB"].is_array(), "{kind:?}");

    let after = api.get(&format!("/hardware/{id}")).body;
    for key in [
        "name",
        "notes",
        "location",
        "rtd_location",
        "status_label",
        "assigned_to",
        "custom_fields",
    ] {
        assert_eq!(after[key], before[key], "{key} changed");
    }
    assert_eq!(events_since(&api, mark), 0);
    assert_eq!(env.json(&["history", "IT-0001", "--json"]), history);
    assert!(env.ok(&["check"]).starts_with("ok"));
}

#[test]
fn a_refused_part_of_a_create_leaves_no_asset() {
    let (env, _s, api) = setup();
    env.ok(&["field", "add", "RAM GB", "--kind", "number"]);
    let floor2 = id_of(&api, "locations", "name", "Floor 2");
    let asmith = id_of(&api, "users", "username", "asmith");
    env.ok(&["person", "offboard", "asmith"]);
    let mark = last_event(&api);
    let total = api.get("/hardware").body["total"].clone();

    let r = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "IT-0300", "rtd_location_id": floor2,
               "custom_fields": {"RAM GB": 8}, "assigned_user": asmith}),
    );
    assert!(refused(&r).contains("inactive"), "{r:?}");
    assert_eq!(
        refused(&api.get("/hardware/bytag/IT-0300")),
        "\"Asset does not exist.\""
    );
    assert_eq!(api.get("/hardware").body["total"], total);
    assert_eq!(events_since(&api, mark), 0);

    // The same request without the refused part is written whole, in one transaction.
    let ok = api.send(
        "POST",
        "/hardware",
        json!({"asset_tag": "IT-0300", "rtd_location_id": floor2,
               "custom_fields": {"RAM GB": 8}}),
    );
    success(&ok);
    let hist = env.json(&["history", "IT-0300", "--json"]);
    let rows = hist.as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["create", "home", "field"]);
    assert!(rows.iter().all(|h| h["at"] == rows[0]["at"]), "{hist}");
    assert!(env.ok(&["check"]).starts_with("ok"));
}

#[test]
fn a_multi_part_update_is_one_transaction_with_an_event_per_change() {
    let (env, _s, api) = setup();
    env.ok(&["field", "add", "RAM GB", "--kind", "number"]);
    let id = id_of(&api, "hardware", "asset_tag", "IT-0001");
    let floor2 = id_of(&api, "locations", "name", "Floor 2");
    let mark = last_event(&api);

    let r = api.send(
        "PATCH",
        &format!("/hardware/{id}"),
        json!({"name": "Loaner", "location_id": floor2, "rtd_location_id": floor2,
               "custom_fields": {"RAM GB": 32}, "status_id": 4}),
    );
    success(&r);
    let after = api.get(&format!("/hardware/{id}")).body;
    assert_eq!(after["name"], "Loaner");
    assert_eq!(after["location"]["name"], "Floor 2");
    assert_eq!(after["rtd_location"]["name"], "Floor 2");
    assert_eq!(after["custom_fields"]["RAM GB"]["value"], "32");
    assert_eq!(after["status_label"]["name"], "In repair");
    assert_eq!(events_since(&api, mark), 5);

    let hist = env.json(&["history", "IT-0001", "--json"]);
    let ours: Vec<&Value> = hist
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["actor"] == "api:intune")
        .collect();
    let kinds: Vec<&str> = ours.iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["edit", "move", "home", "field", "status"]);
    // One transaction stamps one time on every event it writes.
    assert!(ours.iter().all(|h| h["at"] == ours[0]["at"]), "{hist}");
    assert!(env.ok(&["check"]).starts_with("ok"));
}
