-- Reviews in Spanish, French, German, Italian and Portuguese are scored again, and short ones the
-- language check could not place (issue 27): the models now read a word's other forms (Spanish
-- "mala", German "schlechte"), and a text of a few words that reads as nothing in English ("Pésimo
-- servicio") is scored by the language whose model knows its words. Before, such a review was
-- stored neutral with no language, and a one-line complaint raised no alert. The work is the
-- analysis, which is Rust: Store::migrate runs `rescore::rescore` once the migrations are applied
-- (RESCORES_BY_LANGUAGE_AGAIN; with 0019's in one pass), in the same transaction. No table changes.
SELECT 1;
