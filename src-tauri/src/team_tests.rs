//! The shell on a team database (issue 31): the app's state opened on a throwaway PostgreSQL
//! database (`cluster::fresh_database`) gives the commands' answers that the same reviews give
//! on a file, and a command still built on the file only says so plainly.
//!
//! Each check runs what the command runs (`with_db` and the command's one core call): a Tauri
//! `State` cannot be made without a running app.

use std::path::PathBuf;

use earshot::actions;
use earshot::import::ImportOptions;
use earshot::model::alerts::AlertFilter;
use earshot::store::postgres::cluster;
use earshot::store::{AlertStore, Db, DbLocation, RequestStore, ReviewFilter};
use serde_json::{json, Value};

use crate::state::{with_db, with_store, AppState, TeamDatabase};

const CSV: &str = "external_id,platform,author,rating,title,body,created_at,url
g1,google,Ana,5,,Great coffee and friendly staff,2026-11-02T09:00:00Z,
g2,google,Ben,1,,The coffee was cold and the service slow,2026-11-03T10:00:00Z,
y1,yelp,Cy,3,,Fine croissants but we waited,2026-11-04T11:00:00Z,
y2,yelp,Di,2,,Rude waiter and a long wait,2026-11-05T12:00:00Z,
";

/// A folder of its own under the system's temporary folder, removed at the end.
struct Folder(PathBuf);

impl Folder {
    fn new(label: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!(
            "earshot-shell-{label}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn import(location: &DbLocation, csv: &std::path::Path) {
    let mut db = Db::open(location).unwrap();
    let opts = ImportOptions {
        business: "Harbour Café".into(),
        ..Default::default()
    };
    actions::import_into(&mut db, &[csv.to_path_buf()], &opts, None, &mut |_, _| {}).unwrap();
}

/// What the inbox, its filters, the alerts and the review sites show, as the commands give it.
fn answers(state: &AppState) -> Value {
    tauri::async_runtime::block_on(async {
        let newest_first = ReviewFilter::default();
        let reviews = with_db(state, move |db| Ok(db.list_reviews(&newest_first)?))
            .await
            .unwrap();
        let one_star = ReviewFilter {
            max_rating: Some(2.0),
            ..Default::default()
        };
        let low = with_db(state, move |db| Ok(db.count_reviews(&one_star)?))
            .await
            .unwrap();
        let facets = with_db(state, |db| Ok(actions::inbox_facets(db)?))
            .await
            .unwrap();
        let first = reviews[0].id;
        with_db(state, move |db| Ok(db.mark_read(first)?))
            .await
            .unwrap();
        let after_read = with_db(state, |db| Ok(db.list_reviews(&ReviewFilter::default())?))
            .await
            .unwrap();
        let alerts = with_db(state, |db| {
            Ok(actions::alerts_with_reviews(db, &AlertFilter::default())?)
        })
        .await
        .unwrap();
        let unread = with_db(state, |db| Ok(db.unread_alert_count()?))
            .await
            .unwrap();
        let sites = with_db(state, |db| Ok(db.sources()?)).await.unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let dashboard = with_db(state, move |db| {
            Ok(actions::dashboard(db, None, Some(30), today)?)
        })
        .await
        .unwrap();
        let dashboard = serde_json::to_value(&dashboard).unwrap();
        // The Review screen: the composer, a draft saved, then a reply posted by hand.
        let review = reviews.iter().find(|r| r.external_id == "y2").unwrap().id;
        let composer = with_db(state, move |db| {
            Ok(actions::team_composer::composer_of(db, review)?)
        })
        .await
        .unwrap();
        let composer = serde_json::to_value(&composer).unwrap();
        let (draft, warnings, replied) = with_db(state, move |db| {
            let draft = earshot::replies::save_draft(db, review, "Sorry about the wait, Di.")?;
            let warnings =
                earshot::replies::check_draft_from(db, review, "Sorry about the wait, Di.", None)?;
            let replied = earshot::replies::mark_replied(db, review, None)?;
            Ok((draft, warnings, replied))
        })
        .await
        .unwrap();
        let revisions = with_db(state, move |db| Ok(db.revisions(review)?))
            .await
            .unwrap();
        // Settings' cards: a profile, a template, a rule, as their commands save and read them.
        let settings = with_db(state, |db| {
            let business = db.businesses()?[0].id;
            let profile = earshot::replies::ReplyProfile {
                owner_name: Some("Maja".into()),
                ..Default::default()
            };
            earshot::replies::set_profile(db, business, &profile)?;
            earshot::replies::save_template(
                db,
                &earshot::model::replies::ReplyTemplate {
                    id: 0,
                    name: "Sorry".into(),
                    min_rating: Some(1),
                    max_rating: Some(2),
                    aspect: None,
                    body: "Sorry, {first_name}. {sign_off}".into(),
                },
            )?;
            earshot::alerts::set_rule(db, "new_negative", Some(false), &[])
                .map_err(crate::error::UiError::from)?;
            Ok(json!({
                "profile": serde_json::to_value(earshot::replies::profile(db, business)?).unwrap(),
                "templates": earshot::replies::list_templates(db)?.iter().map(|t| json!([t.name, t.body])).collect::<Vec<_>>(),
                "rules": serde_json::to_value(earshot::alerts::load_rules(db).map_err(crate::error::UiError::from)?.0).unwrap(),
            }))
        })
        .await
        .unwrap();
        // Every part of the dashboard but where the database is.
        let shared = [
            "empty",
            "businesses",
            "business",
            "stats",
            "overview",
            "alerts",
            "owner_topics",
            "heading",
            "recovered",
            "portfolio",
            "rivals",
        ]
        .map(|k| dashboard[k].clone());
        json!({
            "reviews": reviews.iter().map(|r| json!([r.external_id, r.platform, r.rating, r.body, r.created_at])).collect::<Vec<_>>(),
            "one_and_two_stars": low,
            "facets": serde_json::to_value(&facets).unwrap(),
            "unread_after_mark": after_read.iter().map(|r| r.unread).collect::<Vec<_>>(),
            "alerts": alerts.len(),
            "unread_alerts": unread,
            "sites": sites.iter().map(|s| json!([s.connector, s.label])).collect::<Vec<_>>(),
            "dashboard": shared,
            "composer": composer,
            "draft": draft.map(|d| json!([d.body, serde_json::to_value(d.state).unwrap()])),
            "warnings": serde_json::to_value(&warnings).unwrap(),
            "replied": json!([replied.body, serde_json::to_value(replied.state).unwrap()]),
            "revisions": revisions.len(),
            "settings": settings,
            "dashboard_latest": dashboard["latest"].as_array().unwrap().iter()
                .map(|r| r["external_id"].clone()).collect::<Vec<_>>(),
        })
    })
}

#[test]
fn the_app_on_a_team_database_answers_as_on_a_file() {
    let folder = Folder::new("team");
    let csv = folder.0.join("reviews.csv");
    std::fs::write(&csv, CSV).unwrap();

    let file = folder.0.join("earshot.db");
    import(&DbLocation::File(file.clone()), &csv);
    let on_file = AppState::new(file);

    let url = cluster::fresh_database("shell_team");
    import(&DbLocation::Postgres(url.clone()), &csv);
    let on_team = AppState::on_team_database(
        folder.0.join("seat.db"),
        TeamDatabase {
            url,
            from_start: false,
        },
    );
    assert!(matches!(on_team.location(), DbLocation::Postgres(_)));

    // Each command opens its database: a file's `Store`, or a connection to the team's server.
    let started = std::time::Instant::now();
    let file_answers = answers(&on_file);
    let on_file_took = started.elapsed();
    assert_eq!(file_answers["reviews"].as_array().unwrap().len(), 4);
    assert_eq!(file_answers["one_and_two_stars"], 2);
    let started = std::time::Instant::now();
    assert_eq!(answers(&on_team), file_answers);
    // The same commands, each opening its database (debug build, shared machine).
    eprintln!(
        "the commands: {on_file_took:?} on a file, {:?} on the team database",
        started.elapsed()
    );

    // A command whose action is built on the file only says so, in words, and opens nothing.
    let refused =
        tauri::async_runtime::block_on(with_store(&on_team, |store| Ok(store.businesses()?.len())))
            .unwrap_err();
    assert_eq!(refused.code, "not_on_team_database");
    assert!(
        refused.message.contains("Settings → Team database"),
        "{}",
        refused.message
    );
    assert!(
        !folder.0.join("seat.db").exists(),
        "the seat's file was not opened for it"
    );

    // Back to this computer's database: the file again.
    on_team.use_team_database(None);
    assert!(matches!(on_team.location(), DbLocation::File(_)));
}
