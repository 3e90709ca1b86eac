//! `itam report drift` and `itam report compliance`, `itam licence match`, and the installs
//! part of `itam show --installs`.

use super::output;
use anyhow::Result;
use clap::Args;
use itam::domain::text::visible;
use itam::store::Store;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// A deployed device not seen for this many days is stale
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub stale_days: u32,
    /// Count staleness from this day, YYYY-MM-DD (default now)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// A seat with no install seen for this many days is reclaimable
    #[arg(long, default_value_t = 90, value_name = "N")]
    pub reclaim_days: i64,
    /// Count from this day, YYYY-MM-DD (default now)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Licence id or product name
    pub licence: String,
    /// Installed titles it covers: a pattern, * and ? as wildcards, any case ("Adobe Acrobat*")
    #[arg(long, value_name = "PATTERN")]
    pub product: Option<String>,
    /// Only titles from this publisher (a pattern)
    #[arg(long, value_name = "PATTERN", requires = "product")]
    pub publisher: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// `--as-of DATE` as the end of that day, else now, in the stored form.
fn as_of_time(d: &Option<String>) -> Result<String> {
    Ok(match d {
        Some(d) => format!(
            "{}T23:59:59.999Z",
            itam::store::parse_date("--as-of", d)?.format("%Y-%m-%d")
        ),
        None => itam::store::now_utc(),
    })
}

pub fn report_drift(store: &Store, a: &DriftArgs) -> Result<()> {
    let findings = store.drift(&as_of_time(&a.as_of)?, a.stale_days)?;
    if a.json {
        return output::json(&findings);
    }
    let mut out = std::io::stdout().lock();
    if findings.is_empty() {
        writeln!(out, "no drift: every feed agrees with the register")?;
        return Ok(());
    }
    for f in &findings {
        writeln!(
            out,
            "{} {:<20} {:<14} {:<14} {}",
            if f.security { "!" } else { " " },
            f.kind.as_str(),
            visible(f.tag.as_deref().unwrap_or("-")),
            visible(&f.serial),
            visible(&f.detail)
        )?;
        if let Some(r) = &f.resolve {
            writeln!(out, "  {:<20} resolve: {}", "", visible(r))?;
        }
    }
    let security = findings.iter().filter(|f| f.security).count();
    writeln!(
        out,
        "{} findings{}",
        findings.len(),
        if security > 0 {
            format!(", {security} security (a lost or disposed device checked in: lock or wipe it)")
        } else {
            String::new()
        }
    )?;
    Ok(())
}

pub fn report_compliance(store: &Store, a: &ComplianceArgs) -> Result<()> {
    let r = store.compliance(&as_of_time(&a.as_of)?, a.reclaim_days)?;
    if a.json {
        return output::json(&r);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>4}  {:<28} {:<12} {:>6} {:>8} {:>9} {:>8} {:>11}  reclaimable cost",
        "id", "product", "kind", "owned", "assigned", "installed", "no seat", "reclaimable"
    )?;
    for l in &r.licences {
        let installed = l
            .devices_installed
            .map_or("-".to_string(), |n| n.to_string());
        let cost = match (&l.reclaimable_cost, &l.currency) {
            (Some(c), Some(cu)) => format!("{c} {cu} {}", l.cost_period),
            _ => "-".into(),
        };
        writeln!(
            out,
            "{:>4}  {:<28} {:<12} {:>6} {:>8} {:>9} {:>8} {:>11}  {}",
            l.licence_id,
            visible(&l.product),
            l.kind,
            l.seats_owned
                .map_or("unlimited".to_string(), |n| n.to_string()),
            l.seats_assigned,
            installed,
            l.exposure.len(),
            l.reclaimable.len(),
            cost
        )?;
        if l.rules.is_empty() {
            writeln!(
                out,
                "      no match rule: itam licence match {} --product \"PATTERN\"",
                l.licence_id
            )?;
        }
        for e in &l.exposure {
            writeln!(
                out,
                "      no seat: {} {} ({} {})",
                visible(&e.tag),
                visible(e.assignee.as_deref().unwrap_or("unassigned")),
                visible(&e.product),
                visible(&e.version)
            )?;
        }
        for s in &l.reclaimable {
            writeln!(
                out,
                "      reclaimable: {} (since {}, last install {})",
                visible(&s.holder),
                s.assigned_at.date(),
                s.last_install
                    .map_or_else(|| "never".to_string(), |t| t.date().to_string())
            )?;
        }
        for u in &l.users_without_seat {
            writeln!(out, "      user without a seat: {}", visible(u))?;
        }
    }
    Ok(())
}

pub fn licence_match(store: &mut Store, a: &MatchArgs) -> Result<ExitCode> {
    let m = match &a.product {
        Some(p) => store.add_licence_match(&a.licence, p, a.publisher.as_deref())?,
        None => store.licence_matches(&a.licence)?,
    };
    if a.json {
        output::json(&m)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("#{} {}", m.licence_id, visible(&m.licence));
    if m.rules.is_empty() {
        println!("  no match rules (add one with --product \"PATTERN\")");
    }
    for r in &m.rules {
        println!(
            "  rule: product {}{}",
            visible(&r.product),
            r.publisher
                .as_deref()
                .map(|p| format!(", publisher {}", visible(p)))
                .unwrap_or_default()
        );
    }
    for t in &m.titles {
        println!(
            "  matches {}{}: installed on {} devices",
            visible(&t.product),
            t.publisher
                .as_deref()
                .map(|p| format!(" ({})", visible(p)))
                .unwrap_or_default(),
            t.devices
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The installs and feed records under `itam show TAG --installs`.
pub fn installs_text(store: &Store, asset_id: i64) -> Result<String> {
    let mut s = String::new();
    for d in store.sync_devices(asset_id)? {
        let f = |k: &str| d[k].as_str().map(visible).unwrap_or_default().to_string();
        s.push_str(&format!(
            "feed {}: {} {} {} user {} seen {}\n",
            f("source"),
            f("hostname"),
            f("os"),
            f("os_version"),
            f("mdm_user"),
            f("seen_at")
        ));
    }
    let installs = store.installs(asset_id)?;
    s.push_str(&format!("installs ({}):\n", installs.len()));
    for i in installs {
        s.push_str(&format!(
            "  {:<32} {:<16} {:<20} {:<8} first {} last {}{}\n",
            visible(&i.product),
            visible(&i.version),
            visible(i.publisher.as_deref().unwrap_or("-")),
            i.source,
            i.first_seen.date(),
            i.last_seen.date(),
            i.removed_at
                .map(|r| format!(" removed {}", r.date()))
                .unwrap_or_default()
        ));
    }
    Ok(s)
}
