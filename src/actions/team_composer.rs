//! The Review screen's reads on either store (issue 31): the composer (the review, its aspects,
//! the customer's history, the replies, the draft and the coach's warnings), with what a post
//! still needs judged against this seat's own credentials; and the follow-up's status, which
//! only a file keeps yet (`None` on a team database).

use super::Result;
use crate::replies::follow_up::FollowUpStatus;
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

/// The customer's been asked to update the review (issue 29): kept on a file only yet.
pub fn follow_up_of(db: &Db, review_id: i64) -> Result<Option<FollowUpStatus>> {
    match db {
        Db::Sqlite(store) => super::win_back::follow_up_status(store, review_id),
        Db::Postgres(_) => Ok(None),
    }
}
