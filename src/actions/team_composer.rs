//! The Review screen's reads on either store (issue 31): the composer (the review, its aspects,
//! the customer's history, the replies, the draft and the coach's warnings), with what a post
//! still needs judged against this seat's own credentials.

use super::Result;
use crate::replies::{self, Composer};
use crate::store::Db;

/// The composer's view of `review_id`. On a team database, "what is missing before a post"
/// reads this seat's own keyring entries for the team database (`Db::secrets`): another seat may
/// hold the key and send the queued reply (`docs/team.md`).
pub fn composer_of(db: &Db, review_id: i64) -> Result<Composer> {
    match db {
        Db::Sqlite(store) => Ok(replies::composer(store, review_id)?),
        Db::Postgres(_) => Ok(replies::composer_with(db, review_id, |review| {
            let (connector, settings) =
                crate::store::ReplyStore::review_source_settings(db, review.id)?;
            let Some(api) = crate::platforms::replier(&connector) else {
                return Ok(None);
            };
            let Ok(secrets) = db.secrets() else {
                return Ok(None);
            };
            Ok(replies::missing_with(
                api,
                review.source_id,
                &settings,
                secrets.as_ref(),
            ))
        })?),
    }
}
