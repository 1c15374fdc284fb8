//! `earshot report`: the dashboard of the demo café as a PNG, decoded and checked (issue 7).

use crate::common;

use common::TestDb;

struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

fn decode(path: &std::path::Path) -> Image {
    let file = std::fs::File::open(path).expect("the PNG was written");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a frame size")];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    assert_eq!(info.color_type, png::ColorType::Rgba, "{info:?}");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgba: buf,
    }
}

impl Image {
    fn pixels(&self) -> impl Iterator<Item = &[u8]> {
        self.rgba.chunks_exact(4)
    }
    /// Pixels near a colour (each channel within `tolerance`).
    fn near(&self, rgb: [u8; 3], tolerance: u8) -> usize {
        self.pixels()
            .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= tolerance))
            .count()
    }
    fn colours(&self) -> usize {
        let mut seen: Vec<[u8; 3]> = self.pixels().map(|p| [p[0], p[1], p[2]]).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

fn demo_db() -> TestDb {
    let db = TestDb::new();
    db.earshot(&["demo", "--until", "2026-11-22"]).ok();
    db
}

#[test]
fn report_writes_the_demo_dashboard_as_a_1280_px_png_that_is_not_blank() {
    let db = demo_db();
    let out = db.dir.path().join("dashboard.png");
    let run = db
        .earshot(&[
            "report",
            "--business",
            "Harbour Lane Café",
            "--period",
            "30",
            "--today",
            "2026-11-22",
            "--png",
            out.to_str().unwrap(),
        ])
        .ok();
    assert!(run.stdout().contains("dashboard.png"), "{}", run.stdout());
    let img = decode(&out);
    assert_eq!(img.width, 1280);
    assert!(
        (800..=2400).contains(&img.height),
        "a dashboard's height: {}",
        img.height
    );
    // Fully opaque: the background is painted, nothing is transparent.
    assert!(img.pixels().all(|p| p[3] == 255));
    let total = (img.width * img.height) as usize;
    // Text and axes (dark ink), the teal of the rating line and platform bars, the amber of the
    // stars and the red of the negative share: a dashboard, not a blank page.
    let ink = img.near([0x1d, 0x25, 0x29], 40);
    let teal = img.near([0x17, 0x76, 0x6f], 24);
    let amber = img.near([0xe3, 0xa0, 0x08], 24);
    let red = img.near([0xb5, 0x4a, 0x1d], 24);
    assert!(ink > total / 400, "text pixels: {ink} of {total}");
    assert!(teal > 1_000, "teal pixels: {teal}");
    assert!(amber > 100, "amber pixels: {amber}");
    assert!(red > 1_000, "red pixels: {red}");
    // The page background shows only between the cards.
    let background = img.near([0xf5, 0xf3, 0xee], 1);
    assert!(
        background < total / 2,
        "mostly empty: {background} of {total}"
    );
    // Anti-aliased text and charts give many shades; a blank or flat picture has a handful.
    assert!(img.colours() > 200, "{} colours", img.colours());
}

#[test]
fn the_same_figures_give_the_same_picture_and_the_svg_holds_them_as_text() {
    let db = demo_db();
    let dir = db.dir.path();
    let (a, b, svg) = (dir.join("a.png"), dir.join("b.png"), dir.join("d.svg"));
    let args = |png: &std::path::Path| {
        vec![
            "report".to_string(),
            "--business".into(),
            "Harbour Lane Café".into(),
            "--period".into(),
            "90".into(),
            "--today".into(),
            "2026-11-22".into(),
            "--png".into(),
            png.to_str().unwrap().into(),
        ]
    };
    let mut first = args(&a);
    first.extend(["--svg".into(), svg.to_str().unwrap().into()]);
    db.earshot(&first.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
    db.earshot(&args(&b).iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
    let (one, two) = (decode(&a), decode(&b));
    assert_eq!((one.width, one.height), (two.width, two.height));
    assert!(
        one.rgba == two.rgba,
        "two renders of the same figures differ"
    );

    let text = std::fs::read_to_string(&svg).unwrap();
    for expected in [
        "Harbour Lane Café",
        "Last 90 days · Aug 25 – Nov 22, 2026",
        "Rating trend",
        "Volume by platform",
        "What customers talk about",
        "You and your competitors",
        "The Daily Grind",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn report_needs_an_output_and_a_known_period_and_business() {
    let db = demo_db();
    let png = db.dir.path().join("x.png");
    let png = png.to_str().unwrap();
    let none = db
        .earshot(&["report", "--business", "Harbour Lane Café"])
        .fails();
    assert!(none.stderr().contains("--png"), "{}", none.stderr());
    let bad_period = db
        .earshot(&[
            "report",
            "--business",
            "Harbour Lane Café",
            "--period",
            "14",
            "--png",
            png,
        ])
        .fails();
    assert!(bad_period.stderr().contains("7, 30, 90 or 365"));
    let unknown = db
        .earshot(&["report", "--business", "Nobody's Bar", "--png", png])
        .fails();
    assert!(unknown.stdout().is_empty());
    assert!(!std::path::Path::new(png).exists());
}
