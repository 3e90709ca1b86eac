//! Audit mode: scan the room's label to start (or resume) its audit, then everything in the
//! room; ctrl-t moves the last unexpected asset here, ctrl-d closes the audit.

use super::engine::Engine;
use super::session::{AuditCounts, AuditRun, Session};
use crate::store::{ScanResult, Store};

impl Engine {
    fn run(&self) -> Option<&AuditRun> {
        match &self.session {
            Session::Audit { run } => run.as_ref(),
            _ => None,
        }
    }

    fn run_mut(&mut self) -> Option<&mut AuditRun> {
        match &mut self.session {
            Session::Audit { run } => run.as_mut(),
            _ => None,
        }
    }

    pub(super) fn start_audit(&mut self, store: &mut Store, location: &str) {
        let resumed = store.open_audit_at(location).ok().flatten();
        let id = match resumed {
            Some(id) => id,
            None => match store.audit_start(location) {
                Ok(h) => h.id,
                Err(e) => return self.failed(e.to_string()),
            },
        };
        self.session = Session::Audit {
            run: Some(AuditRun {
                id,
                location: location.to_string(),
                counts: AuditCounts::default(),
                last_unexpected: None,
            }),
        };
        self.done.clear();
        self.wrote = true;
        self.refresh_counts(store);
        let expected = self.run().map(|r| r.counts.expected).unwrap_or_default();
        let verb = if resumed.is_some() {
            "resumed"
        } else {
            "started"
        };
        self.ok(format!("audit {id} {verb} at {location}: {expected} expected — scan everything in the room, ctrl-d closes"));
    }

    fn refresh_counts(&mut self, store: &Store) {
        let Some(id) = self.run().map(|r| r.id) else {
            return;
        };
        // Counted in SQL: a warehouse audit expects thousands, and this runs after every scan.
        if let Ok((expected, found, missing, unexpected, unknown)) = store.audit_counts(id) {
            if let Some(run) = self.run_mut() {
                run.counts = AuditCounts {
                    expected,
                    found,
                    missing,
                    unexpected,
                    unknown,
                };
            }
        }
    }

    pub(super) fn audit_code(&mut self, store: &mut Store, code: &str) {
        let Some(id) = self.run().map(|r| r.id) else {
            return self.failed("scan the room's location label first to start the audit");
        };
        match store.audit_scan(id, code, false) {
            Ok(s) => {
                let tag = s
                    .asset
                    .as_ref()
                    .map(|a| a.tag.clone())
                    .unwrap_or_else(|| s.code.clone());
                let name = s
                    .asset
                    .as_ref()
                    .map(|a| a.display_name().to_string())
                    .unwrap_or_default();
                match s.result {
                    ScanResult::Found => self.ok(format!("{tag} found — {name}")),
                    ScanResult::Unexpected => {
                        let from = s
                            .recorded_at
                            .clone()
                            .unwrap_or_else(|| "no location".into());
                        if let Some(r) = self.run_mut() {
                            r.last_unexpected = Some(tag.clone());
                        }
                        self.warn(format!(
                            "{tag} UNEXPECTED: recorded at {from} — ctrl-t moves it here"
                        ));
                    }
                    ScanResult::Moved => self.ok(format!("{tag} moved here")),
                    ScanResult::Unknown => self.failed(format!(
                        "{} unknown: no asset has this code (register it with a, add asset)",
                        s.code
                    )),
                    ScanResult::Duplicate => self.warn(format!(
                        "{tag} already scanned in this audit — not counted twice"
                    )),
                }
                self.last = s.asset;
                self.refresh_counts(store);
                self.wrote = true;
            }
            Err(e) => self.failed(e.to_string()),
        }
    }

    pub(super) fn audit_take(&mut self, store: &mut Store) {
        let Some(run) = self.run().cloned() else {
            return self.warn("ctrl-t works during an audit");
        };
        let Some(tag) = run.last_unexpected.clone() else {
            return self.warn("no unexpected asset to move here");
        };
        match store.audit_scan(run.id, &tag, true) {
            Ok(_) => {
                self.ok(format!("{tag} moved to {}", run.location));
                if let Some(r) = self.run_mut() {
                    r.last_unexpected = None;
                }
                self.refresh_counts(store);
                self.wrote = true;
            }
            Err(e) => self.failed(e.to_string()),
        }
    }

    pub(super) fn close_audit(&mut self, store: &mut Store) {
        let Some(run) = self.run().cloned() else {
            return self.warn("no audit is open");
        };
        match store.audit_close(run.id) {
            Ok(r) => {
                self.session = Session::Audit { run: None };
                self.wrote = true;
                self.ok(format!(
                    "audit {} closed: expected {}, found {}, missing {}, unexpected {}, unknown {} (itam report audit {})",
                    run.id,
                    r.expected,
                    r.found.len() + r.moved.len(),
                    r.missing.len(),
                    r.unexpected.len(),
                    r.unknown.len(),
                    run.id
                ));
                self.closed = Some(Box::new(r));
            }
            Err(e) => self.failed(e.to_string()),
        }
    }
}
