//! `itam sync FILE --source S`: apply an MDM or agent export; `itam drift accept|found TAG`:
//! resolve what the feeds and the register disagree on.

use super::output;
use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use itam::domain::feed::Source;
use itam::domain::text::visible;
use itam::store::{DriftKind, Store, SyncOptions};
use std::path::PathBuf;
use std::process::ExitCode;

fn source(s: &str) -> Result<Source, String> {
    s.parse::<Source>().map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The export: Intune/Jamf/Kandji device CSV, osquery results (JSON), or any CSV
    pub file: PathBuf,
    /// intune, jamf, kandji, osquery or csv
    #[arg(long, value_parser = source)]
    pub source: Source,
    /// Name a column: field=Header (fields: serial, hostname, os, os_version, enrolled, user,
    /// source_id, seen_at, product, version, publisher); repeat or separate with commas
    #[arg(long, value_name = "FIELD=HEADER")]
    pub map: Vec<String>,
    /// Show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Register serials itam does not know, in stock (else they are listed as drift)
    #[arg(long)]
    pub create_unknown: bool,
    /// A deployed device not seen for this many days is stale (drift)
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub stale_days: u32,
    #[arg(long)]
    pub json: bool,
    /// Most devices per transaction
    #[arg(long, default_value_t = 5000, hide = true)]
    pub batch: usize,
}

#[derive(Debug, Subcommand)]
pub enum DriftCmd {
    /// Make the MDM's primary user the asset's assignee (checks it in first if out to someone else)
    Accept {
        /// Tag or serial
        code: String,
        /// Take the user from this feed (default: the one seen last)
        #[arg(long, value_parser = source)]
        source: Option<Source>,
    },
    /// A lost device checked in: mark it found (back in stock)
    Found {
        /// Tag or serial
        code: String,
    },
}

pub fn sync(store: &mut Store, a: &SyncArgs) -> Result<ExitCode> {
    let feed = itam::sync::read_file(&a.file, a.source, &a.map)
        .with_context(|| format!("cannot sync {}", a.file.display()))?;
    let opts = SyncOptions {
        dry_run: a.dry_run,
        create_unknown: a.create_unknown,
        batch_devices: a.batch,
        ..SyncOptions::default()
    };
    // A large feed pages through the database: give this connection room (like import).
    store.set_cache_mib(256)?;
    let summary = store.sync_feed(&feed, &opts, |_, _| {})?;
    let drift = if a.dry_run {
        Vec::new()
    } else {
        store.drift(&itam::store::now_utc(), a.stale_days)?
    };
    if a.json {
        output::json(&serde_json::json!({"sync": summary, "drift": drift}))?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &summary;
    if s.dry_run {
        println!("dry run: nothing was written");
    }
    println!(
        "{}: {} devices, {} matched, {} unknown{}",
        s.source,
        s.devices,
        s.matched,
        s.unknown.len(),
        if s.created.is_empty() {
            String::new()
        } else {
            format!(", {} created in stock", s.created.len())
        }
    );
    if s.unchanged() {
        println!("nothing changed");
    } else {
        println!(
            "{} {} fields on {} devices; last seen moved on {}; installs +{} seen again {} removed {} ({} batches)",
            if s.dry_run { "would change" } else { "changed" },
            s.field_changes,
            s.devices_changed,
            s.last_seen_moved,
            s.installs_added,
            s.installs_seen_again,
            s.installs_removed,
            s.batches
        );
    }
    for c in &s.changes {
        println!(
            "  {:<14} {:<14} {} -> {}",
            visible(&c.tag),
            c.field,
            visible(&c.before.to_string()),
            visible(&c.after.to_string())
        );
    }
    if s.field_changes > s.changes.len() {
        println!("  ... and {} more", s.field_changes - s.changes.len());
    }
    for t in &s.created {
        println!("  created {}", visible(t));
    }
    for u in &s.unknown {
        println!(
            "  unknown serial {} ({})",
            visible(&u.serial),
            visible(u.hostname.as_deref().unwrap_or("no hostname"))
        );
    }
    for sk in &s.skipped {
        println!("  {}", visible(sk));
    }
    if !drift.is_empty() {
        let security = drift.iter().filter(|d| d.kind.is_security()).count();
        let mut kinds: Vec<(DriftKind, usize)> = Vec::new();
        for d in &drift {
            match kinds.iter_mut().find(|(k, _)| *k == d.kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((d.kind, 1)),
            }
        }
        let list: Vec<String> = kinds
            .iter()
            .map(|(k, n)| format!("{n} {}", k.as_str().replace('_', " ")))
            .collect();
        println!(
            "drift: {}{} (itam report drift)",
            if security > 0 {
                format!("{security} SECURITY; ")
            } else {
                String::new()
            },
            list.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn drift(store: &mut Store, c: &DriftCmd) -> Result<ExitCode> {
    let v = match c {
        DriftCmd::Accept { code, source } => {
            store.accept_mdm_user(code, source.map(Source::as_str))?
        }
        DriftCmd::Found { code } => store.mark_found(code)?,
    };
    println!("{}", output::asset_line(&v));
    Ok(ExitCode::SUCCESS)
}
