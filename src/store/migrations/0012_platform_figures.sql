-- The figures a platform itself shows for the business (issue 25): its overall rating and review
-- count as the platform reports them (Business Profile `averageRating`/`totalReviewCount`, Places
-- `rating`/`userRatingCount`, Yelp `rating`/`review_count`, Trustpilot's TrustScore and
-- `numberOfReviews.total`, the App Store lookup's `averageUserRating`/`userRatingCount`), kept
-- per source with the time they were read. They stand beside the figures Earshot computes from
-- the reviews it stored, which are often fewer (Places and Yelp show a handful).
--
-- NULL where the platform does not report them or has not been read yet. A platform whose terms
-- limit how long its content may be kept (Google Places: 30 days) has them cleared with its
-- reviews when that time has passed (sync::expire_kept_content).
ALTER TABLE sources ADD COLUMN platform_rating REAL
    CHECK (platform_rating IS NULL OR (platform_rating >= 0 AND platform_rating <= 5));
ALTER TABLE sources ADD COLUMN platform_review_count INTEGER
    CHECK (platform_review_count IS NULL OR platform_review_count >= 0);
ALTER TABLE sources ADD COLUMN platform_rating_at INTEGER;
