//! `itam token create|list|revoke`: API tokens for `itam serve`.

use super::output;
use anyhow::Result;
use clap::Subcommand;
use itam::domain::text::visible;
use itam::store::Store;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Make a token for USERNAME (the history shows its writes as api:USERNAME); printed once.
    /// With --read-only the token may only read: every write is refused with 403
    Create {
        /// Who the token acts as, e.g. a person's username or an integration's name
        username: String,
        /// Last day the token works (YYYY-MM-DD, UTC)
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// What the token is for
        #[arg(long)]
        note: Option<String>,
    },
    /// Every token (never the tokens themselves)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id; it stops working at once
    Revoke { id: i64 },
}

/// `--read-only` is the global flag; for `token create` it describes the token, so the database
/// is opened for writing then.
pub fn run(cli: &super::Cli, c: &TokenCmd) -> Result<ExitCode> {
    let read_only = cli.read_only;
    let mut store = match c {
        TokenCmd::Create { .. } => super::open_store_as(cli, false)?,
        _ => super::open_store(cli)?,
    };
    token(&mut store, c, read_only)
}

fn token(store: &mut Store, c: &TokenCmd, read_only: bool) -> Result<ExitCode> {
    match c {
        TokenCmd::Create {
            username,
            expires,
            note,
        } => {
            let expires = itam::domain::time::optional_date("expiry date", expires.as_deref())?;
            let (id, token) = store.create_token(username, read_only, expires, note.as_deref())?;
            eprintln!(
                "token {id} for api:{}{}: shown once, only its hash is kept",
                visible(username.trim()),
                if read_only { " (read-only)" } else { "" }
            );
            println!("{token}");
        }
        TokenCmd::List { json } => {
            let tokens = store.tokens()?;
            if *json {
                output::json(&tokens)?;
            } else if tokens.is_empty() {
                println!("no tokens (make one with `itam token create USERNAME`)");
            } else {
                for t in tokens {
                    let state = match (&t.revoked_at, &t.expires_on) {
                        (Some(at), _) => format!("revoked {at}"),
                        (None, Some(e)) => format!("expires {e}"),
                        (None, None) => "active".to_string(),
                    };
                    println!(
                        "{:>4}  api:{:<20} {:<10} {:<30} created {} by {}{}",
                        t.id,
                        visible(&t.username),
                        if t.read_only {
                            "read-only"
                        } else {
                            "read-write"
                        },
                        state,
                        t.created_at.date(),
                        visible(&t.created_by),
                        t.note
                            .as_deref()
                            .map(|n| format!("  ({})", visible(n)))
                            .unwrap_or_default()
                    );
                }
            }
        }
        TokenCmd::Revoke { id } => {
            store.revoke_token(*id)?;
            println!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
