#!/usr/bin/env bash
# End-to-end smoke test of the desktop app: builds it, prepares databases with the `earshot` CLI,
# then drives the real window under Xvfb through tauri-driver (WebDriver) — see smoke.mjs.
#
# Everything runs in a temporary folder (XDG_DATA_HOME, the databases) so runs never share state,
# and the trap removes it. Processes started here (Xvfb via xvfb-run, the D-Bus session, tauri-driver,
# WebKitWebDriver, the app) end with the node driver, which kills its own children.
# Screenshots land in target/screenshots/, axe-core's findings on every screen in target/a11y/axe.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

echo "smoke: building earshot and earshot-desktop (debug)"
# Every target, as `cargo test --workspace` builds them: only then are the dev-dependencies' features
# (wiremock's hyper, tokio-util, rustix) unified into the app's, so after `make test-rust` only the
# app's own crate is compiled here. `-p earshot -p earshot-desktop` alone resolved other features
# and compiled tauri, wry, gtk, reqwest and the core a second time (52 crates).
cargo build --quiet --workspace --all-targets

TAURI_DRIVER=$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")
[ -x "$TAURI_DRIVER" ] || { echo "smoke: tauri-driver not found; run 'make setup'" >&2; exit 1; }
command -v WebKitWebDriver >/dev/null || { echo "smoke: WebKitWebDriver missing; run 'make setup'" >&2; exit 1; }

TMP=$(mktemp -d -t earshot-smoke.XXXXXX)
# A desktop portal started by the app may still have a FUSE mount under the cache folder: unmount
# it first, and never let cleaning up change the test's result.
cleanup() {
  local mnt
  for mnt in "$TMP"/cache/doc "$TMP"/runtime/doc; do
    if mountpoint -q "$mnt" 2>/dev/null; then fusermount -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; fi
  done
  rm -rf "$TMP" 2>/dev/null || true
}
trap cleanup EXIT
export XDG_DATA_HOME=$TMP/data XDG_CONFIG_HOME=$TMP/config XDG_CACHE_HOME=$TMP/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# The app under test gets its database with --db; EARSHOT_DB points at a third, unused file so a
# missing --db could never touch the owner's real data.
export EARSHOT_DB=$TMP/unused.db
# No keyring daemon under Xvfb: credentials typed in the Sources screen go to the opt-in file.
export EARSHOT_SECRETS_FILE=$TMP/secrets.json EARSHOT_NO_AUTO_SYNC=1
# Links the app opens (Google's consent page) go nowhere: xdg-open runs $BROWSER, here `true`.
export BROWSER=true

DEMO_DB=$TMP/demo.db
"$TARGET/debug/earshot" --db "$DEMO_DB" demo >/dev/null
"$TARGET/debug/earshot" --db "$DEMO_DB" stats --business "Harbour Lane Café" --json >"$TMP/stats.json"
"$TARGET/debug/earshot" --db "$DEMO_DB" alerts check >/dev/null
"$TARGET/debug/earshot" --db "$DEMO_DB" replies effect --business "Harbour Lane Café" --json >"$TMP/effect.json"
cp "$DEMO_DB" "$TMP/import-target.db"
# What the inbox must show, from the CLI: every item of both businesses, the 1–2 star ones, and
# the newest complaint (the review the composer case opens).
for b in "Harbour Lane Café" "The Daily Grind"; do
  "$TARGET/debug/earshot" --db "$DEMO_DB" reviews --business "$b" --limit 1000000 --json >"$TMP/all-$b.json"
  "$TARGET/debug/earshot" --db "$DEMO_DB" reviews --business "$b" --max-rating 2 --limit 1000000 --json >"$TMP/low-$b.json"
done
node -e '
  const fs = require("fs");
  const [stats, tmp] = process.argv.slice(1);
  const read = (f) => JSON.parse(fs.readFileSync(`${tmp}/${f}`, "utf8"));
  const names = ["Harbour Lane Café", "The Daily Grind"];
  const all = names.flatMap((b) => read(`all-${b}.json`));
  const low = names.flatMap((b) => read(`low-${b}.json`));
  const s = JSON.parse(fs.readFileSync(stats, "utf8"));
  s.total_items = all.length;
  s.low_items = low.length;
  s.negative_review = read(`low-${names[0]}.json`)[0].id;
  // What works for you (issue 29): its figures, and an answered complaint to ask about.
  const e = read("effect.json");
  s.effect = {
    answered: e.answered.replies,
    recovered: e.answered.recovered,
    ask_review: e.answered.review_ids.filter((id) => !e.answered.recovered_review_ids.includes(id)).pop(),
  };
  fs.writeFileSync(stats, JSON.stringify(s));
' "$TMP/stats.json" "$TMP"

# A tiny import file for the import test (quoted comma, unicode, an unrated mention).
cat >"$TMP/import.csv" <<'CSV'
external_id,platform,author,rating,title,body,created_at,url
smoke-1,google,Ana,5,,"Best cardamom bun, hands down",2026-01-03,https://example.com/r/1
smoke-2,yelp,Bo,2,Slow,"Waited 20 minutes, ""busy"" they said",2026-01-04T10:00:00Z,
smoke-3,reddit,u/kaffe,,,"Anyone tried the café by the harbour? ☕",2026-01-05,
CSV

# Hostile review text: markup, script, an event handler, a javascript: link. It must show as text.
HOSTILE_DB=$TMP/hostile.db
cat >"$TMP/hostile.csv" <<'CSV'
external_id,platform,author,rating,title,body,created_at,url
evil-1,google,"<b>Mallory</b>",1,"<script>window.__pwned=1</script>","Terrible <img src=x onerror=""window.__pwned=2""> service <a href=""javascript:window.__pwned=3"">click</a> &lt;b&gt;",2026-01-03,javascript:window.__pwned=4
evil-2,google,Lookalike,5,,"Great, see my photos",2026-01-02,https://www.google.com.evil.com/maps/review/1
CSV
"$TARGET/debug/earshot" --db "$HOSTILE_DB" import "$TMP/hostile.csv" --business "Harbour Lane Café" >/dev/null

# Ask for reviews (issue 29): the demo café with a Google review link, a customer list (one name
# is markup, which must show as text; one opted out) and texts prepared for two of them, so the
# screen shows its link, QR code, list and figures.
REQUESTS_DB=$TMP/requests.db
cp "$DEMO_DB" "$REQUESTS_DB"
"$TARGET/debug/earshot" --db "$REQUESTS_DB" requests link --business "Harbour Lane Café" --platform google \
  --url "https://search.google.com/local/writereview?placeid=ChIJN1t_tDeuEmsRUsoyG83frY4" >/dev/null
cat >"$TMP/customers.csv" <<'CSV'
name,email,phone,visited_at,opt_out
Dana Kowalski,dana@example.com,+1 555 010 0101,2026-11-28,
Lee Park,,+1 555 010 0199,2026-11-30,
"<img src=x onerror=""window.__pwned=5"">Mallory",mallory@example.com,,2026-12-01,
Sam Ortiz,sam@example.com,,2026-12-02,yes
CSV
"$TARGET/debug/earshot" --db "$REQUESTS_DB" requests customers import "$TMP/customers.csv" --business "Harbour Lane Café" >/dev/null
"$TARGET/debug/earshot" --db "$REQUESTS_DB" requests send --business "Harbour Lane Café" --platform google --via sms >/dev/null
export SMOKE_REQUESTS_DB=$REQUESTS_DB

# A database from Earshot's first version with 300,000 reviews: opening it upgrades every review
# once (seconds), and the app shows a progress card meanwhile. Rows written straight into the
# table, as the old write path left them; their day rollups are made the same way.
OLD_DB=$TMP/old.db
sqlite3 "$OLD_DB" <tests/fixtures/schema_v1.sql
sqlite3 "$OLD_DB" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO reviews (source_id, business_id, platform, external_id, kind, rating, body, created_at,
                     fetched_at, content_hash, search_key)
SELECT 1, 1, 'google', 'old-' || i, 'review', 1 + i % 5, 'Flat white number ' || i || ' was fine',
       1700000000 + i * 97, 1700000000, i, ((1700000000 + i * 97) / 60) * 67108864 + i + 2
FROM n;
INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5,
                          negative, neutral, positive, replied)
SELECT business_id, platform, kind, created_at / 86400, count(*), count(rating), sum(rating),
       sum(rating = 1), sum(rating = 2), sum(rating = 3), sum(rating = 4), sum(rating = 5), 0, 0, 0, 0
FROM reviews WHERE external_id LIKE 'old-%' GROUP BY 1, 2, 3, 4
ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count,
    rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum,
    r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4,
    r5 = r5 + excluded.r5;
SQL

mkdir -p "$TARGET/screenshots" "$TARGET/a11y"
export SMOKE_A11Y=$TARGET/a11y
[ -f node_modules/axe-core/axe.min.js ] || { echo "smoke: axe-core missing; run 'make setup' (npm install)" >&2; exit 1; }
export SMOKE_OLD_DB=$OLD_DB
export SMOKE_APP=$TARGET/debug/earshot-desktop SMOKE_CLI=$TARGET/debug/earshot SMOKE_TMP=$TMP SMOKE_DEMO_DB=$DEMO_DB SMOKE_IMPORT_DB=$TMP/import-target.db \
  SMOKE_STATS=$TMP/stats.json SMOKE_IMPORT=$TMP/import.csv SMOKE_HOSTILE_DB=$HOSTILE_DB SMOKE_SHOTS=$TARGET/screenshots \
  SMOKE_TAURI_DRIVER=$TAURI_DRIVER

# A screen larger than the window, so the window is never clipped. dbus-run-session gives WebKit and
# the notification plugin a session bus, as a desktop has.
# The D-Bus daemon's and portals' chatter goes to a log that is shown only when something failed.
status=0
xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
  dbus-run-session -- node tests/e2e/smoke.mjs 2>"$TMP/session.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "smoke: last lines of the session log:" >&2
  tail -n 30 "$TMP/session.log" >&2
fi
exit "$status"
