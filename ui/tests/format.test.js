// Formatting rules the owner sees on every screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  authorName, dateTimeFormat, distributionRows, fillMonths, formatAxisCount, formatCount,
  formatMonth, formatPercent, formatRating, formatWhen, nextMonth, numberFormat, parseMonth,
  linkTarget, platformLabel, plural, progressFraction, safeHttpUrl, resolveLocale, reviewPageUrl,
  setLinkHosts, starParts, starsLabel, upgradeMessage,
} from '../format.js';

const L = 'en-US';

test('counts get thousands separators and a missing count is a dash, never 0', () => {
  assert.equal(formatCount(2345, L), '2,345');
  assert.equal(formatCount(0, L), '0');
  assert.equal(formatCount(null, L), '—');
  assert.equal(formatCount(undefined, L), '—');
});

test('ratings show one decimal and no rating shows a dash', () => {
  assert.equal(formatRating(4.26, L), '4.3');
  assert.equal(formatRating(4, L), '4.0');
  assert.equal(formatRating(null, L), '—');
  assert.equal(formatRating(4.26, 'de-DE'), '4,3');
});

test('stars round to the nearest half and always add up to five', () => {
  assert.deepEqual(starParts(4.3), { full: 4, half: 1, empty: 0 });
  assert.deepEqual(starParts(4.2), { full: 4, half: 0, empty: 1 });
  assert.deepEqual(starParts(1), { full: 1, half: 0, empty: 4 });
  assert.deepEqual(starParts(7), { full: 5, half: 0, empty: 0 });
  for (let x = 1; x <= 5; x += 0.1) {
    const p = starParts(x);
    assert.equal(p.full + p.half + p.empty, 5);
  }
});

test('a mention has no stars rather than invented ones', () => {
  assert.equal(starParts(null), null);
  assert.equal(starsLabel(null), 'No star rating');
  assert.equal(starsLabel(4, L), '4 out of 5 stars');
});

test('percent of an empty whole is 0% not NaN', () => {
  assert.equal(formatPercent(1, 4, L), '25%');
  assert.equal(formatPercent(0, 0, L), '0%');
});

test('plural picks the singular only for exactly one', () => {
  assert.equal(plural(1, 'review', undefined, L), '1 review');
  assert.equal(plural(0, 'review', undefined, L), '0 reviews');
  assert.equal(plural(1200, 'review or mention', 'reviews and mentions', L), '1,200 reviews and mentions');
});

test('months parse, format in any time zone and roll over the year', () => {
  assert.deepEqual(parseMonth('2024-03'), { year: 2024, month: 3 });
  assert.equal(parseMonth('2024-13'), null);
  assert.equal(parseMonth('March'), null);
  assert.equal(formatMonth('2024-03', {}, L), 'Mar 2024');
  assert.equal(formatMonth('2024-01', { short: true }, L), 'Jan');
  assert.equal(formatMonth('nonsense', {}, L), 'nonsense');
  assert.equal(nextMonth('2024-12'), '2025-01');
  assert.equal(nextMonth('2024-09'), '2024-10');
});

test('months without reviews are filled in so chart columns are evenly spaced in time', () => {
  const filled = fillMonths([
    { month: '2024-11', count: 3, average_rating: 4 },
    { month: '2025-02', count: 1, average_rating: 5 },
  ]);
  assert.deepEqual(filled.map((m) => m.month), ['2024-11', '2024-12', '2025-01', '2025-02']);
  assert.deepEqual(filled[1], { month: '2024-12', count: 0, average_rating: null });
  assert.deepEqual(fillMonths([]), []);
  assert.deepEqual(fillMonths(null), []);
});

test('review dates read like an owner would say them', () => {
  const now = new Date(2026, 10, 22, 15, 0); // 22 Nov 2026, local time
  assert.equal(formatWhen(new Date(2026, 10, 22, 9).toISOString(), now, L), 'today');
  assert.equal(formatWhen(new Date(2026, 10, 21, 23).toISOString(), now, L), 'yesterday');
  assert.equal(formatWhen(new Date(2026, 10, 18, 12).toISOString(), now, L), '4 days ago');
  assert.equal(formatWhen(new Date(2026, 2, 12, 12).toISOString(), now, L), 'Mar 12');
  assert.equal(formatWhen(new Date(2023, 2, 12, 12).toISOString(), now, L), 'Mar 12, 2023');
  assert.equal(formatWhen('not a date', now, L), '');
});

test('platform labels come from a Map, so a hostile name cannot reach object internals', () => {
  assert.equal(platformLabel('google'), 'Google');
  assert.equal(platformLabel('booking'), 'Booking.com');
  assert.equal(platformLabel('my-forum'), 'My-forum');
  assert.equal(platformLabel('__proto__'), '__proto__');
  assert.equal(platformLabel('constructor'), 'Constructor');
  assert.equal(platformLabel(''), 'Unknown');
});

test('only http and https links may be opened', () => {
  assert.equal(safeHttpUrl('https://g.co/r/1'), 'https://g.co/r/1');
  assert.equal(safeHttpUrl('http://example.com/a b'), 'http://example.com/a%20b');
  assert.equal(safeHttpUrl('javascript:alert(1)'), null);
  assert.equal(safeHttpUrl('file:///etc/passwd'), null);
  assert.equal(safeHttpUrl('not a url'), null);
  assert.equal(safeHttpUrl(null), null);
  assert.equal(safeHttpUrl(`https://x.com/${'a'.repeat(3000)}`), null);
});

// The hosts as the core declares them (ConnectorSpec `platform` and `review_hosts`, as
// `source_platforms` returns them; src/platforms/*.rs), a few platforms' worth.
const SPECS = [
  { name: 'google-business', platform: 'google', review_hosts: ['google.com', 'google.*', 'g.page', 'goo.gl', 'g.co'] },
  { name: 'google-places', platform: 'google', review_hosts: ['google.com', 'google.*', 'g.page', 'goo.gl', 'g.co'] },
  { name: 'google-play', platform: 'google-play', review_hosts: ['play.google.com'] },
  { name: 'yelp', platform: 'yelp', review_hosts: ['yelp.com', 'yelp.*'] },
  { name: 'facebook', platform: 'facebook', review_hosts: ['facebook.com', 'fb.com', 'fb.me'] },
  { name: 'trustpilot', platform: 'trustpilot', review_hosts: ['trustpilot.com', 'trustpilot.*'] },
  { name: 'app-store', platform: 'app-store', review_hosts: ['apple.com'] },
  { name: 'x', platform: 'x', review_hosts: ['x.com', 'twitter.com', 't.co'] },
  { name: 'youtube', platform: 'youtube', review_hosts: ['youtube.com', 'youtu.be'] },
  { name: 'reddit', platform: 'reddit', review_hosts: ['reddit.com', 'redd.it'] },
  { name: 'hackernews', platform: 'hackernews', review_hosts: ['news.ycombinator.com'] },
  { name: 'bluesky', platform: 'bluesky', review_hosts: ['bsky.app'] },
  { name: 'mastodon', platform: 'mastodon', review_hosts: null },
  { name: 'rss', platform: 'rss', review_hosts: null },
  { name: 'file', platform: 'file', review_hosts: null },
];

test("a review's link opens only on its own platform's hosts, as the specs declare them", () => {
  setLinkHosts(SPECS);
  const ok = [
    ['google', 'https://www.google.com/maps/reviews/1'],
    ['google', 'https://maps.google.co.uk/r/1'],
    ['google', 'https://www.google.com.au/r/1'],
    ['google', 'https://g.page/r/abc'],
    ['google-play', 'https://play.google.com/store/apps/details?id=a'],
    ['yelp', 'https://www.yelp.ca/biz/harbour-lane'],
    ['trustpilot', 'https://uk.trustpilot.com/reviews/5f'],
    ['app-store', 'https://apps.apple.com/us/app/id1'],
    ['x', 'https://twitter.com/kim/status/1'],
    ['youtube', 'https://youtu.be/dQw'],
    ['reddit', 'https://old.reddit.com/r/pdx/comments/abc/'],
    ['hackernews', 'https://news.ycombinator.com/item?id=1'],
    ['bluesky', 'https://bsky.app/profile/kim/post/3kq'],
    // Reserved example domains (the demo's links).
    ['google', 'https://example.com/google/harbour-lane/1'],
    ['mastodon', 'https://example.org/@kim/1'],
  ];
  for (const [platform, url] of ok) {
    assert.deepEqual(linkTarget(platform, url), { url, direct: true }, `${platform} ${url}`);
    assert.equal(reviewPageUrl(platform, url), url);
  }
  const refused = [
    ['google', 'https://evil.com/www.google.com'],
    ['google', 'https://google.com.evil.com/'],
    ['google', 'https://www.google.evil.com/'],
    ['google', 'https://google.bad.io/'],
    ['google', 'https://google.co.uk.evil.net/'],
    ['google', 'https://notgoogle.com/'],
    ['google', 'https://www.yelp.com/biz/elsewhere'],
    ['yelp', 'https://yelp.com.phish.example.net.evil.org/'],
    ['facebook', 'http://facebook.com@evil.com/'],
    ['x', 'javascript:alert(1)'],
    ['mastodon', 'file:///etc/passwd'],
  ];
  for (const [platform, url] of refused) assert.equal(linkTarget(platform, url), null, `${platform} ${url}`);
});

test('a link without a fixed host shows its full address before it leaves the app', () => {
  setLinkHosts(SPECS);
  const asked = [
    // No fixed host: any http(s) page, after the owner has seen it.
    ['mastodon', 'https://ex.social/@kim/1123'],
    ['rss', 'https://news.example.net.evil.org/a'],
    ['file', 'https://reviews.someshop.co/r/1'],
    // A site Earshot has no connector for (from an import): its hosts are not declared.
    ['tripadvisor', 'https://www.tripadvisor.com/r/1'],
    ['__proto__', 'https://evil.com/'],
  ];
  for (const [platform, url] of asked) {
    assert.deepEqual(linkTarget(platform, url), { url, direct: false }, `${platform} ${url}`);
  }
  // Before the specs have loaded nothing opens directly, not even a platform's own host.
  setLinkHosts([]);
  assert.deepEqual(linkTarget('google', 'https://www.google.com/r/1'),
    { url: 'https://www.google.com/r/1', direct: false });
  // Bad entries are ignored rather than trusted.
  setLinkHosts([{ platform: 'google', review_hosts: [7, 'google.com'] }, null, { name: 'x' }]);
  assert.equal(linkTarget('google', 'https://maps.google.com/r').direct, true);
  setLinkHosts(SPECS);
});

test('an empty author is shown as Anonymous', () => {
  assert.equal(authorName(null), 'Anonymous');
  assert.equal(authorName('  '), 'Anonymous');
  assert.equal(authorName('Maya R.'), 'Maya R.');
});

test('distribution rows run from 5 stars down with shares of the rated total', () => {
  const rows = distributionRows({ 1: 1, 2: 0, 3: 1, 4: 2, 5: 4 });
  assert.deepEqual(rows.map((r) => r.star), [5, 4, 3, 2, 1]);
  assert.deepEqual(rows.map((r) => r.count), [4, 2, 1, 0, 1]);
  assert.equal(rows[0].share, 0.5);
  assert.ok(distributionRows({}).every((r) => r.count === 0 && r.share === 0));
});

test('progress never goes past the end or becomes NaN', () => {
  assert.equal(progressFraction(50, 100), 0.5);
  assert.equal(progressFraction(150, 100), 1);
  assert.equal(progressFraction(10, 0), 0);
  assert.equal(progressFraction(10, undefined), 0);
});

test('a bare Linux locale like C or C.UTF-8 falls back to en-US instead of breaking Intl', () => {
  assert.equal(resolveLocale('C'), 'en-US');
  assert.equal(resolveLocale('C.UTF-8'), 'en-US');
  assert.equal(resolveLocale('POSIX'), 'en-US');
  assert.equal(resolveLocale(''), 'en-US');
  assert.equal(resolveLocale(undefined), 'en-US');
  assert.equal(resolveLocale('de_DE.UTF-8'), 'de-DE');
  assert.equal(resolveLocale('en-GB'), 'en-GB');
});

test('axis counts stay short enough for the axis: thousands and millions abbreviated', () => {
  assert.equal(formatAxisCount(950, L), '950');
  assert.equal(formatAxisCount(2500, L), '2.5K');
  assert.equal(formatAxisCount(30000, L), '30K');
  assert.equal(formatAxisCount(1200000, L), '1.2M');
  assert.equal(formatAxisCount(null, L), '—');
});

test('formatters are made once per locale and options, and shared', () => {
  const a = numberFormat(L, { maximumFractionDigits: 0 });
  assert.equal(numberFormat(L, { maximumFractionDigits: 0 }), a);
  assert.notEqual(numberFormat(L, { maximumFractionDigits: 1 }), a);
  assert.notEqual(numberFormat('de-DE', { maximumFractionDigits: 0 }), a);
  const d = dateTimeFormat(L, { month: 'short' });
  assert.equal(dateTimeFormat(L, { month: 'short' }), d);
  assert.notEqual(dateTimeFormat(L, { month: 'long' }), d);
  assert.equal(formatCount(1234567, 'de-DE'), '1.234.567');
});

test('a one-time upgrade says how many reviews, that it happens once, and that nothing is lost', () => {
  const m = upgradeMessage({ reviews: 1050000, from_version: 7, to_version: 8 }, L);
  assert.match(m.title, /Updating your reviews/);
  assert.match(m.detail, /^1,050,000 reviews, once/);
  assert.match(m.detail, /Nothing is lost/);
});
