//! The owner's own topics (issue 27): list, add or change, remove. Changing a topic re-tags the
//! business's reviews in the same transaction (`save_owner_topic`), with progress for the app's
//! bar and the CLI's. On either store ([`TopicStore`]): the app passes its file, the CLI its
//! `Db` (a file or a team database).

use serde::Serialize;

use crate::analysis::topics::split_words;
use crate::model::BusinessId;
use crate::store::{OwnerTopic, TopicId, TopicStore};

use super::Result;

/// A topic as saved or removed, and how many reviews' tags changed with it.
#[derive(Debug, Clone, Serialize)]
pub struct TopicChange {
    pub topic: OwnerTopic,
    /// The business's name, for messages.
    pub business: String,
    pub reviews_retagged: u64,
}

/// The owner's topics, of one business or of all.
pub fn list_topics(
    store: &(impl TopicStore + ?Sized),
    business_id: Option<BusinessId>,
) -> Result<Vec<OwnerTopic>> {
    Ok(store.owner_topics(business_id)?)
}

/// Adds a topic (`id` `None`) or changes one. `words` is the owner's list as typed: phrases
/// separated by commas ("new menu, seasonal menu, menu"). `progress` gets (reviews done,
/// reviews in all) while the business's reviews are re-tagged.
pub fn save_topic(
    store: &mut (impl TopicStore + ?Sized),
    business_id: BusinessId,
    id: Option<TopicId>,
    name: &str,
    words: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<TopicChange> {
    let business = store.business(business_id)?.name;
    let (topic, reviews_retagged) =
        store.save_owner_topic(business_id, id, name, &split_words(words), progress)?;
    Ok(TopicChange {
        topic,
        business,
        reviews_retagged,
    })
}

/// Removes a topic and its mentions from the reviews.
pub fn remove_topic(
    store: &mut (impl TopicStore + ?Sized),
    id: TopicId,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<TopicChange> {
    let (topic, reviews_retagged) = store.remove_owner_topic(id, progress)?;
    let business = store.business(topic.business_id)?.name;
    Ok(TopicChange {
        topic,
        business,
        reviews_retagged,
    })
}
