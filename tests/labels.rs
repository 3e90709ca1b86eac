//! `itam label`: ZPL golden files, SVG bars that decode back to the tag, printing over TCP and lp.
//!
//! Regenerate the golden files after an intended layout change with
//! `UPDATE_GOLDEN=1 cargo test --test labels`, and read the diff before committing it.

mod common;
use common::Env;
use itam::interop::labels::{code128, COMMAND_CODES};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// Two assets: one whose name needs ZPL escaping, one with only a model and a numeric tail.
fn fixture() -> Env {
    let e = Env::new();
    e.ok(&[
        "add",
        "--tag",
        "IT-0001",
        "--name",
        "Jane's laptop ^XZ~_ café",
        "--model",
        "Latitude 7440",
        "--serial",
        "SN-AAA",
    ]);
    e.ok(&[
        "add",
        "--tag",
        "LAP-123456",
        "--model",
        "ThinkPad X1 <Gen 11>",
    ]);
    e
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        expected == actual,
        "{name} differs from the golden file\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

fn write_config(e: &Env, text: &str) {
    let dir = e.dir.path().join("config/itam");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[test]
fn zpl_matches_the_golden_files() {
    let e = fixture();
    golden("it-0001.zpl", &e.ok(&["label", "IT-0001"]));
    // By serial, case-insensitive, two labels, with QR codes.
    golden(
        "two-qr.zpl",
        &e.ok(&["label", "sn-aaa", "lap-123456", "--qr"]),
    );
    write_config(&e, "[labels]\nwidth_in = 4\nheight_in = 2\ndpi = 300\n");
    golden("it-0001-4x2-300dpi.zpl", &e.ok(&["label", "IT-0001"]));
}

#[test]
fn the_command_sheet_has_every_command() {
    let e = Env::new();
    let zpl = e.ok(&["label", "--commands"]);
    golden("commands.zpl", &zpl);
    assert_eq!(zpl.matches("^XA").count(), COMMAND_CODES.len());
    for (code, _) in COMMAND_CODES {
        assert!(zpl.contains(&format!("^FD{code}^FS")), "{code}");
    }
    let svg = e.ok(&["label", "--commands", "--format", "svg"]);
    assert_eq!(svg.matches("<svg ").count(), 1);
    let decoded: Vec<String> = labels_in_svg(&svg).into_iter().map(|(_, t)| t).collect();
    let codes: Vec<&str> = COMMAND_CODES.iter().map(|c| c.0).collect();
    assert_eq!(decoded, codes);
}

fn attr(line: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let start = line.find(&key).map(|i| i + key.len()).expect(name);
    line[start..].split('"').next().unwrap().to_string()
}

/// Every label in the SVG: its `data-code`, and the text its `<rect class="bar">`s decode to.
/// The module width is the narrowest bar (Code 128 always has a 1-module bar); spaces are the
/// gaps between one bar's right edge and the next bar's x.
fn labels_in_svg(svg: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut code = String::new();
    let mut rects: Vec<(u32, u32)> = Vec::new();
    for line in svg.lines() {
        if line.starts_with("<g class=\"label\"") {
            code = attr(line, "data-code");
            rects.clear();
        } else if line.starts_with("<rect class=\"bar\"") {
            rects.push((
                attr(line, "x").parse().unwrap(),
                attr(line, "width").parse().unwrap(),
            ));
        } else if line.starts_with("<text class=\"code\"") {
            let module = rects.iter().map(|r| r.1).min().unwrap();
            let mut widths = Vec::new();
            for (i, &(x, w)) in rects.iter().enumerate() {
                assert_eq!(w % module, 0);
                widths.push((w / module) as u8);
                if let Some(&(next, _)) = rects.get(i + 1) {
                    widths.push(((next - x - w) / module) as u8);
                }
            }
            out.push((code.clone(), code128::decode(&widths).unwrap()));
        }
    }
    out
}

#[test]
fn svg_bars_decode_back_to_the_tags() {
    let e = fixture();
    let file = e.dir.path().join("labels.svg");
    let said = e.ok(&[
        "label",
        "IT-0001",
        "LAP-123456",
        "--format",
        "svg",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(said.contains("wrote 2 labels"), "{said}");
    let svg = std::fs::read_to_string(&file).unwrap();
    assert!(svg.starts_with("<?xml"));
    assert_eq!(svg.matches("<svg ").count(), 1, "one document");
    assert_eq!(
        labels_in_svg(&svg),
        vec![
            ("IT-0001".to_string(), "IT-0001".to_string()),
            ("LAP-123456".to_string(), "LAP-123456".to_string())
        ]
    );
    assert!(svg.contains("Jane&apos;s laptop ^XZ~_ café"));
    assert!(svg.contains("ThinkPad X1 &lt;Gen 11&gt;"));
    assert!(!svg.contains("class=\"qr\""));

    // With QR codes beside them the bars still decode.
    let svg = e.ok(&["label", "IT-0001", "LAP-123456", "--format", "svg", "--qr"]);
    assert_eq!(svg.matches("<path class=\"qr\"").count(), 2);
    let tags: Vec<String> = labels_in_svg(&svg).into_iter().map(|(_, t)| t).collect();
    assert_eq!(tags, ["IT-0001", "LAP-123456"]);
}

/// A one-shot printer: accepts one connection and returns everything sent on it.
fn fake_printer() -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    (port, t)
}

#[test]
fn prints_over_tcp() {
    let e = fixture();
    let expected = e.ok(&["label", "IT-0001"]);
    let (port, got) = fake_printer();
    let said = e.ok(&[
        "label",
        "IT-0001",
        "--printer",
        &format!("127.0.0.1:{port}"),
    ]);
    assert_eq!(said, format!("sent 1 label to 127.0.0.1:{port}\n"));
    assert_eq!(String::from_utf8(got.join().unwrap()).unwrap(), expected);

    // --print uses the printer in config.toml.
    let expected = e.ok(&["label", "IT-0001", "LAP-123456"]);
    let (port, got) = fake_printer();
    write_config(&e, &format!("[labels]\nprinter = \"127.0.0.1:{port}\"\n"));
    let said = e.ok(&["label", "IT-0001", "LAP-123456", "--print"]);
    assert!(said.contains("sent 2 labels"), "{said}");
    assert_eq!(String::from_utf8(got.join().unwrap()).unwrap(), expected);
}

#[test]
fn prints_through_lp_with_an_argument_list() {
    let e = fixture();
    let bin = e.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = e.dir.path().join("lp.log");
    let script = bin.join("lp");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{0}.args'\ncat > '{0}.data'\necho 'request id is zebra-1'\n",
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let expected = e.ok(&["label", "IT-0001"]);
    let out = e
        .itam()
        .env("PATH", path)
        .args(["label", "IT-0001", "--lp", "zebra; rm -rf x"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = std::fs::read_to_string(PathBuf::from(format!("{}.args", log.display()))).unwrap();
    assert_eq!(
        args, "-d\nzebra; rm -rf x\n-o\nraw\n",
        "one argument, no shell"
    );
    let data = std::fs::read_to_string(PathBuf::from(format!("{}.data", log.display()))).unwrap();
    assert_eq!(data, expected);
    assert!(String::from_utf8_lossy(&out.stdout).contains("request id is zebra-1"));
}

#[test]
fn unknown_codes_print_nothing() {
    let e = fixture();
    let file = e.dir.path().join("out.zpl");
    let out = e
        .itam()
        .args([
            "label",
            "IT-0001",
            "NOPE-9",
            "--out",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'NOPE-9'") && !err.contains("IT-0001"),
        "{err}"
    );
    assert!(!file.exists());

    let out = e.itam().args(["label", "GHOST"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn printer_failures_are_clear() {
    let e = fixture();
    let err = e.fails(&["label", "IT-0001", "--printer", "127.0.0.1:1"], 1);
    assert!(
        err.contains("127.0.0.1:1") && err.contains("cannot connect"),
        "{err}"
    );
    let err = e.fails(&["label", "IT-0001", "--printer", "zebra:notaport"], 1);
    assert!(err.contains("expected HOST:PORT"), "{err}");
    let err = e.fails(&["label", "IT-0001", "--print"], 1);
    assert!(err.contains("[labels]"), "{err}");
    let err = e.fails(
        &[
            "label",
            "IT-0001",
            "--format",
            "svg",
            "--printer",
            "127.0.0.1:1",
        ],
        1,
    );
    assert!(err.contains("take ZPL"), "{err}");
    // Usage errors are clap's exit 2.
    e.fails(&["label"], 2);
    e.fails(&["label", "IT-0001", "--format", "pdf"], 2);
    e.fails(&["label", "IT-0001", "--commands"], 2);
}

#[test]
fn a_bad_label_size_is_refused() {
    let e = fixture();
    write_config(&e, "[labels]\ndpi = 20\n");
    let err = e.fails(&["label", "IT-0001"], 1);
    assert!(err.contains("dpi 20"), "{err}");
}

/// `(x, y)` of a `^FO` field and what follows it on the same ZPL line.
fn fields(zpl: &str, command: &str) -> Vec<(u32, u32, String)> {
    zpl.lines()
        .filter(|l| l.starts_with("^FO") && l.contains(command))
        .map(|l| {
            let (xy, rest) = l[3..].split_once('^').unwrap();
            let (x, y) = xy.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap(), format!("^{rest}"))
        })
        .collect()
}

/// The number after `command` in `line`, e.g. `^BY` 2 or `^FB` 390.
fn number_after(line: &str, command: &str) -> u32 {
    let start = line.find(command).unwrap() + command.len();
    line[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn no_bar_is_narrower_than_two_dots_at_203_dpi() {
    let e = fixture();
    let sheet = e.ok(&["label", "--commands"]);
    for (_, _, rest) in fields(&sheet, "^BY") {
        assert!(number_after(&rest, "^BY") >= 2, "{rest}");
    }
    for (code, _) in COMMAND_CODES {
        assert!(sheet.contains(&format!("^FD{code}^FS")), "{code}");
    }
    // A tag too long for 2-dot bars on 2" stock is refused with the width it needs.
    e.ok(&["add", "--tag", "a1b22c333d4444e55555"]);
    let err = e.fails(&["label", "a1b22c333d4444e55555"], 1);
    assert!(err.contains("too long for a 2\" wide label"), "{err}");
    let need: f64 = err
        .split("needs ")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(need > 2.0 && need < 3.0, "{err}");
    write_config(&e, "[labels]\nwidth_in = 3\n");
    let zpl = e.ok(&["label", "a1b22c333d4444e55555"]);
    assert_eq!(number_after(&zpl, "^BY"), 2);
}

#[test]
fn qr_codes_keep_a_quiet_zone_of_four_modules() {
    let e = fixture();
    for spec in ["", "[labels]\nwidth_in = 4\nheight_in = 2\ndpi = 300\n"] {
        write_config(&e, spec);
        let zpl = e.ok(&["label", "IT-0001", "LAP-123456", "--qr"]);
        for block in zpl.split_terminator("^XZ\n") {
            let width = number_after(block, "^PW");
            let height = number_after(block, "^LL");
            let (qx, qy, rest) = fields(block, "^BQ").pop().unwrap();
            let m = number_after(&rest, "^BQN,2,");
            let code = rest
                .rsplit("^FDMA,")
                .next()
                .unwrap()
                .trim_end_matches("^FS");
            let (_, modules) = itam::interop::labels::qr_matrix(code).unwrap();
            let side = modules * m;
            let quiet = 4 * m;
            assert!(qy >= quiet, "top: {block}");
            assert!(qy + side + quiet <= height, "bottom: {block}");
            assert!(qx + side + quiet <= width, "right: {block}");
            for (x, _, rest) in fields(block, "^FB") {
                assert!(
                    x + number_after(&rest, "^FB") + quiet <= qx,
                    "text: {block}"
                );
            }
            let (bx, _, rest) = fields(block, "^BY").pop().unwrap();
            let module = number_after(&rest, "^BY");
            let bars = code128::module_count(&code128::encode(code).unwrap());
            assert!(bx + (bars + 10) * module <= qx, "barcode: {block}");
        }
    }
}

#[test]
fn the_command_sheet_has_the_grade_commands() {
    let e = Env::new();
    let zpl = e.ok(&["label", "--commands"]);
    for (code, grade) in [
        ("CMD-ASIS", "as is"),
        ("CMD-NEW", "new"),
        ("CMD-GOOD", "good"),
        ("CMD-FAIR", "fair"),
        ("CMD-POOR", "poor"),
        ("CMD-BROKEN", "broken"),
    ] {
        assert!(zpl.contains(&format!("^FD>:{code}^FS")), "{code}");
        assert!(zpl.contains(&format!("^FDGrade: {grade}^FS")), "{code}");
        assert!(
            itam::interop::labels::grade_command(code).is_some(),
            "{code}"
        );
    }
}

#[test]
fn a_long_name_wraps_to_a_second_line_before_it_is_cut() {
    let e = fixture();
    e.ok(&[
        "add",
        "--tag",
        "IT-0002",
        "--name",
        "Latitude 7440 with docking station",
    ]);
    let zpl = e.ok(&["label", "IT-0002"]);
    let titles: Vec<(u32, u32, String)> = fields(&zpl, "^A0N,26,26");
    assert_eq!(titles.len(), 2, "{zpl}");
    assert!(titles[0].2.ends_with("^FDLatitude 7440 with^FS"), "{zpl}");
    assert!(titles[1].2.ends_with("^FDdocking station^FS"), "{zpl}");
    assert_eq!(titles[1].1, titles[0].1 + 26);
    assert!(!zpl.contains("..."));
    let svg = e.ok(&["label", "IT-0002", "--format", "svg"]);
    assert_eq!(svg.matches("<text class=\"title\"").count(), 2);
}
