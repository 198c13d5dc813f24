"""Feed-forward stylisation in PyTorch: the reference for bench/Atelier.Bench (`feedforward`). Johnson's TransformerNet
(pytorch/examples fast_neural_style) and AdaIN (naoto0804/pytorch-AdaIN's normalised VGG to relu4_1 + decoder), random
weights, eval mode, no grad. Prints one JSON line of milliseconds per image: {"fast_1x512": ..., "fast_8x256": ...,
"adain_1x512": ..., "adain_8x256": ..., "torch": version}."""
import argparse, json, statistics

import torch

from style_networks import TransformerNet, adain, adain_decoder, adain_encoder
from timing import timed

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--iters", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)

fast = TransformerNet().eval()
vgg, decoder = adain_encoder().eval(), adain_decoder().eval()


def run_fast(batch, size):
    fast(torch.rand(batch, 3, size, size) * 255).clamp(0, 255)


def run_adain(batch, size):
    c = vgg(torch.rand(batch, 3, size, size))
    s = vgg(torch.rand(1, 3, size, size))
    decoder(adain(c, s)).clamp(0, 1)


result = {"torch": torch.__version__}
with torch.no_grad():
    for name, fn in (("fast", run_fast), ("adain", run_adain)):
        for batch, size in ((1, 512), (8, 256)):
            times = timed(lambda: fn(batch, size), a.warmup, a.iters)
            result[f"{name}_{batch}x{size}"] = statistics.median(times) * 1000 / batch
print(json.dumps(result))
