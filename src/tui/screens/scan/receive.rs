//! Receive mode: pick a purchase-order line (F7), then scan each unit's serial: each becomes an
//! asset with the next tag, and (ctrl-t… F12 toggles) its label printed at once.

use super::engine::{Engine, Env};
use super::session::{PoLine, Session};
use crate::store::Store;

impl Engine {
    pub(super) fn receive_line(&mut self, store: &Store, env: &Env, line: PoLine) {
        if let Session::Receive { line: l, .. } = &mut self.session {
            let text = format!(
                "receiving against {}: {} — scan serials",
                line.po, line.model
            );
            *l = Some(line);
            self.ok(text);
            self.refresh_line(store, env);
        }
    }

    /// Re-read the chosen line's counts and the next tag, for the header.
    fn refresh_line(&mut self, store: &Store, env: &Env) {
        let Session::Receive { line: Some(l), .. } = &mut self.session else {
            return;
        };
        match store.po_line_status(&l.po, &l.model) {
            Ok(s) => {
                l.ordered = s.ordered;
                l.received = s.received;
                l.outstanding = s.outstanding;
            }
            Err(e) => return self.warn(format!("line counts not read: {e}")),
        }
        // A bad pattern is reported by the receipt itself; the header just omits the tag.
        l.next_tag = store.next_receive_tag(&env.tag_pattern).ok();
    }

    pub(super) fn print_toggle(&mut self) {
        match &mut self.session {
            Session::Receive { print, .. } => {
                *print = !*print;
                let state = if *print { "on" } else { "off" };
                self.ok(format!("print a label for each received asset: {state}"));
            }
            _ => self.warn("F12 prints labels while receiving (F10)"),
        }
    }

    pub(super) fn receive_serial(&mut self, store: &mut Store, env: &Env, serial: &str) {
        let Session::Receive { line, print, at } = &self.session else {
            return;
        };
        let print = *print;
        // A scanned location label wins over the configured place, as `--location` does.
        let place = at.clone().or_else(|| env.receiving_location.clone());
        let Some(PoLine { po, model, .. }) = line.clone() else {
            return self.failed("press F7 to pick the purchase-order line first");
        };
        match store.po_receive_into(
            &po,
            &model,
            &[serial.to_string()],
            &env.tag_pattern,
            place.as_deref(),
        ) {
            Ok(got) => {
                for a in got {
                    let text = format!(
                        "received {} — serial {} — {model}",
                        a.tag,
                        a.serial.clone().unwrap_or_default()
                    );
                    match &place {
                        Some(p) => self.ok(format!("{text} — at {p}")),
                        None => self.warn(format!(
                            "{text} — no place: scan a location label, or set location under [receiving] in config.toml"
                        )),
                    }
                    if print {
                        match print_label(&a, &env.labels) {
                            Ok(to) => self.ok(format!("label for {} sent to {to}", a.tag)),
                            Err(e) => self.failed(e),
                        }
                    }
                    self.last = Some(a);
                }
                self.wrote = true;
                self.refresh_line(store, env);
            }
            Err(e) => self.failed(e.to_string()),
        }
    }
}

/// Send one asset's label to the configured printer; the error says how to set one up. Runs on
/// the worker: a printer that does not answer never freezes the screen.
pub fn print_label(
    a: &crate::domain::AssetView,
    labels: &crate::config::LabelsConfig,
) -> Result<String, String> {
    use crate::interop::labels::{print_configured, Label, LabelError};
    match print_configured(&[Label::for_asset(a)], labels) {
        Ok(p) => Ok(p.to_string()),
        Err(LabelError::NoPrinter) => Err(format!(
            "no label printer: set printer = \"HOST:9100\" under [labels] in config.toml, or run: itam label {} --format svg --out label.svg",
            a.tag
        )),
        Err(e) => Err(format!("label not printed: {e}")),
    }
}
