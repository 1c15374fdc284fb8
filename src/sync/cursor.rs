//! A source's sync cursor, stored as JSON in `sources.cursor` and written in the same
//! transaction as the page it follows.

use serde::{Deserialize, Serialize};

use crate::sources::text::newer;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCursor {
    /// Where the unfinished run continues (a page token, an offset, a max id); `None` between
    /// runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The newest mark of the last completed run: incremental runs stop there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<String>,
    /// The newest mark seen so far by the unfinished run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_high: Option<String>,
    /// Whether the unfinished run lists everything (ignores the watermark).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub full: bool,
    /// When the last full listing completed (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_full_at: Option<i64>,
    /// When the platform's figures were last asked for by a call of their own (Unix seconds),
    /// answered or not: a refused call is not repeated every sync against a daily cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures_tried_at: Option<i64>,
}

impl SyncCursor {
    /// Reads a stored cursor; anything unreadable (an older format, a hand edit) starts afresh,
    /// which costs a re-read, never a loss: the upsert finds what is already stored.
    pub fn parse(stored: Option<&str>) -> SyncCursor {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("cursor serialises")
    }

    /// The listing reached its end: the run's newest becomes the watermark.
    pub fn finish_run(&mut self, now: i64) {
        if let Some(high) = self.run_high.take() {
            self.watermark = Some(match self.watermark.as_deref() {
                Some(w) => newer(&high, w).to_string(),
                None => high,
            });
        }
        if self.full {
            self.last_full_at = Some(now);
        }
        self.full = false;
        self.page = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_run_promotes_its_newest_mark() {
        let mut c = SyncCursor {
            page: Some("p3".into()),
            watermark: Some("100".into()),
            run_high: Some("250".into()),
            full: true,
            last_full_at: None,
            figures_tried_at: Some(7),
        };
        c.finish_run(42);
        assert_eq!(c.watermark.as_deref(), Some("250"));
        assert_eq!(c.page, None);
        assert_eq!(c.last_full_at, Some(42));
        assert!(!c.full);
        assert_eq!(SyncCursor::parse(Some(&c.to_json())), c);
    }

    #[test]
    fn an_unreadable_cursor_starts_afresh() {
        assert_eq!(
            SyncCursor::parse(Some("nextPageToken-abc")),
            SyncCursor::default()
        );
        assert_eq!(SyncCursor::parse(None), SyncCursor::default());
    }
}
