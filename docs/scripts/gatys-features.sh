#!/usr/bin/env bash
# Makes the feature-network comparison of docs/style-gatys.md: for candy, mosaic, udnie and la_muse, texture synthesis
# and style transfer onto sailboat and chicago at 256 px, with the random-weight VGG-19, the built-in ResNet-18 with
# raw features, and the built-in ResNet-18 with its recipe (the default). Writes JPEGs under docs/images/style/features/
# and a table of figures (iterations, seconds, artifact figure, style distance) to docs/images/style/features/figures.md.
# Needs ../shared/images (or IMAGES=folder with content/ and style/). Takes about an hour on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGES="${IMAGES:-../shared/images}"
OUT=docs/images/style/features
ITER="${ITER:-200}"
SIZE=256
mkdir -p "$OUT" /tmp/atelier-gatys-features
dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
atelier() { dotnet src/Atelier.Cli/bin/Release/net10.0/linux-x64/Atelier.Cli.dll "$@"; }
variants=("vgg19-random:--features vgg19-random" "resnet18-plain:--features resnet18 --tv-weight 0 --scales 1" "resnet18:")
figures="$OUT/figures.md"
echo "| style | task | network | iterations | seconds | artifact | style distance |" > "$figures"
echo "|---|---|---|---|---|---|---|" >> "$figures"
for style in candy mosaic udnie la_muse; do
  # Texture samples at 256 px (longer side); style transfer sizes the style to the output (--style-scale 1).
  for task in texture sailboat chicago; do
    for v in "${variants[@]}"; do
      name="${v%%:*}"; opts="${v#*:}"
      out="$OUT/${style}_${task}_${name}.jpg"
      if [ "$task" = texture ]; then
        json=$(atelier --seed 1 --json style texture "$IMAGES/style/$style.jpg" --sample-size $SIZE --size ${SIZE}x${SIZE} -n "$ITER" -o "$out" $opts)
      else
        json=$(atelier --seed 1 --json style gatys "$IMAGES/content/$task.jpg" --style "$IMAGES/style/$style.jpg" --size $SIZE -n "$ITER" -o "$out" $opts)
      fi
      echo "$json" | jq -r --arg s "$style" --arg t "$task" --arg n "$name" \
        '"| \($s) | \($t) | \($n) | \(.steps) | \(.seconds) | \(.quality.artifact) | \(.quality.styleDistance) |"' >> "$figures"
      tail -1 "$figures"
    done
  done
done
# Thumbnails of the inputs at the size the runs used them (Debian's python3-pil; skipped without it).
if /usr/bin/python3 -c "import PIL" 2>/dev/null; then
  /usr/bin/python3 - "$IMAGES" "$OUT" $SIZE <<'PY'
import sys
from PIL import Image
images, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
for kind, names in (("style", ["candy", "mosaic", "udnie", "la_muse"]), ("content", ["sailboat", "chicago"])):
    for n in names:
        im = Image.open(f"{images}/{kind}/{n}.jpg").convert("RGB")
        k = size / max(im.size)
        im.resize((round(im.width * k), round(im.height * k)), Image.BICUBIC).save(f"{out}/{n}.jpg", quality=90)
PY
fi
