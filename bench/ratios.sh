#!/usr/bin/env bash
# Every ratio of issue #22 in one go: each benchmark section that runs Atelier beside another runtime in the same run
# (ONNX Runtime and PyTorch 1.13 for inference, PyTorch for the feature networks' backward and the training steps),
# then the whole-process start-up. Needs Debian's python3-torch and python3-torchvision for the PyTorch side; run it on
# an idle machine (about an hour on 2 cores). The output is kept in artifacts/ratios.txt.
#   bench/ratios.sh [THREADS]      (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
mkdir -p artifacts
dotnet build -c Release bench/Atelier.Bench -nologo -v q > /dev/null
bench() { dotnet bench/Atelier.Bench/bin/Release/net10.0/linux-x64/Atelier.Bench.dll "$@" --threads "$threads"; }
{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  bench onnx --rounds 7 --warmup 2            # every inference network: Atelier, ONNX Runtime, PyTorch (two policies)
  bench feedforward                           # fast style and AdaIN inference against PyTorch, batched
  bench vgg --networks vgg19,resnet18         # the feature networks forward and backward (the Gatys inner loop)
  bench gatys                                 # a Gatys L-BFGS step
  bench styletrain                            # fast-style and AdaIN training steps
  bench translation                           # pix2pix and CycleGAN training steps
  bench stylegan                              # StyleGAN2 generation and an inversion step
  bench/startup.sh 7                          # whole-process start-up
} 2>&1 | tee artifacts/ratios.txt
