//! `itam person ...`, `itam location ...` and `itam demo`.

use super::output;
use anyhow::Result;
use clap::{Args, Subcommand};
use itam::domain::text::visible;
use itam::domain::{Badge, LocationCode};
use itam::store::{NewLocation, NewPerson, PersonDetail, PersonDetails, Store};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum PersonCmd {
    /// Add a person
    Add {
        username: String,
        /// Full name
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// What their badge scans as
        #[arg(long, value_name = "CODE")]
        badge: Option<Badge>,
        #[arg(long)]
        team: Option<String>,
        #[command(flatten)]
        details: DetailArgs,
        #[arg(long)]
        json: bool,
    },
    /// Change a person's name, email, badge, team, title, phone or location ("" clears all but
    /// the name)
    Edit {
        username: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, value_name = "CODE")]
        badge: Option<String>,
        #[arg(long)]
        team: Option<String>,
        #[command(flatten)]
        details: DetailArgs,
        #[arg(long)]
        json: bool,
    },
    /// Offboard: check in what they hand back, list (or mark lost) the rest, make them inactive
    Offboard(super::workflows::OffboardArgs),
    /// List people with their email and how many assets each holds
    List {
        #[arg(long)]
        json: bool,
    },
    /// One person: what they hold, their licence seats and their history
    Show {
        /// Username or badge
        user: String,
        #[arg(long)]
        json: bool,
    },
}

/// A person's job title, phone and the location they sit at.
#[derive(Debug, Args)]
pub struct DetailArgs {
    /// Job title
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// Where they sit (a location's code or name)
    #[arg(long, value_name = "LOCATION")]
    location: Option<String>,
}

impl DetailArgs {
    fn details(&self) -> PersonDetails {
        PersonDetails {
            title: self.title.clone(),
            phone: self.phone.clone(),
            location: self.location.clone(),
            active: None,
        }
    }
}

pub fn person(store: &mut Store, c: &PersonCmd) -> Result<ExitCode> {
    match c {
        PersonCmd::Add {
            username,
            name,
            email,
            badge,
            team,
            details,
            json,
        } => {
            let p = store.add_person_with(
                &NewPerson {
                    username: username.clone(),
                    full_name: name.clone(),
                    email: email.clone(),
                    badge: badge.as_ref().map(Badge::to_string),
                    team: team.clone(),
                },
                &details.details(),
            )?;
            if *json {
                output::json(&p)?;
            } else {
                println!("added {} ({})", visible(&p.username), visible(&p.full_name));
            }
        }
        PersonCmd::Offboard(a) => return super::workflows::offboard(store, a),
        PersonCmd::Edit {
            username,
            name,
            email,
            badge,
            team,
            details,
            json,
        } => {
            let p = store.edit_person_with(
                username,
                &NewPerson {
                    username: username.clone(),
                    full_name: name.clone().unwrap_or_default(),
                    email: email.clone(),
                    badge: badge.clone(),
                    team: team.clone(),
                },
                &details.details(),
            )?;
            if *json {
                output::json(&p)?;
            } else {
                println!("saved {} ({})", visible(&p.username), visible(&p.full_name));
            }
        }
        PersonCmd::List { json } => {
            let people = store.people()?;
            if *json {
                output::json(&people)?;
            } else {
                println!(
                    "{:<16} {:<24} {:<28} {:<10} {:<12} {:>4}",
                    "USERNAME", "NAME", "EMAIL", "BADGE", "TEAM", "HELD"
                );
                let dash = |v: &Option<String>| -> String {
                    v.as_deref().map_or("-".into(), |s| visible(s).into_owned())
                };
                for p in &people {
                    println!(
                        "{:<16} {:<24} {:<28} {:<10} {:<12} {:>4}{}",
                        visible(&p.username),
                        visible(&p.full_name),
                        dash(&p.email),
                        dash(&p.badge),
                        dash(&p.team),
                        p.holds,
                        if p.active { "" } else { "  (inactive)" }
                    );
                }
            }
        }
        PersonCmd::Show { user, json } => {
            let d = store.person_detail(user)?;
            if *json {
                output::json(&d)?;
            } else {
                print_person(&d);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_person(d: &PersonDetail) {
    let p = &d.person;
    let dash = |v: &Option<String>| -> String {
        v.as_deref().map_or("-".into(), |s| visible(s).into_owned())
    };
    for (k, v) in [
        ("username", visible(&p.username).into_owned()),
        ("name", visible(&p.full_name).into_owned()),
        ("email", dash(&p.email)),
        ("badge", dash(&p.badge)),
        ("team", dash(&p.team)),
        ("title", dash(&p.title)),
        ("phone", dash(&p.phone)),
        ("location", dash(&p.location)),
        ("active", if p.active { "yes" } else { "no" }.into()),
    ] {
        println!("{k:>9}  {v}");
    }
    println!("\nholds {}:", d.holding.len());
    for a in &d.holding {
        let due = a
            .due_date
            .map(|due| format!("  due {due}"))
            .unwrap_or_default();
        println!(
            "  {:<14} {:<16} {}  since {}{due}",
            visible(&a.tag),
            a.serial.as_deref().map(visible).unwrap_or("-".into()),
            visible(a.display_name()),
            a.assigned_at.map_or_else(|| "-".into(), |t| t.to_string()),
        );
    }
    println!("\nlicence seats {}:", d.seats.len());
    for s in &d.seats {
        println!(
            "  {}{}  since {}{}",
            visible(&s.product),
            s.vendor
                .as_deref()
                .map(|v| format!(" ({})", visible(v)))
                .unwrap_or_default(),
            s.assigned_at,
            if s.breach {
                "  (over the seats owned)"
            } else {
                ""
            }
        );
    }
    println!("\nhistory ({} events, oldest first):", d.history.len());
    for e in &d.history {
        let what = e
            .asset
            .as_deref()
            .or(e.licence.as_deref())
            .or(e.subject.as_deref())
            .map(visible)
            .unwrap_or_default();
        let entry = itam::domain::HistoryEntry {
            at: e.at.clone(),
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            note: e.note.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
        };
        let line = output::history_line(&entry);
        // history_line starts with the time and actor; the thing the event is about goes first.
        println!("  {what:<16} {line}");
    }
}

#[derive(Debug, Subcommand)]
pub enum LocationCmd {
    /// Add a location
    Add {
        /// What its label scans as
        code: LocationCode,
        #[arg(long)]
        name: String,
        /// Code of the enclosing location
        #[arg(long, value_name = "CODE")]
        parent: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Rename a location or change its parent ("" for none)
    Edit {
        code: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "CODE")]
        parent: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List locations with their asset counts
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn location(store: &mut Store, c: &LocationCmd) -> Result<ExitCode> {
    match c {
        LocationCmd::Add {
            code,
            name,
            parent,
            json,
        } => {
            let l = store.add_location(&NewLocation {
                code: code.to_string(),
                name: name.clone(),
                parent: parent.clone(),
            })?;
            if *json {
                output::json(&l)?;
            } else {
                println!("added {} ({})", visible(&l.code), visible(&l.name));
            }
        }
        LocationCmd::Edit {
            code,
            name,
            parent,
            json,
        } => {
            let l = store.edit_location(code, name.as_deref(), parent.as_deref())?;
            if *json {
                output::json(&l)?;
            } else {
                println!("saved {} ({})", visible(&l.code), visible(&l.name));
            }
        }
        LocationCmd::List { json } => {
            let all = store.locations()?;
            if *json {
                output::json(&all)?;
            } else {
                for l in &all {
                    println!(
                        "{:<14} {:<30} {:<14} {:>7} assets",
                        visible(&l.code),
                        visible(&l.name),
                        l.parent.as_deref().map(visible).unwrap_or("-".into()),
                        l.assets
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many assets
    #[arg(long, default_value_t = 500)]
    pub assets: u64,
    /// Random seed: the same seed always writes the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn demo(store: &mut Store, a: &DemoArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let summary = itam::demo::generate(store, a.assets, a.seed)?;
    eprintln!(
        "demo data: {} assets, {} people, {} locations, {} events in {:.1} s",
        summary.assets,
        summary.people,
        summary.locations,
        summary.events,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
