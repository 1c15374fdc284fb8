-- Follow-ups (issue 29): after a complaint is answered and sorted out, the owner asks the customer
-- whether they would update their review, by e-mail through the alert channel's SMTP account or
-- as a note the owner sends by hand. Earshot remembers each ask so it is never sent twice by a
-- rerun (one per review and `round`; asking again is a new round the owner chose), and so the
-- review shows "updated after your follow-up" when its rating changes later.
--
-- An e-mail ask is written `sending` before the message goes out and `sent` after: a crash in
-- between leaves `sending`, which is never sent again on its own (a second copy to a customer is
-- worse than none), and the owner sees it and may ask again. `recipient` is the customer's
-- address the owner typed; it stays on this computer like the reviews.
CREATE TABLE follow_ups (
    id             INTEGER PRIMARY KEY,
    review_id      INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    round          INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    method         TEXT NOT NULL CHECK (method IN ('email', 'by_hand')),
    recipient      TEXT,
    body           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'prepared')),
    rating_at_ask  REAL,
    asked_at       INTEGER NOT NULL,
    sent_at        INTEGER,
    last_error     TEXT,
    UNIQUE (review_id, round)
);
