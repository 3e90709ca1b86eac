//! `itam db grant`: the database's own access control, on PostgreSQL.

use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use itam::domain::text::visible;
use itam::store::Store;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Make USER (a PostgreSQL login role, created when missing) a technician, auditor (reads
    /// only), admin or service (itam serve / itam sync); PostgreSQL only, run as an itam admin
    Grant {
        /// The login role, as people connect (user= in the URL)
        user: String,
        #[arg(long, value_enum)]
        role: Role,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    Technician,
    Auditor,
    Admin,
    Service,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Technician => "technician",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Service => "service",
        }
    }
}

pub fn db(store: &Store, c: &DbCmd) -> Result<ExitCode> {
    match c {
        DbCmd::Grant { user, role } => {
            let said = store.grant(user, role.name())?;
            println!("{}", visible(&said));
        }
    }
    Ok(ExitCode::SUCCESS)
}
