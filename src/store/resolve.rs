//! The look-ups behind one scanned code, in the domain's order (`domain::scancode`): command
//! barcode, location label, badge, asset tag, serial. Each step is one indexed query, and the
//! costlier views (a location's asset count, a person's holdings) are read only on a hit.

use super::sql::OptionalExtension;
use super::{Context, PersonView, Result, Store};
use crate::domain::scancode::command_name;
use crate::domain::AssetView;
use crate::store::LocationView;

/// What a scanned code turned out to be.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A command barcode: the scan view's command name (`checkin`).
    Command(&'static str),
    Location(LocationView),
    Badge(PersonView),
    /// An asset, by tag or serial.
    Asset(Box<AssetView>),
    Unknown,
}

impl Store {
    /// Resolve a code (already trimmed of its terminator) in the domain's order.
    pub fn resolve_code(&self, code: &str) -> Result<Resolved> {
        if let Some(cmd) = command_name(code) {
            return Ok(Resolved::Command(cmd));
        }
        let is_location = self
            .conn()
            .prepare_cached("SELECT 1 FROM locations WHERE code = ?1")
            .and_then(|mut s| s.query_row([code], |_| Ok(())).optional())
            .ctx("looking up a location label")?
            .is_some();
        if is_location {
            if let Some(l) = self.location(code)? {
                return Ok(Resolved::Location(l));
            }
        }
        if let Some(p) = self.person_by_badge(code)? {
            return Ok(Resolved::Badge(p));
        }
        Ok(match self.find_code(code)? {
            Some(a) => Resolved::Asset(Box::new(a)),
            None => Resolved::Unknown,
        })
    }
}
