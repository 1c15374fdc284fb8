// The Settings screen's pure parts: rule titles, parameter values as editable text, quiet hours
// and templates from form values.

export const RULE_TITLES = {
  new_negative: 'New negative review',
  unanswered: 'Review waiting for a reply',
  rating_drop: 'Rating dropping',
  spike: 'Sudden burst of reviews',
  watch_word: 'Watch words mentioned',
  competitor: 'Competitor rated higher',
  source_health: 'A source stopped syncing',
};

/** A rule parameter as the text the core's `set_rule` reads back ("refund, scam" for lists). */
export function paramText(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value === null || value === undefined) return '';
  return String(value);
}

/** [[hour, "22:00"], …] for the hour pickers. */
export function hourOptions() {
  return Array.from({ length: 24 }, (_, h) => [h, `${String(h).padStart(2, '0')}:00`]);
}

/** The core's QuietHours, or null when off or empty (start equals end). */
export function quietHoursFrom(on, from, to) {
  const start = Number(from);
  const end = Number(to);
  if (!on || !Number.isInteger(start) || !Number.isInteger(end) || start === end) return null;
  return { start_hour: start, end_hour: end };
}

/** A ReplyTemplate from the form's strings. */
export function templateFromForm({ id = 0, name, min, max, aspect, body }) {
  const stars = (v) => (v === '' || v === null || v === undefined ? null : Number(v));
  const text = (v) => (String(v ?? '').trim() ? String(v).trim() : null);
  return {
    id: id ?? 0,
    name: String(name ?? '').trim(),
    min_rating: stars(min),
    max_rating: stars(max),
    aspect: text(aspect),
    body: String(body ?? '').trim(),
  };
}

/** "for 1–2★ reviews about wait time". */
export function bandLabel(t) {
  const lo = t.min_rating ?? 1;
  const hi = t.max_rating ?? 5;
  const band = lo === hi ? `${lo}★` : `${lo}–${hi}★`;
  return `for ${band} reviews${t.aspect ? ` about ${t.aspect}` : ''}`;
}
