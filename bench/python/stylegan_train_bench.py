"""StyleGAN2 training steps in PyTorch, the reference for bench/Atelier.Bench (`styletrain --kinds stylegan`): the
step of rosinality/stylegan2-pytorch's train.py (D with the logistic loss, R1 every 16 steps, G with the non-saturating
loss on style-mixed latents, the path-length penalty every 4 steps on half the batch, the EMA generator), on the
networks of stylegan_networks.py. Times 16 consecutive steps, one full cycle of both regularisers, after warm-up steps.
Prints one JSON line: {"torch": version, "size": S, "batch": B, "mean": seconds per step, "times": [...]}."""
import argparse, copy, json, math, random

import torch
import torch.nn.functional as F

from stylegan_networks import Discriminator, Generator
from timing import timed

p = argparse.ArgumentParser()
p.add_argument("--size", type=int, default=32)
p.add_argument("--latent", type=int, default=128)
p.add_argument("--n-mlp", type=int, default=4)
p.add_argument("--channels", type=int, default=64)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

g, d = Generator(a.size, a.latent, a.n_mlp, a.channels).train(), Discriminator(a.size, a.channels).train()
g_ema = copy.deepcopy(g).eval()
g_ratio, d_ratio = 4 / 5, 16 / 17
g_optim = torch.optim.Adam(g.parameters(), lr=0.002 * g_ratio, betas=(0, 0.99 ** g_ratio))
d_optim = torch.optim.Adam(d.parameters(), lr=0.002 * d_ratio, betas=(0, 0.99 ** d_ratio))
real_images = torch.rand(a.batch, 3, a.size, a.size) * 2 - 1
state = {"step": 0, "mean_path": 0.0}


def requires_grad(model, flag):
    for q in model.parameters():
        q.requires_grad = flag


def latents(n):
    """w+ for n samples: with probability 0.9 two mapped z's crossed at a random index (mixing_noise)."""
    w1 = g.map(torch.randn(n, a.latent)).unsqueeze(1).repeat(1, g.n_latent, 1)
    if random.random() < 0.9:
        w2 = g.map(torch.randn(n, a.latent)).unsqueeze(1).repeat(1, g.n_latent, 1)
        cut = random.randint(1, g.n_latent - 1)
        w1 = torch.cat([w1[:, :cut], w2[:, cut:]], 1)
    return w1


def fresh_noise(n):
    g.noises = [torch.randn(n, 1, *q.shape[2:]) for q in g.noises]


def step():
    i = state["step"]
    requires_grad(g, False); requires_grad(d, True)
    fresh_noise(a.batch)
    fake = g.synthesize(latents(a.batch))
    d_loss = F.softplus(d(fake)).mean() + F.softplus(-d(real_images)).mean()
    d.zero_grad(); d_loss.backward(); d_optim.step()
    if i % 16 == 0:
        real = real_images.detach().requires_grad_(True)
        pred = d(real)
        grad, = torch.autograd.grad(pred.sum(), real, create_graph=True)
        r1 = grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean()
        d.zero_grad(); (10 / 2 * r1 * 16 + 0 * pred[0]).backward(); d_optim.step()
    requires_grad(g, True); requires_grad(d, False)
    fresh_noise(a.batch)
    g_loss = F.softplus(-d(g.synthesize(latents(a.batch)))).mean()
    g.zero_grad(); g_loss.backward(); g_optim.step()
    if i % 4 == 0:
        n = max(1, a.batch // 2)
        fresh_noise(n)
        w = latents(n)
        img = g.synthesize(w)
        noise = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
        grad, = torch.autograd.grad((img * noise).sum(), w, create_graph=True)
        lengths = torch.sqrt(grad.pow(2).sum(2).mean(1))
        mean_path = state["mean_path"] + 0.01 * (lengths.mean().item() - state["mean_path"])
        penalty = (lengths - mean_path).pow(2).mean()
        state["mean_path"] = mean_path
        g.zero_grad(); (2 * 4 * penalty + 0 * img[0, 0, 0, 0]).backward(); g_optim.step()
    with torch.no_grad():
        for pe, pg in zip(g_ema.parameters(), g.parameters()):
            pe.mul_(0.999).add_(pg, alpha=0.001)
    state["step"] += 1


times = timed(step, a.warmup, 16)
print(json.dumps({"torch": torch.__version__, "size": a.size, "batch": a.batch, "mean": sum(times) / len(times), "times": times}))
