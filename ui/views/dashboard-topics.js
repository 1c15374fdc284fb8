// The dashboard's "Your topics" card (issue 27): the owner's own topics over the period, each
// with its mentions, negative share, whether complaints about it are rising, and a small line of
// its mentions per week or month. A topic's name opens its reviews in the inbox. With no topics
// yet, the card says what they are for and where to add one. Names are the owner's text, set as
// text.

import { h, s } from '../dom.js';
import {
  sparkPoints, topicDirection, topicFigures, trendText,
} from '../topics-logic.js';

const SPARK = { width: 120, height: 28 };

function spark(trend) {
  const points = sparkPoints(trend, SPARK.width, SPARK.height);
  if (!points) return null;
  return s('svg', {
    class: 'topic-spark', viewBox: `0 0 ${SPARK.width} ${SPARK.height}`, width: SPARK.width, height: SPARK.height,
    role: 'img', 'aria-label': `Times talked about, per period: ${trendText(trend)}`,
  },
  s('title', null, trendText(trend)),
  s('polyline', { points, fill: 'none', class: 'topic-spark-line' }));
}

/** `card(id, title, note, ...body)` is the dashboard's card maker; `open(choices)` the inbox. */
export function ownTopicsCard(card, topics, { periodName, open, since }) {
  const list = Array.isArray(topics) ? topics : [];
  if (!list.length) {
    return card('own-topics', 'Your topics', null,
      h('p', { class: 'muted', id: 'own-topics-empty' },
        'Name what you want to hear about — a new menu, parking, a class — and it is counted here. ',
        h('a', { href: '#settings', class: 'link', id: 'own-topics-add' }, 'Add a topic')));
  }
  return card('own-topics', 'Your topics', periodName,
    h('ul', { class: 'own-topics' }, list.map((t) => {
      const dir = topicDirection(t);
      return h('li', { class: 'own-topic', dataset: { topic: t.name } },
        h('div', { class: 'own-topic-text' },
          h('a', {
            href: '#inbox', class: 'link own-topic-name',
            onclick: (e) => { e.preventDefault(); open({ from: since, aspect: t.name }); },
          }, t.name),
          h('span', { class: 'muted own-topic-figures' }, topicFigures(t)),
          dir ? h('span', { class: `own-topic-dir trend-${dir.dir === 'up' ? 'down' : dir.dir === 'down' ? 'up' : 'flat'}` },
            h('span', { class: 'arrow', 'aria-hidden': 'true' }, { up: '▲', down: '▼', flat: '■' }[dir.dir]), ' ', dir.text) : null),
        spark(t.trend));
    })),
    h('p', { class: 'muted own-topics-edit' }, h('a', { href: '#settings', class: 'link' }, 'Edit your topics')));
}
