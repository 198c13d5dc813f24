"""Gatys style transfer by L-BFGS in PyTorch: the reference for bench/Atelier.Bench (`gatys`), which runs this script
in the same run with the same sizes, layers, losses, optimiser settings and threads. Random-weight torchvision VGG-19.
Prints one JSON line: {"torch": version, "size": S, "threads": T, "median": seconds per step, "times": [...]}."""
import argparse, json, math, statistics

import torch
import torchvision

from timing import timed

p = argparse.ArgumentParser()
p.add_argument("--size", type=int, default=256)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--iters", type=int, default=10)
a = p.parse_args()
torch.set_num_threads(a.threads)

features = torchvision.models.vgg19().features[:30].eval()  # through relu5_1
for q in features.parameters():
    q.requires_grad_(False)
for m in features:
    if isinstance(m, torch.nn.ReLU):
        m.inplace = True  # as Atelier does
names = {1: "relu1_1", 6: "relu2_1", 11: "relu3_1", 20: "relu4_1", 22: "relu4_2", 29: "relu5_1"}
style_layers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def run(x):
    out = {}
    h = (x - mean) / std
    for i, m in enumerate(features):
        h = m(h)
        if i in names:
            out[names[i]] = h.clone() if i != 29 else h  # in-place ReLUs follow: keep a copy, as Atelier does
    return out


def gram(f):
    b, n, hh, ww = f.shape
    f = f.reshape(b, n, -1)
    return f.bmm(f.transpose(1, 2)) / (hh * ww)


def picture(size, seed):
    g = torch.Generator().manual_seed(seed)
    fx, fy, ph = (torch.rand(3, generator=g) * torch.tensor([0.1, 0.1, 6.0])).tolist()
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    return torch.stack([0.5 + 0.4 * torch.sin(fx * xx + fy * yy * (c + 1) + ph) for c in range(3)]).unsqueeze(0).float()


content, style = picture(a.size, 1), picture(a.size, 2)
with torch.no_grad():
    targets = {k: gram(v) for k, v in run(style).items() if k in style_layers}
    content_target = run(content)["relu4_2"]
x = content.clone().requires_grad_(True)
opt = torch.optim.LBFGS([x], lr=1.0, max_iter=1, history_size=100, tolerance_grad=0.0, tolerance_change=0.0)
style_weight, content_weight = 1e3, 1.0


def closure():
    opt.zero_grad()
    f = run(x)
    style_loss = sum((gram(f[k]) - targets[k]).square().sum() / (4.0 * f[k].shape[1] ** 2) / len(style_layers) for k in style_layers)
    content_loss = 0.5 * (f["relu4_2"] - content_target).square().mean()
    loss = style_loss * style_weight + content_loss * content_weight
    loss.backward()
    return loss


def step():
    opt.step(closure)
    with torch.no_grad():
        x.clamp_(0, 1)


times = timed(step, a.warmup, a.iters)
print(json.dumps({"torch": torch.__version__, "size": a.size, "threads": torch.get_num_threads(),
                  "median": statistics.median(times), "times": times}))
