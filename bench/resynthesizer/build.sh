#!/usr/bin/env bash
# Builds Resynthesizer's engine with the driver beside this script, for the side-by-side benchmark only
# (`dotnet run -c Release --project bench/Atelier.Bench -- resynthesizer`). Fetches nothing: point it at a checkout
# of https://github.com/bootchk/resynthesizer (GPL-2.0-or-later); the binary goes to artifacts/resynthesizer/.
#   bench/resynthesizer/build.sh PATH/TO/resynthesizer
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-${RESYNTHESIZER:-}}
if [ -z "$src" ] || [ ! -f "$src/lib/imageSynth.c" ]; then
  echo "resynthesizer: no checkout given (or no lib/imageSynth.c in it); usage: $0 PATH/TO/resynthesizer" >&2
  exit 2
fi
out="$here/../../artifacts/resynthesizer"
mkdir -p "$out"
if ! pkg-config --exists glib-2.0; then
  echo "resynthesizer: the engine's threads need glib's headers (Debian: apt-get install libglib2.0-dev)" >&2
  exit 2
fi
# The engine as GIMP's plug-in builds it (glib, threaded, -O3), without GIMP itself: its sources include the
# autotools "../config.h" (nothing in it is used by the engine) and <libgimp/gimp.h> only for glib, so both are
# stood in for by a scratch include folder.
inc=$(mktemp -d); trap 'rm -rf "$inc"' EXIT
mkdir -p "$inc/x/libgimp"
: > "$inc/config.h"
echo '#include <glib.h>' > "$inc/x/libgimp/gimp.h"
# shellcheck disable=SC2046
cc -O3 -I"$inc/x" -I"$src/lib" -w $(pkg-config --cflags glib-2.0) \
  "$src"/lib/{imageSynth,engine,engineParams,imageFormat,progress}.c "$here/driver.c" \
  -o "$out/resynth-driver" $(pkg-config --libs glib-2.0) -lpthread -lm
echo "$out/resynth-driver (from $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo "$src"))"
