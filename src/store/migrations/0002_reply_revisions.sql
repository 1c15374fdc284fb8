-- Earlier texts of replies edited after posting (issue 6: "can edit a posted reply"). The reply row
-- always holds what the platform shows (or, while an edit is being sent, the new text); each edit
-- first files the text it replaces here, so the owner can see what the customer read before.
CREATE TABLE reply_revisions (
    id          INTEGER PRIMARY KEY,
    reply_id    INTEGER NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    -- When the text stopped being the current one (Unix seconds).
    replaced_at INTEGER NOT NULL
);
CREATE INDEX reply_revisions_by_reply ON reply_revisions (reply_id);
