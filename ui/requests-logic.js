// Pure logic of the "Ask for reviews" screen (issue 29): the sentences it shows about a send,
// the figures, and which profiles can be asked. No DOM, so node tests cover it.

/** `n thing` / `n things`. */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The profiles that may be asked (a platform whose rules forbid asking, Yelp, cannot). */
export function askableLinks(links) {
  return (links ?? []).filter((l) => l?.rule?.kind !== 'forbidden');
}

/** What the owner reads under a link: where it came from, and the platform's rule. */
export function linkNote(link) {
  const from = link.from === 'by_hand' ? 'Set by you.' : 'From your connected profile.';
  return link.rule ? `${from} ${link.rule.why}` : from;
}

/** Who will not be asked, in words ('' when everyone will). */
export function skippedSentence(skipped) {
  if (!skipped) return '';
  const parts = [];
  if (skipped.opted_out) parts.push(`${plural(skipped.opted_out, 'customer')} asked not to be contacted`);
  if (skipped.recently_asked) parts.push(`${plural(skipped.recently_asked, 'customer')} already asked in the last period`);
  if (skipped.no_address) parts.push(`${plural(skipped.no_address, 'customer')} without an address for this`);
  return parts.length ? `Not asked: ${parts.join('; ')}.` : '';
}

/** The line of a dry run: how many will be asked, and how. */
export function previewSentence(report) {
  const how = report.via === 'email' ? 'by e-mail' : report.via === 'sms' ? 'by text from your phone' : 'from your own mail program';
  if (!report.eligible) return 'Nobody on the list can be asked right now.';
  return `${plural(report.eligible, 'customer')} will be asked ${how}, all with the same words and link.`;
}

/** What a finished send says. */
export function doneSentence(report) {
  if (report.via === 'email') {
    const failed = report.failed?.length ?? 0;
    return `Sent ${plural(report.sent, 'request')}.${failed ? ` ${plural(failed, 'e-mail')} did not go out; they can be sent again later.` : ''}`;
  }
  return `Prepared ${plural(report.messages?.length ?? 0, 'message')} for you to send.`;
}

/** A rating with two decimals, or a dash. */
export function ratingText(r) {
  return r == null ? '—' : Number(r).toFixed(2);
}

/**
 * The figures as label/value pairs: requests sent, reviews that followed, their rating against
 * the rest. Says so when there are too few to compare.
 */
export function statRows(stats) {
  const rows = [
    ['Requests sent', String(stats.sent)],
    [`Reviews that followed (within ${stats.window_days} days)`, String(stats.responses)],
  ];
  if (stats.response_rate != null) rows.push(['Response rate', `${Math.round(stats.response_rate * 100)}%`]);
  rows.push(['Their average rating', ratingText(stats.responses_rating)]);
  rows.push(['Other reviews since you started asking', `${ratingText(stats.others_rating)} (${plural(stats.others, 'review')})`]);
  if (stats.unconfirmed) rows.push(['Outcome unknown (never sent again)', String(stats.unconfirmed)]);
  return rows;
}

/** Whether the comparison has enough reviews on both sides to mean something. */
export function tooFewToCompare(stats, least = 5) {
  return stats.responses < least || stats.others < least;
}
