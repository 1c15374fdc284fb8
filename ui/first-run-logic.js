// The first run's pure parts (issue 32): which step of the welcome to show, what each platform
// asks of the owner before it can be read, the order connecting starts in, and whose name the
// Connect form offers. No DOM here, so node tests check them.

/** The owner's words for a platform's `guide.access` (the core's `Access::label`). */
export const ACCESS_LABELS = new Map([
  ['no_account', 'no account needed'],
  ['your_account', 'needs your account'],
  ['developer_key', 'needs a developer key'],
  ['approval', 'needs approval'],
]);

const ACCESS_ORDER = [...ACCESS_LABELS.keys()];

/** The tag beside a platform's name; a spec without one is assumed to need a key (never promise). */
export function accessLabel(spec) {
  return ACCESS_LABELS.get(spec?.guide?.access) ?? ACCESS_LABELS.get('developer_key');
}

function accessRank(spec) {
  const i = ACCESS_ORDER.indexOf(spec?.guide?.access);
  return i < 0 ? ACCESS_ORDER.indexOf('developer_key') : i;
}

/** Specs ordered for connecting: what needs no account first, then by name. */
export function byAccess(specs) {
  return [...specs].sort((a, b) => accessRank(a) - accessRank(b) || a.label.localeCompare(b.label));
}

/** The specs that need no account at all (the welcome names them). */
export function noAccountNeeded(specs) {
  return byAccess(specs).filter((s) => s.guide?.access === 'no_account');
}

/** The owner's own business (the first that is not a competitor), or null. */
export function ownBusiness(businesses) {
  return (businesses ?? []).find((b) => !b.is_competitor) ?? null;
}

/**
 * Which step of the welcome to show for the dashboard's answer `d`: `name` asks what the
 * business is called (nothing is known yet), `ways` offers the ways in once it is named.
 */
export function welcomeStep(d) {
  return ownBusiness(d?.businesses) ? 'ways' : 'name';
}

/**
 * The name the Connect form starts with: the owner's own business, never the demo café's (while
 * the demo is open the form starts empty, and its sources would land in the demo anyway).
 */
export function connectPrefill(businesses, inDemo) {
  if (inDemo) return '';
  return ownBusiness(businesses)?.name ?? '';
}

/** A business name as the owner typed it, or an error in plain words. */
export function checkBusinessName(raw) {
  const name = String(raw ?? '').trim().replace(/\s+/g, ' ');
  if (!name) return { error: 'Type your business’s name, as customers know it.' };
  if (name.length > 200) return { error: 'That name is too long: 200 characters at most.' };
  return { name };
}
