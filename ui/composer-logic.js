// The reply composer's pure parts: the length counter in each platform's own unit, and how a
// reply in the thread is described. Tested with node; the coach's rules themselves live in Rust.

import { numberFormat, segmenter } from './format.js';

const URL_RE = /https?:\/\/\S+/g;
const X_URL_WEIGHT = 23;

/** Length of `text` in the limit's unit (mirrors src/replies/coach.rs `measure`). */
export function measure(text, limit) {
  const s = String(text ?? '');
  switch (limit?.unit) {
    case 'bytes':
      return new TextEncoder().encode(s).length;
    case 'weighted': {
      let n = 0;
      const withoutUrls = s.replace(URL_RE, () => { n += X_URL_WEIGHT; return ''; });
      for (const ch of withoutUrls) {
        const cp = ch.codePointAt(0);
        const light = cp <= 0x10ff || (cp >= 0x2000 && cp <= 0x200d) || (cp >= 0x2010 && cp <= 0x201f)
          || (cp >= 0x2032 && cp <= 0x2037);
        n += light ? 1 : 2;
      }
      return n;
    }
    case 'graphemes':
      // Bluesky counts what a reader sees as one character: a family emoji is one.
      if (typeof Intl !== 'undefined' && Intl.Segmenter) {
        let n = 0;
        for (const _ of segmenter(undefined, { granularity: 'grapheme' }).segment(s)) n += 1;
        return n;
      }
      return [...s].length;
    default:
      return [...s].length;
  }
}

/**
 * "120 of 350 characters", whether it is over, and what counts for more than one where the
 * platform does not count letters one by one (its bytes or X's weights), in words: the owner
 * thinks in characters (issue 32).
 */
export function lengthLabel(text, limit) {
  const n = measure(text, limit);
  const max = limit?.max ?? null;
  const count = numberFormat('en');
  const note = {
    bytes: 'Accented letters count as 2 characters here, and emoji as 4.',
    weighted: 'Links count as 23 characters here, and emoji and some scripts as 2.',
  }[limit?.unit] ?? null;
  return {
    text: max ? `${count.format(n)} of ${count.format(max)} characters` : `${count.format(n)} characters`,
    over: max !== null && n > max,
    note,
  };
}

const ORIGIN = {
  platform: 'Your reply on the platform',
  earshot: 'Sent from Earshot',
  manual: 'Posted by hand',
};

const STATE = {
  draft: 'Draft',
  // A team member's reply on a team database, until a manager approves it.
  awaiting_approval: 'Waiting for a manager',
  queued: 'Waiting to be sent',
  posting: 'Sending…',
  posted: 'Posted',
  failed: 'Not posted',
  deleted: 'Deleted',
};

/** A reply in the thread as the owner reads it: a heading and a tone for its badge. */
export function describeReply(reply) {
  const tone = { posted: 'ok', failed: 'bad', deleted: 'muted', queued: 'wait', awaiting_approval: 'wait', posting: 'wait' }[reply.state] ?? 'muted';
  return {
    heading: ORIGIN[reply.origin] ?? 'Reply',
    state: STATE[reply.state] ?? reply.state,
    tone,
  };
}

/**
 * The reply in the thread that Edit and Delete act on: the newest one sent from Earshot that is
 * posted (the core edits and deletes that one), with what its platform allows. `null` when none.
 */
export function editableReply(detail) {
  const posted = (detail?.replies ?? []).filter((x) => x.origin === 'earshot' && x.state === 'posted');
  const last = posted[posted.length - 1];
  if (!last) return null;
  const canEdit = Boolean(detail.can_edit);
  const canDelete = Boolean(detail.can_delete);
  return canEdit || canDelete ? { id: last.id, canEdit, canDelete } : null;
}

/** Earlier texts of each reply (before its edits), newest first, in a Map by reply id. */
export function earlierTexts(revisions) {
  const byReply = new Map();
  for (const v of revisions ?? []) {
    if (!byReply.has(v.reply_id)) byReply.set(v.reply_id, []);
    byReply.get(v.reply_id).unshift(v);
  }
  return byReply;
}

/** Which buttons the composer offers for a route ({kind: 'post'|'copy_and_open'}). */
export function composerActions(route) {
  if (route?.kind === 'post') return ['post', 'save', 'discard'];
  return ['copy', 'mark', 'save', 'discard'];
}
