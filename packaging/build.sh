#!/usr/bin/env bash
# Builds the Linux packages (`make package`): target/release/bundle/deb/Earshot_*.deb and
# target/release/bundle/rpm/Earshot-*.rpm, each holding both binaries (earshot-desktop and the
# earshot command), stripped, with their debug info kept aside in target/release/debug/*.debug
# for crash reports; the man pages, bash/zsh/fish completions and the systemd user unit made by
# the release `earshot` itself (`earshot package-files`); the AppStream metainfo; the desktop
# entry and icons (Tauri's bundler). src-tauri/tauri.conf.json says where each file goes and
# what the packages depend on.
#
# One cargo run builds both binaries (one feature resolution, so their shared dependencies are
# compiled once), then `tauri bundle` packs them: `tauri build` would build only the app.
#
# PACKAGE_PROFILE=debug packs the debug build instead (no release build: seconds, not a quarter
# of an hour) to try the packaging itself; such a package is far larger and never ships.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=${PACKAGE_PROFILE:-release}
RELEASE=$TARGET/$PROFILE
# What the bundler picks up (tauri.conf.json names these paths): always under the worktree's
# target/, wherever cargo builds.
FILES=$ROOT/target/package-files

started=$SECONDS
if [ "$PROFILE" = release ]; then
  echo "package: building earshot and earshot-desktop (release, LTO: many minutes on 2 cores)"
  cargo build --release --locked -p earshot --bin earshot \
    -p earshot-desktop --bin earshot-desktop --features earshot-desktop/custom-protocol
  bundle_flags=(--features custom-protocol)
else
  echo "package: building earshot and earshot-desktop (debug: for trying the packaging only)"
  cargo build --locked -p earshot --bin earshot -p earshot-desktop --bin earshot-desktop
  bundle_flags=(--debug)
fi
echo "package: built in $((SECONDS - started)) s"

# Keeps the debug info of a freshly linked binary in target/$PROFILE/debug/NAME.debug and strips
# the binary, which then names that file (a gnu-debuglink) so gdb and crash tools find it. A
# binary already stripped (cargo did not relink it) keeps the .debug file made last time.
split_debug() {
  local bin=$1 name debug
  name=$(basename "$bin")
  debug=$RELEASE/debug/$name.debug
  mkdir -p "$RELEASE/debug"
  # The section list is read whole before grep looks at it: `readelf | grep -q` under pipefail
  # fails when grep quits at its first match while readelf is still writing (SIGPIPE), which
  # once left a 100 MB unstripped binary in CI's package and a 29 MB .deb.
  local sections
  sections=$(readelf -S --wide "$bin")
  if grep -qE '\.debug_(info|line) ' <<<"$sections"; then
    echo "package: $name: $(du -m "$bin" | cut -f1) MB with debug info"
    objcopy --only-keep-debug --compress-debug-sections=zlib "$bin" "$debug"
    chmod -x "$debug"
    objcopy --strip-debug --strip-unneeded --remove-section=.gnu_debuglink \
      --add-gnu-debuglink="$debug" "$bin"
  fi
  sections=$(readelf -S --wide "$bin")
  if grep -qE '\.debug_(info|line) ' <<<"$sections"; then
    echo "package: $name still holds debug info after stripping" >&2
    exit 1
  fi
  echo "package: $name: $(du -m "$bin" | cut -f1) MB stripped, debug info in ${debug#"$ROOT"/}"
}
split_debug "$RELEASE/earshot"
split_debug "$RELEASE/earshot-desktop"

rm -rf "$FILES"
mkdir -p "$FILES/bin"
cp "$RELEASE/earshot" "$FILES/bin/earshot"
"$FILES/bin/earshot" package-files --out "$FILES"
# Compressed as Debian policy asks (and Fedora's packaging does), without a timestamp (-n) so two
# builds of the same source give the same bytes.
gzip -9n "$FILES"/man1/*.1
appstreamcli validate --no-net --pedantic packaging/app.earshot.desktop.metainfo.xml >/dev/null 2>&1 || {
  appstreamcli validate --no-net --pedantic packaging/app.earshot.desktop.metainfo.xml >&2
  echo "package: the AppStream metainfo does not validate" >&2
  exit 1
}

echo "package: bundling .deb and .rpm"
npx --no-install tauri bundle --bundles deb,rpm "${bundle_flags[@]}"

# Tauri writes the .deb's files with gzip; Debian's own packages use xz, which takes this one from
# 19.6 to 10.4 MB (issue 30 asks for at most 15). The same files and control, repacked by dpkg-deb.
for deb in "$RELEASE"/bundle/deb/*.deb; do
  repack=$(mktemp -d)
  dpkg-deb -R "$deb" "$repack/root"
  dpkg-deb -Zxz -z9 --root-owner-group --build "$repack/root" "$deb" >/dev/null
  rm -rf "$repack"
done

for f in "$RELEASE"/bundle/deb/*.deb "$RELEASE"/bundle/rpm/*.rpm; do
  echo "package: $(du -h "$f" | cut -f1)  ${f#"$ROOT"/}"
done
echo "package: done in $((SECONDS - started)) s"
