-- Reviews stored unscored are scored (issue 27). Before the Spanish, French, German, Italian and
-- Portuguese models, a review in those languages was kept with no sentiment: it never counted in
-- the sentiment charts, and a negative mention in them never raised an alert. The work is the
-- analysis, which is Rust, not SQL: Store::migrate runs `rescore::rescore_unscored` after this
-- file (RESCORES_UNSCORED), in the same transaction. No table changes.
SELECT 1;
