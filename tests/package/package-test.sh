#!/usr/bin/env bash
# `make package-test`: the Linux package tested as a release is (issue 30). Builds the packages
# (packaging/build.sh), checks the .deb's contents, size, dependencies and that it has no
# maintainer scripts, installs it into this machine with apt (as root, as CI runs), then as a
# new owner would: the menu entry's command under Xvfb shows the welcome screen; the installed
# `earshot --version`, `--help`, `man earshot`, `earshot demo` and `earshot stats`; the app on a
# database of schema v1 (tests/fixtures/schema_v1.sql) upgrades it keeping every review; a newer
# package installed over this one and then `apt-get remove` leave the owner's data as it was.
#
# Figures (sizes, install time, first start) go to target/package-test.json; screenshots to
# target/screenshots/package-*.png. PACKAGE_TEST_NO_BUILD=1 reuses the packages already built;
# PACKAGE_PROFILE=debug tests a package of the debug build (see packaging/build.sh).
# The package is removed again at the end, also when a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=${PACKAGE_PROFILE:-release}
RELEASE=$TARGET/$PROFILE
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
MAX_DEB_MB=15

fail() { echo "package-test: FAIL $*" >&2; exit 1; }
ok() { echo "package-test: ok   $*"; }

TAURI_DRIVER=$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")
[ -x "$TAURI_DRIVER" ] || fail "tauri-driver not found; run 'make setup'"
command -v WebKitWebDriver >/dev/null || fail "WebKitWebDriver missing; run 'make setup'"

# With PACKAGE_TEST_NO_BUILD the build ran elsewhere (CI runs it beside `make test`, .ci/run),
# which may say how long it took in PACKAGE_BUILD_S.
build_s=${PACKAGE_BUILD_S:-0}
if [ -z "${PACKAGE_TEST_NO_BUILD:-}" ]; then
  t=$SECONDS
  bash packaging/build.sh
  build_s=$((SECONDS - t))
fi
DEB=$(ls -t "$RELEASE"/bundle/deb/*.deb 2>/dev/null | head -n1)
RPM=$(ls -t "$RELEASE"/bundle/rpm/*.rpm 2>/dev/null | head -n1)
[ -f "$DEB" ] && [ -f "$RPM" ] || fail "no .deb or .rpm under $RELEASE/bundle (run make package)"

TMP=$(mktemp -d -t earshot-package.XXXXXX)
installed_here=""
cleanup() {
  local mnt
  for mnt in "$TMP"/cache/doc "$TMP"/runtime/doc; do
    if mountpoint -q "$mnt" 2>/dev/null; then fusermount -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; fi
  done
  if [ -n "$installed_here" ] && dpkg -s earshot >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq earshot >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP" 2>/dev/null || true
}
trap cleanup EXIT

# ---- The package as a file ------------------------------------------------------------------
deb_bytes=$(stat -c %s "$DEB")
rpm_bytes=$(stat -c %s "$RPM")
deb_mb=$(awk -v b="$deb_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
rpm_mb=$(awk -v b="$rpm_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
if [ "$deb_bytes" -gt $((MAX_DEB_MB * 1048576)) ]; then
  # A debug build's package (PACKAGE_PROFILE=debug) tries the packaging, not the size.
  [ "$PROFILE" != release ] || fail "the .deb is $deb_mb MB, over $MAX_DEB_MB MB"
  echo "package-test: note the $PROFILE .deb is $deb_mb MB; only a release one is held to $MAX_DEB_MB MB"
fi
ok "the .deb is $deb_mb MB (at most $MAX_DEB_MB), the .rpm $rpm_mb MB"

dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./||; s|^|/|' >"$TMP/files"
for f in /usr/bin/earshot /usr/bin/earshot-desktop /usr/share/applications/Earshot.desktop \
  /usr/share/man/man1/earshot.1.gz /usr/share/man/man1/earshot-import.1.gz \
  /usr/share/bash-completion/completions/earshot /usr/share/zsh/vendor-completions/_earshot \
  /usr/share/fish/vendor_completions.d/earshot.fish /usr/lib/systemd/user/earshot-watch.service \
  /usr/share/metainfo/app.earshot.desktop.metainfo.xml /usr/share/icons/hicolor/128x128/apps/earshot-desktop.png; do
  grep -qx "$f" "$TMP/files" || fail "the .deb lacks $f"
done
ok "the .deb holds both binaries, man pages, completions, the user unit, metainfo, entry and icons"

mkdir -p "$TMP/deb/DEBIAN"
dpkg-deb -x "$DEB" "$TMP/deb"
dpkg-deb -e "$DEB" "$TMP/deb/DEBIAN"
scripts=$(cd "$TMP/deb/DEBIAN" && ls | grep -vx -e control -e md5sums || true)
[ -z "$scripts" ] || fail "the .deb has maintainer scripts ($scripts): nothing may run over the owner's data"
ok "no maintainer scripts: installing, upgrading and removing never touch the owner's data"
for b in earshot earshot-desktop; do
  if readelf -S --wide "$TMP/deb/usr/bin/$b" | grep -E '\.debug_(info|line) ' >/dev/null; then fail "/usr/bin/$b is not stripped"; fi
done
ok "both binaries are stripped ($(du -m "$TMP/deb/usr/bin/earshot-desktop" | cut -f1) MB + $(du -m "$TMP/deb/usr/bin/earshot" | cut -f1) MB)"

# Every library package the binaries link (dpkg-shlibdeps, as a Debian build would compute it)
# must be in Depends.
depends=$(sed -n 's/^Depends: //p' "$TMP/deb/DEBIAN/control")
mkdir -p "$TMP/shlibs/debian"
printf 'Source: earshot\n\nPackage: earshot\nArchitecture: any\n' >"$TMP/shlibs/debian/control"
needed=$(cd "$TMP/shlibs" && dpkg-shlibdeps -O "$TMP/deb/usr/bin/earshot" "$TMP/deb/usr/bin/earshot-desktop" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p' | tr ',' '\n' | sed 's/^ *//; s/ .*//' | sort -u)
for p in $needed; do
  grep -Eq "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends ($depends) lacks $p, which the binaries link"
done
ok "Depends names every library package the binaries link: $depends"

# ---- Install ---------------------------------------------------------------------------------
if dpkg -s earshot >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq earshot >/dev/null
fi
t=$(date +%s.%N)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$DEB" >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log" >&2; fail "apt-get install $DEB"; }
install_s=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
installed_here=1
ok "apt-get install took $install_s s"
installed_kb=$(dpkg-query -W -f '${Installed-Size}' earshot)

# A new owner's home: the app and the command find their data under it, and nothing the test
# does reaches this machine's real data.
export HOME=$TMP/home XDG_DATA_HOME=$TMP/home/.local/share XDG_CONFIG_HOME=$TMP/home/.config XDG_CACHE_HOME=$TMP/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
unset EARSHOT_DB
export EARSHOT_SECRETS_FILE=$TMP/secrets.json EARSHOT_NO_AUTO_SYNC=1 BROWSER=true
DATA=$XDG_DATA_HOME/earshot

[ "$(command -v earshot)" = /usr/bin/earshot ] || fail "earshot on PATH is $(command -v earshot)"
version=$(earshot --version)
want=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
[ "$version" = "earshot $want" ] || fail "earshot --version says '$version', not 'earshot $want'"
ok "earshot --version: $version"
earshot --help >"$TMP/help.txt"
grep -q '^Usage: earshot' "$TMP/help.txt" || fail "earshot --help: $(head -n3 "$TMP/help.txt")"
if grep -q 'package-files' "$TMP/help.txt"; then fail "earshot --help shows the hidden package-files"; fi
echo "package-test: earshot --help (head):"; head -n 8 "$TMP/help.txt" | sed 's/^/    /'
MANWIDTH=100 MANPAGER=cat man earshot 2>/dev/null >"$TMP/man.txt" || fail "man earshot"
grep -q 'earshot - Keep your business within earshot' "$TMP/man.txt" || fail "man earshot: $(head -n5 "$TMP/man.txt")"
grep -q 'earshot-watch.service' "$TMP/man.txt" || fail "man earshot has no FILES section"
man -w earshot-import >/dev/null || fail "man earshot-import"
echo "package-test: man earshot (head):"; head -n 12 "$TMP/man.txt" | sed 's/^/    /'
complete_line=$(bash -c 'source /usr/share/bash-completion/completions/earshot && complete -p earshot')
[[ $complete_line == *earshot* ]] || fail "the bash completion registers nothing"
ok "man earshot, man earshot-import and the bash completion ($complete_line)"
appstreamcli validate --no-net /usr/share/metainfo/app.earshot.desktop.metainfo.xml >/dev/null ||
  fail "the installed metainfo does not validate"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate /usr/share/applications/Earshot.desktop || fail "the desktop entry does not validate"
fi
ok "the metainfo validates"

# The shipped unit is not enabled, and it is what `earshot service install` writes for the
# packaged tool (a stand-in systemctl here: the test machine has no user manager).
[ ! -e /etc/systemd/user/default.target.wants/earshot-watch.service ] || fail "the package enabled the watcher"
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexit 0\n' >"$TMP/bin/systemctl"
chmod +x "$TMP/bin/systemctl"
# Without the secrets file the test opted into: with one, the written unit names it (by design).
env -u EARSHOT_SECRETS_FILE PATH=$TMP/bin:$PATH earshot service install --json >/dev/null
written=$XDG_CONFIG_HOME/systemd/user/earshot-watch.service
diff <(tail -n +2 /usr/lib/systemd/user/earshot-watch.service) <(tail -n +2 "$written") ||
  fail "the shipped unit and the one \`earshot service install\` writes differ"
PATH=$TMP/bin:$PATH earshot service uninstall --json >/dev/null
ok "the shipped user unit is not enabled and matches \`earshot service install\`'s"

# ---- The installed app from its menu entry ----------------------------------------------------
exec_line=$(sed -n 's/^Exec=//p' /usr/share/applications/Earshot.desktop | head -n1)
# Field codes (%U, %f, …) stand for files the desktop passes; a plain start passes none.
read -r -a exec_words <<<"$exec_line"
exec_args=()
for w in "${exec_words[@]:1}"; do [[ $w == %? ]] || exec_args+=("$w"); done
app=$(command -v "${exec_words[0]}") || fail "the entry's Exec= ($exec_line) is not on PATH"
[ "$app" = /usr/bin/earshot-desktop ] || fail "the entry starts $app"

# A database of Earshot's first schema with its fixture rows and some thousands more.
OLD_DB=$TMP/old.db
sqlite3 "$OLD_DB" <tests/fixtures/schema_v1.sql
sqlite3 "$OLD_DB" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO reviews (source_id, business_id, platform, external_id, kind, rating, body, created_at,
                     fetched_at, content_hash, search_key)
SELECT 1, 1, 'google', 'old-' || i, 'review', 1 + i % 5, 'Flat white number ' || i || ' was fine',
       1700000000 + i * 97, 1700000000, i, ((1700000000 + i * 97) / 60) * 67108864 + i + 2
FROM n;
-- Their day rollups, as the old write path kept them (the figures are read from these).
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
old_reviews=$(sqlite3 "$OLD_DB" 'SELECT count(*) FROM reviews')
old_ids=$(sqlite3 "$OLD_DB" 'SELECT group_concat(external_id) FROM (SELECT external_id FROM reviews ORDER BY id)' | sha256sum)

mkdir -p "$ROOT/target/screenshots"
status=0
SMOKE_APP=$app SMOKE_TAURI_DRIVER=$TAURI_DRIVER SMOKE_TMP=$TMP SMOKE_SHOTS=$ROOT/target/screenshots \
  PACKAGE_EXEC_ARGS=$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "${exec_args[@]}") \
  PACKAGE_OLD_DB=$OLD_DB \
  xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
  dbus-run-session -- node tests/package/package.mjs >"$TMP/app.out" 2>"$TMP/session.log" || status=$?
grep -v '^package-figures:' "$TMP/app.out" || true
if [ "$status" -ne 0 ]; then tail -n 30 "$TMP/session.log" >&2; fail "the installed app"; fi
app_figures=$(sed -n 's/^package-figures: //p' "$TMP/app.out")

[ -f "$DATA/earshot.db" ] || fail "the first start made no database in $DATA"
after_reviews=$(sqlite3 "$OLD_DB" 'SELECT count(*) FROM reviews')
after_ids=$(sqlite3 "$OLD_DB" 'SELECT group_concat(external_id) FROM (SELECT external_id FROM reviews ORDER BY id)' | sha256sum)
old_version=$(sqlite3 "$OLD_DB" 'PRAGMA user_version')
newest=$(ls tests/fixtures | sed -n 's/^schema_v\([0-9]*\)\.sql$/\1/p' | sort -n | tail -n1)
[ "$old_version" = "$newest" ] || fail "the old database is at schema $old_version after the app opened it, not $newest"
[ "$after_reviews" = "$old_reviews" ] && [ "$after_ids" = "$old_ids" ] ||
  fail "the upgrade kept $after_reviews of $old_reviews reviews"
# What the command line counts of Joe's Cafe (the fixture's business) after the upgrade.
joes=$(sqlite3 "$OLD_DB" "SELECT count(*) FROM reviews r JOIN businesses b ON b.id = r.business_id WHERE b.name = 'Joe''s Cafe'")
listed=$(earshot --db "$OLD_DB" stats --business "Joe's Cafe" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).count))')
[ "$listed" = "$joes" ] || fail "earshot stats counts $listed of Joe's Cafe's $joes upgraded reviews"
ok "the app upgraded a schema v1 database to v$newest keeping all $old_reviews reviews"

# ---- The command line on the owner's own database -----------------------------------------------
earshot demo >/dev/null
stats=$(earshot stats --business "Harbour Lane Café" --json)
count=$(node -e 'console.log(JSON.parse(process.argv[1]).count)' "$stats")
[ "$count" -gt 0 ] || fail "earshot stats after earshot demo: $stats"
ok "earshot demo then earshot stats: $count reviews of Harbour Lane Café in $DATA/earshot.db"

# ---- A newer package over this one, then removal ----------------------------------------------
# The same files as version X.Y.Z+1: what matters is dpkg's upgrade path, which must leave the
# owner's folder alone (no maintainer scripts; the app upgrades the database itself, above).
data_sums() { (cd "$DATA" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
data_sums >"$TMP/data-before"
next=$(awk -F. -v OFS=. '{ $NF += 1; print }' <<<"$want")
mkdir -p "$TMP/next"
dpkg-deb -R "$DEB" "$TMP/next/root"
sed -i "s/^Version: .*/Version: $next/" "$TMP/next/root/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$TMP/next/root" "$TMP/next/earshot_${next}.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$TMP/next/earshot_${next}.deb" >"$TMP/apt.log" 2>&1 ||
  { cat "$TMP/apt.log" >&2; fail "installing $next over $want"; }
[ "$(dpkg-query -W -f '${Version}' earshot)" = "$next" ] || fail "the upgrade to $next did not happen"
data_sums | diff "$TMP/data-before" - || fail "upgrading the package changed the owner's data"
[ "$(earshot stats --business "Harbour Lane Café" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).count))')" = "$count" ] ||
  fail "after the upgrade earshot stats differs"
ok "installing $next over $want kept the owner's data byte for byte"

data_sums >"$TMP/data-before"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq earshot >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log" >&2; fail "apt-get remove earshot"; }
installed_here=""
[ ! -e /usr/bin/earshot ] && [ ! -e /usr/bin/earshot-desktop ] || fail "apt-get remove left the binaries"
data_sums | diff "$TMP/data-before" - || fail "removing the package changed the owner's data"
ok "apt-get remove took the program away and left the owner's $(wc -l <"$TMP/data-before") file(s) in $DATA as they were"

mkdir -p "$ROOT/target"
node -e '
  const [deb, rpm, kb, install, build, app] = process.argv.slice(1);
  const f = { deb_bytes: +deb, rpm_bytes: +rpm, installed_kb: +kb, install_s: +install, build_s: +build, ...JSON.parse(app || "{}") };
  console.log(JSON.stringify(f, null, 2));
  require("fs").writeFileSync(process.argv[7], JSON.stringify(f, null, 2) + "\n");
' "$deb_bytes" "$rpm_bytes" "$installed_kb" "$install_s" "$build_s" "$app_figures" "$ROOT/target/package-test.json"
echo "package-test: all checks passed"
