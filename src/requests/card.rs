//! The review link as a QR code (SVG, PNG) and as a printable A6 card (PDF) for the counter or
//! the receipt: the business's name, "Tell us how we did", the QR code and the link in words.
//!
//! The QR matrix comes from the `qrcode` crate (error correction M: a printed code survives a
//! smudge, and a long Google link still gives modules big enough for a phone at arm's length).
//! The SVG is one path of whole-unit squares drawn with `crispEdges`, rasterised to PNG by the
//! report's resvg (already in the tree), so the PNG's modules are exact pixels a decoder reads
//! back. The PDF is written by hand: one page of rectangles and three lines of the standard
//! Helvetica, about a hundred lines, where a PDF crate would bring fonts, images and layout this
//! card does not use. Text outside Latin-1 shows as `?` on the card (the standard fonts'
//! WinAnsi encoding); the QR code carries the link whatever the name's script.

use qrcode::{Color, EcLevel, QrCode};

use super::{RequestError, Result};

/// Light modules around the code, as the QR standard asks (ISO/IEC 18004: four).
const QUIET_ZONE: usize = 4;

/// Pixels per module in the PNG: a 2 cm code on screen or paper at 300 dpi and up.
const PNG_MODULE_PX: usize = 10;

/// The dark and light modules of the link's QR code, row by row, and its width in modules.
fn matrix(link: &str) -> Result<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M)
        .map_err(|e| RequestError::Qr(e.to_string()))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

/// The QR code as an SVG document, `module_px` user units per module, with its quiet zone.
pub fn qr_svg(link: &str, module_px: usize) -> Result<String> {
    let (width, dark) = matrix(link)?;
    let side = (width + 2 * QUIET_ZONE) * module_px;
    let mut path = String::new();
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let x = (i % width + QUIET_ZONE) * module_px;
        let y = (i / width + QUIET_ZONE) * module_px;
        path.push_str(&format!("M{x} {y}h{module_px}v{module_px}h-{module_px}z"));
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side}\" height=\"{side}\" \
         viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>\n"
    ))
}

/// The QR code as PNG bytes.
pub fn qr_png(link: &str) -> Result<Vec<u8>> {
    let svg = qr_svg(link, PNG_MODULE_PX)?;
    crate::report::svg_to_png(&svg).map_err(|e| RequestError::Qr(e.to_string()))
}

/// A6 portrait in PDF points (105 × 148 mm).
const PAGE_W: f64 = 297.64;
const PAGE_H: f64 = 419.53;
/// Side margin: text wider than the page less these is made smaller.
const MARGIN: f64 = 22.0;
/// The printed QR code's side, quiet zone included: about 6.7 cm.
const QR_SIDE: f64 = 190.0;

/// What the card says and links to.
#[derive(Debug, Clone)]
pub struct Card<'a> {
    pub business: &'a str,
    /// The platform's name for people ("Google"), under the code.
    pub platform_label: &'a str,
    pub link: &'a str,
}

/// The printable A6 card as PDF bytes.
pub fn card_pdf(card: &Card<'_>) -> Result<Vec<u8>> {
    let (width, dark) = matrix(card.link)?;
    let mut content = String::new();
    // The business's name, as large as fits (at most 20 pt).
    let name = win_ansi(card.business.trim());
    let size = fit(&name, true, 20.0, 9.0);
    content.push_str(&centred_text(&name, true, size, 372.0));
    content.push_str(&centred_text(
        &win_ansi("Tell us how we did"),
        false,
        15.0,
        342.0,
    ));
    // The code, modules as filled squares on white.
    let modules = (width + 2 * QUIET_ZONE) as f64;
    let unit = QR_SIDE / modules;
    let (x0, y0) = ((PAGE_W - QR_SIDE) / 2.0, 128.0);
    content.push_str("0 g\n");
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let col = (i % width + QUIET_ZONE) as f64;
        let row = (i / width + QUIET_ZONE) as f64;
        // PDF's y grows upwards: row 0 is the top of the code.
        let y = y0 + QR_SIDE - (row + 1.0) * unit;
        content.push_str(&format!(
            "{:.3} {:.3} {:.3} {:.3} re\n",
            x0 + col * unit,
            y,
            unit,
            unit
        ));
    }
    content.push_str("f\n");
    let label = win_ansi(&format!(
        "Scan with your phone's camera to review us on {}",
        card.platform_label
    ));
    let size = fit(&label, false, 10.0, 6.0);
    content.push_str(&centred_text(&label, false, size, 108.0));
    // The link in words, on up to four lines, for those who type it.
    let link = win_ansi(
        card.link
            .trim_start_matches("https://")
            .trim_start_matches("http://"),
    );
    let mut y = 86.0;
    for line in wrap(&link, 8.0).iter().take(4) {
        content.push_str(&centred_text(line, false, 8.0, y));
        y -= 11.0;
    }
    Ok(pdf_document(&content))
}

/// A string as WinAnsi bytes (Latin-1 for the letters names use), `?` for the rest.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u8,
            0x2019 | 0x2018 => b'\'',
            _ => b'?',
        })
        .collect()
}

/// Helvetica's advance widths (1/1000 em) of ASCII 32–126, from Adobe's AFM files.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/// Helvetica-Bold's, likewise.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// Width of `text` in points at `size`; letters beyond ASCII count as an average letter.
fn text_width(text: &[u8], bold: bool, size: f64) -> f64 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let units: u32 = text
        .iter()
        .map(|&b| match b {
            32..=126 => u32::from(table[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    f64::from(units) * size / 1000.0
}

/// The largest size from `max` down to `min` at which `text` fits between the margins.
fn fit(text: &[u8], bold: bool, max: f64, min: f64) -> f64 {
    let room = PAGE_W - 2.0 * MARGIN;
    let natural = text_width(text, bold, max);
    if natural <= room {
        max
    } else {
        (max * room / natural).max(min)
    }
}

/// Splits `text` into lines that fit between the margins at `size` (a link has no spaces to
/// break at, so it breaks anywhere).
fn wrap(text: &[u8], size: f64) -> Vec<Vec<u8>> {
    let room = PAGE_W - 2.0 * MARGIN;
    let mut lines = vec![Vec::new()];
    for &b in text {
        let line = lines.last_mut().expect("one line at least");
        line.push(b);
        if text_width(line, false, size) > room {
            line.pop();
            lines.push(vec![b]);
        }
    }
    lines
}

/// One line of text centred on the page, its baseline at `y`.
fn centred_text(text: &[u8], bold: bool, size: f64, y: f64) -> String {
    let x = ((PAGE_W - text_width(text, bold, size)) / 2.0).max(MARGIN / 2.0);
    let font = if bold { "F2" } else { "F1" };
    format!(
        "BT /{font} {size:.2} Tf {x:.2} {y:.2} Td ({}) Tj ET\n",
        pdf_string(text)
    )
}

/// A PDF literal string's contents: `(`, `)` and `\` escaped, bytes beyond ASCII in octal.
fn pdf_string(text: &[u8]) -> String {
    let mut out = String::new();
    for &b in text {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            32..=126 => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

/// A one-page PDF 1.4 file around `content`, with the two standard fonts it uses and a
/// cross-reference table of exact byte offsets.
fn pdf_document(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>"
        ),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str =
        "https://search.google.com/local/writereview?placeid=ChIJN1t_tDeuEmsRUsoyG83frY4";

    #[test]
    fn the_qr_svg_is_whole_pixel_squares_with_a_quiet_zone() {
        let svg = qr_svg(LINK, 10).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("crispEdges"),
            "{svg}"
        );
        let (width, _) = matrix(LINK).unwrap();
        let side = (width + 8) * 10;
        assert!(svg.contains(&format!("width=\"{side}\"")), "{svg}");
        // The top-left finder pattern starts after the quiet zone.
        assert!(svg.contains("M40 40h10v10h-10z"), "{svg}");
    }

    #[test]
    fn the_card_is_a_one_page_a6_pdf_whose_cross_references_point_at_its_objects() {
        let pdf = card_pdf(&Card {
            business: "Joe's Café (Harbour St)",
            platform_label: "Google",
            link: LINK,
        })
        .unwrap();
        let text = String::from_utf8_lossy(&pdf).into_owned();
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.contains("/MediaBox [0 0 297.64 419.53]"));
        assert!(
            text.contains("(Joe's Caf\\351 \\(Harbour St\\)) Tj"),
            "{text}"
        );
        assert!(text.contains("(Tell us how we did) Tj"));
        // Offsets count bytes: the binary comment on line 2 is not one character each.
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        for (i, line) in table.lines().skip(3).take(6).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
    }

    #[test]
    fn a_long_link_wraps_within_the_margins() {
        let lines = wrap(&win_ansi(LINK), 8.0);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| text_width(l, false, 8.0) <= PAGE_W - 2.0 * MARGIN));
        assert_eq!(lines.concat(), LINK.as_bytes());
    }
}
