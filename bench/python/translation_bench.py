"""Pix2Pix and CycleGAN training iterations in PyTorch, the reference for bench/Atelier.Bench (`translation`),
which launches this script with the same shapes and threads. The networks, losses and update order are those of
junyanz/pytorch-CycleGAN-and-pix2pix (networks.py, pix2pix_model.py, cycle_gan_model.py), written out here.
Prints one JSON line: {"torch": version, "model": M, "size": S, "batch": B, "median": seconds, "times": [...]}."""
import argparse, functools, json, random, statistics

import torch
import torch.nn as nn

from timing import timed
from translation_networks import init, patchgan, resnet, unet

p = argparse.ArgumentParser()
p.add_argument("--model", choices=["pix2pix", "cyclegan"], required=True)
p.add_argument("--size", type=int, default=256)
p.add_argument("--batch", type=int, default=1)
p.add_argument("--arch", default=None)
p.add_argument("--ngf", type=int, default=64)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--iters", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def gan_loss(kind):
    crit = nn.BCEWithLogitsLoss() if kind == "vanilla" else nn.MSELoss()
    return lambda pred, real: crit(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))


def requires_grad(nets, flag):
    for n in nets:
        for q in n.parameters():
            q.requires_grad = flag


class Pool:
    def __init__(self, size=50):
        self.size, self.images = size, []

    def query(self, images):
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image); out.append(image)
            elif random.uniform(0, 1) > 0.5:
                i = random.randint(0, self.size - 1)
                out.append(self.images[i].clone()); self.images[i] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


def adam(params):
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))


A = torch.rand(a.batch, 3, a.size, a.size) * 2 - 1
B = torch.rand(a.batch, 3, a.size, a.size) * 2 - 1
if a.model == "pix2pix":
    arch = a.arch or ("unet_256" if a.size >= 256 else "unet_128")
    G = init(unet(int(arch.split("_")[1]).bit_length() - 1, a.ngf)).train()
    D = init(patchgan(6)).train()
    oG, oD, gan, l1 = adam(G.parameters()), adam(D.parameters()), gan_loss("vanilla"), nn.L1Loss()

    def step():
        fake = G(A)
        requires_grad([D], True); oD.zero_grad()
        loss_d = (gan(D(torch.cat([A, fake.detach()], 1)), False) + gan(D(torch.cat([A, B], 1)), True)) * 0.5
        loss_d.backward(); oD.step()
        requires_grad([D], False); oG.zero_grad()
        loss_g = gan(D(torch.cat([A, fake], 1)), True) + l1(fake, B) * 100
        loss_g.backward(); oG.step()
else:
    arch = a.arch or "resnet_9blocks"
    blocks = int(arch.split("_")[1].replace("blocks", ""))
    inorm = functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)
    GA, GB = init(resnet(blocks, a.ngf)), init(resnet(blocks, a.ngf))
    DA, DB = init(patchgan(3, norm=inorm)), init(patchgan(3, norm=inorm))
    import itertools
    oG, oD = adam(itertools.chain(GA.parameters(), GB.parameters())), adam(itertools.chain(DA.parameters(), DB.parameters()))
    gan, l1, poolA, poolB = gan_loss("lsgan"), nn.L1Loss(), Pool(), Pool()

    def step():
        fake_B = GA(A); rec_A = GB(fake_B); fake_A = GB(B); rec_B = GA(fake_A)
        requires_grad([DA, DB], False); oG.zero_grad()
        idt = l1(GA(B), B) * 10 * 0.5 + l1(GB(A), A) * 10 * 0.5
        loss_g = gan(DA(fake_B), True) + gan(DB(fake_A), True) + l1(rec_A, A) * 10 + l1(rec_B, B) * 10 + idt
        loss_g.backward(); oG.step()
        requires_grad([DA, DB], True); oD.zero_grad()
        for d, real, fake in ((DA, B, poolB.query(fake_B)), (DB, A, poolA.query(fake_A))):
            loss_d = (gan(d(real), True) + gan(d(fake.detach()), False)) * 0.5
            loss_d.backward()
        oD.step()

times = timed(step, a.warmup, a.iters)
print(json.dumps({"torch": torch.__version__, "model": a.model, "arch": arch, "size": a.size, "batch": a.batch,
                  "threads": torch.get_num_threads(), "median": statistics.median(times), "times": times}))
