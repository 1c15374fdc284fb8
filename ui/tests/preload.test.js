// index.html preloads every module the first screen imports (so WebKit fetches them at once, not
// one level of imports after another). The list must stay whole as imports change: a module left
// out is fetched late, and one that is no longer imported is fetched for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The modules `entry` imports statically, directly or not (dynamic `import()` is left out). */
function staticImports(entry) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^import\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      walk(join(dirname(file), m[1] ?? m[2]));
    }
  };
  walk(join(UI, entry));
  seen.delete(join(UI, entry));
  return [...seen].map((f) => relative(UI, f)).sort();
}

test('index.html preloads exactly the modules the first screen imports', () => {
  const html = readFileSync(join(UI, 'index.html'), 'utf8');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)]
    .map((m) => m[1]).sort();
  assert.deepEqual(preloaded, staticImports('app.js'));
});

test('the other screens are not among them: they load when first shown', () => {
  const first = staticImports('app.js');
  for (const later of ['views/inbox.js', 'views/review.js', 'views/settings.js']) {
    assert.ok(!first.includes(later), `${later} is imported by the first screen`);
  }
});
