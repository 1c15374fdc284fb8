// The words an owner reads, in one place (issue 32): the app's own terms (source, sync, item,
// mention, feed, keyring, SQLite, bytes) are what the code calls things, not what a shop owner
// calls them. Every screen says the plain word from here, and `ui/tests/words.test.js` scans the
// screens' strings for the jargon so a new one cannot slip back in.
//
// What stays technical on purpose: routes, element ids and classes, the CLI's commands and flags
// and the JSON fields (contracts written in the issues). Only text people read changes.

/**
 * The glossary: each term of the code, the plain words the owner reads instead, and why. The
 * `jargon` words are what the scan refuses in the screens' text (whole words only, so `sync-state`
 * or `#sources` as ids and routes are not text).
 */
export const GLOSSARY = [
  {
    term: 'source',
    say: { one: 'review site', many: 'review sites', screen: 'Review sites' },
    why: 'A connected platform, search or hashtag is, to the owner, a site where customers talk.',
    jargon: ['source', 'sources'],
  },
  {
    term: 'sync',
    say: { verb: 'check for new reviews', now: 'Check now', done: 'Last checked', never: 'Not checked yet', doing: 'Checking' },
    why: '"Sync" is a programmer\'s word; the owner asks Earshot to look for new reviews.',
    jargon: ['sync', 'syncs', 'synced', 'syncing'],
  },
  {
    term: 'item',
    say: { many: 'reviews and posts' },
    why: 'An item is a review or a post; say which.',
    jargon: ['item', 'items'],
  },
  {
    term: 'mention',
    say: { one: 'post', many: 'posts', tag: 'Post' },
    why: 'A post that names the business without stars (Reddit, Mastodon, a news alert) is a post.',
    jargon: ['mention', 'mentions'],
  },
  {
    term: 'feed',
    say: { one: 'news alert' },
    why: 'An RSS or Atom feed is, for the owner, the alerts Google (or another site) sends.',
    jargon: ['feed', 'feeds'],
  },
  {
    term: 'keyring',
    say: { one: 'your computer\'s password store' },
    why: 'The Secret Service or Keychain is where the computer keeps passwords.',
    jargon: ['keyring', 'keyrings', 'key ring'],
  },
  {
    term: 'SQLite',
    say: { one: 'one file on this computer' },
    why: 'The file format does not matter to the owner; where the file is does (Settings says).',
    jargon: ['sqlite'],
  },
  {
    term: 'bytes',
    say: { one: 'characters' },
    why: 'A limit in bytes is told as characters, with a note that accents and emoji count for more.',
    jargon: ['byte', 'bytes'],
  },
];

const word = (term) => GLOSSARY.find((g) => g.term === term).say;

/** The plain words, by the code's term: `SAY.source.many` is "review sites". */
export const SAY = Object.fromEntries(GLOSSARY.map((g) => [g.term, g.say]));

/**
 * The jargon as a whole word of text: not part of an id, class, route or file name
 * (`sync-state`, `#sources`, `views/sources.js`), which are code and stay as they are.
 */
const JARGON = GLOSSARY.map((g) => ({
  term: g.term,
  re: new RegExp(`(?<![\\w\\-./#_])(?:${g.jargon.join('|')})(?![\\w\\-/_]|\\.\\w)`, 'i'),
}));

/** The jargon found in `text`, as the glossary's terms (empty when the text is plain). */
export function jargonIn(text) {
  const s = String(text ?? '');
  return JARGON.filter((j) => j.re.test(s)).map((j) => j.term);
}

/** "a review" or "a post", for a review's kind (`review` or `mention`). */
export function kindWord(kind, { capital = false } = {}) {
  const w = kind === 'mention' ? word('mention').one : 'review';
  return capital ? w[0].toUpperCase() + w.slice(1) : w;
}

/**
 * A sentiment label for reading: "Negative", with the model's score kept for a tooltip
 * ("score −0.71 on a scale from −1 to +1") rather than shown beside the word.
 */
export function sentimentWords(label, score) {
  const text = label ? label[0].toUpperCase() + label.slice(1) : 'Not judged';
  const hint = typeof score === 'number' && Number.isFinite(score)
    ? `Score ${score > 0 ? '+' : score < 0 ? '−' : ''}${Math.abs(score).toFixed(2)}, on a scale from −1 (very negative) to +1 (very positive)`
    : null;
  return { text, hint };
}

/**
 * The dashboard's main action (issue 32): "Reply to 16 customers", the people of the period still
 * waiting for an answer; null when nobody is waiting (the screen says so in a sentence instead).
 */
export function replyActionLabel(waiting) {
  const n = Number(waiting);
  if (!Number.isFinite(n) || n <= 0) return null;
  return `Reply to ${new Intl.NumberFormat('en').format(n)} ${n === 1 ? 'customer' : 'customers'}`;
}
