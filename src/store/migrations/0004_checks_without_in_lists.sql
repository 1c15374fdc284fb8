-- Import speed (issue 8). A CHECK constraint written `x IN (a, b, c)` (more than two values)
-- makes SQLite build a temporary index of the list every time a row is written: for the review
-- row and each of its aspect rows, a b-tree opened, filled and closed, a tenth of an import's
-- time. The same rules as plain comparisons cost nothing.
--
-- SQLite cannot alter a constraint in place. Its documented way to change one that every
-- existing row already satisfies is to edit the table's definition in sqlite_schema
-- (https://sqlite.org/lang_altertable.html#otheralter): the rules below are the old ones
-- spelled differently, so no stored row can break them. After this file the store bumps the
-- schema cookie, checks integrity and opens the connection again (Store::migrate), so every
-- connection reads the new definitions.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'sentiment_label IN (''negative'', ''neutral'', ''positive'')',
    'sentiment_label = ''negative'' OR sentiment_label = ''neutral'' OR sentiment_label = ''positive''')
WHERE type = 'table' AND name = 'reviews';
UPDATE sqlite_schema
SET sql = replace(sql,
    'polarity IN (-1, 0, 1)',
    'polarity = -1 OR polarity = 0 OR polarity = 1')
WHERE type = 'table' AND name = 'review_aspects';
UPDATE sqlite_schema
SET sql = replace(replace(sql,
    'origin IN (''earshot'', ''platform'', ''manual'')',
    'origin = ''earshot'' OR origin = ''platform'' OR origin = ''manual'''),
    'state IN (''draft'', ''queued'', ''posting'', ''posted'', ''failed'', ''deleted'')',
    'state = ''draft'' OR state = ''queued'' OR state = ''posting'' OR state = ''posted'' OR state = ''failed'' OR state = ''deleted''')
WHERE type = 'table' AND name = 'replies';
PRAGMA writable_schema = OFF;
