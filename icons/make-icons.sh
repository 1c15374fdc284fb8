#!/usr/bin/env bash
# Regenerates Earshot's app icons from one drawing: a rounded square in a calm teal gradient with a
# speech bubble and three sound-wave arcs ("what customers say, within earshot").
#
# Needs real ImageMagick 6 at /usr/bin/convert (`make setup` installs it). On some machines
# /usr/local/bin/convert is a display-only stand-in, so the path is explicit. The PNGs are committed;
# rerun this only when the design changes:  bash icons/make-icons.sh
set -euo pipefail
cd "$(dirname "$0")"
IM=/usr/bin/convert
S=1024 # master size; every other size is a downscale, so edges stay smooth

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Background: a rounded square (macOS-like 22% corner radius, 6% margin) with a vertical gradient.
$IM -size ${S}x${S} gradient:'#2bb3a3-#12607a' "$tmp/grad.png"
$IM -size ${S}x${S} xc:none -fill white \
    -draw "roundrectangle 60,60 964,964 200,200" "$tmp/mask.png"
$IM "$tmp/grad.png" "$tmp/mask.png" -alpha off -compose CopyOpacity -composite "$tmp/bg.png"

# IM6 closes stroked `path` arcs with a chord, so each wave is a polyline of points on a circle
# around (548,485), from -45 to +45 degrees.
arc() {
  awk -v r="$1" 'BEGIN { printf "polyline"; for (a = -45; a <= 45; a += 3) {
    t = a * 3.14159265 / 180; printf " %.1f,%.1f", 548 + r * cos(t), 485 + r * sin(t) } }'
}

# 2. Glyph: a speech bubble (left) and three concentric arcs (right), in warm white.
$IM -size ${S}x${S} xc:none \
    -fill '#fdfaf3' -stroke none \
    -draw "roundrectangle 238,350 588,630 70,70" \
    -draw "polygon 308,610 308,740 428,620" \
    -fill '#12607a' \
    -draw "circle 328,490 328,520" -draw "circle 413,490 413,520" -draw "circle 498,490 498,520" \
    -fill none -stroke '#fdfaf3' -strokewidth 52 \
    -draw "stroke-linecap round stroke-linejoin round $(arc 120) $(arc 210) $(arc 300)" \
    "$tmp/glyph.png"

$IM "$tmp/bg.png" "$tmp/glyph.png" -compose over -composite \
    -define png:color-type=6 PNG32:icon-master.png

# 3. The sizes Tauri's bundler and the Linux desktop entry use. PNG32 forces RGBA, which Tauri needs.
for px in 32 64 128 256 512; do
  $IM icon-master.png -filter Lanczos -resize ${px}x${px} PNG32:"${px}x${px}.png"
done
cp 512x512.png icon.png
$IM icon-master.png -filter Lanczos -resize 256x256 PNG32:128x128@2x.png
# Windows .ico with the usual sizes (for a future Windows bundle; harmless here).
$IM icon-master.png -filter Lanczos -define icon:auto-resize=256,128,64,48,32,16 icon.ico
rm -f icon-master.png 64x64.png 256x256.png 512x512.png
ls -l
