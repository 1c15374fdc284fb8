// The dashboard of one business over a chosen period: headline figures against the period before,
// the rating trend, sentiment over time, volume by platform, topics, the competitors, reviews per
// month, the rating distribution and the latest reviews. Every figure clicks through to the
// reviews behind it. It renders what `api.dashboard()` returned; app.js owns fetching and refresh.

import { h } from '../dom.js';
import {
  formatCount, formatMonth, formatRating, plural,
} from '../format.js';
import { monthOf, ratedCount, trend } from '../metrics.js';
import { layoutMonthly, monthlyChart } from '../charts/monthly.js';
import { distributionChart } from '../charts/distribution.js';
import { stars } from '../components/stars.js';
import { reviewCard } from '../components/review-card.js';
import { importFile, saveDashboardPng } from '../actions.js';
import {
  barList, periodLabel, ratingTrendChart, sentimentChart,
} from '../charts/overview.js';
import {
  distributionRows, formatPercent, isMissing, platformLabel,
} from '../format.js';
import { chartFigure } from '../components/chart-figure.js';
import { replyActionLabel } from '../words.js';
import {
  barsSummary, distributionSummary, monthlySummary, sentimentSummary, trendSummary,
} from '../a11y-logic.js';
import { kpiChange, periodChange } from '../metrics.js';
import {
  headingCard, portfolioCard, recoveredCard, rivalsFigure,
} from './dashboard-outlook.js';
import { ownTopicsCard } from './dashboard-topics.js';

/** The period picker's choices, in days. */
export const PERIODS = [[7, 'Last 7 days'], [30, 'Last 30 days'], [90, 'Last 90 days'], [365, 'Last 12 months']];

function kpi({ id, label, value, raw, sub, extra, change, onClick }) {
  return h(onClick ? 'button' : 'div', { class: ['card', 'kpi', onClick ? 'kpi-link' : null], id, type: onClick ? 'button' : null, onclick: onClick, title: onClick ? 'Show these reviews' : null },
    h('p', { class: 'kpi-label' }, label),
    h('p', { class: 'kpi-value', dataset: { value: raw === null || raw === undefined ? '' : String(raw) } },
      value, extra),
    change ? h('p', { class: `kpi-change trend-${change.dir}` },
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, { up: '▲', down: '▼', flat: '■' }[change.arrow ?? change.dir]),
      ' ', change.text) : null,
    sub ? h('p', { class: 'kpi-sub muted' }, sub) : null);
}

/** Reviews per month with its sentence and table (the months the chart draws). */
function monthlyFigure(byMonth, currentMonth) {
  const opts = { width: 640, height: 210, currentMonth };
  const bars = layoutMonthly(byMonth, opts).bars;
  const label = (b) => `${formatMonth(b.month)}${b.partial ? ' (so far)' : ''}`;
  return chartFigure('monthly',
    monthlySummary(bars.map((b) => ({ label: label(b), count: b.count })), formatCount),
    monthlyChart(byMonth, opts),
    {
      caption: 'Reviews and posts per month',
      head: ['Month', 'Reviews and posts', 'Average rating'],
      rows: bars.map((b) => [label(b), formatCount(b.count), isMissing(b.average_rating) ? '–' : `${formatRating(b.average_rating)}★`]),
    });
}

/** The rating distribution with its sentence (its rows already say every value). */
function distributionFigure(distribution) {
  const rows = distributionRows(distribution);
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  return chartFigure('dist', distributionSummary(rows), distributionChart(distribution), {
    caption: 'Ratings by number of stars',
    head: ['Stars', 'Reviews', 'Share'],
    rows: rows.map((r) => [`${r.star}★`, formatCount(r.count), formatPercent(r.count, total)]),
  });
}

function signed(n, fmt) {
  if (n === null) return '';
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${fmt(Math.abs(n))}`;
}

/**
 * `onPickBusiness(id)`, `onPickPeriod(days)` and `onOpenReviews(choices)` (the inbox's filter
 * choices) are called when the owner switches business or period or clicks a figure.
 */
export function dashboardView(data, {
  onPickBusiness, onPickPeriod, onOpenReviews, period = 30, now = new Date(), waiting = null, inDemo = false,
} = {}) {
  const { stats, business, businesses, latest, overview: o } = data;
  const alerts = Array.isArray(data.alerts) ? data.alerts : [];
  const rated = ratedCount(stats.distribution);
  const currentMonth = monthOf(now);
  const hasPartial = stats.by_month.some((m) => m.month === currentMonth);
  const open = (choices) => onOpenReviews?.({ business: String(business.id), ...choices });
  const since = o?.from ?? '';
  const periodName = (PERIODS.find(([d]) => d === period)?.[1] ?? `Last ${period} days`).toLowerCase();

  const picker = businesses.length > 1
    ? h('label', { class: 'picker' },
      h('span', { class: 'muted' }, 'Showing'),
      h('select', {
        id: 'business-picker',
        onchange: (e) => onPickBusiness?.(Number(e.target.value)),
      }, businesses.map((b) => h('option', {
        value: String(b.id), selected: b.id === business.id,
      }, b.is_competitor ? `${b.name} (competitor)` : b.name))))
    : null;
  const periodPicker = h('label', { class: 'picker' },
    h('span', { class: 'muted' }, 'Period'),
    h('select', { id: 'period-picker', onchange: (e) => onPickPeriod?.(Number(e.target.value)) },
      PERIODS.map(([d, text]) => h('option', { value: String(d), selected: d === period }, text))));

  const c = o ? periodChange(o.current, o.previous, o.unanswered_negative, o.unanswered_negative_previous) : null;
  const pct = (v) => (v === null || v === undefined ? '–' : formatPercent(v, 1));
  const change = kpiChange;
  // Each card says its period: the overall rating above counts all time (issue 32).
  const periodWords = (PERIODS.find(([d]) => d === period)?.[1] ?? `Last ${period} days`).toLowerCase();
  const cards = o ? h('div', { class: 'kpis kpis-5' },
    kpi({
      id: 'kpi-rating', label: `Rating, ${periodWords}`, value: formatRating(o.current.average_rating), raw: o.current.average_rating,
      // No rating in the period is a dash alone: stars() tags an unrated item "Mention", which
      // reads as nonsense on this tile.
      extra: isMissing(o.current.average_rating) ? null : stars(o.current.average_rating, { size: 'sm' }),
      change: change(c.rating, `${signed(c.rating, formatRating)} from ${formatRating(o.previous.average_rating)}`),
      onClick: () => open({ from: since }),
    }),
    kpi({
      id: 'kpi-count', label: `New reviews and posts, ${periodWords}`, value: formatCount(o.current.count), raw: o.current.count,
      change: c.count === null ? null : { dir: 'flat', text: `${signed(c.count, formatCount)} from ${formatCount(o.previous.count)}` },
      onClick: () => open({ from: since }),
    }),
    kpi({
      id: 'kpi-sentiment', label: `Positive, ${periodWords}`, value: pct(o.current.positive_share), raw: o.current.positive_share,
      change: change(c.positive, `${signed(c.positive === null ? null : Math.round(c.positive * 100), (n) => `${n}`)} pts from ${pct(o.previous.positive_share)}`),
      sub: `${pct(o.current.negative_share)} negative`,
      onClick: () => open({ from: since, sentiment: 'negative' }),
    }),
    kpi({
      id: 'kpi-response', label: `Response rate, ${periodWords}`, value: pct(o.current.response_rate), raw: o.current.response_rate,
      change: change(c.response, `${signed(c.response === null ? null : Math.round(c.response * 100), (n) => `${n}`)} pts from ${pct(o.previous.response_rate)}`),
      onClick: () => open({ from: since, answered: 'no' }),
    }),
    kpi({
      id: 'kpi-unanswered', label: `Unanswered negatives, ${periodWords}`, value: formatCount(o.unanswered_negative), raw: o.unanswered_negative,
      change: change(c.unanswered, `${signed(c.unanswered, formatCount)} from ${formatCount(o.unanswered_negative_previous)}`, false),
      sub: o.unanswered_negative ? 'click to answer them' : 'all answered',
      onClick: () => open({ from: since, stars: 'low', answered: 'no' }),
    })) : null;

  const card = (id, title, note, ...body) => h('section', { class: 'card', 'aria-labelledby': `${id}-title`, id },
    h('div', { class: 'card-head' }, h('h2', { id: `${id}-title` }, title), note ? h('span', { class: 'muted' }, note) : null),
    ...body);

  // The series spans the period and the one before it (src/insights.rs `Overview::series`).
  const unit = o?.granularity === 'month' ? 'month' : 'week';
  const when = (p) => (unit === 'week' ? `week of ${periodLabel(p, o.granularity)}` : periodLabel(p, o.granularity));
  const share = (v) => (v === null || v === undefined ? '–' : formatPercent(v, 1));
  const trendFigure = () => chartFigure('trend',
    trendSummary(o.series.map((p) => ({ label: when(p), rating: p.average_rating })), unit, formatRating),
    ratingTrendChart(o.series, o.granularity, { alerts }),
    {
      caption: `Average rating per ${unit}`,
      head: [unit === 'week' ? 'Week of' : 'Month', 'Rating', 'Rated reviews', 'Overall rating'],
      rows: o.series.map((p) => [periodLabel(p, o.granularity), isMissing(p.average_rating) ? '–' : `${formatRating(p.average_rating)}★`,
        formatCount(p.rated ?? 0), isMissing(p.running_rating) ? '–' : `${formatRating(p.running_rating)}★`]),
    });
  const sentimentFigure = () => chartFigure('sentiment',
    sentimentSummary(o.series.map((p) => ({
      label: when(p), negative: p.negative_share, neutral: p.neutral_share, positive: p.positive_share,
    })), unit),
    sentimentChart(o.series, o.granularity, { alerts }),
    {
      caption: `Share of negative, neutral and positive reviews and posts per ${unit}`,
      head: [unit === 'week' ? 'Week of' : 'Month', 'Negative', 'Neutral', 'Positive'],
      rows: o.series.map((p) => [periodLabel(p, o.granularity), share(p.negative_share), share(p.neutral_share), share(p.positive_share)]),
    });
  const barFigure = (id, rows, noun, head, list) => chartFigure(id, barsSummary(rows, noun), list,
    { caption: head[0], head, rows: rows.map((r) => [r.label, r.text]) });
  const periodCharts = o ? [
    card('trend', 'Rating trend', `${periodName} and the period before, per ${unit}; dashed: overall rating`, o.series.length
      ? trendFigure() : h('p', { class: 'muted empty' }, 'No ratings in this period.')),
    card('sentiment', 'Sentiment over time', h('span', { class: 'legend' }, `${periodName} and the period before: `,
      h('span', { class: 'key key-negative' }), 'negative ', h('span', { class: 'key key-neutral' }), 'neutral ',
      h('span', { class: 'key key-positive' }), 'positive'),
    o.series.length ? sentimentFigure() : h('p', { class: 'muted empty' }, 'Nothing in this period.')),
  ] : [];

  const platformRows = o ? o.platforms.map((p) => ({
    key: p.platform, label: platformLabel(p.platform), value: p.count,
    text: `${formatCount(p.count)}${p.average_rating ? ` · ${formatRating(p.average_rating)}★` : ''}`,
  })) : [];
  const aspectRows = o ? o.aspects.map((a) => ({
    key: a.aspect, label: a.aspect, value: a.mentions,
    tone: a.negative_share >= 0.4 ? 'bad' : a.negative_share >= 0.2 ? 'wait' : 'ok',
    text: `${formatCount(a.mentions)} · ${formatPercent(a.negative_share, 1)} neg.`,
  })) : [];
  const sideCards = o ? [
    headingCard(card, data.heading, { periodName }),
    card('platforms', 'Volume by platform', periodName, platformRows.length
      ? barFigure('platform-chart', platformRows, 'reviews and posts', ['Platform', 'Reviews and posts · rating'],
        barList(platformRows, { id: 'platform-bars', onPick: (platform) => open({ from: since, platform }) }))
      : barList(platformRows)),
    card('topics', 'What customers talk about', periodName,
      o.rising.length ? h('p', { class: 'rising' },
        h('strong', null, 'Getting worse: '),
        o.rising.slice(0, 3).map((r, i) => [i ? ', ' : '', h('a', {
          href: '#inbox', class: 'link',
          onclick: (e) => { e.preventDefault(); open({ from: since, aspect: r.aspect, sentiment: 'negative' }); },
        }, `${r.aspect} (${formatPercent(r.recent_negative_share, 1)} negative)`)])) : null,
      aspectRows.length
        ? barFigure('aspect-chart', aspectRows, 'reviews', ['Topic', 'Reviews · negative'],
          barList(aspectRows, { id: 'aspect-bars', onPick: (aspect) => open({ from: since, aspect }) }))
        : barList(aspectRows)),
    business.is_competitor ? null : ownTopicsCard(card, data.owner_topics, { periodName, open, since }),
    business.is_competitor ? null : recoveredCard(card, data.recovered, { now }),
  ] : [];

  const competitors = o && o.competitors.length && !business.is_competitor
    ? card('competitors', 'You and your competitors', periodName, h('table', { class: 'compare' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Business')), h('th', null, 'Rating'), h('th', null, 'Overall'),
        h('th', null, 'Reviews'), h('th', null, 'Positive'), h('th', null, 'Replies'))),
      h('tbody', null,
        [{ business: business.name, business_id: business.id, current: o.current, all_time: { average_rating: stats.average_rating },
          rating: o.rating, rating_from: o.rating_from, platform_figures: o.platform_figures, own: true },
          ...o.competitors].map((b) => h('tr', { class: b.own ? 'own' : null },
          h('th', { scope: 'row' }, b.business),
          h('td', null, formatRating(b.current.average_rating), '★'),
          // Overall as customers see it: the platform's own figure where one reports it (a
          // competitor's handful of stored reviews says little), else the stored reviews' mean.
          h('td', {
            class: b.rating_from === 'platform' ? 'from-platform' : null,
            title: b.rating_from === 'platform'
              ? (b.platform_figures ?? []).map((f) => f.says).join('\n')
              : 'From the reviews Earshot keeps',
          }, formatRating(b.rating ?? b.all_time.average_rating), '★'),
          h('td', null, formatCount(b.current.count)),
          h('td', null, pct(b.current.positive_share)),
          h('td', null, pct(b.current.response_rate)))))),
      // The same businesses month by month (issue 27): the table above is one period only.
      rivalsFigure(data.rivals))
    : null;
  const portfolio = business.is_competitor ? null
    : portfolioCard(card, data.portfolio, { periodName, onPickBusiness, currentId: business.id });

  // The one thing to do first: answer the customers of the period who still wait (issue 32).
  const answerAll = replyActionLabel(waiting);
  const mainAction = business.is_competitor ? null : answerAll || waiting === undefined
    ? h('button', {
      id: 'reply-waiting', class: 'btn btn-primary btn-main', type: 'button',
      onclick: () => open({ from: since, answered: 'no' }),
    }, answerAll ?? 'Reply to your customers')
    : h('p', { id: 'reply-waiting', class: 'muted all-answered' }, `Every customer of the ${periodName} has a reply.`);

  const latestList = latest.length
    ? h('div', { class: 'review-list' }, latest.map((r) => reviewCard(r, { now })))
    : h('p', { class: 'muted empty' }, 'No reviews for this business yet.');

  return h('section', { id: 'dashboard', class: 'dashboard', 'aria-labelledby': 'dash-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'dash-title' }, business.name),
        h('p', { class: 'muted all-time' },
          business.is_competitor ? 'A competitor you watch' : inDemo ? 'The demo café: made-up reviews' : 'Your business',
          ' · overall ',
          h('span', { id: 'stat-average' }, h('span', { class: 'kpi-value', dataset: { value: stats.average_rating ?? '' } }, formatRating(stats.average_rating), '★')),
          ` from ${plural(rated, 'rated review')} · `,
          h('span', { id: 'stat-count' }, h('span', { class: 'kpi-value', dataset: { value: String(stats.count) } }, formatCount(stats.count))),
          ' reviews and posts in all'),
        // What each platform itself shows (issue 25), beside the figures from stored reviews.
        o?.platform_figures?.length
          ? h('p', { id: 'platform-figures', class: 'muted platform-figures' },
            o.platform_figures.map((f, i) => [i ? ' · ' : '', h('span', { class: 'platform-figure' }, f.says)]))
          : null),
      h('div', { class: 'head-actions' },
        periodPicker,
        picker,
        mainAction),
      // The exports come after the main action, quieter (issue 32).
      h('div', { class: 'dash-tools', role: 'group', 'aria-label': 'Import and save' },
        h('button', {
          id: 'import-more', class: 'btn btn-small', type: 'button',
          onclick: () => importFile(businesses),
        }, 'Import a file'),
        // The system's print dialog: print on paper, or "Print to File" for a PDF of the dashboard.
        h('button', {
          id: 'print-dashboard', class: 'btn btn-small', type: 'button', title: 'Print, or save as PDF',
          onclick: () => window.print(),
        }, 'Save as PDF'),
        // A picture of this business over this period, drawn by the core (`earshot report`).
        h('button', {
          id: 'png-dashboard', class: 'btn btn-small', type: 'button', title: 'Save the dashboard as a PNG picture',
          onclick: (e) => saveDashboardPng(e.currentTarget, { business: business.id, period }),
        }, 'Save as PNG'))),
    cards,
    h('div', { class: 'dash-grid' },
      h('div', { class: 'dash-main' }, periodCharts, competitors, portfolio),
      h('div', { class: 'dash-col' }, sideCards)),
    h('div', { class: 'dash-grid' },
      h('div', { class: 'dash-main' },
        card('monthly', 'Reviews per month', h('span', { class: 'chart-note' },
          hasPartial ? h('span', { class: 'swatch-partial', 'aria-hidden': 'true' }) : null,
          hasPartial ? `${formatMonth(currentMonth, { short: true })} so far` : '',
          hasPartial ? ' · ' : '',
          'all time; point at a month for its rating'),
        monthlyFigure(stats.by_month, currentMonth)),
        card('dist', 'Ratings', `all time, ${plural(rated, 'rated review')}`, distributionFigure(stats.distribution))),
      h('section', { class: 'card dash-side', 'aria-labelledby': 'latest-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'latest-title' }, 'Latest reviews')),
        latestList)));
}
