//! Location rows: codes, names and parents (parents are written first).

use super::super::snipeit::{norm, Field};
use super::super::InteropError;
use super::planner::Planner;
use super::{Issue, Ops, Severity};
use crate::domain::text::visible;
use crate::domain::LocationCode;
use std::collections::HashMap;

impl Planner<'_> {
    pub(super) fn locations(&mut self) -> Result<Ops, InteropError> {
        let mut creates: Vec<(String, String, Option<String>)> = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let name = self.text(line, f, Field::Name);
            // Without a code column the name is the code, and is held to a code's rules.
            let (code, from) = match self.get(f, Field::Code) {
                Some(c) => (Some(c.to_string()), Field::Code),
                None => (name.clone(), Field::Name),
            };
            let Some(code) = code.map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
            else {
                self.err(line, Field::Name, "no location code or name".into());
                self.row_ok();
                continue;
            };
            let code = self
                .code_of(line, from, &code, LocationCode::parse)
                .map_or(code, LocationCode::into_string);
            let parent = self.text(line, f, Field::Parent);
            if !self.row_ok() {
                continue;
            }
            if let Some(first) = seen.get(&norm(&code)) {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!(
                        "location '{}' is also on line {first} of this file: skipped",
                        visible(&code)
                    ),
                );
                self.summary.skip += 1;
                continue;
            }
            seen.insert(norm(&code), line);
            if self.store.location_code_for(&code)?.is_some() {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!("location '{}' already exists: skipped", visible(&code)),
                );
                self.summary.skip += 1;
                continue;
            }
            let parent = match parent {
                Some(p) => match self.store.location_code_for(&p)? {
                    Some(c) => Some(c),
                    None => Some(p.split_whitespace().collect::<Vec<_>>().join(" ")),
                },
                None => None,
            };
            creates.push((code.clone(), name.unwrap_or(code), parent));
            self.summary.create += 1;
        }
        // Parents first, so that a parent named later in the file keeps its own name.
        let mut ordered = Vec::with_capacity(creates.len());
        let mut pending = creates;
        while !pending.is_empty() {
            let before = pending.len();
            let waiting: std::collections::HashSet<String> =
                pending.iter().map(|c| norm(&c.0)).collect();
            let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|c| {
                c.2.as_deref()
                    .is_none_or(|p| !waiting.contains(&norm(p)) || norm(p) == norm(&c.0))
            });
            ordered.extend(ready);
            pending = rest;
            if pending.len() == before {
                // A cycle of parents: import them without parents and say so.
                for c in &mut pending {
                    self.file_issues.push(Issue {
                        severity: Severity::Warning,
                        line: None,
                        unit: self.table.unit,
                        column: None,
                        message: format!(
                            "location '{}' is in a cycle of parents: imported without a parent",
                            visible(&c.0)
                        ),
                    });
                    c.2 = None;
                }
            }
        }
        Ok(Ops::Locations { creates: ordered })
    }
}
