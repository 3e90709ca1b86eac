//! The SQLite store: opening and migrating the database, and every query and write.
//!
//! Rules kept here: WAL (rollback journal on network filesystems), `foreign_keys=ON`,
//! `busy_timeout` 10 s, `synchronous=FULL`, `BEGIN IMMEDIATE` for every write, and every write
//! appends its events in the same transaction.

mod actor;
mod api_queries;
mod assets;
mod audits;
mod backup;
mod bulk;
pub mod chain;
mod check;
mod depreciation;
mod error;
mod events;
mod fields;
mod filter;
mod fsinfo;
mod installs;
mod licences;
mod lookup;
mod maintenance;
mod migrate;
mod ops;
pub mod outfile;
mod people;
mod person_detail;
mod places;
mod postgres;
mod receiving;
mod reports;
mod resolve;
mod roles;
pub mod sql;
mod staged;
mod sync;
mod tokens;
mod values;

pub use actor::os_user;
pub use api_queries::audit_seen_tx;
pub use api_queries::{
    ApiAsset, ApiEvent, ApiLocation, ApiModel, ApiPerson, ApiSeat, AssetQuery, AssetSort, IdName,
    NamedCount,
};
pub use assets::{Interner, ListRow};
pub use audits::{AuditHeader, AuditReport, AuditScan, Ghost, ScanResult};
pub use backup::restore;
pub use bulk::{AssetField, BulkAsset, BulkWriter, EventRow, ReadSnapshot, StagedAssets};
pub use bulk::{ModelIds, PastAsset, PastDisposal, PastEvent};
pub use check::{CheckReport, Finding};
pub use depreciation::{AssetBookValue, RuleScope, RuleSource, Rules};
use error::SqliteContext;
pub use error::{Context, Result, StoreError};
pub use fields::{
    all_field_values, assets_with_field, define_field_tx, export_extras, field_by_name,
    home_location, import_field_value_tx, import_home_tx, licence_id_by_product_and_key,
    list_fields, set_fields_tx, set_home_location_tx, CustomField, ExportExtras, FieldChange,
    FieldValue, HomeLocation,
};
pub use filter::AssetFilter;
pub use installs::{
    ComplianceReport, ComplianceRow, Exposure, InstallView, LicenceMatches, MatchRule,
    MatchedTitle, Reclaimable,
};
pub use licences::{
    assign_seat_tx, insert_licence, release_person_seats, LicenceDetail, LicenceView, SeatOutcome,
    SeatTarget, SeatView,
};
pub use lookup::NameTable;
pub use maintenance::{MaintenanceView, NewMaintenance};
pub use ops::{checkout_tx, edit_asset_tx, insert_asset, move_asset_tx, set_status_tx};
pub use ops::{parse_date, AssetEdit, DisposalInput, NewAsset};
pub use people::{NewPerson, Offboarding, PersonDetails, PersonView};
pub use person_detail::{PersonDetail, PersonEvent, PersonSeat};
pub use places::{LocationView, NewLocation};
pub use postgres::DbTarget;
pub use receiving::{expand_tag, NewPoLine, PoLine, PurchaseOrder};
pub use reports::{
    DepreciationGroup, DepreciationRow, DepreciationTotals, EolItem, EolQuarter, EolReport,
    GroupBy, LicenceReport, LicenceReportRow, RenewalDue, TcoGroup, TcoRow, TcoTotals,
};
pub use resolve::Resolved;
pub use sync::{
    DriftFinding, DriftKind, FieldChange as SyncFieldChange, SyncOptions, SyncSummary,
    UnknownDevice,
};
pub use tokens::{ApiIdentity, TokenCheck, TokenView};

use rusqlite::OpenFlags;
use sql::Conn;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another writer's lock before giving up with a clear message.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Open for look-ups only: every write is refused with this reason.
    pub read_only: bool,
}

pub struct Store {
    conn: Conn,
    path: PathBuf,
    actor: String,
    /// Why writes are refused, when they are.
    read_only: Option<String>,
    /// Said once at open when the database cannot use WAL (network filesystem).
    warnings: Vec<String>,
    fixed_now: Option<String>,
}

/// Now, in UTC, as stored: `2026-11-28T09:15:02.123Z`.
pub fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Store {
    /// Open and migrate the database at `path`; a new one is made only in a folder that exists.
    /// Never creates folders and refuses an empty (0-byte) file: only `itam init` and the first
    /// run at the default location create ([`Store::create`]), so a typo in `--db` cannot
    /// quietly start a second, empty ledger.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
        if let DbTarget::Postgres(url) = DbTarget::parse(path) {
            return Self::open_postgres(&url, opts);
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(StoreError::NotFound(format!(
                "the folder {} does not exist (itam init {} creates it)",
                dir.display(),
                path.display()
            )));
        }
        if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Err(StoreError::Refused(format!(
                "{} is an empty file (0 bytes), not an itam database; to start a new ledger there, run itam init",
                path.display()
            )));
        }
        Self::open_inner(path, opts)
    }

    /// Create (with its folder, group-shared) or open the database at `path`: for `itam init`
    /// and the default location on first run. An empty file becomes a new database.
    pub fn create(path: &Path, opts: &OpenOptions) -> Result<Store> {
        if let DbTarget::Postgres(url) = DbTarget::parse(path) {
            return Self::open_postgres(&url, opts);
        }
        if !opts.read_only && !path.exists() {
            fsinfo::create_parent(path)?;
        }
        Self::open_inner(path, opts)
    }

    fn open_inner(path: &Path, opts: &OpenOptions) -> Result<Store> {
        let mut warnings = Vec::new();
        fsinfo::refuse_planted(path)?;
        let exists = path.exists();
        let mut read_only = None;
        if opts.read_only {
            if !exists {
                return Err(StoreError::NotFound(format!(
                    "{} does not exist (read-only mode does not create it)",
                    path.display()
                )));
            }
            read_only = Some(
                "the database is open read-only (--read-only); nothing was changed".to_string(),
            );
        } else if exists && !fsinfo::writable(path) {
            read_only = Some(format!(
                "{} is not writable by {} (check its permissions and group); nothing was changed",
                path.display(),
                os_user()
            ));
        } else if exists && !fsinfo::folder_writable_for_wal(path) {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            read_only = Some(format!(
                "the folder {} is not writable by {} (the file is, but SQLite creates its -wal and -shm files beside it, so writers need the folder too: give the database's group write access to the folder); nothing was changed",
                dir.display(),
                os_user()
            ));
        }
        let network = fsinfo::network_filesystem(path);
        let flags = if read_only.is_some() {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = rusqlite::Connection::open_with_flags(path, flags)
            .ctx(&format!("opening {}", path.display()))?;
        if !exists {
            fsinfo::set_shared_mode(path);
        } else if fsinfo::world_writable(path) {
            warnings.push(format!(
                "{} is world-writable: anyone on this machine can change the ledger (chmod o-w it)",
                path.display()
            ));
        }
        conn.busy_timeout(BUSY_TIMEOUT)
            .ctx("setting busy_timeout")?;

        // Refuse a newer schema before touching anything (journal mode changes the file header).
        let version: i64 = match conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
            Ok(v) => v,
            // A WAL database can be read only by someone who can create or open its -shm
            // file; say so rather than "read-only" when a look-up fails for that reason.
            Err(e)
                if read_only.is_some()
                    && e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                return Err(StoreError::ReadOnly(format!(
                    "cannot read {}: it is a WAL database and {} cannot create or open its \
                     -shm file in that folder (SQLite needs it even to read); give this user \
                     the database's group with write access to the folder",
                    path.display(),
                    os_user()
                )));
            }
            Err(e) => return Err(e).ctx(&format!("reading {}", path.display())),
        };
        if version > migrate::LATEST {
            return Err(StoreError::TooNew {
                path: path.display().to_string(),
                found: version,
                supported: migrate::LATEST,
            });
        }

        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
            .ctx("setting pragmas")?;
        if read_only.is_none() {
            if let Some(fs) = network {
                warnings.push(format!(
                    "{} is on a network filesystem ({fs}): SQLite's WAL mode needs shared memory that {fs} \
                     does not provide, so itam uses the slower rollback journal. Keep a shared database on a local disk.",
                    path.display()
                ));
                let mode: String = conn
                    .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
                    .ctx("setting journal_mode")?;
                debug_assert_eq!(mode, "delete");
            } else {
                let _mode: String = conn
                    .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                    .ctx("setting journal_mode")?;
            }
        }
        let store = Store {
            conn: Conn::from_sqlite(conn),
            path: path.to_path_buf(),
            actor: os_user(),
            read_only,
            warnings,
            fixed_now: None,
        };
        if version < migrate::LATEST {
            if let Some(reason) = &store.read_only {
                return Err(StoreError::ReadOnly(format!(
                    "the database needs its schema brought up to version {} but {reason}",
                    migrate::LATEST
                )));
            }
            migrate::run(&store.conn, version)?;
        }
        Ok(store)
    }

    /// Whether this store is a PostgreSQL database (else a SQLite file).
    pub fn is_postgres(&self) -> bool {
        self.conn.is_postgres()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Messages worth showing once after opening (e.g. no WAL on a network filesystem).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Tests only: pin the actor so snapshots do not depend on who runs them. Never reachable
    /// from the command line or configuration: the history names the real OS user.
    #[doc(hidden)]
    pub fn set_actor_for_tests(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    /// Tests only: every write stamps this time instead of the clock, for stable snapshots.
    #[doc(hidden)]
    pub fn set_clock_for_tests(&mut self, now: &str) {
        self.fixed_now = Some(now.to_string());
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// The connection, for read-only reporting code and tests.
    pub fn conn(&self) -> &Conn {
        &self.conn
    }

    /// The SQLite connection for `what`, which only SQLite databases have (file backups).
    pub(crate) fn sqlite_only(&self, what: &str) -> Result<&rusqlite::Connection> {
        self.conn
            .sqlite()
            .ok_or_else(|| StoreError::Refused(format!("{what} works on SQLite databases only")))
    }

    /// `PRAGMA data_version`: changes when another connection commits. Polled for live refresh.
    pub fn data_version(&self) -> Result<i64> {
        if self.conn.is_postgres() {
            // Every write appends to the history, so its newest id moves with every commit.
            return self
                .conn
                .query_row("SELECT COALESCE(max(id), 0) FROM events", [], |r| r.get(0))
                .ctx("reading data_version");
        }
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ctx("reading data_version")
    }

    /// PostgreSQL: hear other sessions' commits from now on (`LISTEN itam_events`: every
    /// history insert notifies at commit), so a screen need not poll. False on SQLite, and on a
    /// hot standby, which cannot LISTEN: there, poll [`Store::data_version`].
    pub fn listen_for_changes(&self) -> Result<bool> {
        if !self.conn.is_postgres() {
            return Ok(false);
        }
        Ok(self.conn.execute_batch("LISTEN itam_events").is_ok())
    }

    /// After [`Store::listen_for_changes`]: wait up to `timeout` for a commit; true when one
    /// (or several) came.
    pub fn wait_for_change(&self, timeout: Duration) -> Result<bool> {
        self.conn
            .wait_notification(timeout)
            .ctx("waiting for other sessions' changes")
    }

    /// Run `f` inside `BEGIN IMMEDIATE ... COMMIT`; any error rolls everything back.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let actor = self.actor.clone();
        self.write_as(&actor, f)
    }

    /// [`Store::write`] with its events recorded under `actor` instead of the OS user: only for
    /// writes a machine makes on the OS user's behalf (a sync records `sync:intune`), so the
    /// history says where a change came from. Crate-private: no front end can pick an actor.
    pub(crate) fn write_as<T>(
        &mut self,
        actor: &str,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        let started = std::time::Instant::now();
        let tx = match self.conn.transaction_immediate() {
            Ok(tx) => tx,
            // Say how long it really waited, and who holds the lock when the system tells.
            Err(e) if error::is_busy(&e) => {
                let holders = if self.conn.is_postgres() {
                    self.pg_lock_holders()
                } else {
                    fsinfo::write_lock_holders(&self.path)
                };
                return Err(StoreError::Refused(format!(
                    "waited {:.1} s for another writer to finish; it still holds the database{}. Nothing was changed; try again",
                    started.elapsed().as_secs_f64(),
                    if holders.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", holders.join(", "))
                    }
                )));
            }
            Err(e) => return Err(e).ctx("starting a write"),
        };
        let w = Tx {
            conn: &tx,
            actor,
            now: self.fixed_now.clone().unwrap_or_else(now_utc),
        };
        // Only events appended by this transaction get sealed into the history chain: one
        // slipped in from outside stays unhashed, for `check` to name.
        let floor = chain::max_event_id(&tx)?;
        let out = f(&w)?;
        let sealing = std::time::Instant::now();
        let sealed = chain::seal_after(&tx, floor)?;
        // ITAM_TIMING=1 (as for imports): what the history chain costs under the write lock.
        if sealed > 1000 && std::env::var_os("ITAM_TIMING").is_some_and(|v| v == "1") {
            eprintln!(
                "history chain: {sealed} events sealed in {} ms",
                sealing.elapsed().as_millis()
            );
        }
        tx.commit().ctx("committing")?;
        Ok(out)
    }
}

/// An open write transaction, with the actor and one timestamp shared by all its events.
pub struct Tx<'a> {
    pub conn: &'a Conn,
    pub actor: &'a str,
    pub now: String,
}

/// The id of `name` in one of the small name tables (`manufacturers`, `categories`, `suppliers`,
/// `teams`), created when new. For bulk writers (demo, import) inside their own transaction.
pub fn lookup_id(tx: &Tx<'_>, table: &str, name: &str) -> Result<i64> {
    let t = match table {
        "manufacturers" => lookup::NameTable::Manufacturers,
        "categories" => lookup::NameTable::Categories,
        "suppliers" => lookup::NameTable::Suppliers,
        _ => lookup::NameTable::Teams,
    };
    lookup::get_or_create(tx.conn, t, name)?
        .ok_or_else(|| StoreError::Invalid(format!("empty name for {table}")))
}
