#!/usr/bin/env bash
# Trains, measures and packages the CycleGAN Atelier ships (models/cyclegan-serif-sans/), start to end:
#   docs/scripts/cyclegan-serif-sans.sh
# Resumable: run it again after a stop and it continues from the run's last checkpoint (WORK keeps the run).
# Data: unpaired capitals A-Z at 128 px of two lists of typeface families (cyclegan-serif-sans/serif.txt, domain A, and
# sans.txt, domain B), drawn by `atelier data glyphs` from the fonts stylegan-glyphs.sh installs; every tenth family of
# each list is held out with all its fonts. No flips: a mirrored R is no letter. Held-out figure: the cycle PSNR both
# ways (`atelier cyclegan test`). Also writes the two held-out words the demo and the studio translate (glyphs/).
#   STEPS (5000), THREADS (1), WORK (/var/tmp/atelier-serif-sans) override.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${WORK:-/var/tmp/atelier-serif-sans}"
STEPS="${STEPS:-5000}"
THREADS="${THREADS:-1}"
lists="docs/scripts/cyclegan-serif-sans"
out="models/cyclegan-serif-sans"
run="$WORK/serif-sans.run"
mkdir -p "$WORK" "$out"
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }

# The fonts: installed as for the glyph StyleGAN (see its script for the package list).
for domain in serif sans; do
  [ -d "$WORK/$domain/train" ] || atelier data glyphs -o "$WORK/$domain" --size 128 --test-every 10 --families "$lists/$domain.txt"
done
data="$WORK/serif2sans"
mkdir -p "$data"
ln -sfn ../serif/train "$data/trainA"; ln -sfn ../sans/train "$data/trainB"
ln -sfn ../serif/test "$data/testA";   ln -sfn ../sans/test "$data/testB"

step() { grep -o '"step": [0-9]*' "$run/run.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0; }
if [ "$(step)" -lt "$STEPS" ]; then
  resume=(); [ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
  atelier --seed 1 --threads "$THREADS" cyclegan train --data "$data" -o "$run" --arch resnet_6blocks --ngf 32 --ndf 32 \
    --load-size 136 --crop-size 128 --no-flip --steps "$STEPS" --decay-steps $((STEPS / 2)) --sample-every 250 \
    --checkpoint-every 250 --eval-dir "$data" --eval-every 1000 --eval-images 16 "${resume[@]}"
fi

# The shipped files: both generators in float16 (no discriminators or optimiser state), the loss plot, the held-out
# figures and grid, the fonts' attribution.
atelier checkpoint convert "$run/checkpoint.safetensors" "$out/model.safetensors" --select G_A,G_B --half
cp "$run/losses.png" "$out/loss.png"
cp "$run/run.json" "$out/run.json"
atelier --json cyclegan test -c "$out/model.safetensors" --data "$data" --size 128 -o "$out/heldout.png" --rows 6 > "$out/heldout.json"
{ head -1 "$WORK/serif/ATTRIBUTION.tsv" | sed 's/^/domain\t/'
  tail -n +2 "$WORK/serif/ATTRIBUTION.tsv" | sed 's/^/A (serif)\t/'
  tail -n +2 "$WORK/sans/ATTRIBUTION.tsv" | sed 's/^/B (sans-serif)\t/'; } > "$out/ATTRIBUTION.tsv"

# The held-out words in glyphs/: letters of one held-out font side by side.
word() { # DOMAIN FONT WORD NAME
  local inputs=() c
  for c in $(echo "$3" | grep -o .); do inputs+=(-i "$WORK/$1/test/$2_$c.png"); done
  ffmpeg -v error -y "${inputs[@]}" -filter_complex "hstack=inputs=${#3}" -pix_fmt gray "glyphs/$4.png"
}
word serif NimbusRoman-Regular SERIF nimbus-roman-SERIF
word sans Go-Medium SANS go-medium-SANS
echo "wrote $out: model.safetensors, loss.png, heldout.png, heldout.json, run.json, ATTRIBUTION.tsv (card.md is written by hand from them)"
