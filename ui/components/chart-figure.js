// A chart with its words (issue 32, WCAG 1.1.1 and 1.4.1): one sentence that says what the chart
// shows, the chart itself (described by that sentence), and "Show as table" with every value as
// text, for anyone who cannot see or tell apart the bars, lines and colours. Values are set as text.

import { h } from '../dom.js';

/**
 * `summary`: the sentence; `chart`: the drawn chart (an element); `table`: { caption, head:
 * [column names], rows: [[cells]] } (the first cell of each row is its header).
 */
export function chartFigure(id, summary, chart, table) {
  const summaryId = `${id}-summary`;
  chart?.setAttribute?.('aria-describedby', summaryId);
  return h('figure', { class: 'chart-figure', id: `${id}-figure` },
    h('figcaption', { class: 'chart-summary', id: summaryId }, summary),
    chart,
    table && table.rows.length ? h('details', { class: 'chart-table' },
      h('summary', null, 'Show as table'),
      // A long table scrolls inside the card; focusable, so the keyboard can scroll it too.
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': table.caption },
        h('table', { class: 'data-table' },
          h('caption', { class: 'sr-only' }, table.caption),
          h('thead', null, h('tr', null, table.head.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, table.rows.map(([first, ...rest]) => h('tr', null,
            h('th', { scope: 'row' }, first),
            rest.map((c) => h('td', null, c)))))))) : null);
}
