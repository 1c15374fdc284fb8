// Hash routes: `#inbox`, `#review/123`. Pure, so node tests cover it.

/** `{ route, param }` of a location hash; unknown routes fall back to the dashboard. */
export function parseRoute(hash, routes) {
  const raw = String(hash ?? '').replace(/^#/, '');
  const slash = raw.indexOf('/');
  const key = slash < 0 ? raw : raw.slice(0, slash);
  const param = slash < 0 ? '' : decodeURIComponent(raw.slice(slash + 1));
  if (!routes.has(key)) return { route: 'dashboard', param: '' };
  return { route: key, param };
}
