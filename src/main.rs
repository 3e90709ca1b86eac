//! `itam`: parse the command line, open the store, dispatch. Everything else is in the library.

// Failures reach the user as messages with context (anyhow), never as a panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cli;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `itam find x | head` must end quietly when head closes the pipe, like any Unix tool.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // clap echoes a bad argument back as typed: an escape sequence in it would reach
            // the terminal raw. Show such a message with its control characters made visible.
            let plain = e.render().to_string();
            if plain.lines().any(|l| itam::domain::text::visible(l) != l) {
                for line in plain.lines() {
                    eprintln!("{}", itam::domain::text::visible(line));
                }
                return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
            }
            e.exit()
        }
    };
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("itam: {}", itam::domain::text::visible(&one_line(&e)));
            ExitCode::from(1)
        }
    }
}

/// One line saying why: the chain of causes joined so nothing is lost, each said once (a
/// store error often quotes its cause, which quotes its own: the same words three times).
fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let said = cause.to_string();
        if out.contains(&said) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&said);
    }
    out
}
