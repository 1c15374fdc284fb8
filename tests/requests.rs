//! Review requests (issue 29, part 3) through the `earshot` binary: the QR code a standard
//! decoder reads back as the link (`zbarimg`, from zbar-tools, which `make setup` installs; the
//! printed card too, rendered by Ghostscript), and `requests send` against an SMTP server on
//! 127.0.0.1 (the small one in `channels.rs`): one message per eligible customer, none to the
//! opted-out or the recently asked, none on a second run; reviews those customers write
//! afterwards count as responses in `requests stats --json`.

use std::process::Command;

use chrono::{Duration, Utc};
use earshot::requests::Via;
use serde_json::{json, Value};

use crate::channels::smtp_server;
use crate::common::TestDb;

/// Google's write-a-review form of the place in the source's settings (`place_id`: a Places
/// source's target, the id Google's own example uses in its Place ID docs).
const PLACE_ID: &str = "ChIJN1t_tDeuEmsRUsoyG83frY4";
const GOOGLE_LINK: &str =
    "https://search.google.com/local/writereview?placeid=ChIJN1t_tDeuEmsRUsoyG83frY4";

/// A café with a Google Places source (no key needed to build its link) and a Yelp one.
fn cafe(db: &TestDb) {
    let store = db.store();
    let b = store.add_business("Joe's Café", false).unwrap().id;
    store
        .ensure_source(
            b,
            "google-places",
            "Joe's Café",
            &json!({ "place_id": PLACE_ID }),
        )
        .unwrap();
    store
        .ensure_source(
            b,
            "yelp",
            "Joe's Café",
            &json!({ "business_id": "joes-cafe-x1" }),
        )
        .unwrap();
}

/// What `zbarimg --raw` reads in an image.
fn decode(path: &std::path::Path) -> String {
    let out = Command::new("zbarimg")
        .arg("--raw")
        .arg("--quiet")
        .arg(path)
        .output()
        .expect("zbarimg runs (zbar-tools is installed by `make setup`)");
    assert!(
        out.status.success(),
        "zbarimg read nothing in {}",
        path.display()
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

#[test]
fn the_qr_code_and_the_printed_card_read_back_as_the_review_link() {
    let db = TestDb::new();
    cafe(&db);
    let links = db
        .earshot(&["requests", "link", "--business", "Joe's Café", "--json"])
        .ok()
        .json();
    let google = links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["platform"] == "google")
        .unwrap();
    assert_eq!(google["url"], GOOGLE_LINK, "{links}");
    assert_eq!(google["from"], "source");
    let yelp = links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["platform"] == "yelp");
    assert_eq!(yelp.unwrap()["rule"]["kind"], "forbidden", "{links}");

    let png = db.dir.path().join("qr.png");
    let svg = db.dir.path().join("qr.svg");
    let pdf = db.dir.path().join("card.pdf");
    db.earshot(&[
        "requests",
        "qr",
        "--business",
        "Joe's Café",
        "--platform",
        "google",
        "--png",
        png.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(decode(&png), GOOGLE_LINK);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    // The card as a printer would see it: Ghostscript renders the PDF at 150 dpi.
    let page = db.dir.path().join("card.png");
    let gs = Command::new("gs")
        .args([
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pnggray",
            "-r150",
        ])
        .arg(format!("-sOutputFile={}", page.display()))
        .arg(&pdf)
        .output()
        .expect("gs runs (ghostscript is installed by `make setup`)");
    assert!(
        gs.status.success(),
        "{}",
        String::from_utf8_lossy(&gs.stderr)
    );
    assert_eq!(decode(&page), GOOGLE_LINK);

    // A link set by hand wins, and is what the code then carries.
    let set = db
        .earshot(&[
            "requests",
            "link",
            "--business",
            "Joe's Café",
            "--platform",
            "google",
            "--url",
            "https://g.page/r/CabcDEF/review",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(set[0]["from"], "by_hand", "{set}");
    db.earshot(&[
        "requests",
        "qr",
        "--business",
        "Joe's Café",
        "--platform",
        "google",
        "--png",
        png.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(decode(&png), "https://g.page/r/CabcDEF/review");
    let bad = db
        .earshot(&[
            "requests",
            "link",
            "--business",
            "Joe's Café",
            "--platform",
            "google",
            "--url",
            "javascript:alert(1)",
        ])
        .fails();
    assert!(bad.stderr().contains("https://"), "{}", bad.stderr());
}

fn send(db: &TestDb, server: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "requests",
        "send",
        "--business",
        "Joe's Café",
        "--platform",
        "google",
        "--server",
        server,
        "--from",
        "joe@joescafe.example",
        "--json",
    ];
    args.extend_from_slice(extra);
    db.earshot(&args).ok().json()
}

/// The recipients of the messages the SMTP server received, in order.
fn recipients(messages: &[String]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn each_eligible_customer_gets_one_request_and_the_reviews_they_write_count_as_responses() {
    let db = TestDb::new();
    cafe(&db);
    let (port, smtp) = smtp_server();
    let server = format!("smtp://127.0.0.1:{port}");

    // Ed is on the first list and asked first.
    let first = db.file("first.csv", "name,email\nEd Olsen,ed@example.com\n");
    db.earshot(&[
        "requests",
        "customers",
        "import",
        first.to_str().unwrap(),
        "--business",
        "Joe's Café",
    ])
    .ok();
    let report = send(&db, &server, &[]);
    assert_eq!(report["sent"], 1, "{report}");

    // The full list: three to ask, Di opted out, Ed asked days ago (the same row again, with
    // his e-mail in another case: one customer, not two), Fay with a phone only.
    let list = db.file(
        "customers.csv",
        "name,email,phone,visited_at,opt_out\n\
         Ann Lee,ann@example.com,,2026-11-30,\n\
         Ben Cruz,ben@example.com,,2026-12-01,no\n\
         Cy Moreau,cy@example.com,,,\n\
         Di Park,di@example.com,,2026-12-02,yes\n\
         Ed Olsen,ED@example.com,,2026-12-03,\n\
         Fay Wu,,+1 555 010 0199,,\n",
    );
    let imported = db
        .earshot(&[
            "requests",
            "customers",
            "import",
            list.to_str().unwrap(),
            "--business",
            "Joe's Café",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(imported, json!({"added": 5, "updated": 1}));

    // A dry run says who and what, and sends nothing.
    let dry = send(&db, &server, &["--dry-run"]);
    assert_eq!(dry["eligible"], 3, "{dry}");
    assert_eq!(smtp.lock().unwrap().messages.len(), 1);
    let text = dry["messages"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Hello Ann,") && text.contains(GOOGLE_LINK),
        "{text}"
    );

    let report = send(&db, &server, &[]);
    assert_eq!(report["sent"], 3, "{report}");
    assert_eq!(
        report["skipped"],
        json!({"opted_out": 1, "recently_asked": 1, "no_address": 1}),
        "{report}"
    );
    let messages = smtp.lock().unwrap().messages.clone();
    assert_eq!(
        recipients(&messages),
        [
            "ed@example.com",
            "ann@example.com",
            "ben@example.com",
            "cy@example.com"
        ]
    );
    for m in &messages {
        assert!(m.contains("Content-Type: text/plain"), "{m}");
        assert!(!m.contains("{name}") && !m.contains("{link}"), "{m}");
    }

    // Again: nobody is asked twice within the period.
    let again = send(&db, &server, &[]);
    assert_eq!(
        (again["eligible"].clone(), again["sent"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(again["skipped"]["recently_asked"], 4, "{again}");
    assert_eq!(smtp.lock().unwrap().messages.len(), 4);

    // Reviews arrive: Ann under her full name, Ben as "Ben C.", Di (never asked) and a
    // stranger. Two responses; the other two are "the rest".
    let now = Utc::now() + Duration::seconds(2);
    let at = |mins: i64| (now + Duration::minutes(mins)).to_rfc3339();
    let reviews = db.file(
        "reviews.csv",
        &format!(
            "external_id,platform,author,rating,title,body,created_at,url\n\
             r1,google,Ann Lee,5,,Lovely flat white.,{},\n\
             r2,google,Ben C.,4,,Good cake.,{},\n\
             r3,google,Di Park,2,,Slow.,{},\n\
             r4,google,Zed Quinn,3,,Fine.,{},\n",
            at(1),
            at(2),
            at(3),
            at(4)
        ),
    );
    db.earshot(&[
        "import",
        reviews.to_str().unwrap(),
        "--business",
        "Joe's Café",
    ])
    .ok();
    let stats = db
        .earshot(&["requests", "stats", "--business", "Joe's Café", "--json"])
        .ok()
        .json();
    assert_eq!(stats["sent"], 4, "{stats}");
    assert_eq!(stats["responses"], 2, "{stats}");
    assert_eq!(stats["responses_rating"], 4.5, "{stats}");
    assert_eq!(stats["others"], 2, "{stats}");
    assert_eq!(stats["others_rating"], 2.5, "{stats}");
}

#[test]
fn a_request_recorded_before_a_crash_is_never_sent_again_and_yelp_gets_no_requests() {
    let db = TestDb::new();
    cafe(&db);
    let list = db.file(
        "customers.csv",
        "name,email\nAnn Lee,ann@example.com\nBen Cruz,ben@example.com\n",
    );
    db.earshot(&[
        "requests",
        "customers",
        "import",
        list.to_str().unwrap(),
        "--business",
        "Joe's Café",
    ])
    .ok();
    // A run recorded its request to Ann and was killed before the server answered.
    {
        let store = db.store();
        let ann = store.customers(1).unwrap()[0].id;
        let claimed = store
            .claim_request(
                1,
                ann,
                "google",
                Via::Email,
                GOOGLE_LINK,
                0,
                Utc::now().timestamp(),
            )
            .unwrap();
        assert!(claimed.is_some());
    }
    let (port, smtp) = smtp_server();
    let report = send(&db, &format!("smtp://127.0.0.1:{port}"), &[]);
    assert_eq!(report["sent"], 1, "{report}");
    assert_eq!(
        recipients(&smtp.lock().unwrap().messages),
        ["ben@example.com"]
    );
    let stats = db
        .earshot(&["requests", "stats", "--business", "Joe's Café", "--json"])
        .ok()
        .json();
    assert_eq!(
        (stats["sent"].clone(), stats["unconfirmed"].clone()),
        (json!(1), json!(1))
    );

    // Yelp's guidelines forbid asking: its link is shown, but nothing is sent.
    let yelp = db
        .earshot(&[
            "requests",
            "send",
            "--business",
            "Joe's Café",
            "--platform",
            "yelp",
            "--server",
            &format!("smtp://127.0.0.1:{port}"),
            "--from",
            "joe@joescafe.example",
        ])
        .fails();
    assert!(
        yelp.stderr().contains("Yelp's guidelines"),
        "{}",
        yelp.stderr()
    );
    assert_eq!(smtp.lock().unwrap().messages.len(), 1);
}

#[test]
fn a_customer_list_with_bad_rows_is_refused_by_line_and_nothing_is_imported() {
    let db = TestDb::new();
    cafe(&db);
    let list = db.file(
        "customers.csv",
        "name,email,phone,visited_at,opt_out\n\
         Ann Lee,ann@example.com,,,\n\
         Ben Cruz,not-an-address,,,\n\
         ,cy@example.com,,,\n",
    );
    let run = db
        .earshot(&[
            "requests",
            "customers",
            "import",
            list.to_str().unwrap(),
            "--business",
            "Joe's Café",
        ])
        .fails();
    let err = run.stderr();
    assert!(err.contains("line 3") && err.contains("line 4"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    let listed = db
        .earshot(&[
            "requests",
            "customers",
            "list",
            "--business",
            "Joe's Café",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(listed, json!([]));

    // Texts by hand: an sms: link per customer with a phone, recorded as asked.
    let phones = db.file("phones.csv", "name,phone\nFay Wu,+1 555 010 0199\n");
    db.earshot(&[
        "requests",
        "customers",
        "import",
        phones.to_str().unwrap(),
        "--business",
        "Joe's Café",
    ])
    .ok();
    let texts = db
        .earshot(&[
            "requests",
            "send",
            "--business",
            "Joe's Café",
            "--platform",
            "google",
            "--via",
            "sms",
            "--json",
        ])
        .ok()
        .json();
    let open = texts["messages"][0]["open"].as_str().unwrap();
    assert!(
        open.starts_with("sms:+15550100199?body=Hello%20Fay"),
        "{open}"
    );
    let again = db
        .earshot(&[
            "requests",
            "send",
            "--business",
            "Joe's Café",
            "--platform",
            "google",
            "--via",
            "sms",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(again["eligible"], 0, "{again}");
}
