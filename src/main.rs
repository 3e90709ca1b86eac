//! `itam`: parse the command line, open the store, dispatch. Everything else is in the library.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // `itam find x | head` must end quietly when head closes the pipe, like any Unix tool.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // One line saying why; the chain of causes joined so nothing is lost.
            let msg = format!("{e:#}");
            eprintln!("itam: {}", itam::domain::text::visible(&msg));
            ExitCode::from(1)
        }
    }
}
