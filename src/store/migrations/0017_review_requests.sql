-- Review requests (issue 29, part 3): the owner's customers, the review links set by hand, and
-- every request sent. Kept locally like everything else; nothing here is a secret (an SMTP
-- password stays in the keyring with the alert channel's).
--
-- A review link the owner set by hand for one of the business's profiles (`requests link
-- --url`); it wins over the link built from a source's settings. `platform` is the display
-- platform (`google`, `app-store`).
CREATE TABLE request_links (
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    platform    TEXT NOT NULL,
    url         TEXT NOT NULL,
    set_at      INTEGER NOT NULL,
    PRIMARY KEY (business_id, platform)
) WITHOUT ROWID;

-- A customer from the owner's list (CSV: name, email, phone, visited_at, opt_out). One row per
-- person per business: `contact_key` is the e-mail (lower case), else the phone's digits, else
-- the name, so importing the list again updates rows instead of adding them twice. `name_key` is
-- the name folded for matching a review's author (lower case, letters and digits). An opt-out
-- is never undone by a later import (`customers::merge`).
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    visited_at  INTEGER,
    opt_out     INTEGER NOT NULL DEFAULT 0 CHECK (opt_out = 0 OR opt_out = 1),
    name_key    TEXT NOT NULL,
    contact_key TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (business_id, contact_key)
);

-- One row per request, written *before* it is sent (`sending`), then marked `sent` or `failed`:
-- a run that crashes between the two leaves `sending`, which counts as asked, so nobody is
-- asked twice (at most once, never at least once). A `failed` send was refused before the
-- server took it, so it does not count. `prepared` is an SMS text or a mailto: link the owner
-- sends by hand. `created_at` starts the owner's no-second-ask period and the attribution
-- window.
CREATE TABLE review_requests (
    id          INTEGER PRIMARY KEY,
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    platform    TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via = 'email' OR via = 'sms' OR via = 'mailto'),
    state       TEXT NOT NULL CHECK (state = 'sending' OR state = 'sent' OR state = 'failed'
                                     OR state = 'prepared'),
    link        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    error       TEXT
);
CREATE INDEX review_requests_by_customer ON review_requests (customer_id, created_at);
CREATE INDEX review_requests_by_business ON review_requests (business_id, created_at);
