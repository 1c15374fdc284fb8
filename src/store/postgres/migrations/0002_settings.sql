-- Small owner preferences and bookkeeping values, one JSON value per key, as in the SQLite
-- store's `settings`: kept as text (not jsonb) so both stores hand back the very bytes written.
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
