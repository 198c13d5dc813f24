#!/usr/bin/env bash
# Packs the CLI as a .NET tool and installs it into a fresh tool folder, then runs it: the check that
# `dotnet tool install` gives a working `atelier` (libtorch and the built-in ResNet-18 travel in the package).
#   build/pack-tool.sh            # packs into artifacts/tool, installs into artifacts/tool/bin, smoke-runs it
# Then: dotnet tool install --global --add-source artifacts/tool Atelier.Cli   (the command is `atelier`)
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/tool
rm -rf "$out"
dotnet pack src/Atelier.Cli -c Release -o "$out" -nologo -v q
dotnet tool install --tool-path "$out/bin" --add-source "$out" Atelier.Cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$out/bin/atelier" info
"$out/bin/atelier" --seed 1 texture quilting docs/images/texture/mosaic-sample-64.png --size 64 -o "$tmp/quilt.png" --quiet
"$out/bin/atelier" --seed 1 gatys texture docs/images/texture/mosaic-sample-64.png --size 32x32 --steps 2 -o "$tmp/gatys.png" --quiet
test -s "$tmp/quilt.png" && test -s "$tmp/gatys.png"
echo "the packed tool works: $out/bin/atelier"
