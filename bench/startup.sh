#!/usr/bin/env bash
# Whole-process start-up of the CLI (issue targets: a 64 px to 128 px quilting under 0.3 s, `info` under 0.5 s).
# Times the published tool (ReadyToRun, as `build/pack-tool.sh` and `dotnet publish -c Release` make it) beside
# the plain Release build (JIT), interleaved, ROUNDS rounds each; prints the median and the fastest per case.
#   bench/startup.sh [ROUNDS]      (default 9)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-9}
out=artifacts/startup
dotnet publish src/Atelier.Cli -c Release -o "$out/r2r" -nologo -v q > /dev/null
dotnet build src/Atelier.Cli -c Release -nologo -v q > /dev/null
jit=src/Atelier.Cli/bin/Release/net10.0/linux-x64
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sample=docs/images/texture/mosaic-sample-64.png

declare -A cases=(
  [quilting]="--seed 1 texture quilting $sample --size 128 -o $tmp/q.png --quiet"
  [info]="info"
  [models-list]="models list"
  [version]="--version"
)
declare -A times
for ((r = 0; r < rounds; r++)); do
  for c in quilting info models-list version; do
    for b in r2r jit; do
      dir=$out/r2r; [ $b = jit ] && dir=$jit
      t0=$(date +%s%N)
      # shellcheck disable=SC2086
      "$dir/Atelier.Cli" ${cases[$c]} > /dev/null
      t1=$(date +%s%N)
      times[$c.$b]+="$(( (t1 - t0) / 1000000 )) "
    done
  done
done
printf '%-12s %-18s %-18s\n' case "published (R2R)" "build (JIT)"
for c in quilting info models-list version; do
  line=$(printf '%-12s' "$c")
  for b in r2r jit; do
    sorted=$(tr ' ' '\n' <<< "${times[$c.$b]}" | grep . | sort -n)
    n=$(wc -l <<< "$sorted"); med=$(sed -n "$(( (n + 1) / 2 ))p" <<< "$sorted"); min=$(head -1 <<< "$sorted")
    line+=$(printf ' %-18s' "${med} ms (min ${min})")
  done
  echo "$line"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
