//! Offboard mode: the leaver's badge (or F7), each item they hand back, then ctrl-d finishes
//! (leaving the rest as they are, or marking them lost).

use super::engine::{Ask, Engine, Undo};
use super::session::{Offboarding, Session};
use crate::domain::AssetView;
use crate::store::Store;

impl Engine {
    pub(super) fn start_offboarding(&mut self, store: &mut Store, username: &str) {
        match (store.person(username), store.held_by(username)) {
            (Ok(p), Ok(held)) => {
                if !p.active {
                    return self.failed(format!("{} is already inactive", p.username));
                }
                let tags: Vec<String> = held.iter().take(8).map(|a| a.tag.clone()).collect();
                self.ok(format!(
                    "offboarding {} ({}): holds {}{} — scan each item handed back, ctrl-d finishes",
                    p.username,
                    p.full_name,
                    held.len(),
                    if tags.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", tags.join(" "))
                    }
                ));
                if let Session::Offboard { leaving, .. } = &mut self.session {
                    *leaving = Some(Offboarding {
                        person: p,
                        back: Vec::new(),
                    });
                }
                self.done.clear();
            }
            (Err(e), _) | (_, Err(e)) => self.failed(e.to_string()),
        }
    }

    /// One item handed back: checked in with the mode's grade.
    pub(super) fn hand_back(
        &mut self,
        store: &mut Store,
        asset: &AssetView,
    ) -> Result<(AssetView, Undo, String, bool), String> {
        let Session::Offboard { leaving, grade } = &self.session else {
            return Err("not offboarding".into());
        };
        let grade = *grade;
        let Some(o) = leaving else {
            return Err("scan the badge of the person leaving (or press F7) first".into());
        };
        let who = o.person.username.clone();
        let tag = asset.tag.clone();
        if asset.assignee.as_deref() != Some(who.as_str()) {
            return Err(format!(
                "{tag} is not held by {who} ({})",
                asset
                    .assignee
                    .as_deref()
                    .map(|a| format!("held by {a}"))
                    .unwrap_or_else(|| asset.status.to_string())
            ));
        }
        let undo = Undo::CheckedIn {
            tag: tag.clone(),
            assignee: who.clone(),
            condition: asset.condition,
            location: asset.location.clone(),
        };
        let v = store
            .checkin(
                &tag,
                grade.chosen(),
                None,
                Some(&format!("offboarding {who}")),
            )
            .map_err(|e| e.to_string())?;
        let (change, improved) = super::session::grade_change(asset.condition, v.condition);
        if let Session::Offboard {
            leaving: Some(o), ..
        } = &mut self.session
        {
            o.back.push(tag);
        }
        Ok((
            v,
            undo,
            format!("handed back by {who} ({change})"),
            improved,
        ))
    }

    pub(super) fn ask_finish(&mut self, store: &Store) {
        let Session::Offboard {
            leaving: Some(o), ..
        } = &self.session
        else {
            return self.warn("no offboarding in progress");
        };
        let username = o.person.username.clone();
        let still = store.held_by(&username).map(|v| v.len()).unwrap_or(0);
        self.ask = Some(Ask::FinishOffboarding { username, still });
    }

    pub(super) fn finish_offboarding(&mut self, store: &mut Store, mark_lost: bool) {
        let Session::Offboard {
            leaving: Some(o), ..
        } = &self.session
        else {
            return;
        };
        let (p, back) = (o.person.clone(), o.back.len());
        match store.offboard(&p.username, &[], None, mark_lost) {
            Ok(r) => {
                let rest = if r.unreturned.is_empty() {
                    "nothing is still out".to_string()
                } else {
                    format!(
                        "not returned{}: {}",
                        if mark_lost { " (marked lost)" } else { "" },
                        r.unreturned.join(" ")
                    )
                };
                let text = format!("{} offboarded: {back} handed back; {rest}", p.username);
                if r.unreturned.is_empty() {
                    self.ok(text);
                } else {
                    self.warn(text);
                }
                if let Session::Offboard { leaving, .. } = &mut self.session {
                    *leaving = None;
                }
                self.wrote = true;
            }
            Err(e) => self.failed(e.to_string()),
        }
    }
}
