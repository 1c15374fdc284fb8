//! Report: the dashboard as one picture an owner can keep, print or send on — an SVG document
//! laid out like the app's dashboard, rasterised to PNG.
//!
//! [`dashboard_svg`] is pure: the figures of [`insights::overview`] (and the all-time
//! [`Stats`] for the header) in, an SVG document [`WIDTH`] px wide out. [`svg_to_png`] rasterises
//! it with resvg, in pure Rust: nothing to install, no browser, and the same pixels every time on a
//! machine. Text needs a font: the system's, or DejaVu Sans embedded in the binary when the system
//! has none of the report's families, so a bare CI machine still gets words in its PNG.
//!
//! Business, platform and topic names come from strangers (import files, platforms' answers): every
//! string is XML-escaped, stripped of characters XML cannot hold and cut to its box. The document
//! carries no script, link, image or external reference.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate};
use resvg::{tiny_skia, usvg};
use usvg::fontdb;

use crate::analysis::trends::{Granularity, Period};
use crate::insights::outlook::{self, Heading, Rivals};
use crate::insights::{self, DashboardReads, InsightReads, Overview, WindowFigures};
use crate::model::BusinessId;
use crate::platform::platform_label;
use crate::store::{Stats, StoreError};

/// The picture's width: a laptop screen's, legible on screen and on an A4 page.
pub const WIDTH: f64 = 1280.0;
const MARGIN: f64 = 32.0;
const GAP: f64 = 16.0;
const PAD: f64 = 20.0;
/// The left column (charts, competitors) takes this share of the width, like the dashboard's grid.
const MAIN_SHARE: f64 = 0.62;
/// Rows of a bar list before the rest are summed up as "and N more".
const MAX_BAR_ROWS: usize = 8;
const BAR_ROW: f64 = 30.0;

/// The app's light theme (ui/styles.css): calm, warm greys, the icon's teal, amber stars.
mod colour {
    pub const BG: &str = "#f5f3ee";
    pub const SURFACE: &str = "#ffffff";
    pub const TEXT: &str = "#1d2529";
    pub const MUTED: &str = "#5d686e";
    pub const BORDER: &str = "#e2ddd3";
    pub const ACCENT: &str = "#17766f";
    pub const ACCENT_SOFT: &str = "#e9f4f1";
    pub const BAR: &str = "#8fc9c0";
    pub const GRID: &str = "#ebe7df";
    pub const STAR: &str = "#e3a008";
    pub const STAR_EMPTY: &str = "#d9d4c9";
    pub const GOOD: &str = "#2f7d4a";
    pub const BAD: &str = "#b54a1d";
    pub const WAIT_BG: &str = "#fbf0dc";
    pub const WAIT_TEXT: &str = "#8a5a00";
}

/// Families asked for, in order. Inter is the app's face when the system has it; DejaVu Sans is
/// on most Linux desktops and is the embedded fallback.
const FONT_FAMILIES: &[&str] = &[
    "Inter",
    "DejaVu Sans",
    "Noto Sans",
    "Liberation Sans",
    "Arial",
];
const FALLBACK_FAMILY: &str = "DejaVu Sans";
/// DejaVu Sans 2.37 (Bitstream Vera licence, assets/fonts/LICENSE-DejaVu.txt).
const EMBEDDED_FONTS: [&[u8]; 2] = [
    include_bytes!("../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf"),
];

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot draw the report: {0}")]
    Draw(String),
    #[error("cannot encode the report as PNG: {0}")]
    Png(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReportError {
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::Store(e) => e.code(),
            ReportError::Draw(_) | ReportError::Png(_) => "report",
            ReportError::Write { .. } => "io",
        }
    }
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Svg,
}

/// The dashboard of a business over `period_days` ending `today`, as an SVG document, from
/// either store (the app's file, or the CLI's `Db`: a file or a team database).
pub fn dashboard_document(
    store: &(impl DashboardReads + ?Sized),
    business_id: BusinessId,
    today: NaiveDate,
    period_days: i64,
) -> Result<String> {
    // Its parts read some of the same rows (the business's days, the businesses): once each.
    let store = &insights::ReadOnce::new(store);
    let overview = insights::overview(store, business_id, today, period_days)?;
    let stats = store.stats(business_id)?;
    let own = !store.business(business_id)?.is_competitor;
    let outlook = Outlook {
        heading: Some(outlook::heading(store, business_id, today, period_days)?),
        recovered: if own {
            Some(outlook::recovered(store, business_id)?.count)
        } else {
            None
        },
        rivals: if own {
            outlook::rivals(store, business_id, today, outlook::RIVAL_MONTHS)?
        } else {
            None
        },
    };
    Ok(dashboard_svg_with(&overview, &stats, &outlook))
}

/// What the report shows beside the overview (issue 27), as the dashboard does: where the rating
/// is heading, the median time to a first reply, and how many reviews a reply won back.
#[derive(Debug, Clone, Default)]
pub struct Outlook {
    pub heading: Option<Heading>,
    /// Reviews re-rated higher after a reply (the owner's businesses only).
    pub recovered: Option<usize>,
    /// The business and its competitors month by month.
    pub rivals: Option<Rivals>,
}

/// Writes an SVG document to `path` as it is, or rasterised to PNG.
pub fn write_image(svg: &str, format: ImageFormat, path: &Path) -> Result<()> {
    let bytes = match format {
        ImageFormat::Svg => svg.as_bytes().to_vec(),
        ImageFormat::Png => svg_to_png(svg)?,
    };
    std::fs::write(path, bytes).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The dashboard saved as an image: what the app's Save as PNG and `earshot report` do.
pub fn save_dashboard(
    store: &(impl DashboardReads + ?Sized),
    business_id: BusinessId,
    today: NaiveDate,
    period_days: i64,
    format: ImageFormat,
    path: &Path,
) -> Result<()> {
    let svg = dashboard_document(store, business_id, today, period_days)?;
    write_image(&svg, format, path)
}

/// Rasterises an SVG document at its own size (1 px per user unit) into PNG bytes.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>> {
    render_png(svg, report_fonts())
}

fn render_png(svg: &str, fontdb: Arc<fontdb::Database>) -> Result<Vec<u8>> {
    let options = usvg::Options {
        fontdb,
        font_family: FALLBACK_FAMILY.to_string(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| ReportError::Draw(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ReportError::Draw(format!("no room for {size:?}")))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Png(e.to_string()))
}

/// The system's fonts, read once per process (a scan of the font folders takes tens of ms).
fn report_fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            if !has_report_family(&db) {
                add_embedded_fonts(&mut db);
            }
            Arc::new(db)
        })
        .clone()
}

fn has_report_family(db: &fontdb::Database) -> bool {
    FONT_FAMILIES.iter().any(|name| {
        db.query(&fontdb::Query {
            families: &[fontdb::Family::Name(name)],
            ..Default::default()
        })
        .is_some()
    })
}

fn add_embedded_fonts(db: &mut fontdb::Database) {
    for font in EMBEDDED_FONTS {
        db.load_font_data(font.to_vec());
    }
    db.set_sans_serif_family(FALLBACK_FAMILY);
}

// ---------------------------------------------------------------------------------------------
// Text: escaping, fitting and number formats (the UI's, so the picture reads like the app).

/// `s` as XML character data: markup escaped, characters XML 1.0 cannot hold (controls, lone
/// non-characters) dropped, line breaks and tabs as spaces.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Rough advance of a character in em, for DejaVu Sans (the widest of the report's faces, so
/// text fitted for it fits the others).
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.32,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '-' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.9,
        c if c.is_ascii_uppercase() => 0.72,
        c if c.is_ascii() => 0.62,
        // CJK, emoji and the like are full width.
        c if (c as u32) >= 0x1100 => 1.0,
        _ => 0.66,
    }
}

fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = s.chars().map(char_em).sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// `s` cut with an ellipsis so it fits in `max` px (whitespace runs collapsed first).
fn fit(s: &str, max: f64, size: f64, bold: bool) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if text_width(&s, size, bold) <= max {
        return s;
    }
    let budget = max - text_width("…", size, bold);
    let mut out = String::new();
    let mut used = 0.0;
    for c in s.chars() {
        let w = char_em(c) * size * if bold { 1.1 } else { 1.0 };
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// Words of `s` in lines of at most `max` px; at most `lines` lines, the last one cut to fit.
fn wrap(s: &str, max: f64, size: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, false) <= max || line.is_empty() {
            line = candidate;
        } else {
            out.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    if out.len() > lines {
        let rest = out.split_off(lines - 1).join(" ");
        out.push(rest);
    }
    out.into_iter().map(|l| fit(&l, max, size, false)).collect()
}

/// "2,045".
fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

/// "4.1", or a dash when nothing is rated.
fn rating(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
}

/// "35%", or a dash.
fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// A difference with its sign, as the dashboard writes it: "+32", "−1.3", "±0".
fn signed(delta: f64, text: &str) -> String {
    let sign = if delta > 0.0 {
        "+"
    } else if delta < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{}", text.trim_start_matches(['-', '−']))
}

fn round_to(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// How a figure moved, told as good, bad or neither (the dashboard's ▲ ▼ ■).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Good,
    Bad,
    Flat,
}

#[derive(Debug, Clone, PartialEq)]
struct Change {
    tone: Tone,
    text: String,
}

fn tone_of(delta: f64, good_when_up: bool) -> Tone {
    let d = if good_when_up { delta } else { -delta };
    if d > 0.0 {
        Tone::Good
    } else if d < 0.0 {
        Tone::Bad
    } else {
        Tone::Flat
    }
}

/// The five headline changes against the period before, worded like the dashboard's tiles.
fn headline_changes(o: &Overview) -> [Option<Change>; 5] {
    let (c, p) = (&o.current, &o.previous);
    let both = |a: Option<f64>, b: Option<f64>| a.zip(b);
    let rating_change = both(c.average_rating, p.average_rating).map(|(a, b)| {
        let d = round_to(a - b, 2);
        Change {
            tone: tone_of(d, true),
            text: format!(
                "{} from {}",
                signed(d, &format!("{:.1}", d.abs())),
                rating(Some(b))
            ),
        }
    });
    let count_change = (c.count > 0 || p.count > 0).then(|| {
        let d = c.count - p.count;
        Change {
            tone: Tone::Flat,
            text: format!(
                "{} from {}",
                signed(d as f64, &count(d.abs())),
                count(p.count)
            ),
        }
    });
    let points = |a: Option<f64>, b: Option<f64>| {
        both(a, b).map(|(a, b)| {
            let pts = (round_to(a - b, 3) * 100.0).round();
            Change {
                tone: tone_of(pts, true),
                text: format!(
                    "{} pts from {}",
                    signed(pts, &format!("{:.0}", pts.abs())),
                    percent(Some(b))
                ),
            }
        })
    };
    let unanswered = o.unanswered_negative as i64 - o.unanswered_negative_previous as i64;
    let unanswered_change = Some(Change {
        tone: tone_of(unanswered as f64, false),
        text: format!(
            "{} from {}",
            signed(unanswered as f64, &count(unanswered.abs())),
            count(o.unanswered_negative_previous as i64)
        ),
    });
    [
        rating_change,
        count_change,
        points(c.positive_share, p.positive_share),
        points(c.response_rate, p.response_rate),
        unanswered_change,
    ]
}

fn period_name(days: i64) -> String {
    match days {
        365 => "Last 12 months".into(),
        d => format!("Last {d} days"),
    }
}

/// "Oct 24 – Nov 22, 2026" (the year once when both ends share it).
fn date_range(from: NaiveDate, to: NaiveDate) -> String {
    if from.year() == to.year() {
        format!("{} – {}", from.format("%b %-d"), to.format("%b %-d, %Y"))
    } else {
        format!(
            "{} – {}",
            from.format("%b %-d, %Y"),
            to.format("%b %-d, %Y")
        )
    }
}

/// Axis label of a period: "Nov 3" for weeks, "Nov" for months ("Jan 2026" where a year starts).
fn period_label(p: &Period, by: Granularity, first: bool) -> String {
    match by {
        Granularity::Month if first || p.start.month() == 1 => p.start.format("%b %Y").to_string(),
        Granularity::Month => p.start.format("%b").to_string(),
        _ => p.start.format("%b %-d").to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, Copy)]
struct Font {
    size: f64,
    bold: bool,
    fill: &'static str,
    anchor: Anchor,
}

const fn font(size: f64, fill: &'static str) -> Font {
    Font {
        size,
        bold: false,
        fill,
        anchor: Anchor::Start,
    }
}

impl Font {
    const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    const fn end(self) -> Font {
        Font {
            anchor: Anchor::End,
            ..self
        }
    }
    const fn middle(self) -> Font {
        Font {
            anchor: Anchor::Middle,
            ..self
        }
    }
}

const TITLE: Font = font(16.0, colour::TEXT).bold();
const BODY: Font = font(13.5, colour::TEXT);
const NOTE: Font = font(12.5, colour::MUTED);
const TICK: Font = font(11.5, colour::MUTED);

/// An SVG document being written. Every text goes through [`Canvas::text`], which escapes it.
struct Canvas {
    out: String,
}

impl Canvas {
    fn raw(&mut self, args: fmt::Arguments) {
        // Writing to a String cannot fail.
        let _ = self.out.write_fmt(args);
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, rx: f64, fill: &str) {
        self.raw(format_args!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" rx="{rx}" fill="{fill}"/>"#,
            w.max(0.0),
            h.max(0.0)
        ));
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        self.raw(format_args!(
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"/>"#
        ));
    }

    fn text(&mut self, x: f64, y: f64, f: Font, s: &str) {
        let anchor = match f.anchor {
            Anchor::Start => "",
            Anchor::Middle => r#" text-anchor="middle""#,
            Anchor::End => r#" text-anchor="end""#,
        };
        let weight = if f.bold { r#" font-weight="bold""# } else { "" };
        self.raw(format_args!(
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{}" fill="{}"{weight}{anchor}>{}</text>"#,
            f.size,
            f.fill,
            xml_text(s)
        ));
    }

    /// A text cut to `max` px.
    fn text_fit(&mut self, x: f64, y: f64, f: Font, s: &str, max: f64) {
        let fitted = fit(s, max, f.size, f.bold);
        self.text(x, y, f, &fitted);
    }

    /// A white card with a hairline border, its title and an optional note on the right.
    fn card(&mut self, x: f64, y: f64, w: f64, h: f64, title: &str, note: &str) {
        self.raw(format_args!(
            r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{h:.1}" rx="12" fill="rgb(40,36,28)" fill-opacity="0.05"/>"#,
            y + 1.5
        ));
        self.raw(format_args!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="12" fill="{}" stroke="{}"/>"#,
            colour::SURFACE,
            colour::BORDER
        ));
        if !title.is_empty() {
            let note_w = text_width(note, NOTE.size, false);
            self.text_fit(
                x + PAD,
                y + 32.0,
                TITLE,
                title,
                w - 2.0 * PAD - note_w - 12.0,
            );
            self.text(x + w - PAD, y + 32.0, NOTE.end(), note);
        }
    }

    /// Five stars filled to `value` (0–5), the partial one clipped.
    fn stars(&mut self, x: f64, y: f64, size: f64, value: f64) {
        let value = value.clamp(0.0, 5.0);
        for i in 0..5 {
            let cx = x + size / 2.0 + i as f64 * (size + 2.0);
            let points = star_points(cx, y, size / 2.0);
            self.raw(format_args!(
                r#"<polygon points="{points}" fill="{}"/>"#,
                colour::STAR_EMPTY
            ));
            let filled = (value - i as f64).clamp(0.0, 1.0);
            if filled >= 0.999 {
                self.raw(format_args!(
                    r#"<polygon points="{points}" fill="{}"/>"#,
                    colour::STAR
                ));
            } else if filled > 0.0 {
                let id = format!("star-part-{i}");
                self.raw(format_args!(
                    r#"<clipPath id="{id}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{size:.1}"/></clipPath><polygon points="{points}" fill="{}" clip-path="url(#{id})"/>"#,
                    cx - size / 2.0,
                    y - size / 2.0,
                    size * filled,
                    colour::STAR
                ));
            }
        }
    }
}

/// A five-pointed star's outline around (cx, cy), point up.
fn star_points(cx: f64, cy: f64, r: f64) -> String {
    (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { r } else { r * 0.48 };
            let angle = std::f64::consts::PI * (i as f64) / 5.0 - std::f64::consts::FRAC_PI_2;
            format!(
                "{:.1},{:.1}",
                cx + radius * angle.cos(),
                cy + 0.05 * r + radius * angle.sin()
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The app's icon, drawn at `size` px (the same drawing as ui/img/logo.svg).
fn logo(c: &mut Canvas, x: f64, y: f64, size: f64) {
    let k = size / 1024.0;
    c.raw(format_args!(
        r##"<g transform="translate({x:.1},{y:.1}) scale({k:.5})"><defs><linearGradient id="logo-g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2bb3a3"/><stop offset="1" stop-color="#12607a"/></linearGradient></defs><rect x="60" y="60" width="904" height="904" rx="200" fill="url(#logo-g)"/><rect x="238" y="350" width="350" height="280" rx="70" fill="#fdfaf3"/><polygon points="308,610 308,740 428,620" fill="#fdfaf3"/><circle cx="328" cy="490" r="30" fill="#12607a"/><circle cx="413" cy="490" r="30" fill="#12607a"/><circle cx="498" cy="490" r="30" fill="#12607a"/><g fill="none" stroke="#fdfaf3" stroke-width="52" stroke-linecap="round"><path d="M 632.9,400.1 A 120,120 0 0,1 632.9,569.9"/><path d="M 696.5,336.5 A 210,210 0 0,1 696.5,633.5"/><path d="M 760.1,272.9 A 300,300 0 0,1 760.1,697.1"/></g></g>"##
    ));
}

/// The dashboard of `o` as an SVG document [`WIDTH`] px wide, as tall as its content.
/// `all_time` gives the header's overall rating and totals.
pub fn dashboard_svg(o: &Overview, all_time: &Stats) -> String {
    dashboard_svg_with(o, all_time, &Outlook::default())
}

/// [`dashboard_svg`] with the outlook card at the top of the side column.
pub fn dashboard_svg_with(o: &Overview, all_time: &Stats, outlook: &Outlook) -> String {
    let mut c = Canvas { out: String::new() };
    let content_w = WIDTH - 2.0 * MARGIN;

    // Header: the business, the period, the overall figures; the app's name on the right.
    let mut y = MARGIN;
    let brand_w = 130.0;
    c.text_fit(
        MARGIN,
        y + 26.0,
        font(28.0, colour::TEXT).bold(),
        &o.business,
        content_w - brand_w,
    );
    logo(&mut c, WIDTH - MARGIN - 118.0, y + 2.0, 30.0);
    c.text(
        WIDTH - MARGIN,
        y + 23.0,
        font(17.0, colour::TEXT).bold().end(),
        "Earshot",
    );
    let days = o.period_days;
    c.text(
        MARGIN,
        y + 54.0,
        font(14.0, colour::TEXT),
        &format!(
            "{} · {} · changes against the {} before",
            period_name(days),
            date_range(o.from, o.to),
            if days == 365 {
                "12 months".to_string()
            } else {
                format!("{days} days")
            },
        ),
    );
    let rated: i64 = all_time.distribution.values().sum();
    c.text(
        MARGIN,
        y + 76.0,
        font(13.0, colour::MUTED),
        &format!(
            "Overall {}★ from {} rated · {} reviews and posts in all",
            rating(all_time.average_rating),
            count(rated),
            count(all_time.count)
        ),
    );
    y += 100.0;
    // What each platform itself shows (issue 25), beside the figures from stored reviews.
    if !o.platform_figures.is_empty() {
        let says: Vec<&str> = o.platform_figures.iter().map(|f| f.says.as_str()).collect();
        c.text_fit(
            MARGIN,
            y - 2.0,
            font(13.0, colour::MUTED),
            &says.join(" · "),
            content_w,
        );
        y += 22.0;
    }

    y = headline_tiles(&mut c, o, y) + GAP;

    // Two columns: the charts and the competitors on the left, platforms and topics on the right.
    let main_w = ((content_w - GAP) * MAIN_SHARE).round();
    let side_w = content_w - GAP - main_w;
    let side_x = MARGIN + main_w + GAP;
    let mut left = y;
    left = rating_trend(&mut c, o, MARGIN, left, main_w) + GAP;
    left = sentiment(&mut c, o, MARGIN, left, main_w) + GAP;
    if !o.competitors.is_empty() {
        let own_overall = if o.rating_from == Some("platform") {
            o.rating
        } else {
            all_time.average_rating
        };
        left = competitors(&mut c, o, own_overall, MARGIN, left, main_w) + GAP;
    }
    if let Some(r) = outlook.rivals.as_ref().filter(|r| r.lines.len() > 1) {
        left = rivals(&mut c, r, MARGIN, left, main_w) + GAP;
    }
    let mut right = y;
    if let Some(h) = &outlook.heading {
        right = heading(&mut c, h, outlook.recovered, side_x, right, side_w) + GAP;
    }
    right = platforms(&mut c, o, side_x, right, side_w) + GAP;
    right = topics(&mut c, o, side_x, right, side_w) + GAP;

    let bottom = left.max(right);
    c.line(
        MARGIN,
        bottom + 4.0,
        WIDTH - MARGIN,
        bottom + 4.0,
        colour::BORDER,
        1.0,
    );
    c.text(
        MARGIN,
        bottom + 26.0,
        NOTE,
        "From the reviews and posts Earshot keeps on this computer.",
    );
    c.text(
        WIDTH - MARGIN,
        bottom + 26.0,
        NOTE.end(),
        &format!("Figures up to {}", o.to.format("%b %-d, %Y")),
    );
    let height = (bottom + 26.0 + MARGIN).ceil();

    let families = FONT_FAMILIES
        .iter()
        .map(|f| format!("'{f}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{families}, sans-serif"><title>{}</title><rect width="100%" height="100%" fill="{}"/>{}</svg>"#,
        xml_text(&format!("{} — {}", o.business, period_name(days))),
        colour::BG,
        c.out
    )
}

/// The five figure tiles; returns their bottom.
fn headline_tiles(c: &mut Canvas, o: &Overview, y: f64) -> f64 {
    const H: f64 = 118.0;
    let w = (WIDTH - 2.0 * MARGIN - 4.0 * GAP) / 5.0;
    let changes = headline_changes(o);
    let cur = &o.current;
    let tiles: [(&str, String, Option<String>); 5] = [
        ("Rating", rating(cur.average_rating), None),
        ("New reviews and posts", count(cur.count), None),
        (
            "Positive",
            percent(cur.positive_share),
            cur.negative_share
                .map(|n| format!("{} negative", percent(Some(n)))),
        ),
        ("Response rate", percent(cur.response_rate), None),
        (
            "Unanswered negatives",
            count(o.unanswered_negative as i64),
            Some(if o.unanswered_negative == 0 {
                "all answered".to_string()
            } else {
                "waiting for a reply".to_string()
            }),
        ),
    ];
    for (i, ((label, value, sub), change)) in tiles.iter().zip(changes).enumerate() {
        let x = MARGIN + i as f64 * (w + GAP);
        c.card(x, y, w, H, "", "");
        c.text_fit(
            x + 16.0,
            y + 28.0,
            font(13.0, colour::MUTED),
            label,
            w - 32.0,
        );
        let big = font(30.0, colour::TEXT).bold();
        c.text(x + 16.0, y + 66.0, big, value);
        if i == 0 {
            if let Some(r) = cur.average_rating {
                let after = x + 16.0 + text_width(value, big.size, true) + 10.0;
                c.stars(after, y + 56.0, 15.0, r);
            }
        }
        if let Some(ch) = change {
            let (arrow, fill) = match ch.tone {
                Tone::Good => ("▲", colour::GOOD),
                Tone::Bad => ("▼", colour::BAD),
                Tone::Flat => ("■", colour::MUTED),
            };
            let f = font(13.0, fill).bold();
            c.text_fit(
                x + 16.0,
                y + 90.0,
                f,
                &format!("{arrow} {}", ch.text),
                w - 32.0,
            );
        }
        if let Some(sub) = sub {
            c.text_fit(x + 16.0, y + 108.0, NOTE, sub, w - 32.0);
        }
    }
    y + H
}

fn unit_of(o: &Overview) -> &'static str {
    match o.granularity {
        Granularity::Month => "month",
        Granularity::Week => "week",
        Granularity::Day => "day",
    }
}

/// Left edge, right padding and bottom room of a chart's plot inside its card.
const AXIS_LEFT: f64 = 44.0;
const AXIS_RIGHT: f64 = 14.0;
const AXIS_BOTTOM: f64 = 26.0;

/// A rating scale that shows movement: the data's range widened to whole half-stars, in 1–5.
fn rating_scale(series: &[Period]) -> (f64, f64) {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|p| [p.average_rating, p.running_rating])
        .flatten()
        .collect();
    if values.is_empty() {
        return (1.0, 5.0);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = (((min - 0.25) * 2.0).floor() / 2.0).max(1.0);
    let hi = (((max + 0.25) * 2.0).ceil() / 2.0).min(5.0);
    (lo, hi.max(lo + 0.5))
}

/// Index of the first charted period that reaches into the period itself (the charts also show
/// the period before, for comparison); `None` when all of them do.
fn first_current(o: &Overview) -> Option<usize> {
    let i = o.series.iter().position(|p| {
        let next = match o.granularity {
            Granularity::Day => p.start + chrono::Duration::days(1),
            Granularity::Week => p.start + chrono::Duration::days(7),
            Granularity::Month => p.start + chrono::Months::new(1),
        };
        next > o.from
    })?;
    (i > 0).then_some(i)
}

/// A faint band behind the part of a chart that is the period itself.
fn shade(c: &mut Canvas, from_x: f64, to_x: f64, top: f64, bottom: f64) {
    c.rect(
        from_x,
        top - 6.0,
        to_x - from_x,
        bottom - top + 6.0,
        4.0,
        colour::ACCENT_SOFT,
    );
}

fn empty_note(c: &mut Canvas, x: f64, y: f64, text: &str) {
    c.text(x + PAD, y + 64.0, NOTE, text);
}

fn label_every(n: usize) -> usize {
    n.div_ceil(8).max(1)
}

/// Rating per period (line and dots) and the running overall rating (dashed); returns the bottom.
fn rating_trend(c: &mut Canvas, o: &Overview, x: f64, y: f64, w: f64) -> f64 {
    let series = &o.series;
    let has_rating = series.iter().any(|p| p.average_rating.is_some());
    let h = if has_rating { 272.0 } else { 96.0 };
    c.card(
        x,
        y,
        w,
        h,
        "Rating trend",
        &format!(
            "per {}; shaded: this period; dashed: overall rating",
            unit_of(o)
        ),
    );
    if !has_rating {
        empty_note(c, x, y, "No ratings in this period.");
        return y + h;
    }
    let (left, right) = (x + PAD + AXIS_LEFT, x + w - PAD - AXIS_RIGHT);
    let (top, bottom) = (y + 56.0, y + h - PAD - AXIS_BOTTOM);
    let (lo, hi) = rating_scale(series);
    let step = if hi - lo > 2.0 { 1.0 } else { 0.5 };
    let py = |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top);
    let px = |i: usize| {
        if series.len() <= 1 {
            (left + right) / 2.0
        } else {
            left + i as f64 / (series.len() - 1) as f64 * (right - left)
        }
    };
    if let Some(i) = first_current(o) {
        let half_step = (px(i) - px(i - 1)) / 2.0;
        shade(c, px(i) - half_step, right + AXIS_RIGHT - 4.0, top, bottom);
    }
    let mut v = lo;
    while v <= hi + 1e-9 {
        c.line(left - 4.0, py(v), right, py(v), colour::GRID, 1.0);
        c.text(left - 10.0, py(v) + 4.0, TICK.end(), &format!("{v:.1}★"));
        v += step;
    }
    let path = |key: fn(&Period) -> Option<f64>| {
        let mut d = String::new();
        let mut pen = false;
        for (i, p) in series.iter().enumerate() {
            match key(p) {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if pen { "L" } else { "M" },
                        px(i),
                        py(v)
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        d
    };
    c.raw(format_args!(
        r#"<path d="{}" fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="5 4"/>"#,
        path(|p| p.running_rating),
        colour::MUTED
    ));
    c.raw(format_args!(
        r#"<path d="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>"#,
        path(|p| p.average_rating),
        colour::ACCENT
    ));
    let every = label_every(series.len());
    for (i, p) in series.iter().enumerate() {
        if let Some(v) = p.average_rating {
            c.raw(format_args!(
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}" stroke="{}" stroke-width="2"/>"#,
                px(i),
                py(v),
                colour::SURFACE,
                colour::ACCENT
            ));
        }
        if i % every == 0 {
            let label = period_label(p, o.granularity, i == 0);
            c.text(px(i), bottom + 20.0, TICK.middle(), &label);
        }
    }
    y + h
}

/// Stacked negative / neutral / positive shares per period; returns the bottom.
fn sentiment(c: &mut Canvas, o: &Overview, x: f64, y: f64, w: f64) -> f64 {
    let series = &o.series;
    let scored = series.iter().any(|p| p.positive_share.is_some());
    let h = if scored { 236.0 } else { 96.0 };
    c.card(x, y, w, h, "Sentiment over time", "");
    // The legend sits where the note would.
    let parts = [
        ("negative", colour::BAD),
        ("neutral", colour::STAR_EMPTY),
        ("positive", colour::BAR),
    ];
    let mut lx = x + w - PAD;
    for (name, fill) in parts.iter().rev() {
        lx -= text_width(name, NOTE.size, false);
        c.text(lx, y + 32.0, NOTE, name);
        lx -= 16.0;
        c.rect(lx, y + 22.0, 11.0, 11.0, 2.0, fill);
        lx -= 14.0;
    }
    if !scored {
        empty_note(c, x, y, "Nothing in this period.");
        return y + h;
    }
    let (left, right) = (x + PAD + AXIS_LEFT, x + w - PAD - AXIS_RIGHT);
    let (top, bottom) = (y + 56.0, y + h - PAD - AXIS_BOTTOM);
    let plot_h = bottom - top;
    let slot = (right - left) / series.len().max(1) as f64;
    let gap = (slot * 0.3).min(8.0);
    if let Some(i) = first_current(o) {
        shade(c, left + i as f64 * slot - 2.0, right + 2.0, top, bottom);
    }
    for v in [0.0, 0.5, 1.0] {
        let ly = bottom - v * plot_h;
        c.line(left - 4.0, ly, right, ly, colour::GRID, 1.0);
        c.text(
            left - 10.0,
            ly + 4.0,
            TICK.end(),
            &format!("{:.0}%", v * 100.0),
        );
    }
    let every = label_every(series.len());
    for (i, p) in series.iter().enumerate() {
        let bx = left + i as f64 * slot + gap / 2.0;
        let bw = (slot - gap).max(1.0);
        let mut top_of = bottom;
        for (share, (_, fill)) in [p.negative_share, p.neutral_share, p.positive_share]
            .iter()
            .zip(parts)
        {
            let seg = share.unwrap_or(0.0) * plot_h;
            top_of -= seg;
            if seg > 0.0 {
                c.rect(bx, top_of, bw, seg, 0.0, fill);
            }
        }
        if i % every == 0 {
            let label = period_label(p, o.granularity, i == 0);
            c.text(bx + bw / 2.0, bottom + 20.0, TICK.middle(), &label);
        }
    }
    y + h
}

struct BarRow {
    label: String,
    value: i64,
    text: String,
    fill: &'static str,
}

/// Labelled horizontal bars from `y`; returns the bottom of the last row.
fn bar_rows(c: &mut Canvas, rows: &[BarRow], x: f64, y: f64, w: f64) -> f64 {
    let max = rows.iter().map(|r| r.value).max().unwrap_or(1).max(1) as f64;
    let (label_w, text_w) = (w * 0.3, w * 0.33);
    let track_x = x + label_w;
    let track_w = w - label_w - text_w;
    let mut ry = y;
    for r in rows.iter().take(MAX_BAR_ROWS) {
        c.text_fit(x, ry + 19.0, BODY, &r.label, label_w - 10.0);
        c.rect(track_x, ry + 9.0, track_w, 11.0, 2.0, colour::GRID);
        let filled = (r.value as f64 / max * track_w).max(2.0);
        c.rect(track_x, ry + 9.0, filled, 11.0, 2.0, r.fill);
        c.text_fit(x + w, ry + 19.0, BODY.end(), &r.text, text_w - 6.0);
        ry += BAR_ROW;
    }
    if rows.len() > MAX_BAR_ROWS {
        let rest: i64 = rows[MAX_BAR_ROWS..].iter().map(|r| r.value).sum();
        c.text(
            x,
            ry + 19.0,
            NOTE,
            &format!("and {} more ({})", rows.len() - MAX_BAR_ROWS, count(rest)),
        );
        ry += BAR_ROW;
    }
    ry
}

fn bar_list_height(rows: usize) -> f64 {
    rows.min(MAX_BAR_ROWS + 1) as f64 * BAR_ROW
}

/// "45 minutes", "5.5 hours", "3 days": a reply delay as the app says it.
fn hours(h: f64) -> String {
    if h < 1.0 {
        let m = (h * 60.0).round().max(1.0);
        format!("{m} minute{}", if m == 1.0 { "" } else { "s" })
    } else if h < 48.0 {
        let v = if h < 10.0 {
            (h * 10.0).round() / 10.0
        } else {
            h.round()
        };
        format!("{v} hour{}", if v == 1.0 { "" } else { "s" })
    } else {
        format!("{} days", ((h / 24.0) * 10.0).round() / 10.0)
    }
}

/// Lines of the outlook card: each goal, then the reply time and what replies won back.
fn heading_lines(h: &Heading, recovered: Option<usize>) -> Vec<String> {
    let mut lines: Vec<String> = h.goals.iter().map(|g| g.says.clone()).collect();
    lines.push(
        match (h.median_reply_hours, h.median_reply_hours_previous) {
            (Some(now), Some(before)) => format!(
                "First reply after {} (median; {} the period before)",
                hours(now),
                hours(before)
            ),
            (Some(now), None) => format!("First reply after {} (median)", hours(now)),
            (None, _) => "No replies to this period's reviews yet".to_string(),
        },
    );
    match recovered {
        Some(0) | None => {}
        Some(1) => lines.push("1 review rated higher after your reply".to_string()),
        Some(n) => lines.push(format!("{n} reviews rated higher after your reply")),
    }
    lines
}

/// "Where you're heading" (issue 27); returns the bottom.
fn heading(c: &mut Canvas, h: &Heading, recovered: Option<usize>, x: f64, y: f64, w: f64) -> f64 {
    const LINE: f64 = 20.0;
    let inner = w - 2.0 * PAD;
    let wrapped: Vec<Vec<String>> = heading_lines(h, recovered)
        .iter()
        .map(|l| wrap(l, inner, BODY.size, 2))
        .collect();
    let rows: usize = wrapped.iter().map(Vec::len).sum();
    let height = 52.0 + rows as f64 * LINE + (wrapped.len() as f64 - 1.0) * 6.0 + PAD - 6.0;
    c.card(
        x,
        y,
        w,
        height,
        "Where you’re heading",
        &format!("next {} days", h.horizon_days),
    );
    let mut at = y + 62.0;
    for block in &wrapped {
        for line in block {
            c.text(x + PAD, at, BODY, line);
            at += LINE;
        }
        at += 6.0;
    }
    y + height
}

/// Dash patterns and colours of the competitors' lines, in turn (the owner's is solid accent),
/// as in the app: a line is told apart by its dash as well as its colour, and named in the key.
const RIVAL_STYLES: [(&str, &str); 4] = [
    ("6 3", "#767f84"),
    ("2 3", "#a86f00"),
    ("9 3 2 3", colour::BAD),
    ("1 2", colour::MUTED),
];

/// The business and its competitors' overall ratings month by month; returns the bottom.
fn rivals(c: &mut Canvas, r: &Rivals, x: f64, y: f64, w: f64) -> f64 {
    let values: Vec<f64> = r
        .lines
        .iter()
        .flat_map(|l| l.running_rating.iter().flatten().copied())
        .collect();
    let h = if values.is_empty() { 96.0 } else { 268.0 };
    c.card(
        x,
        y,
        w,
        h,
        "You and your competitors over time",
        &format!("overall rating, last {} months", r.months.len()),
    );
    if values.is_empty() {
        empty_note(c, x, y, "No ratings to compare yet.");
        return y + h;
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = (((lo - 0.25) * 2.0).floor() / 2.0).max(1.0);
    let hi = (((hi + 0.25) * 2.0).ceil() / 2.0).min(5.0);
    let (left, right) = (x + PAD + AXIS_LEFT, x + w - PAD - AXIS_RIGHT);
    let (top, bottom) = (y + 56.0, y + h - PAD - AXIS_BOTTOM - 24.0);
    let py = |v: f64| bottom - (v - lo) / (hi - lo).max(0.5) * (bottom - top);
    let n = r.months.len();
    let px = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + i as f64 / (n - 1) as f64 * (right - left)
        }
    };
    let step = if hi - lo > 2.0 { 1.0 } else { 0.5 };
    let mut v = lo;
    while v <= hi + 1e-9 {
        c.line(left - 4.0, py(v), right, py(v), colour::GRID, 1.0);
        c.text(left - 10.0, py(v) + 4.0, TICK.end(), &format!("{v:.1}★"));
        v += step;
    }
    for (i, m) in r.months.iter().enumerate() {
        if (n - 1 - i).is_multiple_of(2) {
            let label = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                .map_or_else(|_| m.clone(), |d| d.format("%b").to_string());
            c.text(px(i), bottom + 20.0, TICK.middle(), &label);
        }
    }
    // Competitors first, the owner's line last, on top; the key below names each.
    let mut styled: Vec<(&outlook::RivalLine, &str, &str, f64)> = Vec::new();
    let mut k = 0;
    for l in &r.lines {
        if l.own {
            continue;
        }
        let (dash, stroke) = RIVAL_STYLES[k % RIVAL_STYLES.len()];
        styled.push((l, dash, stroke, 2.0));
        k += 1;
    }
    if let Some(own) = r.lines.iter().find(|l| l.own) {
        styled.push((own, "", colour::ACCENT, 2.5));
    }
    for (l, dash, stroke, width) in &styled {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in l.running_rating.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if pen { "L" } else { "M" },
                        px(i),
                        py(*v)
                    );
                    pen = true;
                }
                None => pen = false,
            }
        }
        c.raw(format_args!(
            r#"<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{width}" stroke-dasharray="{}" stroke-linejoin="round"/>"#,
            if dash.is_empty() { "none" } else { dash }
        ));
    }
    // The key: own first.
    let mut kx = left;
    let ky = y + h - PAD - 4.0;
    for (l, dash, stroke, width) in styled.iter().rev() {
        c.raw(format_args!(
            r#"<line x1="{kx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{stroke}" stroke-width="{width}" stroke-dasharray="{}"/>"#,
            ky - 4.0,
            kx + 22.0,
            ky - 4.0,
            if dash.is_empty() { "none" } else { dash }
        ));
        let name = if l.own {
            format!("{} (you)", l.business)
        } else {
            l.business.clone()
        };
        let name = fit(&name, 200.0, NOTE.size, false);
        c.text(kx + 28.0, ky, NOTE, &name);
        kx += 28.0 + text_width(&name, NOTE.size, false) + 18.0;
        if kx > right - 60.0 {
            break;
        }
    }
    y + h
}

/// Volume by platform with each platform's rating; returns the bottom.
fn platforms(c: &mut Canvas, o: &Overview, x: f64, y: f64, w: f64) -> f64 {
    let rows: Vec<BarRow> = o
        .platforms
        .iter()
        .map(|p| BarRow {
            label: platform_label(&p.platform),
            value: p.count,
            text: match p.average_rating {
                Some(r) => format!("{} · {}★", count(p.count), rating(Some(r))),
                None => count(p.count),
            },
            fill: colour::ACCENT,
        })
        .collect();
    let h = if rows.is_empty() {
        96.0
    } else {
        48.0 + bar_list_height(rows.len()) + PAD - 4.0
    };
    c.card(
        x,
        y,
        w,
        h,
        "Volume by platform",
        &period_name(o.period_days).to_lowercase(),
    );
    if rows.is_empty() {
        empty_note(c, x, y, "Nothing in this period.");
    } else {
        bar_rows(c, &rows, x + PAD, y + 46.0, w - 2.0 * PAD);
    }
    y + h
}

/// Topics customers talk about, with the ones getting worse called out; returns the bottom.
fn topics(c: &mut Canvas, o: &Overview, x: f64, y: f64, w: f64) -> f64 {
    let inner = w - 2.0 * PAD;
    let rising = (!o.rising.is_empty()).then(|| {
        let list = o
            .rising
            .iter()
            .take(3)
            .map(|r| {
                let aspect = fit(&r.aspect, 160.0, BODY.size, false);
                format!(
                    "{aspect} ({} negative)",
                    percent(Some(r.recent_negative_share))
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        wrap(
            &format!("Getting worse: {list}"),
            inner - 20.0,
            BODY.size,
            3,
        )
    });
    let rising_h = rising
        .as_ref()
        .map_or(0.0, |l| l.len() as f64 * 19.0 + 14.0 + 10.0);
    let rows: Vec<BarRow> = o
        .aspects
        .iter()
        .map(|a| BarRow {
            label: capitalise(&a.aspect),
            value: a.mentions,
            text: format!(
                "{} · {} neg.",
                count(a.mentions),
                percent(Some(a.negative_share))
            ),
            fill: if a.negative_share >= 0.4 {
                colour::BAD
            } else if a.negative_share >= 0.2 {
                colour::STAR
            } else {
                colour::BAR
            },
        })
        .collect();
    let h = if rows.is_empty() && rising.is_none() {
        96.0
    } else {
        48.0 + rising_h + bar_list_height(rows.len()) + PAD - 4.0
    };
    c.card(
        x,
        y,
        w,
        h,
        "What customers talk about",
        &period_name(o.period_days).to_lowercase(),
    );
    if rows.is_empty() && rising.is_none() {
        empty_note(c, x, y, "No topics in this period.");
        return y + h;
    }
    let mut ty = y + 48.0;
    if let Some(lines) = rising {
        let box_h = lines.len() as f64 * 19.0 + 14.0;
        c.rect(x + PAD, ty, inner, box_h, 8.0, colour::WAIT_BG);
        for (i, l) in lines.iter().enumerate() {
            let f = font(BODY.size, colour::WAIT_TEXT);
            c.text(x + PAD + 10.0, ty + 21.0 + i as f64 * 19.0, f, l);
        }
        ty += box_h + 10.0;
    }
    bar_rows(c, &rows, x + PAD, ty - 2.0, inner);
    y + h
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The business beside its competitors over the same period; returns the bottom.
fn competitors(
    c: &mut Canvas,
    o: &Overview,
    own_overall: Option<f64>,
    x: f64,
    y: f64,
    w: f64,
) -> f64 {
    const ROW: f64 = 32.0;
    let rows: Vec<(&str, &WindowFigures, Option<f64>, bool)> =
        std::iter::once((o.business.as_str(), &o.current, own_overall, true))
            .chain(o.competitors.iter().map(|k| {
                // The platform's own figure where one reports it: a competitor's few stored
                // reviews (Places shows five) say little about how customers see it.
                let overall = k.rating.or(k.all_time.average_rating);
                (k.business.as_str(), &k.current, overall, false)
            }))
            .collect();
    let h = 48.0 + ROW * (rows.len() + 1) as f64 + PAD - 8.0;
    c.card(
        x,
        y,
        w,
        h,
        "You and your competitors",
        &period_name(o.period_days).to_lowercase(),
    );
    let inner = w - 2.0 * PAD;
    let name_w = inner * 0.36;
    let columns = ["Rating", "Overall", "Reviews", "Positive", "Replies"];
    let col_w = (inner - name_w) / columns.len() as f64;
    let col_x = |i: usize| x + PAD + name_w + (i + 1) as f64 * col_w;
    let mut ry = y + 48.0;
    for (i, head) in columns.iter().enumerate() {
        c.text(col_x(i), ry + 20.0, NOTE.end(), head);
    }
    c.line(
        x + PAD,
        ry + ROW - 2.0,
        x + w - PAD,
        ry + ROW - 2.0,
        colour::BORDER,
        1.0,
    );
    ry += ROW;
    for (name, current, overall, own) in rows {
        if own {
            c.rect(
                x + PAD - 8.0,
                ry + 1.0,
                inner + 16.0,
                ROW - 4.0,
                6.0,
                colour::ACCENT_SOFT,
            );
        }
        let f = if own { BODY.bold() } else { BODY };
        c.text_fit(x + PAD, ry + 20.0, f, name, name_w - 10.0);
        let cells = [
            format!("{}★", rating(current.average_rating)),
            format!("{}★", rating(overall)),
            count(current.count),
            percent(current.positive_share),
            percent(current.response_rate),
        ];
        for (i, cell) in cells.iter().enumerate() {
            c.text(col_x(i), ry + 20.0, f.end(), cell);
        }
        ry += ROW;
    }
    y + h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::trends::RisingComplaint;
    use crate::insights::{AspectSummary, CompetitorFigures};
    use crate::store::PlatformCount;
    use std::collections::BTreeMap;

    fn figures(count: i64, rating: Option<f64>, positive: Option<f64>) -> WindowFigures {
        WindowFigures {
            count,
            average_rating: rating,
            negative_share: positive.map(|p| ((1.0 - p) / 2.0 * 1000.0).round() / 1000.0),
            positive_share: positive,
            response_rate: (count > 0).then_some(0.38),
        }
    }

    fn period(start: NaiveDate, rating: f64) -> Period {
        Period {
            period: start.to_string(),
            start,
            count: 10,
            rated: 8,
            average_rating: Some(rating),
            running_rating: Some(4.1),
            distribution: [1, 0, 1, 2, 4],
            negative_share: Some(0.2),
            neutral_share: Some(0.1),
            positive_share: Some(0.7),
            response_rate: Some(0.5),
            median_reply_hours: None,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn overview(name: &str) -> Overview {
        let start = day(2026, 9, 21);
        Overview {
            business: name.to_string(),
            business_id: 1,
            period_days: 30,
            from: day(2026, 10, 24),
            to: day(2026, 11, 22),
            current: figures(89, Some(2.7), Some(0.35)),
            previous: figures(57, Some(4.0), Some(0.7)),
            unanswered_negative: 15,
            unanswered_negative_previous: 2,
            granularity: Granularity::Week,
            series: (0..9)
                .map(|i| {
                    period(
                        start + chrono::Duration::weeks(i),
                        3.0 + (i % 3) as f64 * 0.5,
                    )
                })
                .collect(),
            platforms: vec![PlatformCount {
                platform: "google".into(),
                count: 41,
                average_rating: Some(2.6),
            }],
            aspects: vec![AspectSummary {
                aspect: "coffee".into(),
                mentions: 49,
                positive: 30,
                negative: 16,
                neutral: 3,
                negative_share: 0.33,
                average_sentiment: 0.1,
                owner_topic: false,
            }],
            rising: vec![RisingComplaint {
                aspect: "service".into(),
                recent_mentions: 9,
                recent_negative: 9,
                recent_negative_share: 1.0,
                previous_negative_share: 0.2,
                change: 0.8,
            }],
            competitors: vec![CompetitorFigures {
                business: "Rival Roasters".into(),
                business_id: 2,
                current: figures(40, Some(4.3), Some(0.8)),
                all_time: figures(900, Some(4.2), Some(0.75)),
                platform_figures: Vec::new(),
                rating: Some(4.2),
                rating_from: Some("reviews"),
                platform_review_count: None,
            }],
            platform_figures: Vec::new(),
            rating: Some(4.1),
            rating_from: Some("reviews"),
        }
    }

    fn google_says(rating: f64, count: i64) -> crate::insights::PlatformFigure {
        crate::insights::PlatformFigure {
            source_id: 7,
            platform: "google".into(),
            platform_label: "Google".into(),
            connector: "google-places".into(),
            platform_rating: Some(rating),
            platform_review_count: Some(count),
            platform_rating_at: "2026-11-22T08:00:00Z".into(),
            says: format!("Google says {rating:.1}★ from {count} reviews (read today)"),
        }
    }

    /// Issue 25: the report shows what the platform says beside the stored reviews' figures,
    /// and judges a competitor on the platform's figure where there is one.
    #[test]
    fn the_report_shows_the_platforms_own_figures_and_compares_on_them() {
        let mut o = overview("Harbour Lane Café");
        o.platform_figures = vec![google_says(4.4, 312)];
        o.rating = Some(4.4);
        o.rating_from = Some("platform");
        o.competitors[0].platform_figures = vec![google_says(3.6, 1288)];
        o.competitors[0].rating = Some(3.6);
        o.competitors[0].rating_from = Some("platform");
        let svg = dashboard_svg(&o, &stats("Harbour Lane Café"));
        assert!(
            svg.contains("Google says 4.4★ from 312 reviews (read today)"),
            "{svg}"
        );
        assert!(svg.contains(">3.6★<"), "competitor on Google's figure");
        assert!(svg.contains(">4.4★<"), "own row on Google's figure");
        assert!(!svg.contains(">4.2★<"), "not on the five stored reviews");
    }

    fn stats(name: &str) -> Stats {
        Stats {
            business: name.into(),
            count: 2045,
            average_rating: Some(4.1),
            distribution: BTreeMap::from([("5".to_string(), 1000), ("1".to_string(), 537)]),
            by_month: Vec::new(),
        }
    }

    #[test]
    fn the_svg_shows_every_headline_figure_with_its_change() {
        let svg = dashboard_svg(&overview("Harbour Lane Café"), &stats("Harbour Lane Café"));
        for expected in [
            "Harbour Lane Café",
            "Last 30 days · Oct 24 – Nov 22, 2026",
            "Overall 4.1★ from 1,537 rated · 2,045 reviews and posts in all",
            ">2.7<",
            "▼ −1.3 from 4.0",
            ">89<",
            "■ +32 from 57",
            ">35%<",
            "▼ −35 pts from 70%",
            ">38%<",
            "■ ±0 pts from 38%",
            ">15<",
            "▼ +13 from 2",
            "Rating trend",
            "Sentiment over time",
            "Google",
            "41 · 2.6★",
            "Coffee",
            "Getting worse: service (100% negative)",
            "Rival Roasters",
            "4.2★",
        ] {
            assert!(svg.contains(expected), "missing {expected:?} in the SVG");
        }
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#"width="1280""#));
    }

    /// Issue 27: the report carries the dashboard's outlook card, its words as the app says them.
    #[test]
    fn the_report_says_where_the_rating_is_heading_and_how_fast_replies_come() {
        let goal = outlook::Goal {
            platform: Some("google".into()),
            platform_label: Some("Google".into()),
            rating: Some(4.3),
            rating_from: "platform",
            rated: 100,
            target: Some(4.5),
            five_stars_needed: Some(12),
            projected_rating: Some(4.31),
            projected_by: day(2027, 2, 20),
            says:
                "12 five-star reviews to reach 4.5★ on Google; at this pace, 4.3★ by February 2027"
                    .into(),
        };
        let outlook = Outlook {
            heading: Some(Heading {
                goals: vec![goal],
                horizon_days: 90,
                median_reply_hours: Some(5.25),
                median_reply_hours_previous: Some(30.0),
                replied: 8,
            }),
            recovered: Some(3),
            rivals: Some(Rivals {
                months: vec!["2026-10".into(), "2026-11".into()],
                lines: vec![
                    outlook::RivalLine {
                        business: "Harbour Lane Café".into(),
                        business_id: 1,
                        own: true,
                        running_rating: vec![Some(4.2), Some(4.1)],
                        average_rating: vec![Some(4.2), Some(2.7)],
                        rated: vec![40, 41],
                    },
                    outlook::RivalLine {
                        business: "Bean & <Leaf>".into(),
                        business_id: 2,
                        own: false,
                        running_rating: vec![None, Some(4.4)],
                        average_rating: vec![None, Some(4.4)],
                        rated: vec![0, 3],
                    },
                ],
            }),
        };
        let name = "Harbour Lane Café";
        let svg = dashboard_svg_with(&overview(name), &stats(name), &outlook);
        for expected in [
            "Where you’re heading",
            "next 90 days",
            ">12 five-star reviews to reach",
            ">First reply after 5.3 hours",
            "3 reviews rated higher after your reply",
            "You and your competitors over time",
            "Harbour Lane Café (you)",
            "Bean &amp; &lt;Leaf&gt;",
        ] {
            assert!(svg.contains(expected), "missing {expected:?} in the SVG");
        }
        // Without an outlook the report is as before.
        assert!(!dashboard_svg(&overview(name), &stats(name)).contains("Where you’re heading"));
        assert_eq!(hours(0.5), "30 minutes");
        assert_eq!(hours(72.0), "3 days");
    }

    #[test]
    fn hostile_names_are_escaped_and_never_become_markup() {
        let hostile = "</text><script>alert(1)</script><image href=\"file:///etc/passwd\"/> & 'co'\u{0}\u{1b}";
        let mut o = overview(hostile);
        o.platforms[0].platform = "<b>x</b>".into();
        o.aspects[0].aspect = "a&b<c>\"".into();
        o.rising[0].aspect = "]]><evil/>".into();
        o.competitors[0].business = "<svg onload=alert(1)>".into();
        let svg = dashboard_svg(&o, &stats(hostile));
        for markup in [
            "<script",
            "<image",
            "<evil",
            "<b>",
            "<svg onload",
            "\u{0}",
            "\u{1b}",
        ] {
            assert!(!svg.contains(markup), "{markup:?} reached the SVG");
        }
        assert!(svg.contains("&lt;/text&gt;&lt;script&gt;"));
        assert!(svg.contains("&amp; &apos;co&apos;"));
        assert!(svg.contains("A&amp;b&lt;c&gt;&quot;"));
        // Still a well-formed document that renders.
        let png = svg_to_png(&svg).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }

    #[test]
    fn a_business_without_reviews_gets_a_calm_empty_dashboard() {
        let mut o = overview("New Shop");
        o.current = figures(0, None, None);
        o.previous = figures(0, None, None);
        o.unanswered_negative = 0;
        o.unanswered_negative_previous = 0;
        o.series.clear();
        o.platforms.clear();
        o.aspects.clear();
        o.rising.clear();
        o.competitors.clear();
        let all_time = Stats {
            count: 0,
            average_rating: None,
            distribution: BTreeMap::new(),
            ..stats("New Shop")
        };
        let svg = dashboard_svg(&o, &all_time);
        assert!(svg.contains("No ratings in this period."));
        assert!(svg.contains("Nothing in this period."));
        assert!(svg.contains("No topics in this period."));
        assert!(svg.contains("all answered"));
        assert!(!svg.contains("You and your competitors"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        // No change is claimed where there is nothing to compare.
        assert!(!svg.contains("pts from"));
        assert!(svg_to_png(&svg).is_ok());
    }

    #[test]
    fn long_names_are_cut_to_their_box() {
        let long =
            "The Extraordinarily Long-Named Harbour Lane Speciality Coffee House and Bakery Ltd";
        let cut = fit(long, 300.0, 28.0, true);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 28.0, true) <= 300.0);
        assert_eq!(fit("Short", 300.0, 28.0, true), "Short");
        let lines = wrap(&"word ".repeat(100), 200.0, 13.5, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
    }

    #[test]
    fn numbers_read_like_the_dashboard() {
        assert_eq!(count(2045), "2,045");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-45), "−45");
        assert_eq!(rating(None), "—");
        assert_eq!(percent(Some(0.349)), "35%");
        assert_eq!(signed(-1.3, "1.3"), "−1.3");
        assert_eq!(signed(0.0, "0"), "±0");
        assert_eq!(
            date_range(day(2025, 11, 23), day(2026, 11, 22)),
            "Nov 23, 2025 – Nov 22, 2026"
        );
    }

    /// Dark pixels: text and strokes on the light background.
    fn ink(png: &[u8]) -> usize {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf[..info.buffer_size()]
            .chunks(4)
            .filter(|px| px[3] > 0 && px[0] < 100 && px[1] < 100 && px[2] < 100)
            .count()
    }

    #[test]
    fn the_embedded_font_draws_text_where_the_system_has_none() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" font-family="'DejaVu Sans', sans-serif"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="28" font-size="20" fill="#000">Earshot 4.5★</text></svg>"##;
        let bare = Arc::new(fontdb::Database::new());
        assert_eq!(ink(&render_png(svg, bare).unwrap()), 0, "no font, no text");
        let mut db = fontdb::Database::new();
        add_embedded_fonts(&mut db);
        assert!(has_report_family(&db));
        assert!(ink(&render_png(svg, Arc::new(db)).unwrap()) > 100);
    }

    #[test]
    fn star_outlines_have_ten_points() {
        assert_eq!(star_points(10.0, 10.0, 8.0).split(' ').count(), 10);
    }
}
