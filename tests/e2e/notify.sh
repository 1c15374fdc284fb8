#!/usr/bin/env bash
# End to end: a new 1-star review arriving from a mock source during the app's background sync
# produces exactly one notification and an unread tray state; after its window is closed the app
# restarts itself in the tray and still notifies the next one. The app runs for real under Xvfb
# with a D-Bus session; notifications and tray changes are also written to EARSHOT_NOTIFY_LOG
# (the app's injectable notifier), which notify.mjs reads.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

echo "notify: building earshot and earshot-desktop (debug)"
# Every target, as `cargo test --workspace` builds them (so nothing is compiled twice: smoke.sh says why).
cargo build --quiet --workspace --all-targets

TMP=$(mktemp -d -t earshot-notify.XXXXXX)
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
export EARSHOT_DB=$TMP/unused.db
export EARSHOT_SECRETS_FILE=$TMP/secrets.json
export NOTIFY_CLI=$TARGET/debug/earshot NOTIFY_APP=$TARGET/debug/earshot-desktop NOTIFY_TMP=$TMP

status=0
xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
  dbus-run-session -- node tests/e2e/notify.mjs 2>"$TMP/session.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "notify: last lines of the session log:" >&2
  tail -n 30 "$TMP/session.log" >&2
fi
exit "$status"
