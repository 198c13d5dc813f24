"""Feature networks forward + backward to the input, in PyTorch: the reference for bench/Atelier.Bench (`vgg`), which
launches this script with the same shapes and threads. vgg19: torchvision's VGG-19 features through relu5_1; resnet18:
torchvision's ResNet-18 through layer4, eval mode.
Prints one JSON line: {"torch": version, "network": N, "size": S, "threads": T, "median": seconds, "times": [...]}."""
import argparse, json, statistics

import torch
import torchvision

from timing import timed

p = argparse.ArgumentParser()
p.add_argument("--network", choices=["vgg19", "resnet18"], default="vgg19")
p.add_argument("--size", type=int, default=256)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--iters", type=int, default=5)
a = p.parse_args()

torch.set_num_threads(a.threads)
# features[:30] ends at relu5_1 (index 29) in torchvision's vgg19.
if a.network == "vgg19":
    net = torchvision.models.vgg19().features[:30].eval()
else:
    r = torchvision.models.resnet18().eval()
    net = torch.nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, r.layer1, r.layer2, r.layer3, r.layer4)
for q in net.parameters():
    q.requires_grad_(False)
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
x = torch.rand(1, 3, a.size, a.size, requires_grad=True)


def step():
    net((x - mean) / std).sum().backward()
    x.grad.zero_()


times = timed(step, a.warmup, a.iters)
print(json.dumps({"torch": torch.__version__, "network": a.network, "size": a.size, "threads": torch.get_num_threads(),
                  "median": statistics.median(times), "times": times}))
