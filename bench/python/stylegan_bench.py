"""StyleGAN2 generation and Image2StyleGAN inversion in PyTorch: the reference for bench/Atelier.Bench (`stylegan`),
which launches this script with the same architecture, batch and threads. The generator mirrors
rosinality/stylegan2-pytorch's model.py (pure-PyTorch upfirdn2d_native and fused_leaky_relu, as on CPU), with a channel
cap as Atelier's GeneratorConfig.MaxChannels; the inversion step is w+ Adam (lr 0.01) under VGG-19 perceptual
(conv1_1, conv1_2, conv3_2, conv4_2) + pixel MSE, as Atelier's Inversion.
Prints one JSON line: {"torch": version, "gen_images_per_s": ..., "invert_s_per_step": ...}."""
import argparse, json, statistics

import torch
import torch.nn.functional as F
import torchvision

from stylegan_networks import Generator
from timing import timed

p = argparse.ArgumentParser()
p.add_argument("--size", type=int, default=32)
p.add_argument("--latent", type=int, default=128)
p.add_argument("--n-mlp", type=int, default=4)
p.add_argument("--channels", type=int, default=32)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--iters", type=int, default=5)
p.add_argument("--invert-steps", type=int, default=20)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


g = Generator(a.size, a.latent, a.n_mlp, a.channels).eval()
# Generation: z -> image with the stored noise, no gradients.
z = torch.randn(a.batch, a.latent)
with torch.no_grad():
    times = timed(lambda: g.synthesize(g.map(z).unsqueeze(1).repeat(1, g.n_latent, 1)), a.warmup, a.iters)
gen = a.batch / statistics.median(times)

# Inversion: w+ from the mean w, VGG-19 perceptual (random weights, as Atelier's built-in) + MSE, Adam lr 0.01.
vgg = torchvision.models.vgg19().features[:22].eval()  # conv4_2 is index 21
for q in list(g.parameters()) + list(vgg.parameters()):
    q.requires_grad_(False)
taps = {0: "conv1_1", 2: "conv1_2", 12: "conv3_2", 21: "conv4_2"}
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def features(img):
    x = ((img + 1) / 2 - mean) / std
    if min(x.shape[2:]) < 32:
        x = F.interpolate(x, size=(32 * x.shape[2] // min(x.shape[2:]), 32 * x.shape[3] // min(x.shape[2:])), mode="bilinear", align_corners=False)
    out = []
    for idx, layer in enumerate(vgg):
        x = layer(x)
        if idx in taps:
            out.append(x)
    return out


with torch.no_grad():
    w_mean = g.map(torch.randn(4096, a.latent)).mean(0, keepdim=True)
    target = g.synthesize(g.map(torch.randn(1, a.latent)).unsqueeze(1).repeat(1, g.n_latent, 1))
    target_features = features(target)
latent = w_mean.unsqueeze(1).repeat(1, g.n_latent, 1).clone().requires_grad_(True)
opt = torch.optim.Adam([latent], lr=0.01)


def invert_step():
    img = g.synthesize(latent)
    loss = sum(F.mse_loss(f, t) for f, t in zip(features(img), target_features)) + F.mse_loss(img, target)
    opt.zero_grad()
    loss.backward()
    opt.step()


steps = timed(invert_step, a.warmup, a.invert_steps)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "gen_images_per_s": gen,
                  "gen_times": times, "invert_s_per_step": statistics.median(steps)}))
