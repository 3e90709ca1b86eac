//! The scan engine: resolves each code and acts on it, in the order scans were made. It runs on
//! the database worker (its own connection), so a scan made while another process holds the
//! write lock waits there, never on the UI thread; the UI shows it pending until the reply.
//! Tests run it inline on the app's own store.

use super::session::{grade_change, Grade, LogLine, ScanMode, Session};
use crate::config::LabelsConfig;
use crate::domain::text::{normalize_code, visible};
use crate::domain::{AssetView, Condition};
use crate::store::{Resolved, Store, StoreError};
use std::collections::HashSet;

/// One instruction to the engine, in the order the technician gave them.
#[derive(Debug, Clone)]
pub enum ScanOp {
    Code(String),
    Mode(ScanMode),
    /// F8: the next grade of the current mode.
    Grade,
    Undo,
    /// ctrl-t: move the last unexpected asset into the audited room.
    Take,
    /// ctrl-d: close the audit, or ask how to finish the offboarding.
    Done,
    PrintToggle,
    Person(String),
    Location(String),
    Line(super::session::PoLine),
    Offboard(String),
    Finish {
        lost: bool,
    },
}

/// Settings the engine needs from the app (config), sent with each operation.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub tag_pattern: String,
    pub labels: LabelsConfig,
    /// `[receiving] location`: where received units go unless a location label was scanned.
    pub receiving_location: Option<String>,
}

/// A question for the technician that only the UI can ask.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    FinishOffboarding { username: String, still: usize },
}

/// What one operation did: log lines, the session as it is now, the asset last touched.
#[derive(Debug, Clone)]
pub struct ScanReply {
    pub lines: Vec<LogLine>,
    pub session: Session,
    pub last: Option<AssetView>,
    /// Something was written (the list refreshes what changed).
    pub wrote: bool,
    pub ask: Option<Ask>,
    /// An audit just closed: its reconciliation, for its own screen.
    pub closed: Option<Box<crate::store::AuditReport>>,
}

/// How to take back one scan.
#[derive(Debug, Clone)]
pub(super) enum Undo {
    CheckedOut {
        tag: String,
    },
    CheckedIn {
        tag: String,
        assignee: String,
        condition: Condition,
        location: Option<String>,
    },
    Moved {
        tag: String,
        from: Option<String>,
    },
    Graded {
        tag: String,
        from: Condition,
    },
}

#[derive(Debug)]
pub struct Engine {
    pub session: Session,
    /// The other modes' sessions: switching away and back keeps each mode's target.
    parked: Vec<Session>,
    pub(super) done: HashSet<(ScanMode, String, i64)>,
    pub(super) undo: Vec<Undo>,
    pub(super) out: Vec<LogLine>,
    pub(super) last: Option<AssetView>,
    pub(super) wrote: bool,
    pub(super) ask: Option<Ask>,
    pub(super) closed: Option<Box<crate::store::AuditReport>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine {
            session: Session::Lookup,
            parked: Vec::new(),
            done: HashSet::new(),
            undo: Vec::new(),
            out: Vec::new(),
            last: None,
            wrote: false,
            ask: None,
            closed: None,
        }
    }
}

impl Engine {
    pub(super) fn ok(&mut self, t: impl Into<String>) {
        self.out.push(LogLine::ok(t));
    }
    pub(super) fn warn(&mut self, t: impl Into<String>) {
        self.out.push(LogLine::warn(t));
    }
    pub(super) fn failed(&mut self, t: impl Into<String>) {
        self.out.push(LogLine::failed(t));
    }

    pub fn apply(&mut self, store: &mut Store, env: &Env, op: ScanOp) -> ScanReply {
        self.out.clear();
        self.wrote = false;
        self.ask = None;
        match op {
            ScanOp::Code(code) => self.commit(store, env, &code),
            ScanOp::Mode(m) => self.set_mode(m),
            ScanOp::Grade => self.next_grade(),
            ScanOp::Undo => self.undo_last(store),
            ScanOp::Take => self.audit_take(store),
            ScanOp::Done => self.done(store),
            ScanOp::PrintToggle => self.print_toggle(),
            ScanOp::Person(u) => match store.person(&u) {
                Ok(p) => self.checkout_to(p),
                Err(e) => self.failed(e.to_string()),
            },
            ScanOp::Location(code) => self.location_target(&code, None),
            ScanOp::Line(line) => self.receive_line(store, env, line),
            ScanOp::Offboard(u) => self.start_offboarding(store, &u),
            ScanOp::Finish { lost } => self.finish_offboarding(store, lost),
        }
        ScanReply {
            lines: std::mem::take(&mut self.out),
            session: self.session.clone(),
            last: self.last.clone(),
            wrote: self.wrote,
            ask: self.ask.take(),
            closed: self.closed.take(),
        }
    }

    pub(super) fn set_mode(&mut self, m: ScanMode) {
        if self.session.mode() != m {
            let next = match self.parked.iter().position(|s| s.mode() == m) {
                Some(i) => self.parked.swap_remove(i),
                None => Session::fresh(m),
            };
            let old = std::mem::replace(&mut self.session, next);
            self.parked.push(old);
        }
        self.done.clear();
        let hint = match &self.session {
            Session::Checkout { to: None } => " — scan a badge or press F7 to choose who",
            Session::Move { to: None } => " — scan a location label or press F7",
            Session::Audit { run: None } => " — scan the room's location label to start",
            Session::Receive { line: None, .. } => " — press F7 to pick the purchase-order line",
            Session::Offboard { leaving: None, .. } => " — scan the person's badge or press F7",
            _ => "",
        };
        self.ok(format!("mode: {}{hint}", m.label()));
    }

    fn next_grade(&mut self) {
        match &mut self.session {
            Session::Checkin { grade, .. } | Session::Offboard { grade, .. } => {
                *grade = grade.next()
            }
            Session::Condition { grade } => {
                let i = Condition::ALL.iter().position(|c| c == grade).unwrap_or(0);
                *grade = Condition::ALL[(i + 1) % Condition::ALL.len()];
            }
            _ => {
                return self.warn("F8 changes the grade in check-in, condition and offboard modes")
            }
        }
        self.done.clear();
    }

    /// A grade command barcode (CMD-GOOD…): the grade of the current mode.
    fn set_grade(&mut self, g: Grade) {
        match (&mut self.session, g) {
            (Session::Checkin { grade, .. } | Session::Offboard { grade, .. }, g) => *grade = g,
            (Session::Condition { grade }, Grade::Set(c)) => *grade = c,
            (Session::Condition { .. }, Grade::AsIs) => {
                return self.warn("condition mode sets a grade: scan one of the graded codes")
            }
            _ => return self.warn("grade barcodes work in check-in, condition and offboard modes"),
        }
        self.done.clear();
        self.ok(format!("grade: {g}"));
    }

    fn checkout_to(&mut self, p: crate::store::PersonView) {
        if !p.active {
            // Refused at the badge, not at every scan after it.
            return self.failed(format!(
                "{} ({}) is inactive (offboarded): nothing can be checked out to them",
                p.username, p.full_name
            ));
        }
        if let Session::Checkout { to } = &mut self.session {
            let text = format!("now checking out to {} ({})", p.username, p.full_name);
            *to = Some(p);
            self.done.clear();
            self.ok(text);
        }
    }

    /// A location chosen (label or F7): the move target, the check-in shelf, or an audit.
    fn location_target(&mut self, code: &str, name: Option<&str>) {
        let named = name.map(|n| format!(" ({n})")).unwrap_or_default();
        match &mut self.session {
            Session::Move { to } => *to = Some(code.to_string()),
            Session::Checkin { shelf, .. } => *shelf = Some(code.to_string()),
            Session::Receive { at, .. } => *at = Some(code.to_string()),
            _ => return,
        }
        self.done.clear();
        self.ok(format!("location {code}{named} chosen"));
    }

    /// One scan: resolve it (command, location, badge, tag, serial) and act at once.
    fn commit(&mut self, store: &mut Store, env: &Env, raw: &str) {
        let code = normalize_code(raw).to_string();
        if code.is_empty() {
            return;
        }
        let shown = visible(&code).into_owned();
        let resolved = match store.resolve_code(&code) {
            Ok(r) => r,
            Err(e) => return self.failed(format!("{shown}: {e}")),
        };
        let asset = match resolved {
            Resolved::Command(name) => return self.command(store, name),
            Resolved::Location(l) => {
                return match self.session.mode() {
                    ScanMode::Audit => self.start_audit(store, &l.code),
                    ScanMode::Move | ScanMode::Checkin | ScanMode::Receive => {
                        self.location_target(&l.code, Some(&l.name))
                    }
                    _ => self.warn(format!(
                        "{shown} is a location label ({}); switch to MOVE (F5) to move assets there",
                        l.name
                    )),
                };
            }
            Resolved::Badge(p) => {
                return match self.session.mode() {
                    ScanMode::Offboard => self.start_offboarding(store, &p.username),
                    ScanMode::Checkout => self.checkout_to(p),
                    _ => self.warn(format!(
                        "{shown} is the badge of {} ({} items held)",
                        p.username, p.holds
                    )),
                };
            }
            Resolved::Asset(a) => Some(*a),
            Resolved::Unknown => None,
        };
        // Audits record unknown codes too; receiving turns a new serial into an asset.
        match self.session.mode() {
            ScanMode::Audit => return self.audit_code(store, &code),
            ScanMode::Receive => return self.receive_serial(store, env, &code),
            _ => {}
        }
        let Some(asset) = asset else {
            return self.failed(format!(
                "{shown}: unknown code (not a tag, serial, badge or location)"
            ));
        };
        self.act(store, asset);
    }

    /// A command barcode from the printed sheet: the same as the scan view's key.
    fn command(&mut self, store: &mut Store, name: &str) {
        match name {
            "lookup" => self.set_mode(ScanMode::Lookup),
            "checkout" => self.set_mode(ScanMode::Checkout),
            "checkin" => self.set_mode(ScanMode::Checkin),
            "move" => self.set_mode(ScanMode::Move),
            "condition" => self.set_mode(ScanMode::Condition),
            "audit" => self.set_mode(ScanMode::Audit),
            "done" => self.done(store),
            "undo" => self.undo_last(store),
            "asis" => self.set_grade(Grade::AsIs),
            "new" => self.set_grade(Grade::Set(Condition::New)),
            "good" => self.set_grade(Grade::Set(Condition::Good)),
            "fair" => self.set_grade(Grade::Set(Condition::Fair)),
            "poor" => self.set_grade(Grade::Set(Condition::Poor)),
            "broken" => self.set_grade(Grade::Set(Condition::Broken)),
            other => self.warn(format!("command barcode {other} does nothing here")),
        }
    }

    fn done(&mut self, store: &mut Store) {
        match self.session.mode() {
            ScanMode::Audit => self.close_audit(store),
            ScanMode::Offboard => self.ask_finish(store),
            _ => self.warn("ctrl-d closes an audit or finishes an offboarding"),
        }
    }

    /// Look up, check out, check in, move, grade or hand back one asset.
    fn act(&mut self, store: &mut Store, asset: AssetView) {
        let mode = self.session.mode();
        let key = (mode, self.session.target_key(), asset.id);
        if mode != ScanMode::Lookup && self.done.contains(&key) {
            return self.warn(format!(
                "{} already done in this session — not repeated",
                asset.tag
            ));
        }
        let tag = asset.tag.clone();
        // (the asset after, how to undo, what was done, whether it deserves a second look)
        let result: Result<(AssetView, Undo, String, bool), String> = match &self.session {
            Session::Lookup => {
                let who = asset
                    .assignee
                    .as_deref()
                    .map(|u| format!(" @{u}"))
                    .unwrap_or_default();
                let at = asset
                    .location
                    .as_deref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                self.ok(format!(
                    "{tag} {} — {}{who}{at}",
                    asset.display_name(),
                    asset.status
                ));
                self.last = Some(asset);
                return;
            }
            Session::Checkout { to: None } => {
                Err("scan a badge or press F7 to choose who first".to_string())
            }
            Session::Checkout { to: Some(p) } => {
                let who = p.username.clone();
                store
                    .checkout(&tag, &who, None, Some("scan"))
                    .map(|v| {
                        (
                            v,
                            Undo::CheckedOut { tag: tag.clone() },
                            format!("checked out to {who}"),
                            false,
                        )
                    })
                    .map_err(|e| e.to_string())
            }
            Session::Checkin { grade, shelf } => {
                let (grade, shelf) = (*grade, shelf.clone());
                let undo = Undo::CheckedIn {
                    tag: tag.clone(),
                    assignee: asset.assignee.clone().unwrap_or_default(),
                    condition: asset.condition,
                    location: asset.location.clone(),
                };
                let before = asset.condition;
                store
                    .checkin(&tag, grade.chosen(), shelf.as_deref(), Some("scan"))
                    .map(|v| {
                        let (change, improved) = grade_change(before, v.condition);
                        let what = if improved {
                            format!("checked in ({change}: graded better than it was — is that right? ctrl-z undoes)")
                        } else {
                            format!("checked in ({change})")
                        };
                        (v, undo, what, improved)
                    })
                    .map_err(|e| e.to_string())
            }
            Session::Move { to: None } => {
                Err("scan a location label or press F7 to choose where first".to_string())
            }
            Session::Move { to: Some(l) } => {
                let l = l.clone();
                store
                    .move_asset(&tag, &l, Some("scan"))
                    .map(|v| {
                        (
                            v,
                            Undo::Moved {
                                tag: tag.clone(),
                                from: asset.location.clone(),
                            },
                            format!("moved to {l}"),
                            false,
                        )
                    })
                    .map_err(|e| e.to_string())
            }
            Session::Condition { grade } => {
                let grade = *grade;
                store
                    .set_condition(&tag, grade, Some("scan"))
                    .map(|v| {
                        (
                            v,
                            Undo::Graded {
                                tag: tag.clone(),
                                from: asset.condition,
                            },
                            format!("graded {grade}"),
                            false,
                        )
                    })
                    .map_err(|e| e.to_string())
            }
            Session::Offboard { .. } => self.hand_back(store, &asset),
            Session::Audit { .. } | Session::Receive { .. } => {
                Err("handled before the asset look-up".to_string())
            }
        };
        match result {
            Ok((v, undo, what, second_look)) => {
                let line = format!("{tag} {what} — {}", v.display_name());
                if second_look {
                    self.warn(line);
                } else {
                    self.ok(line);
                }
                self.done.insert(key);
                self.undo.push(undo);
                self.last = Some(v);
                self.wrote = true;
            }
            Err(e) => {
                let text = if e.contains(&tag) {
                    e
                } else {
                    format!("{tag}: {e}")
                };
                self.failed(text);
                self.last = Some(asset);
            }
        }
    }

    fn undo_last(&mut self, store: &mut Store) {
        let Some(u) = self.undo.pop() else {
            return self.warn("nothing to undo");
        };
        let note = Some("undo of a scan");
        let (tag, result) = match &u {
            Undo::CheckedOut { tag } => (
                tag.clone(),
                store.checkin(tag, None, None, note).map(|_| ()),
            ),
            Undo::CheckedIn {
                tag,
                assignee,
                condition,
                location,
            } => {
                let r = store.checkout(tag, assignee, None, note).and_then(|v| {
                    if v.condition != *condition {
                        store.set_condition(tag, *condition, note)?;
                    }
                    match location {
                        Some(l) if v.location.as_deref() != Some(l.as_str()) => {
                            store.move_asset(tag, l, note).map(|_| ())
                        }
                        _ => Ok(()),
                    }
                });
                (tag.clone(), r)
            }
            Undo::Moved { tag, from } => match from {
                Some(l) => (tag.clone(), store.move_asset(tag, l, note).map(|_| ())),
                None => (
                    tag.clone(),
                    Err(StoreError::Refused(
                        "it had no location before; nothing to move back to".into(),
                    )),
                ),
            },
            Undo::Graded { tag, from } => (
                tag.clone(),
                store.set_condition(tag, *from, note).map(|_| ()),
            ),
        };
        match result {
            Ok(()) => {
                // The undone asset may be scanned again.
                if let Ok(Some(undone)) = store.find_code(&tag) {
                    self.done.retain(|(_, _, id)| *id != undone.id);
                    self.last = Some(undone);
                }
                self.ok(format!("undone: {tag}"));
            }
            Err(e) => self.failed(format!("could not undo {tag}: {e}")),
        }
        self.wrote = true;
    }
}
