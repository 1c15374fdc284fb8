//! Review requests, follow-ups and the replies' effect on either store (issue 31).
//!
//! The request run, the follow-up and "what works for you" are written once and take any
//! [`RequestStore`]: the SQLite [`Store`] (the app keeps passing its `&Store` unchanged) or a
//! [`Db`] (the CLI, on a file or a team database). A small trait at this seam, as
//! [`ReplyStore`] is for the outbox, which it extends: a follow-up reads the review and the reply
//! profile through it. Each method is the store's own method of the same name and signature.
//! The request run and the follow-up are `async` (they send e-mail), so `Db`'s PostgreSQL arms
//! hop off the runtime, as every `Db` forward does (`on_either!`, `store/db/mod.rs`).

use std::collections::HashSet;

use super::{Db, ReplyStore};
use crate::channels::Channel;
use crate::model::replies::{AuthoredReview, ComplaintHistory, FollowUp, NewFollowUp};
use crate::model::{Business, BusinessId, ReviewId, Revision};
use crate::requests::{Customer, NewCustomer, RequestRow, ReviewSeen, Via};
use crate::store::{Begun, CustomersImported, Result, Source, Store};

/// What review requests, follow-ups and the replies' effect need of a store; see the module's
/// note.
pub trait RequestStore: ReplyStore {
    fn business_by_name(&self, name: &str) -> Result<Business>;
    fn sources(&self) -> Result<Vec<Source>>;
    /// The alert channels: an e-mail one is the SMTP account requests and follow-ups go out by.
    fn alert_channels(&self) -> Result<Vec<Channel>>;

    fn set_request_link(
        &self,
        business: BusinessId,
        platform: &str,
        url: &str,
        now: i64,
    ) -> Result<()>;
    fn request_links(&self, business: BusinessId) -> Result<Vec<(String, String)>>;
    fn import_customers(
        &self,
        business: BusinessId,
        customers: &[NewCustomer],
        now: i64,
    ) -> Result<CustomersImported>;
    fn customers(&self, business: BusinessId) -> Result<Vec<Customer>>;
    #[allow(clippy::too_many_arguments)]
    fn claim_request(
        &self,
        business: BusinessId,
        customer: i64,
        platform: &str,
        via: Via,
        link: &str,
        asked_since: i64,
        now: i64,
    ) -> Result<Option<i64>>;
    fn finish_request(&self, id: i64, error: Option<&str>, now: i64) -> Result<()>;
    fn review_requests(&self, business: BusinessId) -> Result<Vec<RequestRow>>;
    fn reviews_written_since(&self, business: BusinessId, since: i64) -> Result<Vec<ReviewSeen>>;

    fn revisions(&self, id: ReviewId) -> Result<Vec<Revision>>;
    fn follow_ups_of_review(&self, review_id: ReviewId) -> Result<Vec<FollowUp>>;
    fn latest_follow_ups(&self, business_id: Option<BusinessId>) -> Result<Vec<FollowUp>>;
    fn begin_follow_up(&self, new: &NewFollowUp, again: bool, now: i64) -> Result<Begun>;
    fn finish_follow_up(&self, id: i64, error: Option<&str>, now: i64) -> Result<FollowUp>;

    fn complaint_histories(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
    ) -> Result<Vec<ComplaintHistory>>;
    fn reviews_by_authors(
        &self,
        business_id: BusinessId,
        authors: &HashSet<String>,
    ) -> Result<Vec<AuthoredReview>>;
    fn posted_replies_in_order(
        &self,
        business_id: BusinessId,
    ) -> Result<Vec<(ReviewId, i64, String)>>;
}

/// `Store`'s and `Db`'s impls differ only in how a call reaches the store: directly, or
/// through `on_either!` (the PostgreSQL arm off the runtime). Inherent methods win over the
/// trait's, so `Store::$m` does not recurse.
macro_rules! request_store_methods {
    ($call:ident) => {
        fn business_by_name(&self, name: &str) -> Result<Business> {
            $call!(self, business_by_name(name))
        }
        fn sources(&self) -> Result<Vec<Source>> {
            $call!(self, sources())
        }
        fn set_request_link(
            &self,
            business: BusinessId,
            platform: &str,
            url: &str,
            now: i64,
        ) -> Result<()> {
            $call!(self, set_request_link(business, platform, url, now))
        }
        fn request_links(&self, business: BusinessId) -> Result<Vec<(String, String)>> {
            $call!(self, request_links(business))
        }
        fn import_customers(
            &self,
            business: BusinessId,
            customers: &[NewCustomer],
            now: i64,
        ) -> Result<CustomersImported> {
            $call!(self, import_customers(business, customers, now))
        }
        fn customers(&self, business: BusinessId) -> Result<Vec<Customer>> {
            $call!(self, customers(business))
        }
        fn claim_request(
            &self,
            business: BusinessId,
            customer: i64,
            platform: &str,
            via: Via,
            link: &str,
            asked_since: i64,
            now: i64,
        ) -> Result<Option<i64>> {
            $call!(
                self,
                claim_request(business, customer, platform, via, link, asked_since, now)
            )
        }
        fn finish_request(&self, id: i64, error: Option<&str>, now: i64) -> Result<()> {
            $call!(self, finish_request(id, error, now))
        }
        fn review_requests(&self, business: BusinessId) -> Result<Vec<RequestRow>> {
            $call!(self, review_requests(business))
        }
        fn reviews_written_since(
            &self,
            business: BusinessId,
            since: i64,
        ) -> Result<Vec<ReviewSeen>> {
            $call!(self, reviews_written_since(business, since))
        }
        fn revisions(&self, id: ReviewId) -> Result<Vec<Revision>> {
            $call!(self, revisions(id))
        }
        fn follow_ups_of_review(&self, review_id: ReviewId) -> Result<Vec<FollowUp>> {
            $call!(self, follow_ups_of_review(review_id))
        }
        fn latest_follow_ups(&self, business_id: Option<BusinessId>) -> Result<Vec<FollowUp>> {
            $call!(self, latest_follow_ups(business_id))
        }
        fn begin_follow_up(&self, new: &NewFollowUp, again: bool, now: i64) -> Result<Begun> {
            $call!(self, begin_follow_up(new, again, now))
        }
        fn finish_follow_up(&self, id: i64, error: Option<&str>, now: i64) -> Result<FollowUp> {
            $call!(self, finish_follow_up(id, error, now))
        }
        fn complaint_histories(
            &self,
            business_id: BusinessId,
            platform: Option<&str>,
        ) -> Result<Vec<ComplaintHistory>> {
            $call!(self, complaint_histories(business_id, platform))
        }
        fn reviews_by_authors(
            &self,
            business_id: BusinessId,
            authors: &HashSet<String>,
        ) -> Result<Vec<AuthoredReview>> {
            $call!(self, reviews_by_authors(business_id, authors))
        }
        fn posted_replies_in_order(
            &self,
            business_id: BusinessId,
        ) -> Result<Vec<(ReviewId, i64, String)>> {
            $call!(self, posted_replies_in_order(business_id))
        }
    };
}

macro_rules! on_store {
    ($self:ident, $m:ident($($arg:expr),*)) => {
        Store::$m($self, $($arg),*)
    };
}

impl RequestStore for Store {
    request_store_methods!(on_store);

    fn alert_channels(&self) -> Result<Vec<Channel>> {
        Store::alert_channels(self)
    }
}

impl RequestStore for Db {
    request_store_methods!(on_either);

    /// The e-mail alert channel a request or a follow-up goes out by, on either store (its
    /// password is in the sending seat's own keyring, as for the alerts).
    fn alert_channels(&self) -> Result<Vec<Channel>> {
        on_either!(self, alert_channels())
    }
}
