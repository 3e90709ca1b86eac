//! `itam serve`: the subset of Snipe-IT's REST API v1 that MDM syncs, ITSM plugins and scripts
//! use, so they work against itam unchanged. Handlers translate requests into store calls (no
//! SQL here); every write is an ordinary itam write with the actor `api:USERNAME`.
//!
//! Layout: `server` (listening, TLS, timeouts), `pool` (SQLite connections on blocking threads),
//! `auth` (bearer tokens), `reply` (Snipe-IT's envelopes and errors), `body` (reading and
//! checking request fields), `shape` (the JSON Snipe-IT's transformers produce), and one file
//! per resource family.

mod auth;
mod body;
mod catalogue;
mod fields;
mod hardware;
mod licences;
mod people;
mod pool;
mod reply;
mod routes;
mod server;
mod shape;

pub use server::{serve, ServeError, ServeOptions};

/// Page sizes: Snipe-IT's default, and the most one request may ask for.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;
