//! Asset labels: Code 128 of the tag, the tag in text, the name or model, an optional QR code.
//!
//! Two renderings of one layout ([`Layout`]): ZPL for Zebra printers ([`zpl`]) and SVG for any
//! browser ([`svg`]). Both are pure functions of the labels and the [`LabelSpec`]; sending ZPL
//! to a printer is [`print`]. The TUI and the CLI call the same functions.

pub mod code128;
pub mod print;
pub mod svg;
pub mod zpl;

use crate::domain::AssetView;

/// The command barcodes the scan view recognises, with the words printed under each.
/// `itam label --commands` prints this list; its home is the domain, beside the resolver.
pub use crate::domain::scancode::COMMAND_CODES;

/// Why labels could not be made or sent.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("{code}: {source}")]
    Encode {
        code: String,
        #[source]
        source: code128::EncodeError,
    },
    #[error(
        "'{code}' is too long for a {width_in}\" wide label (its barcode needs {need_in:.2}\")"
    )]
    TooWide {
        code: String,
        width_in: f64,
        need_in: f64,
    },
    #[error("label size: {0}")]
    BadSize(String),
    #[error("printer '{0}': expected HOST:PORT, e.g. zebra1.example.com:9100")]
    BadPrinter(String),
    #[error("printer {addr}: {context}: {source}")]
    Network {
        addr: String,
        context: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("lp: {0}")]
    Lp(String),
    #[error("no label printer is set: add printer = \"HOST:PORT\" under [labels] in config.toml")]
    NoPrinter,
}

/// Label stock and printer resolution, from `[labels]` in config.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSpec {
    pub width_in: f64,
    pub height_in: f64,
    pub dpi: u32,
    pub qr: bool,
}

impl Default for LabelSpec {
    /// The common 2" x 1" direct-thermal stock on a 203 dpi (8 dots/mm) Zebra.
    fn default() -> Self {
        LabelSpec {
            width_in: 2.0,
            height_in: 1.0,
            dpi: 203,
            qr: false,
        }
    }
}

impl From<&crate::config::LabelsConfig> for LabelSpec {
    fn from(c: &crate::config::LabelsConfig) -> Self {
        LabelSpec {
            width_in: c.width_in,
            height_in: c.height_in,
            dpi: c.dpi,
            qr: c.qr,
        }
    }
}

/// What one label shows: `code` as barcode and big text, `title` (name or model) under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub code: String,
    pub title: Option<String>,
}

impl Label {
    /// An asset's label: the tag, and its name, else its model.
    pub fn for_asset(a: &AssetView) -> Label {
        Label {
            code: a.tag.clone(),
            title: a
                .name
                .clone()
                .or_else(|| a.model.clone())
                .filter(|s| !s.trim().is_empty()),
        }
    }

    /// The command sheet, one label per command barcode.
    pub fn commands() -> Vec<Label> {
        COMMAND_CODES
            .iter()
            .map(|(code, words)| Label {
                code: (*code).to_string(),
                title: Some((*words).to_string()),
            })
            .collect()
    }
}

/// Where everything goes on one label, in printer dots (1 dot = 1/dpi inch). Computed once and
/// shared by ZPL and SVG so the browser preview is the printed label.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub dpi: u32,
    pub width: u32,
    pub height: u32,
    /// The barcode's module widths (bar first) and the dots per module.
    pub bars: Vec<u8>,
    pub module: u32,
    pub bar_x: u32,
    pub bar_y: u32,
    pub bar_h: u32,
    /// The text column (left edge and width) under the barcode.
    pub text_x: u32,
    pub text_w: u32,
    pub code_y: u32,
    pub code_h: u32,
    pub title_y: u32,
    pub title_h: u32,
    /// The title cut to what fits on one line.
    pub title: Option<String>,
    /// QR code: left, top, dots per QR module, and its side in dots (an estimate for the
    /// printer's automatic version choice).
    pub qr: Option<Qr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Qr {
    pub x: u32,
    pub y: u32,
    pub magnification: u32,
    pub side: u32,
}

/// Quiet zone each side of the barcode, in modules (the standard asks for at least 10).
pub const QUIET_MODULES: u32 = 10;

/// The widest module we draw: wider bars only waste label and do not scan better.
const MAX_MODULE_DOTS: u32 = 4;

impl LabelSpec {
    fn check(&self) -> Result<(u32, u32), LabelError> {
        if !(100..=600).contains(&self.dpi) {
            return Err(LabelError::BadSize(format!(
                "dpi {} is not a printer resolution (100 to 600; Zebra: 203, 300 or 600)",
                self.dpi
            )));
        }
        let ok = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v <= hi;
        if !ok(self.width_in, 0.75, 8.5) || !ok(self.height_in, 0.4, 12.0) {
            return Err(LabelError::BadSize(format!(
                "{}\" x {}\" is out of range (width 0.75 to 8.5, height 0.4 to 12 inches)",
                self.width_in, self.height_in
            )));
        }
        let dots = |inches: f64| (inches * f64::from(self.dpi)).round() as u32;
        Ok((dots(self.width_in), dots(self.height_in)))
    }

    /// Lay out one label. Fails when the code cannot be encoded or its barcode does not fit.
    pub fn layout(&self, label: &Label) -> Result<Layout, LabelError> {
        let (width, height) = self.check()?;
        let bars = code128::encode(&label.code).map_err(|source| LabelError::Encode {
            code: label.code.clone(),
            source,
        })?;
        let margin = (self.dpi / 25).max(4);
        let total = code128::module_count(&bars) + 2 * QUIET_MODULES;
        let text_x = margin;
        // The barcode's module for a text column ending at `right`.
        let module_for = |right: u32| (right.saturating_sub(text_x) / total).min(MAX_MODULE_DOTS);
        let mut qr = None;
        if self.qr {
            // Square, at most as tall as the label and half as wide; then the largest size that
            // still leaves the barcode 2-dot modules (1-dot bars scan badly on thermal printers).
            let modules = qr_modules(&label.code);
            let fit = (height.saturating_sub(2 * margin)).min(width / 2);
            let max_mag = (fit / modules).clamp(1, 10);
            let place = |magnification: u32| {
                let side = modules * magnification;
                Qr {
                    x: width.saturating_sub(margin + side),
                    y: margin,
                    magnification,
                    side,
                }
            };
            let chosen = (2..=max_mag)
                .rev()
                .map(place)
                .find(|q| module_for(q.x.saturating_sub(margin)) >= 2)
                .unwrap_or_else(|| place(max_mag.min(2)));
            qr = Some(chosen);
        }
        let right = qr
            .as_ref()
            .map_or(width - margin, |q| q.x.saturating_sub(margin));
        let text_w = right.saturating_sub(text_x);
        let module = module_for(right);
        if module == 0 {
            return Err(LabelError::TooWide {
                code: label.code.clone(),
                width_in: self.width_in,
                need_in: f64::from(total + 2 * margin) / f64::from(self.dpi),
            });
        }
        let bar_w = code128::module_count(&bars) * module;
        let bar_x = text_x + (text_w - bar_w) / 2;
        let bar_y = margin;
        let bar_h = height * 45 / 100;
        let gap = margin / 2;
        // Bold scalable characters average about 0.6 of their height: a long tag gets a smaller
        // font rather than running off the label (the printer would wrap or clip it).
        let chars = label.code.chars().count().max(1) as u32;
        let code_h = (height * 17 / 100).min(text_w * 10 / (chars * 6)).max(1);
        let code_y = bar_y + bar_h + gap;
        let title_h = height * 13 / 100;
        let title_y = code_y + code_h + gap;
        // Scalable font characters average about 0.6 of their height; cut the title to fit one
        // line rather than let the printer wrap it over the barcode.
        let max_chars = (text_w * 10 / (title_h * 6)).max(1) as usize;
        let title = label.title.as_deref().map(|t| {
            let t = t.trim();
            if t.chars().count() <= max_chars {
                t.to_string()
            } else {
                let mut s: String = t.chars().take(max_chars.saturating_sub(3)).collect();
                s.push_str("...");
                s
            }
        });
        Ok(Layout {
            dpi: self.dpi,
            width,
            height,
            bars,
            module,
            bar_x,
            bar_y,
            bar_h,
            text_x,
            text_w,
            code_y,
            code_h,
            title_y,
            title_h,
            title,
            qr,
        })
    }
}

/// The QR code of `code` (error correction M, the smallest version that holds it): its dark
/// modules row by row and its side. ZPL lets the printer encode it; the SVG draws these.
pub fn qr_matrix(code: &str) -> Option<(Vec<bool>, u32)> {
    let qr =
        qrcode::QrCode::with_error_correction_level(code.as_bytes(), qrcode::EcLevel::M).ok()?;
    let side = qr.width() as u32;
    let dark = qr
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((dark, side))
}

/// Modules per side of the QR code for `code`, to reserve its room on the label. A code too
/// long for any QR version gets version 10's size (the printer will refuse it, not us).
fn qr_modules(code: &str) -> u32 {
    qr_matrix(code).map_or(57, |(_, side)| side)
}

/// Output format of `itam label`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zpl,
    Svg,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zpl" => Ok(Format::Zpl),
            "svg" => Ok(Format::Svg),
            other => Err(format!(
                "unknown label format '{}' (zpl, svg)",
                crate::domain::text::visible(other)
            )),
        }
    }
}

/// All labels in one document: ZPL is one `^XA..^XZ` per label; SVG is one page with the
/// labels stacked (see [`svg::render`]).
pub fn render(labels: &[Label], spec: &LabelSpec, format: Format) -> Result<String, LabelError> {
    let layouts = labels
        .iter()
        .map(|l| spec.layout(l).map(|lay| (l, lay)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match format {
        Format::Zpl => layouts.iter().map(|(l, lay)| zpl::label(l, lay)).collect(),
        Format::Svg => svg::render(&layouts),
    })
}

/// Print labels on the printer set in `[labels]` of config.toml, as ZPL over TCP; returns the
/// printer's address for the feedback line. The one call the TUI's detail and receiving views
/// need ("print a label for this asset").
pub fn print_configured(
    labels: &[Label],
    config: &crate::config::LabelsConfig,
) -> Result<print::Printer, LabelError> {
    let printer: print::Printer = config
        .printer
        .as_deref()
        .ok_or(LabelError::NoPrinter)?
        .parse()?;
    let zpl = render(labels, &LabelSpec::from(config), Format::Zpl)?;
    print::send_tcp(&printer, zpl.as_bytes(), print::TIMEOUT)?;
    Ok(printer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(code: &str, title: Option<&str>) -> Label {
        Label {
            code: code.into(),
            title: title.map(Into::into),
        }
    }

    #[test]
    fn default_layout_fits_a_2x1_label() {
        let l = LabelSpec::default()
            .layout(&label("IT-0001", Some("Dell Latitude 7440")))
            .unwrap();
        assert_eq!((l.width, l.height), (406, 203));
        assert!(l.module >= 2, "module {}", l.module);
        let bar_w = code128::module_count(&l.bars) * l.module;
        assert!(l.bar_x >= l.text_x + QUIET_MODULES * l.module);
        assert!(l.bar_x + bar_w + QUIET_MODULES * l.module <= l.text_x + l.text_w);
        assert!(l.title_y + l.title_h <= l.height);
    }

    #[test]
    fn long_tags_get_a_smaller_font() {
        let short = LabelSpec::default().layout(&label("IT-1", None)).unwrap();
        let long = LabelSpec::default()
            .layout(&label("a1b22c333d4444e55555", None))
            .unwrap();
        assert_eq!(short.code_h, 34);
        assert!(long.code_h * 20 * 6 / 10 <= long.text_w, "{}", long.code_h);
    }

    #[test]
    fn qr_sits_to_the_right_and_inside() {
        let spec = LabelSpec {
            qr: true,
            ..LabelSpec::default()
        };
        let l = spec.layout(&label("IT-0001", None)).unwrap();
        let q = l.qr.clone().unwrap();
        assert!(q.x + q.side <= l.width && q.y + q.side <= l.height);
        assert!(l.text_x + l.text_w < q.x);
        assert!(l.module >= 2 && q.magnification >= 2, "{l:?}");
    }

    #[test]
    fn long_titles_are_cut_and_long_tags_refused() {
        let l = LabelSpec::default()
            .layout(&label("A", Some(&"x".repeat(200))))
            .unwrap();
        let t = l.title.unwrap();
        assert!(t.ends_with("...") && t.len() < 60, "{t}");
        let e = LabelSpec::default()
            .layout(&label(&"ABCDEFGHIJ".repeat(8), None))
            .unwrap_err();
        assert!(matches!(e, LabelError::TooWide { .. }), "{e}");
    }

    #[test]
    fn print_configured_needs_a_printer_and_sends_zpl() {
        let mut cfg = crate::config::LabelsConfig::default();
        let one = [label("IT-1", Some("Laptop"))];
        assert!(matches!(
            print_configured(&one, &cfg),
            Err(LabelError::NoPrinter)
        ));
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        cfg.printer = Some(format!("127.0.0.1:{}", l.local_addr().unwrap().port()));
        let t = std::thread::spawn(move || {
            let mut got = String::new();
            std::io::Read::read_to_string(&mut l.accept().unwrap().0, &mut got).unwrap();
            got
        });
        print_configured(&one, &cfg).unwrap();
        let expected = render(&one, &LabelSpec::default(), Format::Zpl).unwrap();
        assert_eq!(t.join().unwrap(), expected);
    }

    #[test]
    fn bad_sizes_are_refused() {
        let spec = LabelSpec {
            dpi: 20,
            ..LabelSpec::default()
        };
        assert!(matches!(
            spec.layout(&label("A", None)),
            Err(LabelError::BadSize(_))
        ));
        let spec = LabelSpec {
            width_in: f64::NAN,
            ..LabelSpec::default()
        };
        assert!(spec.layout(&label("A", None)).is_err());
    }

    #[test]
    fn command_codes_include_audit_and_done_and_encode() {
        let codes: Vec<&str> = COMMAND_CODES.iter().map(|c| c.0).collect();
        for c in [
            "CMD-CHECKIN",
            "CMD-CHECKOUT",
            "CMD-MOVE",
            "CMD-AUDIT",
            "CMD-DONE",
            "CMD-UNDO",
        ] {
            assert!(codes.contains(&c), "{c}");
        }
        for l in Label::commands() {
            LabelSpec::default().layout(&l).unwrap();
        }
    }
}
