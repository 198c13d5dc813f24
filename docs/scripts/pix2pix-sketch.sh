#!/usr/bin/env bash
# Trains, measures and packages the pix2pix generator Atelier ships (models/pix2pix-sketch/), start to end:
#   docs/scripts/pix2pix-sketch.sh
# Resumable: run it again after a stop and it continues from the run's last checkpoint (WORK keeps the run).
# Data: the Debian wallpapers of `atelier data pictures` (every tenth held out), cut into 128 px pairs of an XDoG
# sketch and its photo (`atelier data pairs --edges xdog`, 24 crops per training picture, crops with too few strokes
# cut again). Held-out figure: L1 and PSNR on pairs of the held-out pictures, beside the targets' mean colour.
#   STEPS (20000), THREADS (1), WORK (/var/tmp/atelier-sketch) override.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${WORK:-/var/tmp/atelier-sketch}"
STEPS="${STEPS:-20000}"
THREADS="${THREADS:-1}"
out="models/pix2pix-sketch"
run="$WORK/sketch.run"
mkdir -p "$WORK" "$out"
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }

# The pictures: every wallpaper the desktop packages install (install them first, e.g. apt-get install
# plasma-workspace-wallpapers mate-backgrounds gnome-backgrounds lomiri-wallpapers); every 10th held out.
[ -d "$WORK/pictures/train" ] || atelier data pictures -o "$WORK/pictures" --size 512 --test-every 10
[ -d "$WORK/sketch-train/train" ] || atelier --seed 1 data pairs "$WORK/pictures/train" -o "$WORK/sketch-train" \
  --edges xdog --size 128 --per-image 24 --min-strokes 0.03
[ -d "$WORK/sketch-heldout/train" ] || atelier --seed 2 data pairs "$WORK/pictures/test" -o "$WORK/sketch-heldout" \
  --edges xdog --size 128 --per-image 4 --min-strokes 0.03

step() { grep -o '"step": [0-9]*' "$run/run.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0; }
if [ "$(step)" -lt "$STEPS" ]; then
  resume=(); [ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
  atelier --seed 1 --threads "$THREADS" pix2pix train --data "$WORK/sketch-train" -o "$run" --arch unet_128 --ngf 16 --ndf 32 \
    --load-size 142 --crop-size 128 --steps "$STEPS" --sample-every 500 --checkpoint-every 500 \
    --eval-dir "$WORK/sketch-heldout/train" --eval-every 2000 --eval-images 16 "${resume[@]}"
fi

# The shipped files: the generator in float16, the loss plot, the held-out figures and grid, the pictures' attribution.
atelier checkpoint convert "$run/checkpoint.safetensors" "$out/model.safetensors" --select G --half
cp "$run/losses.png" "$out/loss.png"
cp "$run/run.json" "$out/run.json"
cp "$run/metrics.png" "$out/metrics.png"
atelier --seed 1 --json pix2pix test -c "$out/model.safetensors" --data "$WORK/sketch-heldout" --size 128 -o "$out/heldout.jpg" --rows 8 \
  --baseline-data "$WORK/sketch-train" > "$out/heldout.json"
# And on the three photos Atelier ships (held out too), whole: their centred squares at 256 px, as the demo draws them.
[ -d "$WORK/photos256/train" ] || atelier --seed 1 data pairs photos -o "$WORK/photos256" --edges xdog --size 256 --per-image 1
atelier --seed 1 --json pix2pix test -c "$out/model.safetensors" --data "$WORK/photos256" --size 256 -o "$out/heldout-photos.jpg" \
  --baseline-data "$WORK/sketch-train" > "$out/heldout-photos.json"
cp "$WORK/pictures/ATTRIBUTION.tsv" "$out/ATTRIBUTION.tsv"
echo "wrote $out: model.safetensors, loss.png, heldout.jpg, heldout.json, heldout-photos.jpg, heldout-photos.json, run.json, ATTRIBUTION.tsv (card.md is written by hand from them)"
