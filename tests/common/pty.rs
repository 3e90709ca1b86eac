//! A pseudo-terminal harness: the real `itam` binary on a real tty, keys sent as bytes, the
//! screen read back through a terminal emulator. Shared by tests/pty.rs and the TUI latency
//! benchmark.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Pty {
    master: File,
    pub child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    /// The emulator and how much of `output` it has read: each look at the screen parses only
    /// what arrived since the last (a whole re-parse took milliseconds once output grew).
    parsed: Mutex<(vt100::Parser, usize)>,
}

impl Pty {
    pub fn spawn(
        bin: &std::path::Path,
        args: &[&str],
        home: &std::path::Path,
        env: &[(&str, &str)],
    ) -> Pty {
        let (mut master, mut slave) = (0, 0);
        let ws = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: out-pointers are valid; name and termios may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &ws,
            )
        };
        assert_eq!(rc, 0, "openpty");
        // SAFETY: both fds were just opened and are owned here.
        let (master, slave) = unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) };
        let mut cmd = Command::new(bin);
        cmd.envs(env.iter().copied());
        cmd.args(args)
            .env("TERM", "xterm-256color")
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn itam");
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            master,
            child,
            output,
            parsed: Mutex::new((vt100::Parser::new(24, 80, 0), 0)),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// What the screen shows now, through a terminal emulator (ratatui writes only diffs).
    pub fn screen(&self) -> String {
        let mut parsed = self.parsed.lock().unwrap();
        let (p, done) = &mut *parsed;
        let out = self.output.lock().unwrap();
        p.process(&out[*done..]);
        *done = out.len();
        p.screen().contents()
    }

    pub fn wait_for(&self, needle: &str, secs: u64) -> bool {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if self.screen().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Wait for raw bytes (escape sequences) the reader thread may still be draining.
    pub fn wait_raw(&self, needle: &str, secs: u64) -> bool {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if self.text().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // A failed test must not leave its TUI running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
