//! The scan session: which mode the scan view is in and what that mode needs. One enum, so a
//! mode without its target cannot be confused with another mode's; each mode keeps its own
//! target when the technician switches away and back (F5's location is not F4's shelf).

use crate::domain::{AssetView, Condition};
use crate::store::PersonView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanMode {
    Lookup,
    Checkout,
    Checkin,
    Move,
    Condition,
    Audit,
    Receive,
    Offboard,
}

impl ScanMode {
    pub fn label(self) -> &'static str {
        match self {
            ScanMode::Lookup => "LOOK UP",
            ScanMode::Checkout => "CHECK OUT",
            ScanMode::Checkin => "CHECK IN",
            ScanMode::Move => "MOVE",
            ScanMode::Condition => "CONDITION",
            ScanMode::Audit => "AUDIT",
            ScanMode::Receive => "RECEIVE",
            ScanMode::Offboard => "OFFBOARD",
        }
    }
}

/// The grade a check-in (or a hand-back) records: the one on record unless one is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    AsIs,
    Set(Condition),
}

impl Grade {
    /// F8's cycle: as is, new, good, fair, poor, broken, as is…
    pub fn next(self) -> Grade {
        match self {
            Grade::AsIs => Grade::Set(Condition::ALL[0]),
            Grade::Set(c) => {
                let i = Condition::ALL.iter().position(|x| *x == c).unwrap_or(0);
                Condition::ALL
                    .get(i + 1)
                    .map_or(Grade::AsIs, |c| Grade::Set(*c))
            }
        }
    }

    pub fn chosen(self) -> Option<Condition> {
        match self {
            Grade::AsIs => None,
            Grade::Set(c) => Some(c),
        }
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Grade::AsIs => f.write_str("as is"),
            Grade::Set(c) => write!(f, "{c}"),
        }
    }
}

/// How a grade changed: `fair` (unchanged) or `fair -> good`, and whether it got better (an
/// improvement at the bench deserves a second look: broken laptops must not go back on the
/// shelf as ready to deploy).
pub fn grade_change(before: Condition, after: Condition) -> (String, bool) {
    let rank = |c: Condition| Condition::ALL.iter().position(|x| *x == c).unwrap_or(0);
    if before == after {
        (after.to_string(), false)
    } else {
        (format!("{before} -> {after}"), rank(after) < rank(before))
    }
}

/// An audit in progress, with its live counts.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRun {
    pub id: i64,
    pub location: String,
    pub counts: AuditCounts,
    /// The last asset scanned that is recorded elsewhere: ctrl-t moves it here.
    pub last_unexpected: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditCounts {
    pub expected: usize,
    pub found: usize,
    pub missing: usize,
    pub unexpected: usize,
    pub unknown: usize,
}

/// A purchase-order line being received against. The counts and the next tag are read on the
/// worker when the line is chosen and after each receipt, so the header draws without the
/// database.
#[derive(Debug, Clone, PartialEq)]
pub struct PoLine {
    pub po: String,
    pub model: String,
    pub outstanding: i64,
    pub ordered: i64,
    pub received: i64,
    /// The tag the next received unit will get (None until read, or if the pattern is bad).
    pub next_tag: Option<String>,
}

/// A person leaving, and the tags they handed back so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Offboarding {
    pub person: PersonView,
    pub back: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    Lookup,
    Checkout {
        to: Option<PersonView>,
    },
    Checkin {
        grade: Grade,
        shelf: Option<String>,
    },
    Move {
        to: Option<String>,
    },
    Condition {
        grade: Condition,
    },
    Audit {
        run: Option<AuditRun>,
    },
    Receive {
        line: Option<PoLine>,
        print: bool,
        /// A scanned location label: received units go there (else `[receiving] location`).
        at: Option<String>,
    },
    Offboard {
        leaving: Option<Offboarding>,
        grade: Grade,
    },
}

impl Session {
    pub fn fresh(mode: ScanMode) -> Session {
        match mode {
            ScanMode::Lookup => Session::Lookup,
            ScanMode::Checkout => Session::Checkout { to: None },
            ScanMode::Checkin => Session::Checkin {
                grade: Grade::AsIs,
                shelf: None,
            },
            ScanMode::Move => Session::Move { to: None },
            ScanMode::Condition => Session::Condition {
                grade: Condition::Good,
            },
            ScanMode::Audit => Session::Audit { run: None },
            ScanMode::Receive => Session::Receive {
                line: None,
                print: false,
                at: None,
            },
            ScanMode::Offboard => Session::Offboard {
                leaving: None,
                grade: Grade::AsIs,
            },
        }
    }

    pub fn mode(&self) -> ScanMode {
        match self {
            Session::Lookup => ScanMode::Lookup,
            Session::Checkout { .. } => ScanMode::Checkout,
            Session::Checkin { .. } => ScanMode::Checkin,
            Session::Move { .. } => ScanMode::Move,
            Session::Condition { .. } => ScanMode::Condition,
            Session::Audit { .. } => ScanMode::Audit,
            Session::Receive { .. } => ScanMode::Receive,
            Session::Offboard { .. } => ScanMode::Offboard,
        }
    }

    /// The grade this mode applies, where it has one (F8 cycles it).
    pub fn grade(&self) -> Option<Grade> {
        match self {
            Session::Checkin { grade, .. } | Session::Offboard { grade, .. } => Some(*grade),
            Session::Condition { grade } => Some(Grade::Set(*grade)),
            _ => None,
        }
    }

    /// What a repeated scan is compared with: the same asset to the same target is not done
    /// twice in one session.
    pub fn target_key(&self) -> String {
        match self {
            Session::Lookup => String::new(),
            Session::Checkout { to } => to.as_ref().map(|p| p.username.clone()).unwrap_or_default(),
            Session::Checkin { grade, shelf } => {
                format!("{grade}{}", shelf.as_deref().unwrap_or_default())
            }
            Session::Move { to } => to.clone().unwrap_or_default(),
            Session::Condition { grade } => grade.to_string(),
            Session::Audit { run } => run.as_ref().map(|r| r.id.to_string()).unwrap_or_default(),
            Session::Receive { line, .. } => line
                .as_ref()
                .map(|l| format!("{}\t{}", l.po, l.model))
                .unwrap_or_default(),
            Session::Offboard { leaving, grade } => format!(
                "{grade}{}",
                leaving
                    .as_ref()
                    .map(|o| o.person.username.as_str())
                    .unwrap_or_default()
            ),
        }
    }
}

/// How one scan-log line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Warn,
    Failed,
    /// Sent to the database worker, not answered yet (another process may hold the lock).
    Pending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub outcome: Outcome,
    pub text: String,
}

impl LogLine {
    pub fn ok(text: impl Into<String>) -> LogLine {
        LogLine {
            outcome: Outcome::Ok,
            text: text.into(),
        }
    }
    pub fn warn(text: impl Into<String>) -> LogLine {
        LogLine {
            outcome: Outcome::Warn,
            text: text.into(),
        }
    }
    pub fn failed(text: impl Into<String>) -> LogLine {
        LogLine {
            outcome: Outcome::Failed,
            text: text.into(),
        }
    }
}

/// What the scan view shows of the asset last touched.
pub type LastAsset = Option<AssetView>;
