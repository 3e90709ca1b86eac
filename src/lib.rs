//! itam: a terminal IT asset manager. The library holds everything; `main.rs` only dispatches.

// A panic in the library would take down the TUI or a shared jump box session: errors are
// typed and returned. Tests may still unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// serde_json's json! macro recurses once per key; the API's Snipe-IT shapes have many keys.
#![recursion_limit = "256"]

pub mod api;
pub mod config;
pub mod demo;
pub mod domain;
pub mod interop;
pub mod search;
pub mod store;
pub mod sync;
pub mod tui;
