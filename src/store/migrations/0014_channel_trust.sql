-- Alert channels a restore changed wait for the owner (issue 33). A restored file whose channel
-- sends somewhere else than the database it replaced (another webhook or ntfy URL, another SMTP
-- server, user or recipient), or a channel the replaced database did not have, gets the reason
-- here; such a channel is paused and gets no password until the owner confirms it
-- (`earshot alerts channels confirm ID`), as sources are (`sources.unconfirmed`, 0010).
ALTER TABLE alert_channels ADD COLUMN unconfirmed TEXT;
