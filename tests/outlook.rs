//! Issue 27, "show what the core already computes": the dashboard action carries the projection
//! and the median time to a first reply, the reviews a reply won back, the roll-up of the owner's
//! locations, the competitors month by month; the inbox lists removed reviews on request.

use crate::common::TestDb;

use chrono::{Duration as Days, NaiveDate, Utc};
use earshot::actions;
use earshot::model::{IncomingReview, Kind};
use earshot::store::{ReviewFilter, Store};

fn review(id: &str, rating: f64, days_ago: i64, body: &str) -> IncomingReview {
    IncomingReview {
        external_id: id.into(),
        platform: "trustpilot".into(),
        kind: Kind::Review,
        author: Some("Dana K.".into()),
        rating: Some(rating),
        title: None,
        body: body.into(),
        url: Some(format!("https://example.com/reviews/{id}")),
        language: None,
        created_at: Utc::now() - Days::days(days_ago),
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    }
}

/// Writes `items` to a Trustpilot source of `business` (created if need be); returns the source.
fn write(store: &mut Store, business: i64, items: &[IncomingReview]) -> i64 {
    let source = store
        .ensure_source(
            business,
            "trustpilot",
            "test",
            &serde_json::json!({ "business_unit_id": format!("bu-{business}") }),
        )
        .unwrap();
    store.write_reviews(source, items).unwrap();
    source
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

#[test]
fn the_dashboard_shows_where_the_rating_is_heading_and_how_fast_replies_come() {
    let db = TestDb::new();
    let mut store = db.store();
    let cafe = store.add_business("Joe's Café", false).unwrap();
    // Ten 4★ and ten 5★ reviews over the last two months: 4.5★ now, so the next step is 4.6★.
    let items: Vec<_> = (0..20)
        .map(|i| {
            review(
                &format!("r{i}"),
                if i % 2 == 0 { 4.0 } else { 5.0 },
                2 + i * 3,
                "Nice.",
            )
        })
        .collect();
    write(&mut store, cafe.id, &items);
    // Two answered a day after they were written: 24 hours to a first reply.
    for ext in ["r0", "r1"] {
        let id = store
            .list_reviews(&ReviewFilter::default())
            .unwrap()
            .into_iter()
            .find(|r| r.external_id == ext)
            .unwrap();
        let at = id.created_at.timestamp() + 24 * 3600;
        store.record_manual_reply(id.id, "Thank you!", at).unwrap();
    }

    let board = actions::dashboard(&store, None, Some(30), today()).unwrap();
    let heading = board
        .heading
        .expect("a heading for a business with ratings");
    // One platform: its named line alone, on the stored reviews.
    assert_eq!(heading.goals.len(), 1, "{:?}", heading.goals);
    let g = &heading.goals[0];
    assert_eq!(g.platform.as_deref(), Some("trustpilot"));
    assert_eq!(g.rating, Some(4.5));
    assert_eq!(g.target, Some(4.6));
    // (90 + 5k) / (20 + k) ≥ 4.6 ⇔ k ≥ 5.
    assert_eq!(g.five_stars_needed, Some(5));
    assert!(
        g.says
            .starts_with("5 five-star reviews to reach 4.6★ on Trustpilot; at this pace, 4.5★ by "),
        "{}",
        g.says
    );
    assert_eq!(heading.replied, 2);
    assert_eq!(heading.median_reply_hours, Some(24.0));
    assert_eq!(heading.median_reply_hours_previous, None);
    // One own business, no competitor: no roll-up, no rivals' chart.
    assert!(board.portfolio.is_none());
    assert!(board.rivals.is_none());
    assert_eq!(board.recovered.as_ref().unwrap().count, 0);
}

#[test]
fn a_review_re_rated_after_the_reply_shows_as_recovered_on_the_dashboard() {
    let db = TestDb::new();
    let mut store = db.store();
    let cafe = store.add_business("Joe's Café", false).unwrap();
    let source = write(
        &mut store,
        cafe.id,
        &[review("bad", 1.0, 3, "Cold coffee.")],
    );
    let id = store.list_reviews(&ReviewFilter::default()).unwrap()[0].id;
    store
        .record_manual_reply(id, "Sorry, come back on us.", Utc::now().timestamp() - 3600)
        .unwrap();
    let mut edited = review("bad", 4.0, 3, "They made it right.");
    edited.updated_at = Some(Utc::now());
    store.write_reviews(source, &[edited]).unwrap();

    let board = actions::dashboard(&store, None, Some(30), today()).unwrap();
    let r = board.recovered.unwrap();
    assert_eq!((r.count, r.stars_gained), (1, 3.0));
    assert_eq!(r.latest[0].review.id, id);
    assert_eq!((r.latest[0].before, r.latest[0].after), (1.0, 4.0));
    assert_eq!(r.latest[0].review.body, "They made it right.");
}

#[test]
fn two_own_locations_are_rolled_up_and_ranked_and_competitors_charted_by_month() {
    let db = TestDb::new();
    let mut store = db.store();
    let north = store.add_business("Joe's North", false).unwrap();
    let south = store.add_business("Joe's South", false).unwrap();
    let rival = store.add_business("Bean There", true).unwrap();
    write(
        &mut store,
        north.id,
        &[
            review("n1", 3.0, 2, "Fine."),
            review("n2", 4.0, 40, "Good."),
        ],
    );
    write(
        &mut store,
        south.id,
        &[
            review("s1", 5.0, 1, "Great."),
            review("s2", 1.0, 5, "Bad, no reply."),
        ],
    );
    write(&mut store, rival.id, &[review("b1", 4.0, 70, "Nice.")]);

    let board = actions::dashboard(&store, Some(north.id), Some(30), today()).unwrap();
    let p = board.portfolio.expect("two own businesses are rolled up");
    let names: Vec<_> = p
        .locations
        .iter()
        .map(|l| (l.rank, l.business.as_str()))
        .collect();
    // South 3.0★ (5 and 1), North 3.5★ (3 and 4): North first.
    assert_eq!(names, [(1, "Joe's North"), (2, "Joe's South")]);
    assert_eq!(p.combined.count, 3, "the period's items of both: {p:?}");
    assert_eq!(p.combined.average_rating, Some(3.0));
    assert_eq!(p.combined_all_time.count, 4);
    assert_eq!(p.combined_all_time.average_rating, Some(3.25));
    assert_eq!(p.unanswered_negative, 1);
    assert!(p.locations.iter().all(|l| !l.business.contains("Bean")));

    let rivals = board.rivals.expect("a competitor to chart");
    assert_eq!(rivals.months.len(), 12);
    assert_eq!(
        rivals.months.last().unwrap(),
        &today().format("%Y-%m").to_string()
    );
    assert_eq!(rivals.lines.len(), 2);
    assert!(rivals.lines[0].own && !rivals.lines[1].own);
    assert_eq!(rivals.lines[1].business, "Bean There");
    // The competitor's overall rating holds in the months after its one review.
    assert_eq!(rivals.lines[1].running_rating.last().unwrap(), &Some(4.0));
    assert_eq!(rivals.lines[0].running_rating.last().unwrap(), &Some(3.5));

    // A competitor's own dashboard has no rivals' chart and no recovered reviews.
    let theirs = actions::dashboard(&store, Some(rival.id), Some(30), today()).unwrap();
    assert!(theirs.rivals.is_none() && theirs.recovered.is_none());
}

#[test]
fn removed_reviews_are_kept_and_listed_by_the_removed_filter() {
    let db = TestDb::new();
    let mut store = db.store();
    let cafe = store.add_business("Joe's Café", false).unwrap();
    let source = write(
        &mut store,
        cafe.id,
        &[
            review("stay", 5.0, 2, "Lovely."),
            review("gone", 1.0, 3, "Awful."),
        ],
    );
    store
        .mark_removed_except(source, &["stay".to_string()])
        .unwrap();
    let ids = |f: ReviewFilter| -> Vec<String> {
        let mut v: Vec<_> = store
            .list_reviews(&f)
            .unwrap()
            .into_iter()
            .map(|r| r.external_id)
            .collect();
        v.sort();
        assert_eq!(store.count_reviews(&f).unwrap() as usize, v.len());
        v
    };
    assert_eq!(ids(ReviewFilter::default()), ["stay"]);
    let only = ids(ReviewFilter {
        removed: true,
        ..Default::default()
    });
    assert_eq!(only, ["gone"]);
    let all = ids(ReviewFilter {
        include_removed: true,
        ..Default::default()
    });
    assert_eq!(all, ["gone", "stay"]);
    let listed = store
        .list_reviews(&ReviewFilter {
            removed: true,
            business_id: Some(cafe.id),
            ..Default::default()
        })
        .unwrap();
    assert!(listed[0].removed, "marked as removed");
}
