-- People and roles, enforced by the database (issue 31), and the team's live link.
--
-- Each person is a PostgreSQL LOGIN role in one of three group roles that `earshot team init`
-- creates: earshot_owner (everything, and people), earshot_manager (reply, settings, sources,
-- sync) and earshot_staff (read, and draft replies a manager approves). What a group may do is
-- GRANTs; which businesses a person sees is row-level security, so hand-written SQL over a
-- person's own login sees and changes no more than Earshot would show them.
--
-- Other concepts add tables in later migrations. The GRANTs and policies are therefore not
-- written table by table here: earshot_secure_tables() reads the catalogue and secures every
-- table there is, and it runs again after every later migration (PgStore::migrate) once the
-- group roles exist. A table is a business's when it has a business_id column, or a foreign key
-- to a table that is (reviews to businesses, replies to reviews, reply_revisions to replies).
--
-- The role that owns the tables (the one that ran the migrations and `team init`) is not subject
-- to row-level security (no FORCE), so a team that uses one URL for everyone keeps working.

-- The people Earshot invited. `name` is the login role's name. `businesses` NULL means every
-- business; otherwise the ids of the businesses the person works for. No password is stored:
-- PostgreSQL keeps the login's password hash itself.
CREATE TABLE team_members (
    name       text PRIMARY KEY,
    role       text NOT NULL CHECK (role IN ('owner', 'manager', 'staff')),
    businesses bigint[],
    created_at bigint NOT NULL
);

-- A review handed to a person (the login role's name): who answers it.
ALTER TABLE reviews ADD COLUMN assigned_to text;

-- Whether the signed-in person sees every business: one invited without a limit. A role that is
-- not on this database's team sees nothing, even in a group role: group roles are the whole
-- server's, and a person of one team database must not read another's on the same server. (The
-- tables' owner, who ran the migrations, and superusers bypass row-level security altogether.)
-- SECURITY DEFINER: it reads team_members whatever the caller may read; `who` defaults to the
-- caller's current_user, filled in at the call (inside the function current_user is its
-- owner). Policies call it as `(SELECT ...)`, an InitPlan evaluated once a statement rather
-- than once a row.
CREATE FUNCTION earshot_sees_all_businesses(who text DEFAULT current_user) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT businesses IS NULL FROM team_members WHERE name = who), false)
$$;

-- Whether the signed-in role is a person of this database's team.
CREATE FUNCTION earshot_on_team(who text DEFAULT current_user) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM team_members WHERE name = who)
$$;

-- The businesses the signed-in person is limited to (empty when they see all).
CREATE FUNCTION earshot_my_businesses(who text DEFAULT current_user) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT businesses FROM team_members WHERE name = who), '{}')
$$;

-- GRANTs by group role and row-level security on every table; idempotent, so it runs after
-- each migration. Does nothing before `team init` has made the group roles.
CREATE FUNCTION earshot_secure_tables() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t record;
    secured text[] := '{}';
    added boolean := true;
    visible text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'earshot_staff') THEN
        RETURN;
    END IF;

    -- Everyone reads; managers write the business's data; owners do everything. Team
    -- bookkeeping is written only by owners (people) and the migrating owner (the schema).
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') LOOP
        EXECUTE format('GRANT SELECT ON %I TO earshot_staff, earshot_manager, earshot_owner',
                       t.relname);
        IF t.relname NOT IN ('earshot_schema', 'team_members') THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO earshot_manager, earshot_owner',
                           t.relname);
        END IF;
        IF t.relname = 'team_members' THEN
            EXECUTE 'GRANT INSERT, UPDATE, DELETE ON team_members TO earshot_owner';
        END IF;
    END LOOP;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public
        TO earshot_staff, earshot_manager, earshot_owner;

    -- Staff draft replies a manager approves: they insert replies (and their revisions), edit
    -- them while awaiting approval, and propose an edit of a posted reply (which then waits for
    -- approval; the platform keeps the posted text until a manager sends it); queueing or sending
    -- is a manager's.
    IF to_regclass('public.replies') IS NOT NULL THEN
        GRANT INSERT, UPDATE ON replies TO earshot_staff;
        DROP POLICY IF EXISTS earshot_staff_drafts_insert ON replies;
        DROP POLICY IF EXISTS earshot_staff_drafts_update ON replies;
        CREATE POLICY earshot_staff_drafts_insert ON replies AS RESTRICTIVE FOR INSERT
            TO earshot_staff WITH CHECK (state IN ('awaiting_approval', 'draft'));
        CREATE POLICY earshot_staff_drafts_update ON replies AS RESTRICTIVE FOR UPDATE
            TO earshot_staff USING (state IN ('awaiting_approval', 'draft', 'posted'))
            WITH CHECK (state IN ('awaiting_approval', 'draft'));
    END IF;
    IF to_regclass('public.reply_revisions') IS NOT NULL THEN
        GRANT INSERT ON reply_revisions TO earshot_staff;
    END IF;

    -- Row-level security: businesses by their id, tables with a business_id by it (a row of
    -- no business, such as an alert about all of them, is seen by the whole team), then, until
    -- none is added, tables with a foreign key to a table already secured, by that parent row
    -- being visible (the parent's own policy decides, whatever depth).
    EXECUTE 'ALTER TABLE businesses ENABLE ROW LEVEL SECURITY';
    EXECUTE 'DROP POLICY IF EXISTS earshot_business ON businesses';
    EXECUTE 'CREATE POLICY earshot_business ON businesses USING ((SELECT earshot_sees_all_businesses())
             OR id = ANY (CAST((SELECT earshot_my_businesses()) AS bigint[])))';
    secured := secured || 'businesses'::text;
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attname = 'business_id'
               AND NOT a.attisdropped AND c.relname <> 'businesses' LOOP
        visible := '(SELECT earshot_sees_all_businesses())
                    OR (business_id IS NULL AND (SELECT earshot_on_team()))
                    OR business_id = ANY (CAST((SELECT earshot_my_businesses()) AS bigint[]))';
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.relname);
        EXECUTE format('DROP POLICY IF EXISTS earshot_business ON %I', t.relname);
        EXECUTE format('CREATE POLICY earshot_business ON %I USING (%s) WITH CHECK (%s)',
                       t.relname, visible, visible);
        secured := secured || t.relname::text;
    END LOOP;
    WHILE added LOOP
        added := false;
        FOR t IN SELECT DISTINCT ON (child.relname) child.relname AS child,
                        parent.relname AS parent, a.attname AS col, pa.attname AS parent_col
                 FROM pg_constraint k
                 JOIN pg_class child ON child.oid = k.conrelid
                 JOIN pg_class parent ON parent.oid = k.confrelid
                 JOIN pg_namespace n ON n.oid = child.relnamespace
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                 JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
                 WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND n.nspname = 'public'
                   AND parent.relname = ANY (secured) AND NOT child.relname = ANY (secured)
                 ORDER BY child.relname, a.attname LOOP
            visible := format('EXISTS (SELECT 1 FROM %I p WHERE p.%I = %I)',
                              t.parent, t.parent_col, t.col);
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.child);
            EXECUTE format('DROP POLICY IF EXISTS earshot_business ON %I', t.child);
            EXECUTE format('CREATE POLICY earshot_business ON %I USING (%s) WITH CHECK (%s)',
                           t.child, visible, visible);
            secured := secured || t.child::text;
            added := true;
        END LOOP;
    END LOOP;
END
$$;

-- The live link: every open seat LISTENs on channel 'earshot' and hears, at commit, a small
-- JSON payload per statement and business: {"kind", "business_id", "id", "count"} (id: the
-- newest row the statement wrote; count: how many). One notification a statement, not a row,
-- so a 100,000-review import sends one per business, not 100,000.
CREATE FUNCTION earshot_notify_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change_kind text := TG_ARGV[0];
BEGIN
    IF TG_TABLE_NAME = 'replies' THEN
        PERFORM pg_notify('earshot', json_build_object('kind', change_kind,
                    'business_id', r.business_id, 'id', max(n.id), 'count', count(*))::text)
        FROM new_rows n LEFT JOIN reviews r ON r.id = n.review_id
        GROUP BY r.business_id;
    ELSE
        PERFORM pg_notify('earshot', json_build_object('kind', change_kind,
                    'business_id', business_id, 'id', max(id), 'count', count(*))::text)
        FROM new_rows GROUP BY business_id;
    END IF;
    RETURN NULL;
END
$$;

-- Attaches the notifying triggers to the tables that exist (alerts and replies come with later
-- migrations); idempotent, run after each migration.
CREATE FUNCTION earshot_attach_notify() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE OR REPLACE TRIGGER earshot_notify_review AFTER INSERT ON reviews
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION earshot_notify_rows('review');
    IF to_regclass('public.alerts') IS NOT NULL THEN
        CREATE OR REPLACE TRIGGER earshot_notify_alert AFTER INSERT ON alerts
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION earshot_notify_rows('alert');
    END IF;
    IF to_regclass('public.replies') IS NOT NULL THEN
        CREATE OR REPLACE TRIGGER earshot_notify_reply_insert AFTER INSERT ON replies
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION earshot_notify_rows('reply');
        CREATE OR REPLACE TRIGGER earshot_notify_reply_update AFTER UPDATE ON replies
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION earshot_notify_rows('reply');
    END IF;
END
$$;
