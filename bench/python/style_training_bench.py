"""Style-network training steps in PyTorch, the reference for bench/Atelier.Bench (`styletrain`), which launches this
script with the same shapes and threads. Random weights and inputs (the speed does not depend on them).
  fast:  pytorch/examples fast_neural_style's step: TransformerNet on a 0..255 batch, torchvision's VGG-16 to relu4_3 as
         the loss network (content at relu2_2, Gram style at relu1_2..relu4_3), Adam.
  adain: naoto0804/pytorch-AdaIN's step (train.py, net.py): the frozen normalised VGG-19 to relu4_1, AdaIN, the decoder,
         content loss at relu4_1 and mean/std style losses at relu1_1..relu4_1, Adam.
Prints one JSON line: {"torch": version, "kind": K, "size": S, "batch": B, "median": seconds, "times": [...]}."""
import argparse, json, statistics

import torch
import torch.nn as nn
import torchvision

from style_networks import TransformerNet, adain, adain_decoder, adain_encoder, mean_std
from timing import timed

p = argparse.ArgumentParser()
p.add_argument("--kind", choices=["fast", "adain"], required=True)
p.add_argument("--size", type=int, default=256)
p.add_argument("--batch", type=int, default=4)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--iters", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
mse = nn.MSELoss()


def frozen(module):
    for q in module.parameters():
        q.requires_grad_(False)
    return module


def through(slices, x):
    """Each slice's output, in turn (the references' encode_with_intermediate and Vgg16.forward)."""
    out = []
    for s in slices:
        x = s(x)
        out.append(x)
    return out


if a.kind == "fast":
    features = frozen(torchvision.models.vgg16().features[:23])
    slices = [features[:4], features[4:9], features[9:16], features[16:23]]  # relu1_2, relu2_2, relu3_3, relu4_3
    mean = torch.tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)

    vgg = lambda x: through(slices, x)
    def normalize_batch(b):
        return (b / 255.0 - mean) / std

    def gram(y):
        b, ch, h, w = y.size()
        f = y.view(b, ch, w * h)
        return f.bmm(f.transpose(1, 2)) / (ch * h * w)

    net = TransformerNet().train()
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    gram_style = [gram(f) for f in vgg(normalize_batch(torch.rand(1, 3, a.size, a.size) * 255))]

    def step():
        x = torch.rand(a.batch, 3, a.size, a.size) * 255
        optimizer.zero_grad()
        y = normalize_batch(net(x))
        fy, fx = vgg(y), vgg(normalize_batch(x))
        content = 1e5 * mse(fy[1], fx[1])
        style = 1e10 * sum(mse(gram(f), g.expand(a.batch, -1, -1)) for f, g in zip(fy, gram_style))
        (content + style).backward()
        optimizer.step()
else:
    encoder = frozen(adain_encoder())
    enc = [encoder[:4], encoder[4:11], encoder[11:18], encoder[18:31]]  # relu1_1, relu2_1, relu3_1, relu4_1
    decoder = adain_decoder().train()
    optimizer = torch.optim.Adam(decoder.parameters(), 1e-4)

    intermediate = lambda x: through(enc, x)
    def step():
        content, style = torch.rand(a.batch, 3, a.size, a.size), torch.rand(a.batch, 3, a.size, a.size)
        style_feats = intermediate(style)
        content_feat = intermediate(content)[-1]
        t = adain(content_feat, style_feats[-1])
        g_t = decoder(t)
        g_feats = intermediate(g_t)
        loss_c = mse(g_feats[-1], t)
        loss_s = 0
        for g, s in zip(g_feats, style_feats):
            gm, gs = mean_std(g)
            sm, ss = mean_std(s)
            loss_s = loss_s + mse(gm, sm) + mse(gs, ss)
        optimizer.zero_grad()
        (loss_c + 10.0 * loss_s).backward()
        optimizer.step()

times = timed(step, a.warmup, a.iters)
print(json.dumps({"torch": torch.__version__, "kind": a.kind, "size": a.size, "batch": a.batch, "median": statistics.median(times), "times": times}))
