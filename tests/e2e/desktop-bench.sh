#!/usr/bin/env bash
# The desktop figures of `make bench`: first paint and memory of the real app under Xvfb on the
# largest benchmark database (see desktop-bench.mjs). Needs `make bench`'s databases in
# target/bench/ and a release build of the app (`cargo build --release -p earshot-desktop
# --features custom-protocol`, which the Makefile does).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# The app is where cargo builds it; the benchmark's data and figures are always in target/
# (examples/bench.rs writes them there), wherever CARGO_TARGET_DIR points.
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
FIGURES=$ROOT/target
APP=${BENCH_APP:-$TARGET/release/earshot-desktop}
[ -x "$APP" ] || { echo "desktop-bench: $APP not built" >&2; exit 1; }
# A binary linked a moment ago is still being written back to disk, and its first launches wait
# on that (1.36 s median first paint right after a build, 0.87 s a minute later): an installed app
# never is. Flush it first.
sync "$APP"

DB=$(ls -1 "$FIGURES"/bench/earshot-*.db 2>/dev/null | sort -t- -k2 -n | tail -n 1 || true)
[ -n "$DB" ] || { echo "desktop-bench: no benchmark database in $FIGURES/bench; run make bench" >&2; exit 1; }
ROWS=$(basename "$DB" .db | sed 's/earshot-//')

TAURI_DRIVER=$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")
TMP=$(mktemp -d -t earshot-dbench.XXXXXX)
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
# A copy, so the app's writes (alert checks, read marks) never change the benchmark's data.
cp "$DB" "$TMP/bench.db"
export EARSHOT_DB=$TMP/unused.db EARSHOT_NO_AUTO_SYNC=1 EARSHOT_SECRETS_FILE=$TMP/secrets.json
export SMOKE_APP=$APP SMOKE_TMP=$TMP SMOKE_TAURI_DRIVER=$TAURI_DRIVER \
  BENCH_DB=$TMP/bench.db BENCH_DB_ROWS=$ROWS BENCH_JSON=$FIGURES/bench.json
xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
  dbus-run-session -- node tests/e2e/desktop-bench.mjs 2>"$TMP/session.log"
