#!/usr/bin/env bash
# Trains, measures and packages one of the fast-style models Atelier ships (models/fast-style-STYLE/), start to end:
#   docs/scripts/fast-style-model.sh candy            # or mosaic, udnie, rain-princess
# Resumable: run it again after a stop and it continues from the run's last checkpoint (WORK keeps the run).
# Steps: the training pictures (Debian's wallpaper packages, with attribution), stage 1 at 128 px (cheap: settles
# colours and layout), stage 2, the same run continued at 256 px (Johnson et al.'s size), the float16 model, the
# held-out figures against Gatys optimisation, and the card's numbers.
#   STAGE1 (3000), STEPS (6000 in all), WORK (/var/tmp/atelier-fast-style), IMAGES (../shared/images) override.
#   STAGE1_MODEL=FILE skips stage 1: stage 2 is then a new run of STEPS - STAGE1 steps at 256 px started from that
#   network's weights (fast-style train --start-from), e.g. the shipped stage-1 model, with a fresh Adam.
set -euo pipefail
style="${1:?usage: fast-style-model.sh STYLE}"
cd "$(dirname "$0")/../.."
IMAGES="${IMAGES:-../shared/images}"
WORK="${WORK:-/var/tmp/atelier-fast-style}"
STAGE1="${STAGE1:-3000}"
STEPS="${STEPS:-6000}"
out="models/fast-style-$style"
run="$WORK/$style.run"
mkdir -p "$WORK" "$out"
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }

# The pictures: every wallpaper the desktop packages install (install them first, e.g. apt-get install
# plasma-workspace-wallpapers mate-backgrounds gnome-backgrounds lomiri-wallpapers); every 10th held out.
[ -d "$WORK/pictures/train" ] || atelier data pictures -o "$WORK/pictures" --size 512 --test-every 10

common=(--seed 1 fast-style train --style "$IMAGES/style/$style.jpg" --style-size 256 --content-dir "$WORK/pictures/train"
        --batch-size 4 --sample-every 100 --checkpoint-every 100 --style-weight 10 --content-layer layer1.1)
step() { grep -o '"step": [0-9]*' "$run/run.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0; }
final="$WORK/$style-256.safetensors"; [ "$STEPS" -gt "$STAGE1" ] || final="$WORK/$style-128.safetensors"
if [ -n "${STAGE1_MODEL:-}" ]; then
  run="$WORK/$style-256.run"
  start=(--start-from "$STAGE1_MODEL"); [ -f "$run/checkpoint.safetensors" ] && start=(--resume)
  [ "$(step)" -ge "$((STEPS - STAGE1))" ] ||
    atelier "${common[@]}" --run-dir "$run" -o "$final" --image-size 256 --steps "$((STEPS - STAGE1))" "${start[@]}"
else
  resume=(); [ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
  if [ "$(step)" -lt "$STAGE1" ]; then
    atelier "${common[@]}" --run-dir "$run" -o "$WORK/$style-128.safetensors" --image-size 128 --steps "$STAGE1" "${resume[@]}"
    resume=(--resume)
  fi
  [ "$(step)" -ge "$STEPS" ] ||
    atelier "${common[@]}" --run-dir "$run" -o "$final" --image-size 256 --steps "$STEPS" "${resume[@]}"
fi

# The shipped files: float16 weights, the loss plot, the held-out figures and grid.
atelier checkpoint convert "$final" "$out/model.safetensors" --half
cp "$run/losses.png" "$out/loss.png"
atelier --seed 1 --json fast-style evaluate --model "$out/model.safetensors" --style "$IMAGES/style/$style.jpg" --style-size 256 \
  --images "$WORK/pictures/test" --size 256 --gatys-steps 50 -o "$out/heldout.jpg" > "$out/heldout.json"
cp "$WORK/pictures/ATTRIBUTION.tsv" "$out/ATTRIBUTION.tsv"
cp "$run/run.json" "$out/run.json"
echo "wrote $out: model.safetensors, loss.png, heldout.jpg, heldout.json, run.json, ATTRIBUTION.tsv (card.md is written by hand from them)"
