// What the import dialog decides, without the DOM (issue 32): which column each of Earshot's fields
// takes, what is still missing, the rows of the preview table, the summary of a finished import
// and whether a failed one can be retried skipping its bad rows. The core proposes the mapping
// (`preview_import`); this only turns the owner's choices into what `import_file` takes.
//
// Headers and cells come from the owner's file, which may hold anything: they are values here,
// never object keys or markup (the view sets them with textContent).

import { formatCount } from './format.js';

/** The value of a select that means "no column". */
export const NO_COLUMN = '';

/**
 * The options of a field's select: "No column", then each header by its position (a file may
 * repeat a header; the first of a name is the one the core finds). `value` is the header.
 */
export function columnOptions(headers = []) {
  const seen = new Set();
  const out = [{ value: NO_COLUMN, label: 'No column' }];
  for (const h of headers) {
    const name = String(h ?? '');
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    out.push({ value: name, label: name });
  }
  return out;
}

/**
 * The mapping `import_file` takes, from the choice of each field (`chosen`: a Map from a field's
 * name to a header, or NO_COLUMN). Every field of the preview is named, so the import uses what
 * the owner saw, not a new guess.
 */
export function mappingFrom(fields = [], chosen = new Map()) {
  const out = {};
  for (const f of fields) {
    const v = chosen.has(f.name) ? chosen.get(f.name) : (f.column ?? NO_COLUMN);
    out[f.name] = v === NO_COLUMN || v === null || v === undefined ? null : String(v);
  }
  return out;
}

/** The required fields (their labels) that have no column yet: the import waits for them. */
export function missingFields(fields = [], mapping = {}) {
  return fields
    .filter((f) => f.required && !mapping[f.name])
    .map((f) => f.label);
}

/** What the dialog says under the choices: what is missing, or how ids are made. */
export function mappingStatus(fields = [], mapping = {}) {
  const missing = missingFields(fields, mapping);
  if (missing.length > 0) {
    return { ready: false, text: `Choose the column that holds: ${missing.join(', ')}.` };
  }
  if (fields.some((f) => f.name === 'external_id') && !mapping.external_id) {
    return {
      ready: true,
      text: 'No column holds an id: Earshot makes one from each review, so importing the file again adds nothing twice.',
    };
  }
  return { ready: true, text: '' };
}

/** The preview table's rows: `count` rows, each with one cell per header (short rows padded). */
export function previewRows(preview, count = 5) {
  const width = (preview?.headers ?? []).length;
  return (preview?.rows ?? []).slice(0, count).map((row) => {
    const cells = Array.from({ length: width }, (_, i) => String(row?.[i] ?? ''));
    return cells;
  });
}

/** The preview table's caption. */
export function previewCaption(rows) {
  if (rows === 0) return 'The file has a header row and no reviews yet';
  return rows === 1 ? 'The first row of the file' : `The first ${rows} rows of the file`;
}

/** Whether a failed import can be run again skipping the rows with problems. */
export function canSkipBadRows(error, { skipBad = false } = {}) {
  return !skipBad && error?.code === 'bad_row';
}

/** The parts of a finished import's summary: "3 new, 1 updated, …". */
export function importParts(r) {
  const parts = [
    `${formatCount(r.new)} new`,
    `${formatCount(r.updated)} updated`,
    `${formatCount(r.unchanged)} unchanged`,
  ];
  if (r.truncated > 0) {
    parts.push(`${formatCount(r.truncated)} cut to the length limit (text 64 KiB)`);
  }
  if (r.rejected > 0) {
    const first = r.rejected_rows?.[0];
    parts.push(`${formatCount(r.rejected)} skipped (first: ${first?.place ?? `line ${first?.line}`}: ${first?.reason})`);
  }
  return parts;
}
