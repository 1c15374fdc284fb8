//! Scores again the reviews the models now read differently (issue 27):
//! - migration `0019_rescore_other_languages`: the reviews stored unscored. Before the Spanish,
//!   French, German, Italian and Portuguese models, a review in those languages was kept with no
//!   sentiment, so it never counted in the sentiment charts and a negative mention in them never
//!   raised an alert;
//! - migration `0022_rescore_by_language_again`: the reviews in those languages (their models
//!   now read a word's other forms) and the ones stored neutral with no language (a short text in
//!   those languages was, before the models could place it).
//!
//! Each runs once per database, inside the upgrade's transaction (so a crash leaves the old
//! version and it runs again next time). Each review is analysed exactly as a sync would analyse
//! it now (`analysis::analyse` with its
//! business's category and the owner's topics), and its row gets the score, the label, the
//! language when none was stored, and the aspects. Only the columns change: the rollup
//! triggers on `sentiment_label` and `aspects` move the day figures, so the charts and the
//! alert counts match a database that imported the same reviews today. A review the models
//! still cannot score (another language, no text) is left as it was.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::topics;
use super::Result;
use crate::analysis::review as analysis;
use crate::analysis::topics::TopicMatcher;
use crate::model::{BusinessId, IncomingReview, Kind, ReviewId};

/// One stored review to score, as much of it as the analysis reads.
struct Stored {
    id: ReviewId,
    business_id: BusinessId,
    category: Option<String>,
    kind: String,
    rating: Option<f64>,
    title: Option<String>,
    body: String,
    language: Option<String>,
}

/// Unscored reviews read at a time: a database of a million reviews in a language no model
/// scores is walked without holding all their text at once.
const BLOCK: i64 = 10_000;

/// Which stored reviews a re-score reads again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(in crate::store) enum Which {
    /// Those with no sentiment (migration 0019).
    Unscored,
    /// Those in the languages whose models changed, and the ones stored neutral with no
    /// language, which a short text in those languages used to be (migration 0022).
    ByLanguageAgain,
    /// Both: a database upgraded past both migrations at once is read once, not twice (each
    /// pass reads a review as a sync does today, so one pass over both sets is the same).
    Both,
}

impl Which {
    /// This re-score and `other`, as one pass.
    pub(in crate::store) fn and(self, other: Option<Which>) -> Which {
        match other {
            None => self,
            Some(o) if o == self => self,
            Some(_) => Which::Both,
        }
    }

    fn select(self) -> String {
        const UNSCORED: &str = "r.sentiment IS NULL";
        const BY_LANGUAGE_AGAIN: &str = "r.language IN ('es', 'fr', 'de', 'it', 'pt')
                        OR (r.language IS NULL AND r.sentiment = 0)";
        let which = match self {
            Which::Unscored => UNSCORED.to_owned(),
            Which::ByLanguageAgain => BY_LANGUAGE_AGAIN.to_owned(),
            Which::Both => format!("{UNSCORED} OR {BY_LANGUAGE_AGAIN}"),
        };
        format!(
            "SELECT r.id, r.business_id, b.category, r.kind, r.rating, r.title, r.body, r.language
             FROM reviews r JOIN businesses b ON b.id = r.business_id
             WHERE ({which}) AND r.id > ?1 ORDER BY r.id LIMIT ?2"
        )
    }
}

/// Scores again the stored reviews `which` names that the models can score now; how many were
/// scored. A review whose score comes out the same is written the same.
pub(in crate::store) fn rescore(tx: &Connection, which: Which) -> Result<u64> {
    rescore_in_blocks(tx, which, BLOCK)
}

fn rescore_in_blocks(tx: &Connection, which: Which, block_size: i64) -> Result<u64> {
    let mut select = tx.prepare(&which.select())?;
    let mut update = tx.prepare(
        "UPDATE reviews SET sentiment = ?2, sentiment_label = ?3,
         language = coalesce(language, ?4), aspects = ?5 WHERE id = ?1",
    )?;
    // A business's topics are read once, not once a review.
    let mut matchers: HashMap<BusinessId, Option<TopicMatcher>> = HashMap::new();
    let mut scored = 0;
    let mut after: ReviewId = 0;
    loop {
        let block: Vec<Stored> = select
            .query_map(params![after, block_size], |r| {
                Ok(Stored {
                    id: r.get(0)?,
                    business_id: r.get(1)?,
                    category: r.get(2)?,
                    kind: r.get(3)?,
                    rating: r.get(4)?,
                    title: r.get(5)?,
                    body: r.get(6)?,
                    language: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = block.last() else {
            return Ok(scored);
        };
        after = last.id;
        for row in &block {
            scored += rescore_one(tx, &mut update, &mut matchers, row)?;
        }
    }
}

/// Scores one unscored review when a model can; 1 when it did.
fn rescore_one(
    tx: &Connection,
    update: &mut rusqlite::Statement<'_>,
    matchers: &mut HashMap<BusinessId, Option<TopicMatcher>>,
    row: &Stored,
) -> Result<u64> {
    let item = row.as_incoming();
    let mut analysed = analysis::analyse(&item, row.category.as_deref());
    let Some(score) = analysed.sentiment.score else {
        return Ok(0);
    };
    let matcher = match matchers.get(&row.business_id) {
        Some(m) => m,
        None => {
            let m = topics::matcher_of(tx, row.business_id)?;
            matchers.entry(row.business_id).or_insert(m)
        }
    };
    if let Some(matcher) = matcher {
        analysed.add_owner_topics(&item, matcher);
    }
    update.execute(params![
        row.id,
        score,
        analysed.sentiment.label,
        analysed.sentiment.language,
        analysed.aspects_json,
    ])?;
    Ok(1)
}

impl Stored {
    /// The review as a connector would hand it over again: what the analysis reads (title,
    /// body, kind, rating, the language the row names) is the row's, the rest is not read.
    fn as_incoming(&self) -> IncomingReview {
        IncomingReview {
            external_id: String::new(),
            platform: String::new(),
            kind: if self.kind == "mention" {
                Kind::Mention
            } else {
                Kind::Review
            },
            author: None,
            rating: self.rating,
            title: self.title.clone(),
            body: self.body.clone(),
            url: None,
            language: self.language.clone(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::model::{IncomingReview, Kind};
    use crate::store::Store;

    fn item(id: &str, kind: Kind, rating: Option<f64>, body: &str) -> IncomingReview {
        IncomingReview {
            external_id: id.into(),
            platform: "google".into(),
            kind,
            author: None,
            rating,
            title: None,
            body: body.into(),
            url: None,
            language: None,
            created_at: chrono::DateTime::from_timestamp(1_714_550_000, 0).unwrap_or_default(),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        }
    }

    /// A café's reviews in six languages, written as a sync writes them today.
    fn database_with_reviews(path: &std::path::Path) {
        let mut store = Store::open(path).unwrap();
        let cafe = store.add_business("Joe's Café", false).unwrap();
        store.set_business_category(cafe.id, Some("cafe")).unwrap();
        let source = store
            .ensure_source(cafe.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        let items = [
            item(
                "en",
                Kind::Review,
                Some(5.0),
                "Great coffee and very friendly staff.",
            ),
            item(
                "es",
                Kind::Review,
                Some(1.0),
                "El café estaba frío y el camarero fue muy grosero. Una experiencia horrible.",
            ),
            item(
                "fr",
                Kind::Mention,
                None,
                "Le service était très lent et le café était vraiment mauvais, je suis très déçu.",
            ),
            item(
                "de",
                Kind::Review,
                Some(5.0),
                "Der Kaffee war ausgezeichnet und das Personal sehr freundlich.",
            ),
            item(
                "nl",
                Kind::Review,
                Some(4.0),
                "Het eten was heerlijk en het personeel erg vriendelijk.",
            ),
        ];
        store.write_reviews(source, &items).unwrap();
    }

    /// What the app reads of the reviews' analysis: the rows and the day figures.
    fn analysis_figures(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        for sql in [
            "SELECT external_id, sentiment, sentiment_label, language, aspects FROM reviews ORDER BY id",
            "SELECT * FROM review_daily ORDER BY 1, 2, 3, 4",
            "SELECT * FROM aspect_daily ORDER BY 1, 2, 3",
        ] {
            let mut stmt = conn.prepare(sql).unwrap();
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let values: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect();
                    Ok(values.join(" | "))
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out
    }

    /// A database of version 18 holds its Spanish, French and German reviews unscored, as the
    /// versions before those models stored them. Opening it scores them: its rows and its day
    /// figures (sentiment counts, unanswered negative mentions, aspects) become exactly those
    /// of a database that synced the same reviews today.
    #[test]
    fn opening_an_older_database_scores_its_reviews_in_the_new_languages() {
        let dir = tempfile::tempdir().unwrap();
        let today = dir.path().join("today.db");
        let older = dir.path().join("older.db");
        database_with_reviews(&today);
        database_with_reviews(&older);
        let want = analysis_figures(&Store::open(&today).unwrap().conn);
        assert!(
            want.iter().any(|r| r.starts_with("Text(\"es\") | Real(-")),
            "{want:#?}"
        );
        assert!(
            want.iter().any(|r| r.starts_with("Text(\"fr\") | Real(-")),
            "{want:#?}"
        );
        assert!(
            want.iter()
                .any(|r| r.starts_with("Text(\"nl\") | Null | Null")),
            "{want:#?}"
        );

        {
            let conn = Connection::open(&older).unwrap();
            // As before the models: unscored, no aspects, no language. The update triggers
            // take their labels and aspects out of the day figures, as they were then.
            let unscored = conn
                .execute(
                    "UPDATE reviews SET sentiment = NULL, sentiment_label = NULL, aspects = NULL,
                     language = NULL WHERE external_id IN ('es', 'fr', 'de')",
                    [],
                )
                .unwrap();
            assert_eq!(unscored, 3);
            // As schema 18 left it: without the later migrations' changes (0020's index,
            // 0021's index and column).
            conn.execute_batch(
                "DROP INDEX reviews_by_high_search_key;
                 DROP INDEX reviews_by_assignee;
                 ALTER TABLE reviews DROP COLUMN assigned_to;",
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 18).unwrap();
            assert_ne!(analysis_figures(&conn), want);
        }

        let store = Store::open(&older).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            super::super::SCHEMA_VERSION
        );
        assert_eq!(analysis_figures(&store.conn), want);
        let negative_mentions: i64 = store
            .conn
            .query_row(
                "SELECT sum(unanswered_negative) FROM review_daily",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(negative_mentions, 2, "the 1★ review and the French mention");
        drop(store);

        // Opened again, nothing more happens.
        let store = Store::open(&older).unwrap();
        assert_eq!(analysis_figures(&store.conn), want);
    }

    /// A database of version 21 holds a short complaint in Spanish as neutral with no language,
    /// and a Spanish review read without a word's other forms ("mala", "fría") as neutral, as
    /// the models before 0022 scored them. Opening it scores them as a sync does today, with the
    /// day figures to match.
    #[test]
    fn opening_a_version_21_database_reads_its_reviews_in_other_languages_again() {
        let dir = tempfile::tempdir().unwrap();
        let today = dir.path().join("today.db");
        let older = dir.path().join("older.db");
        for path in [&today, &older] {
            database_with_reviews(path);
            let mut store = Store::open(path).unwrap();
            let cafe = store.business_by_name("Joe's Café").unwrap();
            let source = store
                .ensure_source(cafe.id, "file", "import", &serde_json::json!({}))
                .unwrap();
            let items = [
                item("short-es", Kind::Mention, None, "Pésimo servicio"),
                item(
                    "es-forms",
                    Kind::Review,
                    Some(2.0),
                    "La sopa estaba fría y la carne mala.",
                ),
            ];
            store.write_reviews(source, &items).unwrap();
        }
        let want = analysis_figures(&Store::open(&today).unwrap().conn);
        for id in ["short-es", "es-forms"] {
            assert!(
                want.iter()
                    .any(|r| r.starts_with(&format!("Text(\"{id}\") | Real(-"))),
                "{id}: {want:#?}"
            );
        }
        {
            let conn = Connection::open(&older).unwrap();
            conn.execute(
                "UPDATE reviews SET sentiment = 0, sentiment_label = 'neutral', language = NULL
                 WHERE external_id = 'short-es'",
                [],
            )
            .unwrap();
            conn.execute(
                "UPDATE reviews SET sentiment = 0, sentiment_label = 'neutral'
                 WHERE external_id = 'es-forms'",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 21).unwrap();
            assert_ne!(analysis_figures(&conn), want);
        }
        let store = Store::open(&older).unwrap();
        assert_eq!(analysis_figures(&store.conn), want);
    }

    #[test]
    fn reviews_are_scored_block_by_block_and_one_no_model_scores_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        database_with_reviews(&path);
        let store = Store::open(&path).unwrap();
        let tx = store.conn.unchecked_transaction().unwrap();
        assert_eq!(super::rescore(&tx, super::Which::Unscored).unwrap(), 0);
        tx.execute(
            "UPDATE reviews SET sentiment = NULL, sentiment_label = NULL
             WHERE external_id IN ('es', 'fr', 'de')",
            [],
        )
        .unwrap();
        assert_eq!(
            super::rescore_in_blocks(&tx, super::Which::Unscored, 1).unwrap(),
            3
        );
        assert_eq!(
            super::rescore_in_blocks(&tx, super::Which::Unscored, 1).unwrap(),
            0
        );
        let nl: Option<f64> = tx
            .query_row(
                "SELECT sentiment FROM reviews WHERE external_id = 'nl'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(nl, None);
    }
}
