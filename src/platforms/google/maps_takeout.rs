//! The Google Maps Takeout (`Takeout/Maps (your places)/Reviews.json`): the reviews a person
//! wrote about other places, a GeoJSON `FeatureCollection` whose features carry
//! `five_star_rating_published`, `review_text_published` and the place's `location` (layout in
//! `EXPORTS-AND-AUTH.md` A7). It is what an owner gets by ticking "Maps" in Takeout instead of
//! "Google Business Profile", and it holds none of their business's reviews: it is recognised
//! only to be refused with a pointer to the right export (the Business Profile Takeout's
//! [`crate::import::ExportFormat::refuse`]), never imported.

/// Whether a JSON text (its start, whitespace removed) is a Maps Takeout's reviews.
pub(super) fn is_maps_reviews(compact_json: &str) -> bool {
    compact_json.contains("\"type\":\"FeatureCollection\"")
        || (compact_json.contains("\"features\":[")
            && (compact_json.contains("five_star_rating_published")
                || compact_json.contains("review_text_published")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maps_takeout_is_told_from_a_business_profile_one() {
        assert!(is_maps_reviews(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"five_star_rating_published":5}}]}"#
        ));
        assert!(!is_maps_reviews(r#"{"reviews":[{"starRating":"FIVE"}]}"#));
    }
}
