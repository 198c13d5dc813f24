"""The PyTorch side of bench/Atelier.Bench's `onnx` section: the same inference networks as the reference code
defines them, random weights, eval mode, no gradients, one call at a time so the benchmark can interleave PyTorch with
Atelier and ONNX Runtime. Reads case ids on stdin, one per line; for each, builds the network on first sight (not
timed), runs it once and prints the milliseconds of that call (or "error: ..."). "quit" ends it."""
import argparse, sys, time

import torch
import torchvision

from style_networks import TransformerNet, adain, adain_decoder, adain_encoder
from stylegan_networks import Generator
from translation_networks import init, resnet, unet

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def fast(batch, size):
    net = TransformerNet().eval()
    x = torch.rand(batch, 3, size, size) * 255
    return lambda: net(x)


def generator(net, size):
    net = init(net).eval()
    x = torch.rand(1, 3, size, size) * 2 - 1
    return lambda: net(x)


def adain_case(size):
    encoder, decoder = adain_encoder().eval(), adain_decoder().eval()
    c, s = torch.rand(1, 3, size, size), torch.rand(1, 3, size, size)
    return lambda: decoder(adain(encoder(c), encoder(s)))


def vgg19(size):
    encoder = adain_encoder().eval()
    x = torch.rand(1, 3, size, size)
    return lambda: encoder(x)


def stylegan(size, latent, n_mlp, channels):
    g = Generator(size, latent, n_mlp, channels).eval()
    w = torch.randn(1, g.n_latent, latent) * 0.5
    return lambda: g.synthesize(w)


def resnet18():
    r = torchvision.models.resnet18().eval()
    net = torch.nn.Sequential(*list(r.children())[:-1])  # through the global pool
    x = torch.rand(1, 3, 224, 224)
    return lambda: net(x)


CASES = {
    "fast-1x512": lambda: fast(1, 512),
    "fast-4x256": lambda: fast(4, 256),
    "resnet9-256": lambda: generator(resnet(9, 64), 256),
    "resnet6-128": lambda: generator(resnet(6, 32), 128),
    "unet256-256": lambda: generator(unet(8, 64), 256),
    "unet128-256": lambda: generator(unet(7, 16), 256),
    "vgg19-512": lambda: vgg19(512),
    "adain-512": lambda: adain_case(512),
    "stylegan-32": lambda: stylegan(32, 128, 4, 64),
    "stylegan-256": lambda: stylegan(256, 512, 8, 512),
    "resnet18-224": resnet18,
}

built = {}
for line in sys.stdin:
    case = line.strip()
    if case == "quit":
        break
    try:
        if case not in built:
            built[case] = CASES[case]()
        with torch.no_grad():
            t0 = time.perf_counter()
            built[case]()
            ms = (time.perf_counter() - t0) * 1000
        print(f"{ms:.3f}", flush=True)
    except Exception as e:  # the benchmark prints it and goes on without this side
        print(f"error: {type(e).__name__}: {e}".replace("\n", " "), flush=True)
