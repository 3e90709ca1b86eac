//! `itam import FILE` and `itam export`: CSV (Snipe-IT or itam headers), JSON and JSON lines.

use super::output;
use anyhow::{Context as _, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use itam::interop::import::{self, Options, Plan, Severity};
use itam::interop::{export, Format, Kind};
use itam::store::Store;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (CSV, JSON array or JSON lines)
    pub file: PathBuf,
    /// What the file holds: assets, people, locations, models or licences (default: assets,
    /// or what the headers say)
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// auto (by extension and content), snipeit, csv, json or jsonl
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    pub format: Format,
    /// Column overrides: "Header=field,Other header=field" (field `-` ignores a column)
    #[arg(long, value_name = "HEADER=FIELD,...")]
    pub map: Vec<String>,
    /// Check everything and report what would happen; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Change assets (and people) that exist instead of skipping them
    #[arg(long)]
    pub update: bool,
    /// Import the good rows and leave out the rows with errors
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Date format tried first (chrono syntax), e.g. %d/%m/%Y
    #[arg(long, value_name = "FMT")]
    pub date_format: Option<String>,
    /// Costs are written 1.234,56
    #[arg(long)]
    pub decimal_comma: bool,
    /// Snipe-IT status labels read as itam statuses: "Label=status,..." (wins over the label's meta)
    #[arg(long, value_name = "LABEL=STATUS,...")]
    pub status_map: Vec<String>,
    /// How a username is made from a full name: Snipe-IT's username_format (default filastname;
    /// [import] username_format in the config)
    #[arg(long, value_name = "FORMAT")]
    pub username_format: Option<String>,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

fn parse_kind(s: &str) -> std::result::Result<Kind, String> {
    s.parse()
        .map_err(|e: itam::interop::InteropError| e.to_string())
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    s.parse()
        .map_err(|e: itam::interop::InteropError| e.to_string())
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Auto => "auto",
        Format::Snipeit => "CSV",
        Format::Csv => "CSV",
        Format::Json => "JSON",
        Format::Jsonl => "JSON lines",
    }
}

fn report(plan: &Plan, dry_run: bool, out: &mut impl Write) -> Result<()> {
    let s = &plan.summary;
    let (c, u, k) = if dry_run {
        ("would create", "would update", "would skip")
    } else {
        ("created", "updated", "skipped")
    };
    writeln!(
        out,
        "{} ({}, {}){}",
        itam::domain::text::visible(&plan.source),
        format_name(plan.format),
        plan.kind.as_str(),
        if dry_run {
            ": dry run, nothing written"
        } else {
            ""
        }
    )?;
    writeln!(out, "  rows read     {:>7}", s.rows_read)?;
    writeln!(out, "  {c:<13} {:>7}", s.create)?;
    writeln!(out, "  {u:<13} {:>7}", s.update)?;
    writeln!(out, "  {k:<13} {:>7}", s.skip)?;
    writeln!(out, "  errors        {:>7}", s.errors)?;
    writeln!(out, "  warnings      {:>7}", s.warnings)?;
    for i in &plan.issues {
        let sev = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(out, "{sev}: {i}")?;
    }
    Ok(())
}

/// `--kind licences`: Snipe-IT's licence dialect, with the same dry run and all-or-nothing.
fn import_licences(store: &mut Store, a: &ImportArgs) -> Result<ExitCode> {
    use itam::interop::licences;
    let plan = licences::plan(store, &a.file)?;
    let s = &plan.summary;
    let refused = s.errors > 0 && !a.skip_bad_rows;
    let print = |written: bool| -> Result<()> {
        if a.json {
            return output::json(&serde_json::json!({
                "dry_run": a.dry_run, "written": written, "summary": plan.summary, "issues": plan.issues,
            }));
        }
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{} (Snipe-IT licences){}",
            itam::domain::text::visible(&plan.source),
            if a.dry_run {
                ": dry run, nothing written"
            } else {
                ""
            }
        )?;
        writeln!(out, "  rows read     {:>7}", s.rows_read)?;
        writeln!(
            out,
            "  {:<13} {:>7}",
            if a.dry_run {
                "would create"
            } else {
                "licences"
            },
            s.create
        )?;
        writeln!(out, "  errors        {:>7}", s.errors)?;
        writeln!(out, "  warnings      {:>7}", s.warnings)?;
        for i in &plan.issues {
            let sev = match i.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(out, "{sev}: {i}")?;
        }
        Ok(())
    };
    if a.dry_run || refused {
        print(false)?;
        if refused {
            anyhow::bail!(
                "{} error(s); nothing was imported (fix the rows, or use --skip-bad-rows)",
                s.errors
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (made, seats) = licences::apply(store, &plan, a.skip_bad_rows)?;
    print(true)?;
    eprintln!("imported {made} licences and assigned {seats} seats");
    Ok(ExitCode::SUCCESS)
}

pub fn import(store: &mut Store, a: &ImportArgs) -> Result<ExitCode> {
    let kind = match a.kind {
        Some(k) => k,
        None => {
            let k = import::detect_kind(&a.file)?;
            if k != Kind::Assets {
                let kind = k.as_str();
                anyhow::bail!(
                    "{}: this looks like a {} file: add --kind {kind}",
                    itam::domain::text::visible(&a.file.display().to_string()),
                    if k == Kind::People {
                        "people"
                    } else {
                        "licence"
                    }
                );
            }
            k
        }
    };
    if kind == Kind::Licences {
        return import_licences(store, a);
    }
    let opts = Options {
        kind,
        format: a.format,
        map: a.map.clone(),
        update: a.update,
        skip_bad_rows: a.skip_bad_rows,
        date_format: a.date_format.clone(),
        decimal_comma: a.decimal_comma,
        status_map: a.status_map.clone(),
        username_format: a
            .username_format
            .clone()
            .or_else(config_username_format)
            .unwrap_or_else(|| "filastname".into()),
    };
    // ITAM_TIMING=1: where the time goes, on stderr (for bench/import-bench.sh).
    let timing = std::env::var_os("ITAM_TIMING").is_some_and(|v| v == "1");
    let t0 = std::time::Instant::now();
    let plan = import::plan(store, &a.file, &opts)?;
    if timing {
        eprintln!("plan {} ms", t0.elapsed().as_millis());
    }
    let refused = plan.file_errors > 0 || (plan.summary.errors > 0 && !plan.skip_bad_rows);
    if a.dry_run || refused {
        if a.json {
            output::json(&serde_json::json!({
                "dry_run": a.dry_run, "written": false, "summary": plan.summary, "issues": plan.issues,
            }))?;
        } else {
            report(&plan, a.dry_run, &mut std::io::stdout().lock())?;
        }
        if refused {
            anyhow::bail!(
                "{} error(s) in {}; nothing was imported{}",
                plan.summary.errors,
                itam::domain::text::visible(&plan.source),
                if plan.file_errors > 0 {
                    ""
                } else {
                    " (fix the rows, or use --skip-bad-rows to import the others)"
                }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let total = (plan.summary.create + plan.summary.update) as u64;
    let bar = if std::io::stderr().is_terminal() && total >= 1000 {
        let b = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed}") {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let applied = import::apply(store, &plan, &mut |n| bar.set_position(n))
        .with_context(|| format!("importing {}", a.file.display()))?;
    bar.finish_and_clear();
    if timing {
        eprintln!("staged {} ms", applied.stage_ms);
        eprintln!("write lock held {} ms", applied.write_ms);
        eprintln!("import total {} ms", t0.elapsed().as_millis());
    }
    if a.json {
        output::json(&serde_json::json!({
            "dry_run": false, "written": true, "summary": plan.summary, "issues": plan.issues,
            "applied": applied,
        }))?;
    } else {
        report(&plan, false, &mut std::io::stdout().lock())?;
        println!(
            "  {} events recorded; write transaction {} ms",
            applied.events, applied.write_ms
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `[import] username_format` from the config file, when set.
fn config_username_format() -> Option<String> {
    itam::config::Config::load().0.import.username_format
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export: assets, people, locations or events (the history)
    #[arg(long, default_value = "assets", value_parser = parse_kind)]
    pub kind: Kind,
    /// csv (itam's headers), snipeit (Snipe-IT's import headers), json or jsonl
    #[arg(long, default_value = "csv", value_parser = parse_format)]
    pub format: Format,
    /// Write to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write cells that start with = + - @ tab or CR as they are (by default they get a
    /// leading backtick, as Snipe-IT's exports, so a spreadsheet does not run them)
    #[arg(long)]
    pub no_escape_formulas: bool,
    /// Snipe-IT format: costs written 1234,56 (for instances set to 1.234,56)
    #[arg(long)]
    pub decimal_comma: bool,
}

pub fn export(store: &Store, a: &ExportArgs) -> Result<ExitCode> {
    let opts = export::ExportOptions {
        escape_formulas: !a.no_escape_formulas,
        decimal_comma: a.decimal_comma,
    };
    let n = match &a.out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            let n = export::export_with(store, a.kind, a.format, &opts, &mut w)?;
            w.flush()
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("exported {n} {} to {}", a.kind.as_str(), path.display());
            n
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            let n = export::export_with(store, a.kind, a.format, &opts, &mut w)?;
            w.flush().context("writing to standard output")?;
            n
        }
    };
    let _ = n;
    Ok(ExitCode::SUCCESS)
}
