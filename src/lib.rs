//! itam: a terminal IT asset manager. The library holds everything; `main.rs` only dispatches.

pub mod config;
pub mod demo;
pub mod domain;
pub mod interop;
pub mod search;
pub mod store;
pub mod sync;
pub mod tui;
