//! Sending ZPL to a printer: raw TCP (port 9100, what Zebra and most network label printers
//! listen on), or CUPS `lp -o raw` run with an argument list, never through a shell.

use super::LabelError;
use std::io::Write;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The raw printing port ("JetDirect"/"AppSocket").
pub const DEFAULT_PORT: u16 = 9100;

/// One deadline for the whole job (connecting and sending): a printer that is off, or that
/// accepts the connection but never reads, must not hang a technician's shell.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A network printer's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl std::str::FromStr for Printer {
    type Err = LabelError;

    /// `HOST:PORT`, `[IPv6]:PORT`, or a bare `HOST` (port 9100).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || LabelError::BadPrinter(crate::domain::text::visible(s).into_owned());
        let s = s.trim();
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None if after.is_empty() => (host, None),
                None => return Err(bad()),
            }
        } else {
            match s.split_once(':') {
                Some((h, p)) if !p.contains(':') => (h, Some(p)),
                Some(_) => return Err(bad()),
                None => (s, None),
            }
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !host_ok {
            return Err(bad());
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => return Err(bad()),
            },
        };
        Ok(Printer {
            host: host.to_string(),
            port,
        })
    }
}

/// Send `data` to the printer over TCP: connect (each resolved address in turn), write
/// everything, and close our side so the printer sees the end of the job, all within one
/// overall `timeout`, which is reported once as "timed out after N s".
pub fn send_tcp(printer: &Printer, data: &[u8], timeout: Duration) -> Result<(), LabelError> {
    let addr = printer.to_string();
    let deadline = Instant::now() + timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let timed_out = |sent: usize| LabelError::Timeout {
        addr: addr.clone(),
        secs: timeout.as_secs_f64().round() as u64,
        sent,
        total: data.len(),
    };
    let net = |context: &'static str, source: std::io::Error| LabelError::Network {
        addr: addr.clone(),
        context,
        source,
    };
    let addrs: Vec<_> = (printer.host.as_str(), printer.port)
        .to_socket_addrs()
        .map_err(|e| net("cannot resolve the host", e))?
        .collect();
    let mut last = None;
    let mut stream = None;
    for a in &addrs {
        let l = left();
        if l.is_zero() {
            return Err(timed_out(0));
        }
        match TcpStream::connect_timeout(a, l) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let mut stream = match stream {
        Some(s) => s,
        None if left().is_zero() => return Err(timed_out(0)),
        None => {
            return Err(net(
                "cannot connect (is it on, and is this the raw port, usually 9100?)",
                last.unwrap_or_else(|| std::io::Error::other("the host has no address")),
            ))
        }
    };
    let mut sent = 0;
    while sent < data.len() {
        let l = left();
        if l.is_zero() {
            return Err(timed_out(sent));
        }
        stream
            .set_write_timeout(Some(l.max(Duration::from_millis(1))))
            .map_err(|e| net("cannot set a timeout", e))?;
        match stream.write(&data[sent..]) {
            Ok(0) => {
                return Err(net(
                    "the printer closed the connection",
                    std::io::Error::from(std::io::ErrorKind::WriteZero),
                ))
            }
            Ok(n) => sent += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out(sent))
            }
            Err(e) => return Err(net("sending failed", e)),
        }
    }
    // The printer may already have closed its side; the data is written either way.
    let _ = stream.shutdown(Shutdown::Write);
    Ok(())
}

/// Print through CUPS: `lp -d PRINTER -o raw` with `data` on its standard input. The printer
/// name is one argument; one starting with `-` is refused so it cannot be read as an option.
pub fn send_lp(printer: &str, data: &[u8]) -> Result<String, LabelError> {
    if printer.is_empty() || printer.starts_with('-') || printer.chars().any(char::is_control) {
        return Err(LabelError::Lp(format!(
            "'{}' is not a printer name",
            crate::domain::text::visible(printer)
        )));
    }
    let mut child = Command::new("lp")
        .args(["-d", printer, "-o", "raw"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                LabelError::Lp("the lp command is not installed (it comes with CUPS)".into())
            }
            _ => LabelError::Lp(format!("cannot run lp: {e}")),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // lp reads all of stdin before it answers, so writing first cannot deadlock; a write
        // error means lp exited early, and its status and stderr below say why.
        let _ = stdin.write_all(data);
    }
    let out = child
        .wait_with_output()
        .map_err(|e| LabelError::Lp(format!("lp did not finish: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(LabelError::Lp(format!(
            "{} ({})",
            crate::domain::text::visible(err.trim()),
            out.status
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn parses_printer_addresses() {
        let p = |s: &str| s.parse::<Printer>();
        assert_eq!(
            p("zebra1:9100").unwrap(),
            Printer {
                host: "zebra1".into(),
                port: 9100
            }
        );
        assert_eq!(p("10.0.0.5").unwrap().port, 9100);
        assert_eq!(p("[::1]:6101").unwrap().host, "::1");
        assert_eq!(p("[::1]:6101").unwrap().to_string(), "[::1]:6101");
        for bad in [
            "",
            ":9100",
            "host:",
            "host:0",
            "host:99999",
            "host:x",
            "a b:1",
            "a:1:2",
            "h;rm:1",
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sends_to_a_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            got
        });
        let printer = Printer {
            host: "127.0.0.1".into(),
            port,
        };
        send_tcp(&printer, b"^XA^XZ", TIMEOUT).unwrap();
        assert_eq!(t.join().unwrap(), b"^XA^XZ");
    }

    #[test]
    fn a_printer_that_never_reads_times_out_once_within_the_deadline() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        // Accepts, then holds the connection without reading a byte.
        let t = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(s);
        });
        let printer = Printer {
            host: "127.0.0.1".into(),
            port,
        };
        let data = vec![b'x'; 4 << 20];
        let started = Instant::now();
        let err = send_tcp(&printer, &data, Duration::from_secs(1)).unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1500), "took {took:?}");
        let msg = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(msg.matches("timed out after 1 s").count(), 1, "{msg}");
        assert!(!msg.contains("os error"), "{msg}");
        t.join().unwrap();
    }

    #[test]
    fn refuses_option_like_lp_names() {
        assert!(send_lp("-h", b"").is_err());
        assert!(send_lp("", b"").is_err());
    }
}
