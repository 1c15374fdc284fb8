-- An import's single writer spent a tenth of its time on this index (issue 8: a 200k-review
-- import took 12% less time without it). Every aspect mention went into two B-trees: the table,
-- keyed by review, and this index, keyed for the drill-down to "reviews that mention an aspect".
-- The drill-down now walks the business's reviews newest first (reviews_by_business_time) and
-- looks each one up in the table by its key; it asks for a handful of examples among the
-- mentions the rollup (aspect_daily) counted, so it stops after a few reviews. The figures the
-- dashboard shows come from the rollup and never read this index.
DROP INDEX review_aspects_by_business;
