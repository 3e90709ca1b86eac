//! The command line: one file per subcommand family. Text for people, `--json` for scripts.

mod admin;
mod assets;
mod db;
mod drift;
mod interop;
mod label;
mod licence;
mod lifecycle;
mod maintenance;
mod output;
mod people;
mod report;
mod serve;
mod sync;
mod token;
mod workflows;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use itam::config::Config;
use itam::store::{OpenOptions, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "itam",
    version,
    about = "A terminal IT asset manager: scanner-native, SSH-friendly, one SQLite ledger.",
    long_about = "A terminal IT asset manager. Run with no subcommand for the full-screen app; \
                        subcommands are for scripts and quick look-ups."
)]
pub struct Cli {
    /// Database file (else $ITAM_DB, else `db` in config.toml, else the XDG data folder)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Open the database for look-ups only; every write is refused
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Colour in the full-screen app: auto (honours NO_COLOR), always or never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or migrate) the database and say where it is
    Init,
    /// Fill an empty database with realistic demo data
    Demo(people::DemoArgs),
    /// Register a new asset
    Add(assets::AddArgs),
    /// Change an asset's fields (an empty value clears a field)
    Edit(assets::EditArgs),
    /// Show one asset by tag or serial
    Show(assets::ShowArgs),
    /// Fuzzy-search assets by tag, serial, name, model, assignee and location
    Find(assets::FindArgs),
    /// Custom fields (Snipe-IT's MAC Address, RAM, ...): list or define them
    #[command(subcommand)]
    Field(assets::FieldCommand),
    /// Check an asset out to a person
    Checkout(lifecycle::CheckoutArgs),
    /// Check an asset back in
    Checkin(lifecycle::CheckinArgs),
    /// Move an asset to a location
    Move(lifecycle::MoveArgs),
    /// Record an asset's condition
    Condition(lifecycle::ConditionArgs),
    /// Change an asset's status (in_repair, lost, in_stock, retired)
    Status(lifecycle::StatusArgs),
    /// Dispose of a retired asset, with its method, data wipe and proceeds
    Dispose(lifecycle::DisposeArgs),
    /// An asset's history, oldest first
    History(assets::HistoryArgs),
    /// People: add, edit, offboard, list
    #[command(subcommand)]
    Person(people::PersonCmd),
    /// Locations: add, edit, list
    #[command(subcommand)]
    Location(people::LocationCmd),
    /// Room audits: start, scan, close, list
    #[command(subcommand)]
    Audit(workflows::AuditCmd),
    /// Purchase orders and receiving against them
    #[command(subcommand)]
    Po(workflows::PoCmd),
    /// Verify the database: integrity, foreign keys, history replay, disposals (exit 1 on findings)
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Copy the database to a new file, consistently, while others keep writing
    Backup {
        /// The new file
        dest: PathBuf,
    },
    /// Replace the database with a backup (refused while anyone has it open)
    Restore {
        /// The backup file
        src: PathBuf,
    },
    /// Import assets, people, locations, models or licences from CSV (Snipe-IT or itam), JSON or JSON lines
    Import(interop::ImportArgs),
    /// Export assets, people, locations or the history as CSV, Snipe-IT CSV, JSON or JSON lines
    Export(interop::ExportArgs),
    /// Print barcode labels (ZPL or SVG) for assets, or the sheet of command barcodes
    Label(label::LabelArgs),
    /// Software licences and their seats: add, assign, unassign, list, show
    #[command(subcommand)]
    Licence(licence::LicenceCmd),
    /// Maintenance records: add, list
    #[command(subcommand)]
    Maintenance(maintenance::MaintenanceCmd),
    /// Depreciation rules per asset, model or category, and one asset's book value
    #[command(subcommand)]
    Depreciation(maintenance::DepreciationCmd),
    /// Reports: audit, ghosts, licences, depreciation, tco, eol
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// Print shell completions: itam completions bash > ~/.local/share/bash-completion/completions/itam
    Completions {
        /// bash, zsh or fish
        shell: CompletionShell,
    },
    /// Print the man page (roff): itam man > ~/.local/share/man/man1/itam.1
    Man,
    /// Serve Snipe-IT's REST API (v1) over this database, for MDM and ITSM connectors
    Serve(serve::ServeArgs),
    /// API tokens for `itam serve`: create, list, revoke
    #[command(subcommand)]
    Token(token::TokenCmd),
    /// Apply an inventory feed (Intune, Jamf, Kandji, osquery, CSV): last seen, OS, MDM user, installs
    Sync(sync::SyncArgs),
    /// Resolve drift between the feeds and the register: accept the MDM user, mark found
    #[command(subcommand)]
    Drift(sync::DriftCmd),
    /// The database server's access control (PostgreSQL): grant itam roles
    #[command(subcommand)]
    Db(db::DbCmd),
}

/// The shells `itam completions` writes for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// Completions and the man page come from the same definition as --help, so they never drift.
fn shell_docs(command: &Command) -> Result<Option<ExitCode>> {
    use clap::CommandFactory;
    let mut out = std::io::stdout().lock();
    match command {
        Command::Completions { shell } => {
            let shell = match shell {
                CompletionShell::Bash => clap_complete::Shell::Bash,
                CompletionShell::Zsh => clap_complete::Shell::Zsh,
                CompletionShell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut Cli::command(), "itam", &mut out);
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .context("writing the man page")?,
        _ => return Ok(None),
    }
    Ok(Some(ExitCode::SUCCESS))
}

pub fn open_store(cli: &Cli) -> Result<Store> {
    open_store_as(cli, cli.read_only)
}

/// `open_store`, with `--read-only` taken as `read_only` (for `token create --read-only`,
/// where the flag describes the token, not the database).
pub fn open_store_as(cli: &Cli, read_only: bool) -> Result<Store> {
    let config = Config::load_checked().map_err(anyhow::Error::msg)?;
    let path = config.db_path(cli.db.as_deref());
    let opts = OpenOptions {
        read_only: read_only || config.read_only,
    };
    // Only `init` and the default location (on first run) create a database and its folder.
    let create =
        matches!(cli.command, Some(Command::Init)) || path == itam::config::default_db_path();
    let store = if create {
        Store::create(&path, &opts)
    } else {
        Store::open(&path, &opts)
    }
    .with_context(|| format!("cannot open the database {}", path.display()))?;
    for w in store.warnings() {
        eprintln!("itam: warning: {w}");
    }
    Ok(store)
}

/// `itam` with no subcommand: the full-screen app.
fn tui(cli: &Cli) -> Result<ExitCode> {
    let config = Config::load_checked().map_err(anyhow::Error::msg)?;
    let color = match cli.color.as_str() {
        "never" => false,
        "always" => true,
        "auto" => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        other => anyhow::bail!("--color takes auto, always or never, not '{other}'"),
    };
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!(
            "the full-screen app needs a terminal; use a subcommand for scripts (itam --help)"
        );
    }
    let db = config.db_path(cli.db.as_deref());
    // The first run at the default location makes the database (and its folder) here, since
    // the app itself only opens existing ones.
    if db == itam::config::default_db_path() && !db.exists() && !(cli.read_only || config.read_only)
    {
        Store::create(&db, &OpenOptions::default())
            .with_context(|| format!("cannot create the database {}", db.display()))?;
    }
    let opts = itam::tui::Options {
        db,
        read_only: cli.read_only || config.read_only,
        color,
        warnings: Vec::new(),
        config,
    };
    itam::tui::run(opts)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let Some(command) = &cli.command else {
        return tui(&cli);
    };
    if let Some(code) = shell_docs(command)? {
        return Ok(code);
    }
    if let Command::Restore { src } = command {
        // Never open the target as a Store here: that would count as "in use".
        let config = Config::load_checked().map_err(anyhow::Error::msg)?;
        return admin::restore(src, &config.db_path(cli.db.as_deref()));
    }
    if let Command::Serve(a) = command {
        // The server opens its own connections; open once here so a bad path fails early.
        let store = open_store(&cli)?;
        return serve::serve(store.path().to_path_buf(), a);
    }
    if let Command::Token(c) = command {
        return token::run(&cli, c);
    }
    let mut store = open_store(&cli)?;
    match command {
        Command::Init => {
            println!("database ready: {}", store.path().display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(a) => people::demo(&mut store, a),
        Command::Add(a) => assets::add(&mut store, a),
        Command::Edit(a) => assets::edit(&mut store, a),
        Command::Show(a) => assets::show(&store, a),
        Command::Find(a) => assets::find(&store, a),
        Command::Field(c) => assets::field(&mut store, c),
        Command::History(a) => assets::history(&store, a),
        Command::Checkout(a) => lifecycle::checkout(&mut store, a),
        Command::Checkin(a) => lifecycle::checkin(&mut store, a),
        Command::Move(a) => lifecycle::move_to(&mut store, a),
        Command::Condition(a) => lifecycle::condition(&mut store, a),
        Command::Status(a) => lifecycle::status(&mut store, a),
        Command::Dispose(a) => lifecycle::dispose(&mut store, a),
        Command::Person(c) => people::person(&mut store, c),
        Command::Location(c) => people::location(&mut store, c),
        Command::Audit(c) => workflows::audit(&mut store, c),
        Command::Po(c) => workflows::po(&mut store, c),
        Command::Check { json } => admin::check(&store, *json),
        Command::Backup { dest } => admin::backup(&store, dest),
        Command::Restore { .. } | Command::Completions { .. } | Command::Man => {
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(a) => interop::import(&mut store, a),
        Command::Export(a) => interop::export(&store, a),
        Command::Label(a) => label::label(&store, a),
        Command::Licence(c) => licence::licence(&mut store, c),
        Command::Maintenance(c) => maintenance::maintenance(&mut store, c),
        Command::Depreciation(c) => maintenance::depreciation(&mut store, c),
        Command::Report(c) => report::report(&mut store, c),
        Command::Token(_) => Ok(ExitCode::SUCCESS),
        Command::Serve(_) => Ok(ExitCode::SUCCESS),
        Command::Sync(a) => sync::sync(&mut store, a),
        Command::Drift(c) => sync::drift(&mut store, c),
        Command::Db(c) => db::db(&store, c),
    }
}
