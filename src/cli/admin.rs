//! `itam check`, `itam backup`, `itam restore`: keeping the ledger trustworthy.

use super::output;
use anyhow::Result;
use itam::domain::text::visible;
use itam::store::Store;
use std::path::Path;
use std::process::ExitCode;

pub fn check(store: &Store, json: bool) -> Result<ExitCode> {
    let r = store.check()?;
    if json {
        output::json(&r)?;
    } else if r.findings.is_empty() {
        println!("ok: {} assets, {} events; integrity, foreign keys, history chain and replay, disposals all agree", r.assets, r.events);
        println!("{}", r.head);
        println!("(keep this head somewhere only you can write: a history rewritten later will not match it)");
    } else {
        println!(
            "{} finding(s) in {} assets, {} events:",
            r.findings.len(),
            r.assets,
            r.events
        );
        for f in &r.findings {
            println!("  [{}] {}", f.check, visible(&f.message));
        }
        println!("{}", r.head);
    }
    Ok(if r.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn backup(store: &Store, dest: &Path) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let (n, head) = store.backup_to(dest)?;
    println!(
        "backed up {} ({n} assets) to {} in {:.1} s",
        store.path().display(),
        dest.display(),
        started.elapsed().as_secs_f64()
    );
    println!("{head}");
    Ok(ExitCode::SUCCESS)
}

pub fn restore(src: &Path, target: &Path) -> Result<ExitCode> {
    let n = itam::store::restore(src, target)?;
    println!(
        "restored {} ({n} assets) over {}",
        src.display(),
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}
