#!/usr/bin/env bash
# Makes the README's pictures of the models Atelier ships (docs/images/shipped/) from the demo's gallery, so they are
# exactly what `atelier demo` shows and each has its command line there:
#   docs/scripts/readme-pictures.sh          # WORK (/var/tmp/atelier-readme) keeps the gallery
# The pictures are stored as JPEG (ffmpeg, quality 3 of 31) to keep the repository small; the glyphs as PNG.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${WORK:-/var/tmp/atelier-readme}"
dotnet run --project src/Atelier.Cli -c Release -- --seed 1 demo -o "$WORK"
out=docs/images/shipped
mkdir -p "$out"
jpeg() { ffmpeg -loglevel error -y -i "$1" -q:v 3 "$2"; }
for name in fast-style-candy-clock fast-style-mosaic-lake fast-style-udnie-meadow \
            adain-clock-mondrian adain-lake-mondrian adain-meadow-mondrian \
            adain-lake-alpha-25 adain-lake-alpha-50 adain-lake-alpha-75 \
            adain-clock-udnie-75 adain-clock-udnie-50 adain-clock-udnie-25 \
            adain-meadow-udnie-colors adain-lake-udnie-wct; do
  jpeg "$WORK/$name.png" "$out/$name.jpg"
done
# The inputs, as the gallery wrote them.
jpeg "$WORK/adain-clock-mondrian-content.png" "$out/clock.jpg"
jpeg "$WORK/adain-lake-mondrian-content.png" "$out/lake.jpg"
jpeg "$WORK/adain-meadow-mondrian-content.png" "$out/meadow.jpg"
jpeg "$WORK/adain-clock-mondrian-style.png" "$out/mondrian.jpg"
jpeg "$WORK/adain-clock-udnie-75-style-1.png" "$out/udnie.jpg"
# pix2pix: the shipped photos' sketches and what the generator draws from them.
for name in clock lake meadow; do
  jpeg "$WORK/sketch-$name-sketch.png" "$out/sketch-$name-sketch.jpg"
  jpeg "$WORK/sketch-$name.png" "$out/sketch-$name.jpg"
done
# The CycleGAN: the held-out words and their translations, as PNG (letters).
for name in glyph-serif-to-sans glyph-sans-to-serif; do
  ffmpeg -loglevel error -y -i "$WORK/$name-image.png" "$out/$name-image.png"
  ffmpeg -loglevel error -y -i "$WORK/$name.png" "$out/$name.png"
done
# The StyleGAN2 glyph generator: its sheets as they are (cells already enlarged to 64 px), single 32 px pictures
# enlarged 4x (the 8 px super-resolution input 16x) without smoothing, as PNG (JPEG blurs letters this small).
png() { ffmpeg -loglevel error -y -i "$WORK/$1.png" -vf "scale=iw*$2:ih*$2:flags=neighbor" "$out/$1.png"; }
for name in glyph-seeds glyph-seeds-truncated glyph-mixing-coarse glyph-mixing-middle glyph-morph glyph-crossover glyph-expression; do
  png "$name" 1
done
for name in glyph-invert-wplus-image glyph-invert-wplus glyph-invert-w glyph-superres glyph-inpaint-mask glyph-inpaint \
            glyph-sketch-sketch glyph-sketch; do
  png "$name" 4
done
png glyph-superres-image 16
echo "wrote $out from $WORK/index.html"
