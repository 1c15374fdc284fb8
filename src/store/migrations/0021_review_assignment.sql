-- Who a review is handed to (issue 31: `earshot assign ID --to NAME`, as on a team database). On
-- a file it is a person's name as typed: one seat, no logins to check it against. NULL until
-- someone assigns the review; the import's insert does not name the column, so an import writes
-- what it wrote before.
ALTER TABLE reviews ADD COLUMN assigned_to TEXT;
-- A person's list ("reviews --assigned-to Sam") walks this index in time order instead of every
-- review of the business. Partial: an unassigned review, which is every review an import writes,
-- has no entry, so the import writes no more index pages than before.
CREATE INDEX reviews_by_assignee ON reviews (business_id, assigned_to, created_at)
    WHERE assigned_to IS NOT NULL;
