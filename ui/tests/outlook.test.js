// The dashboard's outlook (issue 27): the words and tables of the heading, recovered, roll-up and
// competitors cards, and the competitors' chart geometry, without a DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatHours, portfolioRows, portfolioSummary, recoveredChange, recoveredSummary, replyTime,
  rivalsSummary, rivalsTable,
} from '../outlook-logic.js';
import { layoutRivals, RIVAL_DASHES } from '../charts/rivals.js';

test('reply delays read as an owner says them', () => {
  assert.equal(formatHours(0.25), '15 minutes');
  assert.equal(formatHours(0.001), '1 minute');
  assert.equal(formatHours(1), '1 hour');
  assert.equal(formatHours(5.25), '5.3 hours');
  assert.equal(formatHours(23.6), '24 hours');
  assert.equal(formatHours(72), '3 days');
  assert.equal(formatHours(null), '–');
  assert.equal(formatHours(-1), '–');
});

test('a faster reply time is good news, a slower one bad', () => {
  const faster = replyTime({ median_reply_hours: 5, median_reply_hours_previous: 20, replied: 4 }, 'last 30 days');
  assert.equal(faster.value, '5 hours');
  assert.deepEqual(faster.change, { dir: 'up', arrow: 'down', text: 'faster than 20 hours before' });
  assert.equal(faster.sub, 'median over 4 replies, last 30 days');
  assert.equal(replyTime({ median_reply_hours: 30, median_reply_hours_previous: 20, replied: 1 }).change.dir, 'down');
  assert.equal(replyTime({ median_reply_hours: 20, median_reply_hours_previous: 20, replied: 1 }).change.dir, 'flat');
  const none = replyTime({ median_reply_hours: null, replied: 0 }, 'the last 7 days');
  assert.equal(none.value, '–');
  assert.equal(none.change, null);
  assert.equal(replyTime({ median_reply_hours: 3, median_reply_hours_previous: null, replied: 2 }).change, null);
});

test('recovered reviews are counted in words', () => {
  assert.equal(recoveredSummary({ count: 0, stars_gained: 0, latest: [] }),
    'No review has been re-rated higher after a reply yet.');
  assert.equal(recoveredSummary({ count: 1, stars_gained: 1 }), '1 review rated higher after your reply, 1 star won back in all.');
  assert.equal(recoveredSummary({ count: 3, stars_gained: 7 }), '3 reviews rated higher after your reply, 7 stars won back in all.');
  assert.equal(recoveredChange({ before: 2, after: 5 }), '2.0★ → 5.0★');
});

const portfolio = {
  period_days: 30,
  combined: { count: 30, average_rating: 4.2, positive_share: 0.7, response_rate: 0.5 },
  combined_all_time: { count: 300, average_rating: 4.31 },
  unanswered_negative: 3,
  locations: [
    { business: 'Joe’s North', business_id: 2, rank: 1, rating: 4.6, current: { count: 10, average_rating: 4.5, positive_share: 0.8, response_rate: 0.9 }, unanswered_negative: 0 },
    { business: 'Joe’s South', business_id: 1, rank: 2, rating: 3.9, current: { count: 20, average_rating: null, positive_share: null, response_rate: 0.3 }, unanswered_negative: 3 },
  ],
};

test('the roll-up lists all locations together first, then each by rank', () => {
  const rows = portfolioRows(portfolio);
  assert.deepEqual(rows.map((r) => [r.rank, r.name, r.rating]), [
    ['', 'All 2 locations', '4.3★'], ['1', 'Joe’s North', '4.6★'], ['2', 'Joe’s South', '3.9★'],
  ]);
  assert.equal(rows[0].combined, true);
  assert.equal(rows[2].period, '–');
  assert.equal(rows[2].positive, '–');
  assert.equal(rows[0].unanswered, '3');
  assert.equal(portfolioSummary(portfolio), 'Joe’s North is your best rated location (4.6★); Joe’s South the lowest (3.9★).');
  assert.deepEqual(portfolioRows({ ...portfolio, locations: portfolio.locations.slice(0, 1) }), []);
  assert.deepEqual(portfolioRows(null), []);
});

const months = ['2026-01', '2026-02', '2026-03', '2026-04'];
const rivals = {
  months,
  lines: [
    { business: 'Joe’s Café', own: true, running_rating: [4.2, 4.3, 4.3, 4.4] },
    { business: 'Bean There', own: false, running_rating: [null, 4.0, 4.1, 4.1] },
    { business: 'Café Rouge', own: false, running_rating: [4.6, 4.6, 4.6, 4.6] },
  ],
};

test('the competitors chart says who is ahead and has a row per month', () => {
  assert.equal(rivalsSummary(rivals),
    'Over 4 months your overall rating went from 4.2★ to 4.4★; now ahead of 1 of 2 competitors (Bean There 4.1★), behind Café Rouge 4.6★.');
  assert.equal(rivalsSummary({ months, lines: [rivals.lines[0]] }), 'No competitors to compare with yet.');
  const t = rivalsTable(rivals);
  assert.deepEqual(t.head, ['Month', 'Joe’s Café (you)', 'Bean There', 'Café Rouge']);
  assert.equal(t.rows.length, 4);
  assert.deepEqual(t.rows[0].slice(1), ['4.2★', '–', '4.6★']);
});

test('the competitors lines stay in the plot, the owner drawn last, a gap where no rating', () => {
  const L = layoutRivals(rivals, { width: 560, height: 180 });
  assert.equal(L.lines.at(-1).own, true);
  assert.deepEqual(L.lines.map((l) => l.style), ['rival-0', 'rival-1', 'own']);
  assert.equal(L.lines[0].points[0], null, 'Bean There had no rating in January');
  for (const line of L.lines) {
    for (const p of line.points.filter(Boolean)) {
      assert.ok(p.x >= 0 && p.x <= 560 && p.y >= 0 && p.y <= 180, JSON.stringify(p));
    }
  }
  assert.ok(L.lo <= 4.0 && L.hi >= 4.6);
  assert.equal(L.labels.at(-1).text.length > 0, true, 'the latest month is labelled');
  assert.equal(RIVAL_DASHES.length, 4);
});
