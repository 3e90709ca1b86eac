//! SVG labels: the ZPL label drawn with real Code 128 bars, printable from any browser.
//!
//! Several labels make one SVG document (not several concatenated documents, which would not
//! be valid XML and which browsers would not open): the labels are stacked top to bottom, each
//! in its own `<g class="label">` with a light outline to cut along, `1/8"` apart, and the page
//! is sized in inches so it prints at the label's real size. User units are printer dots, the
//! same numbers as in the ZPL. Each bar is a `<rect class="bar">`; the spaces are the gaps.

use super::{Label, Layout};
use crate::domain::text::visible;
use std::fmt::Write as _;

/// Text for XML content and attribute values: control characters shown (`^[`; most are not
/// even allowed in XML 1.0), then the five XML specials escaped.
pub fn escape_xml(s: &str) -> String {
    let shown = visible(s);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn inches(dots: u32, dpi: u32) -> String {
    format!("{:.3}in", f64::from(dots) / f64::from(dpi.max(1)))
}

/// One SVG page with every label stacked.
pub fn render(labels: &[(&Label, Layout)]) -> String {
    let dpi = labels.first().map_or(203, |(_, l)| l.dpi);
    let width = labels.iter().map(|(_, l)| l.width).max().unwrap_or(0);
    let gap = dpi / 8;
    let height = labels
        .iter()
        .map(|(_, l)| l.height + gap)
        .sum::<u32>()
        .saturating_sub(gap);
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {width} {height}\">",
        inches(width, dpi),
        inches(height, dpi)
    );
    let mut top = 0;
    for (label, lay) in labels {
        one(&mut s, label, lay, top);
        top += lay.height + gap;
    }
    s.push_str("</svg>\n");
    s
}

fn one(s: &mut String, label: &Label, lay: &Layout, top: u32) {
    let _ = writeln!(
        s,
        "<g class=\"label\" data-code=\"{}\" transform=\"translate(0 {top})\">",
        escape_xml(&label.code)
    );
    let _ = writeln!(
        s,
        "<rect class=\"outline\" x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"#fff\" stroke=\"#bbb\" stroke-width=\"1\"/>",
        lay.width.saturating_sub(1),
        lay.height.saturating_sub(1)
    );
    s.push_str("<g class=\"bars\" fill=\"#000\" shape-rendering=\"crispEdges\">\n");
    let mut x = lay.bar_x;
    for (i, &w) in lay.bars.iter().enumerate() {
        let w = u32::from(w) * lay.module;
        // Even positions are bars, odd ones spaces: Code 128 always starts with a bar.
        if i % 2 == 0 {
            let _ = writeln!(
                s,
                "<rect class=\"bar\" x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{}\"/>",
                lay.bar_y, lay.bar_h
            );
        }
        x += w;
    }
    s.push_str("</g>\n");
    let centre = lay.text_x + lay.text_w / 2;
    // ZPL places text by its top; SVG by its baseline, about 0.8 of the height further down.
    let _ = writeln!(
        s,
        "<text class=\"code\" x=\"{centre}\" y=\"{}\" font-family=\"Arial Narrow, Helvetica, sans-serif\" font-weight=\"bold\" font-size=\"{}\" text-anchor=\"middle\">{}</text>",
        lay.code_y + lay.code_h * 4 / 5,
        lay.code_h,
        escape_xml(&label.code)
    );
    for (i, t) in (0u32..).zip(&lay.title) {
        let _ = writeln!(
            s,
            "<text class=\"title\" x=\"{centre}\" y=\"{}\" font-family=\"Arial Narrow, Helvetica, sans-serif\" font-size=\"{}\" text-anchor=\"middle\">{}</text>",
            lay.title_y + i * lay.title_h + lay.title_h * 4 / 5,
            lay.title_h,
            escape_xml(t)
        );
    }
    if let (Some(q), Some((dark, side))) = (&lay.qr, super::qr_matrix(&label.code)) {
        qr(s, q, &dark, side);
    }
    s.push_str("</g>\n");
}

/// The QR code as one path: each row's runs of dark modules as rectangles.
fn qr(s: &mut String, q: &super::Qr, dark: &[bool], side: u32) {
    let m = q.magnification;
    let mut d = String::new();
    for (row, cells) in dark.chunks(side.max(1) as usize).enumerate() {
        let y = q.y + row as u32 * m;
        let mut col = 0;
        while col < cells.len() {
            if !cells[col] {
                col += 1;
                continue;
            }
            let run = cells[col..].iter().take_while(|&&c| c).count();
            let x = q.x + col as u32 * m;
            let _ = write!(d, "M{x} {y}h{}v{m}h-{}z", run as u32 * m, run as u32 * m);
            col += run;
        }
    }
    let _ = writeln!(
        s,
        "<path class=\"qr\" fill=\"#000\" shape-rendering=\"crispEdges\" d=\"{d}\"/>"
    );
}

#[cfg(test)]
mod tests {
    use super::super::{code128, LabelSpec};
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape_xml("<a href='x'>&\"\u{7}"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;^G"
        );
    }

    /// Read the bars of the first label back from the `<rect class="bar">` x and width values.
    fn widths_from_svg(svg: &str) -> Vec<u8> {
        let attr = |line: &str, name: &str| -> u32 {
            let key = format!(" {name}=\"");
            let start = line.find(&key).unwrap() + key.len();
            line[start..].split('"').next().unwrap().parse().unwrap()
        };
        let rects: Vec<(u32, u32)> = svg
            .lines()
            .filter(|l| l.starts_with("<rect class=\"bar\""))
            .map(|l| (attr(l, "x"), attr(l, "width")))
            .collect();
        let module = rects.iter().map(|r| r.1).min().unwrap();
        let mut widths = Vec::new();
        for (i, &(x, w)) in rects.iter().enumerate() {
            widths.push((w / module) as u8);
            if let Some(&(next, _)) = rects.get(i + 1) {
                widths.push(((next - x - w) / module) as u8);
            }
        }
        widths
    }

    #[test]
    fn bars_decode_back_to_the_code() {
        for code in ["IT-0001", "A123456B", "x>y&z"] {
            let l = Label {
                code: code.into(),
                title: Some("<Name>".into()),
            };
            let lay = LabelSpec::default().layout(&l).unwrap();
            let svg = render(&[(&l, lay.clone())]);
            let w = widths_from_svg(&svg);
            assert_eq!(w, lay.bars);
            assert_eq!(code128::decode(&w).unwrap(), code);
            assert!(svg.contains("&lt;Name&gt;"));
        }
    }

    #[test]
    fn qr_codes_are_drawn_in_their_box() {
        let l = Label {
            code: "IT-0001".into(),
            title: None,
        };
        let spec = LabelSpec {
            qr: true,
            ..LabelSpec::default()
        };
        let lay = spec.layout(&l).unwrap();
        let q = lay.qr.clone().unwrap();
        let svg = render(&[(&l, lay)]);
        let path = svg
            .lines()
            .find(|l| l.starts_with("<path class=\"qr\""))
            .unwrap();
        // The finder pattern's top-left corner is the first dark run: 7 modules wide.
        let first = format!("d=\"M{} {}h{}v", q.x, q.y, 7 * q.magnification);
        assert!(path.contains(&first), "{path}");
    }

    #[test]
    fn several_labels_make_one_document() {
        let ls: Vec<Label> = ["A-1", "B-2"]
            .iter()
            .map(|c| Label {
                code: (*c).into(),
                title: None,
            })
            .collect();
        let pairs: Vec<(&Label, Layout)> = ls
            .iter()
            .map(|l| (l, LabelSpec::default().layout(l).unwrap()))
            .collect();
        let svg = render(&pairs);
        assert_eq!(svg.matches("<svg ").count(), 1);
        assert_eq!(svg.matches("<g class=\"label\"").count(), 2);
        assert!(svg.contains("translate(0 228)"), "203 + 25 gap");
        assert!(svg.contains("height=\"2.123in\""));
    }
}
