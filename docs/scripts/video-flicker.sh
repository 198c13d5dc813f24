#!/usr/bin/env bash
# The real-clip figures and the side-by-side GIF of docs/any-size.md (issue #20), start to end:
#   docs/scripts/video-flicker.sh [WORK]
# The clip: a Ken Burns pan and zoom over photos/clock.jpg (24 frames, 256x192, 12 fps, made by ffmpeg with
# sub-pixel motion: scaled up, cropped along a path, scaled down). Each temporal mode stylises it with the shipped
# candy network; WORK/MODE.json holds each run's figures (--json), and docs/images/video/candy-clock.gif shows
# input | per-frame | blend | motion side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${1:-/var/tmp/atelier-video-flicker}"
WEIGHT="${WEIGHT:-0.7}"
mkdir -p "$WORK"
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }

rm -rf "$WORK/frames" && mkdir -p "$WORK/frames"
ffmpeg -v error -nostdin -loop 1 -i photos/clock.jpg -frames:v 24 \
  -vf "scale=w='1100+6*n':h=-2:eval=frame,crop=960:720:x='40+5*n':y='30+2*n',scale=256:192:flags=area" \
  "$WORK/frames/f_%03d.png"

for mode in none blend motion; do
  rm -rf "${WORK:?}/$mode"
  atelier --seed 1 --quiet video stylize "$WORK/frames" -m candy -o "$WORK/$mode" --fps 12 \
    --temporal "$mode" --temporal-weight "$WEIGHT" --json > "$WORK/$mode.json"
  echo "$mode: $(cat "$WORK/$mode.json")"
done

# The GIF: four 128x96 panels, the first 12 frames at 12 fps (looping), one palette: about 240 KB.
mkdir -p docs/images/video
ffmpeg -v error -nostdin -y \
  -framerate 12 -i "$WORK/frames/f_%03d.png" -framerate 12 -i "$WORK/none/frame_%06d.png" \
  -framerate 12 -i "$WORK/blend/frame_%06d.png" -framerate 12 -i "$WORK/motion/frame_%06d.png" \
  -filter_complex "[0]scale=128:96[a];[1]scale=128:96[b];[2]scale=128:96[c];[3]scale=128:96[d];[a][b][c][d]hstack=inputs=4,split[s0][s1];[s0]palettegen=max_colors=128[p];[s1][p]paletteuse=dither=bayer:bayer_scale=5" \
  -frames:v 12 docs/images/video/candy-clock.gif
ls -l docs/images/video/candy-clock.gif
