// Pure formatting for the UI: numbers, ratings, dates, months, platform names and safe links.
//
// No DOM and no IPC here, so node's test runner covers it (`node --test ui/`). Every function takes
// an optional locale; the app passes the webview's own, tests pass a fixed one.

/**
 * A locale Intl accepts. The webview reports the process's language, which on a bare Linux
 * session is "C" or "C.UTF-8" — not a BCP 47 tag, and Intl throws on it. Anything unusable
 * becomes en-US rather than breaking every number on screen.
 */
export function resolveLocale(tag) {
  const t = String(tag ?? '').split('.')[0].replace(/_/g, '-');
  try {
    const [canonical] = Intl.getCanonicalLocales(t);
    if (canonical && !['c', 'posix'].includes(canonical.toLowerCase())) {
      new Intl.NumberFormat(canonical); // throws if unsupported in practice
      return canonical;
    }
  } catch {
    /* fall through */
  }
  return 'en-US';
}

const DEFAULT_LOCALE = resolveLocale(typeof navigator !== 'undefined' ? navigator.language : '');

/*
 * Formatters, made once per locale and options. An Intl formatter is an ICU object that loads
 * its locale's patterns when made: the dashboard formats a few hundred numbers and dates, and a
 * new formatter for each left the web process's heap megabytes larger until the garbage collector
 * came by, and took longer than the formatting itself.
 */
const formatters = new Map();

function cached(Kind, locale, options) {
  const key = `${Kind.name}|${locale ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Kind(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/** An Intl.NumberFormat for `locale` and `options`, shared by every caller that asks the same. */
export const numberFormat = (locale, options) => cached(Intl.NumberFormat, locale, options);

/** An Intl.DateTimeFormat for `locale` and `options`, shared like `numberFormat`'s. */
export const dateTimeFormat = (locale, options) => cached(Intl.DateTimeFormat, locale, options);

/** An Intl.Segmenter, shared the same way (the composer counts graphemes at every keystroke). */
export const segmenter = (locale, options) => cached(Intl.Segmenter, locale, options);

/** True for a number the store did not have: null, undefined or NaN. */
export const isMissing = (x) => x === null || x === undefined || Number.isNaN(x);

/** "2,345"; a dash for a missing number (never a misleading 0). */
export function formatCount(n, locale = DEFAULT_LOCALE) {
  if (isMissing(n)) return '—';
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A count short enough for a chart's axis: "950", "2.5K", "30K", "1.2M" (the full figure is in
 * the tooltip). A dash for a missing number. */
export function formatAxisCount(n, locale = DEFAULT_LOCALE) {
  if (isMissing(n)) return '—';
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** A star rating to one decimal ("4.3"); a dash when nothing is rated. */
export function formatRating(x, locale = DEFAULT_LOCALE) {
  if (isMissing(x)) return '—';
  return numberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .format(x);
}

/**
 * Five star glyphs for a rating, rounded to the nearest half: { full, half, empty } counts.
 * A null rating (a mention) has no stars at all.
 */
export function starParts(x) {
  if (isMissing(x)) return null;
  const clamped = Math.min(5, Math.max(0, x));
  const halves = Math.round(clamped * 2);
  const full = Math.floor(halves / 2);
  const half = halves % 2;
  return { full, half, empty: 5 - full - half };
}

/** The same as text, for screen readers and tooltips: "4 out of 5 stars". */
export function starsLabel(x, locale = DEFAULT_LOCALE) {
  if (isMissing(x)) return 'No star rating';
  const n = numberFormat(locale, { maximumFractionDigits: 1 }).format(x);
  return `${n} out of 5 stars`;
}

/** "42%" of a part in a whole; "0%" for an empty whole rather than NaN. */
export function formatPercent(part, whole, locale = DEFAULT_LOCALE) {
  const ratio = whole > 0 ? part / whole : 0;
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
    .format(ratio);
}

/** "1 review", "2,345 reviews". */
export function plural(n, one, many = `${one}s`, locale = DEFAULT_LOCALE) {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}

/** Splits "YYYY-MM" into numbers, or null when it is not one. */
export function parseMonth(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym ?? '');
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? { year, month } : null;
}

/** "Mar 2024" (long) or "Mar" (short) for "2024-03"; the input itself when unparseable. */
export function formatMonth(ym, { short = false } = {}, locale = DEFAULT_LOCALE) {
  const p = parseMonth(ym);
  if (!p) return String(ym ?? '');
  // Noon UTC of the 1st, formatted in UTC: no time zone can move it into another month.
  const d = new Date(Date.UTC(p.year, p.month - 1, 1, 12));
  const opts = short
    ? { month: 'short', timeZone: 'UTC' }
    : { month: 'short', year: 'numeric', timeZone: 'UTC' };
  return dateTimeFormat(locale, opts).format(d);
}

/** The month after "YYYY-MM", as "YYYY-MM". */
export function nextMonth(ym) {
  const p = parseMonth(ym);
  if (!p) return null;
  const y = p.month === 12 ? p.year + 1 : p.year;
  const m = p.month === 12 ? 1 : p.month + 1;
  return `${y}-${String(m).padStart(2, '0')}`;
}

/**
 * Fills the months the store left out (a month with no reviews has no rollup row), so a chart's
 * columns are evenly spaced in time: [{month, count, average_rating}] from first to last month.
 */
export function fillMonths(byMonth) {
  if (!Array.isArray(byMonth) || byMonth.length === 0) return [];
  const known = new Map(byMonth.map((m) => [m.month, m]));
  const sorted = [...known.keys()].sort();
  const out = [];
  for (let ym = sorted[0]; ym && ym <= sorted[sorted.length - 1]; ym = nextMonth(ym)) {
    out.push(known.get(ym) ?? { month: ym, count: 0, average_rating: null });
  }
  return out;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When a review was written, as an owner says it: "today", "yesterday", "3 days ago" within a
 * week, then "12 Mar" this year and "12 Mar 2023" before.
 */
export function formatWhen(iso, now = new Date(), locale = DEFAULT_LOCALE) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const startOfDay = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOfDay(now) - startOfDay(t)) / DAY_MS);
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days > 1 && days < 7) return `${days} days ago`;
  const opts = t.getFullYear() === now.getFullYear()
    ? { day: 'numeric', month: 'short' }
    : { day: 'numeric', month: 'short', year: 'numeric' };
  return dateTimeFormat(locale, opts).format(t);
}

/** A full date and time for tooltips. */
export function formatDateTime(iso, locale = DEFAULT_LOCALE) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return dateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t);
}

// Display names of the platforms the core knows (see src/platform.rs). A Map, not an object:
// platform names come from imported files, and untrusted strings never become object keys.
const PLATFORM_LABELS = new Map([
  ['google', 'Google'],
  ['yelp', 'Yelp'],
  ['facebook', 'Facebook'],
  ['trustpilot', 'Trustpilot'],
  ['tripadvisor', 'Tripadvisor'],
  ['booking', 'Booking.com'],
  ['app-store', 'App Store'],
  ['google-play', 'Google Play'],
  ['x', 'X'],
  ['youtube', 'YouTube'],
  ['reddit', 'Reddit'],
  ['mastodon', 'Mastodon'],
  ['bluesky', 'Bluesky'],
  ['hackernews', 'Hacker News'],
  ['rss', 'News & blogs'],
  ['file', 'Imported file'],
]);

/** "Google" for "google"; an unknown platform is shown as written, first letter capitalised. */
export function platformLabel(platform) {
  const p = String(platform ?? '').trim();
  if (PLATFORM_LABELS.has(p)) return PLATFORM_LABELS.get(p);
  return p ? p[0].toUpperCase() + p.slice(1) : 'Unknown';
}

/**
 * The URL if it is a plain http(s) link, else null. Review URLs come from strangers' platforms and
 * import files; only these two schemes may reach the opener (which is scoped the same way).
 */
export function safeHttpUrl(url) {
  if (typeof url !== 'string' || url.length > 2048) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/*
 * Where each platform keeps its review pages: the hosts its spec declares (ConnectorSpec
 * `review_hosts`, a list, or null where the platform has no fixed host: Mastodon instances, news
 * sites, imported files). The core owns the list; app.js hands the specs it loads to
 * `setLinkHosts`. A Map, not an object: platform names come from imported files.
 *
 * A pattern is a host (it and its subdomains match) or `name.*`: the name under a country domain
 * (google.de, google.co.uk, google.com.au). The shell's opener applies the same rules
 * (src/platforms/links.rs) before it opens a link without asking.
 */
const linkHosts = new Map();

/** Takes the hosts each platform declares, from the specs `api.sourcePlatforms()` returns. */
export function setLinkHosts(specs) {
  linkHosts.clear();
  for (const s of Array.isArray(specs) ? specs : []) {
    if (typeof s?.platform !== 'string') continue;
    const hosts = Array.isArray(s.review_hosts)
      ? s.review_hosts.filter((x) => typeof x === 'string')
      : null;
    linkHosts.set(s.platform, hosts);
  }
}

/** Domains reserved for examples (RFC 2606): nobody can own them, so the demo's links open. */
const RESERVED_HOSTS = ['example.com', 'example.net', 'example.org', 'example'];

/** `d` against one pattern: the same name, or `name.*` with a country domain. */
function patternMatches(d, pattern) {
  if (!pattern.endsWith('.*')) return d === pattern;
  const name = pattern.slice(0, -2);
  if (!d.startsWith(`${name}.`)) return false;
  const rest = d.slice(name.length + 1);
  const cc = rest.replace(/^(com|co)\./, '');
  return /^[a-z]{2}$/.test(cc);
}

/** Whether `host` or a domain it lies under ("maps.google.com" → "google.com") matches. */
function hostMatches(host, patterns) {
  const parts = host.replace(/\.$/, '').split('.');
  const domains = parts.map((_, i) => parts.slice(i).join('.'));
  return patterns.some((p) => domains.some((d) => patternMatches(d, p)));
}

/**
 * Where a review's link may go, or null: `{ url, direct }`. http(s) only. On a platform with
 * fixed hosts the link must be on them (else null: an imported file or a hostile feed cannot
 * dress another site up as "View on Google") and opens directly. On a platform without fixed
 * hosts, or one the specs do not name, the link opens only after the owner has seen the full
 * address (`direct: false`), unless it is a reserved example domain.
 */
export function linkTarget(platform, url) {
  const safe = safeHttpUrl(url);
  if (!safe) return null;
  const host = new URL(safe).hostname.toLowerCase();
  const reserved = hostMatches(host, RESERVED_HOSTS);
  const hosts = linkHosts.get(String(platform ?? '').trim());
  if (!hosts) return { url: safe, direct: reserved };
  return hostMatches(host, hosts) || reserved ? { url: safe, direct: true } : null;
}

/** The review's page on its platform, or null (see `linkTarget`). */
export function reviewPageUrl(platform, url) {
  return linkTarget(platform, url)?.url ?? null;
}

/** A short author name for a review card; "Anonymous" for none. */
export function authorName(author) {
  const a = String(author ?? '').trim();
  return a || 'Anonymous';
}

/**
 * The rating distribution as rows for the bars, 5 stars first:
 * [{ star: 5, count, share }] where share is 0..1 of all rated items.
 */
export function distributionRows(distribution) {
  const get = (k) => {
    const v = distribution instanceof Map ? distribution.get(k) : distribution?.[k];
    return Number.isFinite(v) ? v : 0;
  };
  const counts = [5, 4, 3, 2, 1].map((star) => ({ star, count: get(String(star)) }));
  const total = counts.reduce((s, r) => s + r.count, 0);
  return counts.map((r) => ({ ...r, share: total > 0 ? r.count / total : 0 }));
}

/** Bytes read of a file as a 0..1 fraction for a progress bar (never NaN, never above 1). */
export function progressFraction(read, total) {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, read / total));
}

/**
 * The progress card's words while a new version of Earshot upgrades a large database, once
 * (the core's SlowUpgrade: { reviews, from_version, to_version }).
 */
export function upgradeMessage(upgrade, locale = DEFAULT_LOCALE) {
  return {
    title: 'Updating your reviews for this version of Earshot…',
    detail: `${formatCount(upgrade.reviews, locale)} reviews, once: it can take a minute. `
      + 'Nothing is lost if Earshot closes meanwhile.',
  };
}
