-- Alert channels delivered by the team, and each person's own "notified" mark (issue 31).
--
-- Deliveries: the tables are migration 0004's. A seat claims a due delivery with
-- `UPDATE … WHERE (channel_id, alert_id) = (SELECT … FOR UPDATE SKIP LOCKED)`, so of two seats
-- delivering at once exactly one sends each message; this index finds a channel's due rows.
CREATE INDEX alert_deliveries_due ON alert_deliveries (channel_id, state, next_at);

-- `alerts.notified_at` is one column for one seat. On a team database each person is told of an
-- alert once, by their own seat: one row per (alert, person), person being the login
-- (`current_user`). `alerts.notified_at` is left unused on the team store.
CREATE TABLE alert_notifications (
    alert_id    bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    person      text NOT NULL DEFAULT current_user,
    notified_at bigint NOT NULL,
    PRIMARY KEY (alert_id, person)
);

-- A person sees and writes only their own marks. RESTRICTIVE, so it holds on top of the
-- business policy that earshot_secure_tables() gives the table through its foreign key to
-- alerts (a mark of an alert about a business the person does not see is not theirs to read
-- either). The tables' owner and superusers bypass row-level security, as everywhere.
ALTER TABLE alert_notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY earshot_person ON alert_notifications AS RESTRICTIVE
    USING (person = current_user) WITH CHECK (person = current_user);

-- An alert raised again (a new-negative card that became an unanswered reminder) is news to
-- everyone once more: its marks go, every person's. SECURITY DEFINER because the seat whose
-- check raised it may delete only its own person's rows.
CREATE FUNCTION earshot_renotify(alert bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM alert_notifications WHERE alert_id = alert
$$;
-- Functions may be called by anyone unless revoked; this one only by who raises alerts (the
-- tables' owner, and managers and owners through earshot_secure_person_tables()).
REVOKE EXECUTE ON FUNCTION earshot_renotify(bigint) FROM PUBLIC;

-- Every person marks what their own seat showed, staff included (whose other writes are only
-- drafts); run with earshot_secure_tables() after `team init` and each migration.
CREATE FUNCTION earshot_secure_person_tables() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'earshot_staff') THEN
        RETURN;
    END IF;
    GRANT SELECT, INSERT, UPDATE, DELETE ON alert_notifications
        TO earshot_staff, earshot_manager, earshot_owner;
    -- Those who raise alerts (and so reminders) forget the marks of a reminder.
    GRANT EXECUTE ON FUNCTION earshot_renotify(bigint) TO earshot_manager, earshot_owner;
END
$$;
