//! The owner's own topics (issue 27) on either store: the SQLite file or a team database
//! (migration 0009 of the team store).
//!
//! A small trait, as for replies and alerts, because the topic actions are written once and
//! called by both the app (which holds a `Store`) and the CLI (a `Db`): each method is the
//! store's own method of the same name and signature.

use super::Db;
use crate::model::{Business, BusinessId};
use crate::store::{OwnerTopic, Result, Store, TopicId};

/// What the topic actions need of a store; see the module's note.
pub trait TopicStore {
    fn business(&self, id: BusinessId) -> Result<Business>;
    fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>>;
    fn owner_topic(&self, id: TopicId) -> Result<OwnerTopic>;
    /// Adds (`id` `None`) or changes a topic and re-tags the business's reviews, in one
    /// transaction: the topic, and how many reviews' tags changed.
    fn save_owner_topic(
        &mut self,
        business_id: BusinessId,
        id: Option<TopicId>,
        name: &str,
        words: &[String],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)>;
    fn remove_owner_topic(
        &mut self,
        id: TopicId,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)>;
}

impl TopicStore for Store {
    fn business(&self, id: BusinessId) -> Result<Business> {
        Store::business(self, id)
    }
    fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
        Store::owner_topics(self, business_id)
    }
    fn owner_topic(&self, id: TopicId) -> Result<OwnerTopic> {
        Store::owner_topic(self, id)
    }
    fn save_owner_topic(
        &mut self,
        business_id: BusinessId,
        id: Option<TopicId>,
        name: &str,
        words: &[String],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        Store::save_owner_topic(self, business_id, id, name, words, progress)
    }
    fn remove_owner_topic(
        &mut self,
        id: TopicId,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        Store::remove_owner_topic(self, id, progress)
    }
}

impl TopicStore for Db {
    fn business(&self, id: BusinessId) -> Result<Business> {
        Db::business(self, id)
    }
    fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
        Db::owner_topics(self, business_id)
    }
    fn owner_topic(&self, id: TopicId) -> Result<OwnerTopic> {
        on_either!(self, owner_topic(id))
    }
    fn save_owner_topic(
        &mut self,
        business_id: BusinessId,
        id: Option<TopicId>,
        name: &str,
        words: &[String],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        on_either!(on_this_thread: self, save_owner_topic(business_id, id, name, words, progress))
    }
    fn remove_owner_topic(
        &mut self,
        id: TopicId,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        on_either!(on_this_thread: self, remove_owner_topic(id, progress))
    }
}
