// Plain words (issue 32): the screens' text says what ui/words.js says, never the code's jargon
// (sources, sync, items, mentions, feed, keyring, SQLite, bytes). The scan reads every string
// literal of the UI's modules and the text of index.html; ids, classes, routes, selectors and
// module paths are code, not text, and are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GLOSSARY, SAY, jargonIn, kindWord, replyActionLabel, sentimentWords,
} from '../words.js';
import { lengthLabel } from '../composer-logic.js';

const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The UI's own modules: not the tests, not the glossary, not the browser preview's made-up data. */
function uiModules() {
  const skip = new Set(['words.js', 'fake-backend.js']);
  return ['.', 'views', 'components', 'charts'].flatMap((dir) => readdirSync(path.join(UI, dir))
    .filter((f) => f.endsWith('.js') && !skip.has(f))
    .map((f) => path.join(dir, f)));
}

/**
 * The string literals of a JavaScript file with their line and what precedes them. Comments are
 * skipped (their apostrophes would open strings); a template's `${…}` parts are read as code, so
 * strings inside them count too, and the template's own text keeps a ` … ` where each was.
 */
export function literals(src) {
  const out = [];
  let i = 0;
  let line = 1;
  const lineOf = (from, to) => { for (let k = from; k < to; k += 1) if (src[k] === '\n') line += 1; };
  // Reads code until the closing brace at depth 0 (inside a template) or the end of the file.
  function code(inTemplate) {
    let depth = 0;
    while (i < src.length) {
      const c = src[i];
      const d = src[i + 1];
      if (c === '/' && d === '/') {
        const end = src.indexOf('\n', i);
        i = end < 0 ? src.length : end;
      } else if (c === '/' && d === '*') {
        const end = src.indexOf('*/', i + 2);
        lineOf(i, end < 0 ? src.length : end);
        i = end < 0 ? src.length : end + 2;
      } else if (c === '\'' || c === '"') {
        const start = i;
        const at = line;
        i += 1;
        let text = '';
        while (i < src.length && src[i] !== c && src[i] !== '\n') {
          if (src[i] === '\\') { text += src[i + 1]; i += 2; } else { text += src[i]; i += 1; }
        }
        i += 1;
        out.push({ text, line: at, before: src.slice(Math.max(0, start - 40), start) });
      } else if (c === '`') {
        const start = i;
        const at = line;
        i += 1;
        let text = '';
        while (i < src.length && src[i] !== '`') {
          if (src[i] === '\\') { text += src[i + 1]; i += 2; } else if (src[i] === '$' && src[i + 1] === '{') {
            i += 2;
            code(true);
            i += 1;
            text += ' … ';
          } else {
            if (src[i] === '\n') line += 1;
            text += src[i];
            i += 1;
          }
        }
        i += 1;
        out.push({ text, line: at, before: src.slice(Math.max(0, start - 40), start) });
      } else if (c === '/' && /[(,=:[!&|?{};]\s*$/.test(src.slice(Math.max(0, i - 10), i))) {
        // A regular expression literal: skipped whole (its quotes are not strings).
        i += 1;
        let inClass = false;
        while (i < src.length && (src[i] !== '/' || inClass) && src[i] !== '\n') {
          if (src[i] === '\\') i += 1;
          else if (src[i] === '[') inClass = true;
          else if (src[i] === ']') inClass = false;
          i += 1;
        }
        i += 1;
      } else {
        if (c === '\n') line += 1;
        if (inTemplate && c === '{') depth += 1;
        if (inTemplate && c === '}') {
          if (depth === 0) return;
          depth -= 1;
        }
        i += 1;
      }
    }
  }
  code(false);
  return out;
}

/** Strings that are code, not text: what an id, class, route, selector, import or event takes. */
const CODE_CONTEXT = /(?:\bclass|\bid|\bhref|\bname|\bfor|\bhtmlFor|\blist|\bimport|\bfrom|\bdataset\.\w+|querySelector(?:All)?|getElementById|closest|matches|classList\.\w+|invoke|listen|emit|addEventListener)\s*[:=(]?\s*\(?\s*$/;

function textOf(literal) {
  // A word given to plural() is read ("3 items"), however short.
  if (/plural\([^()]*(?:\([^()]*\))?[^()]*,\s*$/.test(literal.before)) return literal.text;
  if (CODE_CONTEXT.test(literal.before)) return null;
  // A lone lowercase word or key (`sources`, `sync-state`, `mention`) is a key, not text.
  if (/^[a-z0-9_\-.#/[\]=:"' …]*$/.test(literal.text) && !/\s\w+\s/.test(literal.text)) return null;
  return literal.text;
}

test('the glossary gives a plain word for every term and spots the jargon as whole words only', () => {
  for (const g of GLOSSARY) {
    assert.ok(g.say && Object.values(g.say).every((w) => typeof w === 'string' && w.trim()), g.term);
    assert.ok(g.why, g.term);
    // The plain words are themselves plain.
    for (const w of Object.values(g.say)) assert.deepEqual(jargonIn(w), [], `${g.term} says "${w}"`);
  }
  assert.deepEqual(jargonIn('Sync now'), ['sync']);
  assert.deepEqual(jargonIn('Kept in your system keyring.'), ['keyring']);
  assert.deepEqual(jargonIn('55 / 4,096 bytes'), ['bytes']);
  assert.deepEqual(jargonIn('Reviews and mentions per month'), ['mention']);
  assert.deepEqual(jargonIn('Open Sources'), ['source']);
  // Ids, classes, routes and module paths are code.
  for (const code of ['sync-state', '#sources', './views/sources.js', 'source-main', 'tag-mention', 'connect-items']) {
    assert.deepEqual(jargonIn(code), [], code);
  }
  assert.equal(SAY.source.screen, 'Review sites');
  assert.equal(SAY.sync.now, 'Check now');
});

test('the literal reader finds strings outside comments and regular expressions', () => {
  const found = literals(`// it's a comment with 'quotes'
const a = 'one'; /* don't */ const re = /'x'/g;
h('p', { class: 'kpi source' }, \`Two \${n ? 'three' : "four"} five\`);`);
  assert.deepEqual(found.map((l) => l.text), ['one', 'p', 'kpi source', 'three', 'four', 'Two  …  five']);
  assert.equal(textOf(found.find((l) => l.text === 'kpi source')), null);
  assert.equal(found.find((l) => l.text === 'three').line, 3);
  const [word] = literals("x = `${plural(s.count, 'item')}`;");
  assert.equal(textOf(word), 'item');
});

test('no screen shows the code\'s jargon: every string an owner reads uses the glossary\'s words', () => {
  const found = [];
  for (const file of uiModules()) {
    const src = readFileSync(path.join(UI, file), 'utf8');
    const lines = src.split('\n');
    for (const lit of literals(src)) {
      const text = textOf(lit);
      if (text === null) continue;
      // A line may say that its string is code (a key the core reads, say): `// words: code`.
      if (/\/\/ words: code/.test(lines[lit.line - 1] ?? '')) continue;
      const terms = jargonIn(text);
      if (terms.length) found.push(`${file}:${lit.line} "${text}" (${terms.join(', ')})`);
    }
  }
  assert.deepEqual(found, [], `jargon an owner would read; use ui/words.js:\n${found.join('\n')}`);
});

test('the page itself (index.html) says no jargon either', () => {
  const html = readFileSync(path.join(UI, 'index.html'), 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|link|meta)\b[^>]*>/g, '');
  const text = [...html.matchAll(/>([^<]+)</g)].map((m) => m[1])
    .concat([...html.matchAll(/\b(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map((m) => m[1]));
  assert.deepEqual(text.flatMap(jargonIn), []);
});

test('a review is a review and a mention is a post', () => {
  assert.equal(kindWord('review'), 'review');
  assert.equal(kindWord('mention'), 'post');
  assert.equal(kindWord('mention', { capital: true }), 'Post');
});

test('sentiment reads as a word; the score is kept for a tooltip', () => {
  const s = sentimentWords('negative', -0.714);
  assert.equal(s.text, 'Negative');
  assert.match(s.hint, /−0\.71/);
  assert.equal(sentimentWords('positive', null).hint, null);
  assert.equal(sentimentWords(null, null).text, 'Not judged');
});

test('a length limit in bytes is told in characters, with what counts for more', () => {
  const l = lengthLabel('Thanks, Ana!', { unit: 'bytes', max: 4096 });
  assert.equal(l.text, '12 of 4,096 characters');
  assert.deepEqual(jargonIn(l.text), []);
  assert.match(l.note, /accent|emoji/i);
  assert.equal(lengthLabel('Hi', { unit: 'characters', max: 350 }).text, '2 of 350 characters');
});

test('the dashboard\'s main action names how many customers wait, and nothing when none do', () => {
  assert.equal(replyActionLabel(16), 'Reply to 16 customers');
  assert.equal(replyActionLabel(1), 'Reply to 1 customer');
  assert.equal(replyActionLabel(1200), 'Reply to 1,200 customers');
  assert.equal(replyActionLabel(0), null);
  assert.equal(replyActionLabel(undefined), null);
});
