#!/usr/bin/env bash
# Trains, measures and packages the AdaIN decoder Atelier ships (models/adain-resnet18/), start to end:
#   docs/scripts/adain-decoder.sh
# Resumable: run it again after a stop and it continues from the run's last checkpoint (WORK keeps the run).
# The decoder inverts the built-in ImageNet ResNet-18 at layer2.1 (docs/style-feedforward.md says why).
# Data: content, the training wallpapers (`atelier data pictures`, with attribution); style, eight paintings of
# ../shared/images/style, each linked six times so they are not drowned, plus the training wallpapers. Held out: three
# paintings it never sees (la_muse, mondrian, picasso_seated_nude_hr) and the test wallpapers.
#   STEPS (6000), WORK (/var/tmp/atelier-adain), IMAGES (../shared/images) override. STEPS below the run's step
#   packages the run as it stands (the decoder at its last checkpoint).
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGES="${IMAGES:-../shared/images}"
WORK="${WORK:-/var/tmp/atelier-adain}"
STEPS="${STEPS:-6000}"
out="models/adain-resnet18"
run="$WORK/adain.run"
mkdir -p "$WORK" "$out"
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }

# The pictures: every wallpaper the desktop packages install (apt-get install plasma-workspace-wallpapers
# mate-backgrounds gnome-backgrounds lomiri-wallpapers); every 10th held out.
[ -d "$WORK/pictures/train" ] || atelier data pictures -o "$WORK/pictures" --size 512 --test-every 10
if [ ! -d "$WORK/style" ]; then
  mkdir -p "$WORK/style" "$WORK/heldout/content" "$WORK/heldout/style"
  for f in antimonocromatismo.jpg brushstrokes.jpg candy.jpg flower_of_life.jpg mosaic.jpg rain-princess.jpg sketch.png udnie.jpg; do
    cp "$IMAGES/style/$f" "$WORK/style/"
    for k in 1 2 3 4 5; do ln -sf "$f" "$WORK/style/copy${k}_$f"; done
  done
  for f in "$WORK"/pictures/train/*; do ln -sf "$(realpath "$f")" "$WORK/style/wall_$(basename "$f")"; done
  for f in la_muse.jpg mondrian.jpg picasso_seated_nude_hr.jpg; do cp "$IMAGES/style/$f" "$WORK/heldout/style/"; done
  cp "$WORK"/pictures/test/* "$WORK/heldout/content/"
fi

step() { grep -o '"step": [0-9]*' "$run/run.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0; }
resume=(); [ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
steps="$STEPS"; [ "$(step)" -gt "$steps" ] && steps="$(step)"
# A run already at its last step only writes the decoder.
atelier --seed 1 adain train --content-dir "$WORK/pictures/train" --style-dir "$WORK/style" \
  --eval-dir "$WORK/heldout" --eval-every 500 --eval-images 6 --run-dir "$run" -o "$WORK/adain-resnet18.safetensors" \
  --load-size 256 --crop-size 128 --batch-size 8 --steps "$steps" --lr 0.0002 --sample-every 250 --checkpoint-every 250 "${resume[@]}"

# The shipped files: float16 weights, the loss plot, the held-out figures and grid.
atelier checkpoint convert "$WORK/adain-resnet18.safetensors" "$out/model.safetensors" --half
cp "$run/losses.png" "$out/loss.png"
atelier --seed 1 --json adain evaluate --decoder "$out/model.safetensors" \
  --style "$WORK/heldout/style/la_muse.jpg" --style "$WORK/heldout/style/mondrian.jpg" --style "$WORK/heldout/style/picasso_seated_nude_hr.jpg" \
  --images "$WORK/pictures/test" --size 256 --gatys-steps 50 -o "$out/heldout.jpg" > "$out/heldout.json"
cp "$WORK/pictures/ATTRIBUTION.tsv" "$out/ATTRIBUTION.tsv"
cp "$run/run.json" "$out/run.json"
echo "wrote $out: model.safetensors, loss.png, heldout.jpg, heldout.json, run.json, ATTRIBUTION.tsv (card.md is written from them)"
