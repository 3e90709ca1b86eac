//! `itam serve`: Snipe-IT's REST API over this database (see `itam::api`).

use anyhow::{Context as _, Result};
use clap::Args;
use itam::api::{serve as run_server, ServeOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; anything but loopback needs TLS or --insecure-http
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// PEM certificate chain for HTTPS (with --tls-key)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (with --tls-cert)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (tokens then cross the network in clear)
    #[arg(long)]
    pub insecure_http: bool,
}

pub fn serve(db: PathBuf, a: &ServeArgs) -> Result<ExitCode> {
    let opts = ServeOptions {
        db,
        listen: a.listen,
        tls: a.tls_cert.clone().zip(a.tls_key.clone()),
        insecure_http: a.insecure_http,
    };
    run_server(opts).context("itam serve")?;
    Ok(ExitCode::SUCCESS)
}
