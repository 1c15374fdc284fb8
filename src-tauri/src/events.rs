//! The names of the events the shell sends the window (`ui/api.js` listens to them).

/// Reviews changed: one per finished demo load, import or sync round, never one per row
/// (STYLE.md §9); views query again.
pub const REVIEWS_CHANGED: &str = "reviews-changed";

/// Asks the window to open a review (after a notification about it).
pub const OPEN_REVIEW: &str = "open-review";

/// Asks the window to show its alerts (after a grouped notification).
pub const OPEN_ALERTS: &str = "open-alerts";

/// The team database's live link connected or was lost (`team::LinkStatus`).
pub const TEAM_LINK: &str = "team-link";
