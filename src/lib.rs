//! itam: a terminal IT asset manager. The library holds everything; `main.rs` only dispatches.

// serde_json's json! macro recurses once per key; the API's Snipe-IT shapes have many keys.
#![recursion_limit = "256"]

pub mod api;
pub mod config;
pub mod demo;
pub mod domain;
pub mod interop;
pub mod search;
pub mod store;
pub mod tui;
