#!/usr/bin/env bash
# End-to-end check of Settings → Team database (issue 31) in the real window under Xvfb: a
# throwaway PostgreSQL cluster on 127.0.0.1 (as src/store/postgres/cluster.rs makes for the Rust
# tests), the demo café on a file, and team.mjs driving the app through tauri-driver: Test
# connection, Use this team database (the inbox then shows the team's reviews, imported by the CLI
# with --db postgresql://…; another seat's import shows in the open inbox within a second or
# two, and its alert reaches this seat as a notification), Back to this computer's database. Screenshots in target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PG_BIN=${EARSHOT_PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PG_BIN/initdb" ] || PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | tail -n1)")

echo "team e2e: building earshot and earshot-desktop (debug)"
# Every target, as `cargo test --workspace` builds them (so nothing is compiled twice: smoke.sh says why).
cargo build --quiet --workspace --all-targets
TAURI_DRIVER=$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")

TMP=$(mktemp -d -t earshot-team-e2e.XXXXXX)
chmod 755 "$TMP"
# As root the server runs as `postgres` (it refuses root), like the Rust tests' cluster.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$TMP/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$TMP/pg"
as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -o "-p $PORT -k $TMP/pg -c listen_addresses=127.0.0.1" \
  -l "$TMP/pg/server.log" -w start >/dev/null
TEAM_URL=postgresql://postgres@127.0.0.1:$PORT/postgres

export XDG_DATA_HOME=$TMP/data XDG_CONFIG_HOME=$TMP/config XDG_CACHE_HOME=$TMP/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
export EARSHOT_DB=$TMP/unused.db EARSHOT_SECRETS_FILE=$TMP/secrets.json EARSHOT_NO_AUTO_SYNC=1 BROWSER=true

# The seat's own file: the demo café. The team's database: three reviews of another business.
"$TARGET/debug/earshot" --db "$TMP/seat.db" demo >/dev/null
cat >"$TMP/team.csv" <<'CSV'
external_id,platform,author,rating,title,body,created_at,url
team-1,google,Ana,5,,"Shared by the whole team",2026-11-03T09:00:00Z,
team-2,yelp,Bo,2,,"Cold soup, slow service",2026-11-04T10:00:00Z,
team-3,google,Cy,4,,"Nice terrace",2026-11-05T11:00:00Z,
CSV
"$TARGET/debug/earshot" --db "$TEAM_URL" import "$TMP/team.csv" --business "Hilltop Bistro" >/dev/null
# The team's first alert check is behind it: a later one notifies of what is new.
"$TARGET/debug/earshot" --db "$TEAM_URL" alerts check >/dev/null
# The app writes each alert notification here too (src-tauri/src/notify.rs).
export EARSHOT_NOTIFY_LOG=$TMP/notify.log

mkdir -p "$TARGET/screenshots"
export SMOKE_APP=$TARGET/debug/earshot-desktop SMOKE_TMP=$TMP SMOKE_SHOTS=$TARGET/screenshots \
  SMOKE_TAURI_DRIVER=$TAURI_DRIVER TEAM_SEAT_DB=$TMP/seat.db TEAM_PORT=$PORT TEAM_URL=$TEAM_URL \
  SMOKE_CLI=$TARGET/debug/earshot TEAM_PSQL=$PG_BIN/psql
status=0
xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
  dbus-run-session -- node tests/e2e/team.mjs 2>"$TMP/session.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "team e2e: last lines of the session log:" >&2
  tail -n 30 "$TMP/session.log" >&2
  tail -n 30 "$TMP/tauri-driver.log" >&2 || true
fi
exit "$status"
