//! `itam label CODE... | --commands`: barcode labels as ZPL or SVG, to stdout, a file or a printer.

use anyhow::{bail, Context as _, Result};
use clap::Args;
use itam::config::Config;
use itam::domain::text::visible;
use itam::interop::labels::print::{self, Printer};
use itam::interop::labels::{self, Format, Label, LabelSpec};
use itam::store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Tags or serials of the assets to label
    #[arg(value_name = "CODE", required_unless_present = "commands")]
    pub codes: Vec<String>,
    /// The sheet of command barcodes (CMD-CHECKIN, CMD-CHECKOUT, ...) the scan view recognises
    #[arg(long, conflicts_with = "codes")]
    pub commands: bool,
    /// zpl (Zebra printers) or svg (one page, printable from a browser)
    #[arg(long, default_value = "zpl", value_parser = parse_format)]
    pub format: Format,
    /// Write to FILE instead of standard output
    #[arg(long, value_name = "FILE", conflicts_with_all = ["printer", "print", "lp"])]
    pub out: Option<PathBuf>,
    /// Replace FILE when it exists (never the database)
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Send the ZPL to a network printer's raw port, HOST:PORT (usually 9100)
    #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["print", "lp"])]
    pub printer: Option<String>,
    /// Send the ZPL to the printer set in config.toml (`printer` under [labels])
    #[arg(long, conflicts_with = "lp")]
    pub print: bool,
    /// Print through CUPS instead: runs `lp -d PRINTER -o raw`
    #[arg(long, value_name = "PRINTER")]
    pub lp: Option<String>,
    /// Add a QR code of the tag (also `qr = true` under [labels])
    #[arg(long)]
    pub qr: bool,
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    s.parse()
}

enum Target {
    Stdout,
    File(PathBuf),
    Tcp(Printer),
    Lp(String),
}

/// Every code resolved before anything is made, so one unknown code prints nothing at all.
fn resolve(store: &Store, codes: &[String]) -> Result<Vec<Label>> {
    let mut labels = Vec::with_capacity(codes.len());
    let mut unknown = Vec::new();
    for code in codes {
        match store.find_code(code.trim())? {
            Some(a) => labels.push(Label::for_asset(&a)),
            None => unknown.push(format!("'{}'", visible(code))),
        }
    }
    if !unknown.is_empty() {
        bail!(
            "no asset with the tag or serial {}; no labels were made",
            unknown.join(", ")
        );
    }
    Ok(labels)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "label"
    } else {
        "labels"
    }
}

pub fn label(store: &Store, a: &LabelArgs) -> Result<ExitCode> {
    let (config, _) = Config::load(); // a bad file was already reported when the store opened
    let mut spec = LabelSpec::from(&config.labels);
    spec.qr |= a.qr;

    let target = if let Some(p) = &a.printer {
        Target::Tcp(p.parse()?)
    } else if a.print {
        match &config.labels.printer {
            Some(p) => Target::Tcp(p.parse().context("[labels] printer in config.toml")?),
            None => bail!(
                "--print needs a printer: set printer = \"HOST:PORT\" under [labels] in {}, or give --printer HOST:PORT",
                itam::config::config_dir().join("config.toml").display()
            ),
        }
    } else if let Some(name) = &a.lp {
        Target::Lp(name.clone())
    } else if let Some(path) = &a.out {
        Target::File(path.clone())
    } else {
        Target::Stdout
    };
    if matches!(target, Target::Tcp(_) | Target::Lp(_)) && a.format == Format::Svg {
        bail!("label printers take ZPL; use --format svg with --out FILE and print from a browser");
    }

    let labels = if a.commands {
        Label::commands()
    } else {
        resolve(store, &a.codes)?
    };
    let doc = labels::render(&labels, &spec, a.format)?;
    let n = labels.len();
    match target {
        Target::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(doc.as_bytes())?;
            out.flush()?;
        }
        Target::File(path) => {
            let opts = itam::store::outfile::OutOptions {
                force: a.force,
                database: Some(store.path()),
            };
            itam::store::outfile::write_all(&path, doc.as_bytes(), &opts)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {n} {} to {}", plural(n), path.display());
        }
        Target::Tcp(printer) => {
            print::send_tcp(&printer, doc.as_bytes(), print::TIMEOUT)?;
            println!("sent {n} {} to {printer}", plural(n));
        }
        Target::Lp(name) => {
            let reply = print::send_lp(&name, doc.as_bytes())?;
            println!("sent {n} {} to {} with lp", plural(n), visible(&name));
            if !reply.is_empty() {
                println!("lp: {}", visible(&reply));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
