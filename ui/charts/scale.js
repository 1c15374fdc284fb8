// Axis arithmetic shared by the charts; pure, so node tests cover it.

/**
 * A "nice" upper bound and tick step for counts from 0 to `max`: 0, 5, 10, 15 rather than
 * 0, 4.7, 9.4. Returns { max, step, ticks }.
 */
export function niceScale(max, targetTicks = 4) {
  if (!(max > 0)) return { max: 1, step: 1, ticks: [0, 1] };
  const rough = max / targetTicks;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  const step = Math.max(1, nice * mag);
  const top = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v * 100) / 100);
  return { max: top, step, ticks };
}
