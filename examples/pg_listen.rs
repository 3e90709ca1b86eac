//! For bench/pg-bench.sh: LISTEN itam_events on the PostgreSQL database at URL (argv 1) and print
//! each notification as `<unix time in ns> <payload>`, one a line, flushed at once, so a script
//! can set the moment a second process heard of a write beside the moment it was committed.
//! Prints `listening` once the LISTEN is in place. Ends after COUNT (argv 2, default 1)
//! notifications.

use postgres::fallible_iterator::FallibleIterator;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: pg_listen URL [COUNT]")?;
    let count: usize = args.next().map_or(Ok(1), |c| c.parse())?;
    let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
    client.batch_execute("LISTEN itam_events")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening")?;
    out.flush()?;
    let mut seen = 0;
    let mut notes = client.notifications();
    let mut it = notes.blocking_iter();
    while seen < count {
        let Some(n) = it.next()? else { break };
        let ns = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
        writeln!(out, "{ns} {}", n.payload())?;
        out.flush()?;
        seen += 1;
    }
    Ok(())
}
