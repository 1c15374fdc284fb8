//! Issue 29, parts 1 and 2: "What works for you" (which replies won unhappy customers back) and
//! follow-ups (asking a customer to update their review), through the action layer and the
//! `earshot replies` commands. The e-mail follow-up goes to the SMTP server of `channels.rs`,
//! started on 127.0.0.1 by the test.

use chrono::{DateTime, Duration, Utc};
use earshot::actions::win_back;
use earshot::insights::effect::Verdict;
use earshot::model::{IncomingReview, Kind, OwnerReply, SourceId};
use earshot::store::Store;

use crate::channels::smtp_server;
use crate::common::TestDb;

const CAFE: &str = "Joe's Café";

/// A reply that apologises and offers to talk offline (the coach finds both), and one that does
/// neither; each made a little different so neither reads as a copy of the other replies.
fn careful(i: usize) -> String {
    format!("I'm so sorry about visit number {i}. Please email me at jo@joes.example so I can put it right myself.")
}
fn curt(i: usize) -> String {
    format!("We were busy on day {i}.")
}

fn review(i: usize, stars: f64, at: DateTime<Utc>, reply: Option<String>) -> IncomingReview {
    IncomingReview {
        external_id: format!("r{i}"),
        platform: "google".into(),
        kind: Kind::Review,
        author: Some(format!("Customer {i}")),
        rating: Some(stars),
        title: None,
        body: format!("Cold coffee and a long wait, visit {i}."),
        url: Some(format!("https://maps.example.com/r{i}")),
        language: Some("en".into()),
        created_at: at,
        updated_at: None,
        owner_reply: reply.map(|body| OwnerReply {
            body,
            replied_at: Some(at + Duration::hours(5)),
        }),
        raw_json: None,
    }
}

fn cafe(store: &mut Store) -> (i64, SourceId) {
    let b = store.add_business(CAFE, false).unwrap().id;
    let s = store
        .ensure_source(b, "file", "test", &serde_json::json!({}))
        .unwrap();
    (b, s)
}

/// Unhappy reviews answered `careful` or `curt`, and the edits of those that `recovered`: each
/// edit is written after the reply (the store dates the earlier version now).
fn history(db: &TestDb, replies: &[(bool, bool)]) -> i64 {
    let mut store = db.store();
    let (business, source) = cafe(&mut store);
    let start = Utc::now() - Duration::days(400);
    let items: Vec<_> = replies
        .iter()
        .enumerate()
        .map(|(i, (good, _))| {
            let text = if *good { careful(i) } else { curt(i) };
            review(i, 1.0, start + Duration::days(i as i64 * 7), Some(text))
        })
        .collect();
    store.write_reviews(source, &items).unwrap();
    let edits: Vec<_> = items
        .iter()
        .zip(replies)
        .filter(|(_, (_, recovered))| *recovered)
        .map(|(it, _)| IncomingReview {
            rating: Some(4.0),
            body: format!("Update: they sorted it out. {}", it.body),
            ..it.clone()
        })
        .collect();
    store.write_reviews(source, &edits).unwrap();
    business
}

#[test]
fn apology_and_offer_replies_that_recover_more_often_show_as_what_works() {
    let db = TestDb::new();
    // 12 careful replies, 9 recovered; 12 curt ones, 1 recovered.
    let plan: Vec<(bool, bool)> = (0..24)
        .map(|i| {
            let good = i % 2 == 0;
            (good, if good { i % 8 != 0 } else { i == 1 })
        })
        .collect();
    let business = history(&db, &plan);
    let store = db.store();
    let e = win_back::replies_effect(&store, business, None).unwrap();
    assert_eq!(
        (e.unhappy, e.answered.replies, e.answered.recovered),
        (24, 24, 10)
    );
    assert_eq!(e.rating_rose, 10);
    let both = e
        .habits
        .iter()
        .find(|h| h.habit == "apology_and_offer")
        .unwrap();
    assert_eq!(
        (both.with.replies, both.with.recovered),
        (12, 9),
        "{both:?}"
    );
    assert_eq!((both.without.replies, both.without.recovered), (12, 1));
    assert_eq!(both.verdict, Verdict::MoreOften, "{}", both.says);
    assert!(both.p_value.unwrap() < 0.05);
    assert!(
        both.says.starts_with(
            "Replies with an apology and an offer to talk offline won customers back more often"
        ),
        "{}",
        both.says
    );
    assert!(e.says.contains("What works for you:"), "{}", e.says);
    // The evidence: the reviews behind each figure are ids of stored, recovered reviews.
    for id in &both.with.recovered_review_ids {
        assert_eq!(store.review(*id).unwrap().rating, Some(4.0));
    }

    // The CLI's JSON says the same.
    let j = db
        .earshot(&["replies", "effect", "--business", CAFE, "--json"])
        .ok()
        .json();
    let habit = j["habits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["habit"] == "apology_and_offer")
        .unwrap()
        .clone();
    assert_eq!(habit["verdict"], "more_often");
    assert_eq!(
        habit["with"]["recovered_review_ids"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
    // And its table for people.
    let text = db
        .earshot(&["replies", "effect", "--business", CAFE])
        .ok()
        .stdout();
    assert!(
        text.contains("an apology and an offer to talk offline"),
        "{text}"
    );
}

#[test]
fn with_too_few_replies_the_view_says_it_cannot_tell() {
    let db = TestDb::new();
    let business = history(&db, &[(true, true), (true, true), (false, false)]);
    let store = db.store();
    let e = win_back::replies_effect(&store, business, None).unwrap();
    assert_eq!(e.answered.recovered, 2);
    assert!(e.habits.iter().all(|h| h.verdict == Verdict::TooFew));
    assert!(e.says.contains("Too few replies yet to tell"), "{}", e.says);
    let apology = e.habits.iter().find(|h| h.habit == "apology").unwrap();
    assert!(
        apology.says.starts_with("Too few to tell for an apology"),
        "{}",
        apology.says
    );
    assert_eq!(apology.p_value, None);
}

#[test]
fn replies_effect_on_the_demo_gives_figures_and_the_reviews_behind_them() {
    let db = TestDb::new();
    db.earshot(&["demo", "--until", "2026-11-22"]).ok();
    let j = db
        .earshot(&[
            "replies",
            "effect",
            "--business",
            "Harbour Lane Café",
            "--json",
        ])
        .ok()
        .json();
    let answered = j["answered"]["replies"].as_u64().unwrap();
    let recovered = j["answered"]["recovered"].as_u64().unwrap();
    assert!(answered >= 50, "{answered} answered complaints");
    assert!(recovered >= 10, "only {recovered} recovered");
    assert!(j["rating_rose"].as_u64().unwrap() > 0 && j["came_back"].as_u64().unwrap() > 0);
    let ids = j["answered"]["recovered_review_ids"].as_array().unwrap();
    assert_eq!(ids.len() as u64, recovered);
    // Each recovery names its review, and a customer who came back names the later review.
    let store = db.store();
    for r in j["recoveries"].as_array().unwrap() {
        let id = r["review_id"].as_i64().unwrap();
        let rev = store.review(id).unwrap();
        if r["how"] == "came_back" {
            let later = store
                .review(r["later_review_id"].as_i64().unwrap())
                .unwrap();
            assert_eq!(later.author, rev.author);
            assert!(later.created_at > rev.created_at);
        }
    }
    // The demo's careful replies recover more often, and the figures show it.
    let both = j["habits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["habit"] == "apology_and_offer")
        .unwrap();
    assert_eq!(both["verdict"], "more_often", "{both}");
    // Loading the demo again plays no edit twice.
    let again = db
        .earshot(&["demo", "--until", "2026-11-22", "--json"])
        .ok()
        .json();
    assert_eq!(again["new"], 0);
    let j2 = db
        .earshot(&[
            "replies",
            "effect",
            "--business",
            "Harbour Lane Café",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(j2["answered"], j["answered"]);
}

/// One answered 1★ review; its id.
fn answered_complaint(db: &TestDb) -> (i64, SourceId, IncomingReview) {
    let mut store = db.store();
    let (_, source) = cafe(&mut store);
    let it = review(1, 1.0, Utc::now() - Duration::days(3), Some(careful(1)));
    store
        .write_reviews(source, std::slice::from_ref(&it))
        .unwrap();
    let id = store.review_by_external_id(source, "r1").unwrap().unwrap();
    (id, source, it)
}

#[test]
fn a_follow_up_by_email_goes_out_once_and_a_later_rating_change_shows_after_it() {
    let db = TestDb::new();
    let (id, source, it) = answered_complaint(&db);
    let (port, smtp) = smtp_server();
    let server = format!("smtp://127.0.0.1:{port}");
    db.earshot(&[
        "alerts",
        "channels",
        "add",
        "email",
        "--to",
        "owner@joes.example",
        "--server",
        &server,
        "--from",
        "jo@joes.example",
    ])
    .ok();
    let review = id.to_string();
    let ask = |extra: &[&str]| {
        let mut args = vec![
            "replies",
            "follow-up",
            review.as_str(),
            "--email",
            "customer1@example.com",
            "--json",
        ];
        args.extend_from_slice(extra);
        db.earshot(&args).ok().json()
    };
    // A dry run sends and records nothing.
    assert_eq!(ask(&["--dry-run"])["status"], "dry_run");
    assert_eq!(smtp.lock().unwrap().messages.len(), 0);
    let first = ask(&[]);
    assert_eq!(first["status"], "sent", "{first}");
    assert_eq!(first["follow_up"]["state"], "sent");
    // A rerun: nothing more.
    let second = ask(&[]);
    assert_eq!(second["status"], "already_asked", "{second}");
    {
        let log = smtp.lock().unwrap();
        assert_eq!(log.messages.len(), 1, "{:?}", log.commands);
        let m = &log.messages[0];
        assert!(m.contains("To: customer1@example.com"), "{m}");
        assert!(m.contains("From: jo@joes.example"), "{m}");
        assert!(m.contains("Content-Type: text/plain"), "{m}");
        assert!(m.contains("would you consider updating your"), "{m}");
    }
    let listed = db.earshot(&["replies", "follow-ups", "--json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        listed[0]["says"]
            .as_str()
            .unwrap()
            .contains("no change to the review since"),
        "{listed}"
    );

    // The customer raises the rating: it shows as updated after the follow-up.
    let mut store = db.store();
    let edited = IncomingReview {
        rating: Some(4.0),
        body: "Update: Jo called me and sorted it out.".into(),
        ..it
    };
    store.write_reviews(source, &[edited]).unwrap();
    drop(store);
    let listed = db.earshot(&["replies", "follow-ups", "--json"]).ok().json();
    let says = listed[0]["says"].as_str().unwrap();
    assert!(
        says.starts_with("Updated after your follow-up: 1★ → 4★"),
        "{says}"
    );
    assert_eq!(listed[0]["changed_after"]["after"], 4.0);

    // Asking again is the owner's explicit choice: one more message, no more.
    assert_eq!(ask(&["--again"])["status"], "sent");
    assert_eq!(smtp.lock().unwrap().messages.len(), 2);
}

#[test]
fn a_follow_up_by_hand_is_remembered_with_a_mailto_link_and_an_unanswered_review_is_refused() {
    let db = TestDb::new();
    let (id, source, _) = answered_complaint(&db);
    let review = id.to_string();
    let out = db
        .earshot(&["replies", "follow-up", &review, "--json"])
        .ok()
        .json();
    assert_eq!(out["status"], "prepared");
    assert_eq!(out["follow_up"]["method"], "by_hand");
    assert!(out["mailto"]
        .as_str()
        .unwrap()
        .starts_with("mailto:?subject=About%20your%20review%20of%20Joe"));
    let again = db
        .earshot(&["replies", "follow-up", &review, "--json"])
        .ok()
        .json();
    assert_eq!(again["status"], "already_asked");

    // No reply yet: refused, nothing remembered.
    let mut store = db.store();
    store.write_reviews(source, &[review_unanswered()]).unwrap();
    let other = store.review_by_external_id(source, "r9").unwrap().unwrap();
    drop(store);
    let err = db
        .earshot(&["replies", "follow-up", &other.to_string()])
        .fails()
        .stderr();
    assert!(err.contains("has no reply yet"), "{err}");
    // A bad address: a clear error.
    let err = db
        .earshot(&[
            "replies",
            "follow-up",
            &review,
            "--email",
            "not an address",
            "--again",
        ])
        .fails()
        .stderr();
    assert!(err.contains("is not valid"), "{err}");
    assert_eq!(db.store().follow_ups_of_review(other).unwrap().len(), 0);
}

fn review_unanswered() -> IncomingReview {
    review(9, 2.0, Utc::now() - Duration::days(1), None)
}
