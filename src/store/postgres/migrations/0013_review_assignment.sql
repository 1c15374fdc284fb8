-- A person's list (`earshot reviews --assigned-to NAME`, issue 31) walks this index in time
-- order instead of every review of the business, as on a file (SQLite migration 0021).
-- Partial: an unassigned review, which is every review an import writes, has no entry, so the
-- import's merge maintains no more than before.
CREATE INDEX reviews_by_assignee ON reviews (business_id, assigned_to, created_at)
    WHERE assigned_to IS NOT NULL;
