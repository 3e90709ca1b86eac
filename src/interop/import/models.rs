//! Model rows: name, manufacturer, category and model number.

use super::super::snipeit::{norm, Field};
use super::super::InteropError;
use super::planner::Planner;
use super::Ops;
use crate::domain::text::visible;
use std::collections::HashMap;

impl Planner<'_> {
    pub(super) fn models(&mut self) -> Result<Ops, InteropError> {
        let mut creates = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for row in &self.table.rows {
            self.start_row();
            let (line, f) = (row.line, &row.fields);
            let Some(name) = self.text(line, f, Field::Name) else {
                self.err(line, Field::Name, "no model name".into());
                self.row_ok();
                continue;
            };
            let number = self.ident(line, f, Field::ModelNumber);
            let mf = self.text(line, f, Field::Manufacturer);
            let cat = self.text(line, f, Field::Category);
            if !self.row_ok() {
                continue;
            }
            if let Some(first) = seen.insert(norm(&name), line) {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!(
                        "model '{}' is also on line {first} of this file: skipped",
                        visible(&name)
                    ),
                );
                self.summary.skip += 1;
                continue;
            }
            if self.store.model_exists(&name)? {
                self.warn(
                    line,
                    Some(Field::Name),
                    format!("model '{}' already exists: skipped", visible(&name)),
                );
                self.summary.skip += 1;
                continue;
            }
            creates.push((name, mf, cat, number));
            self.summary.create += 1;
        }
        Ok(Ops::Models { creates })
    }
}
