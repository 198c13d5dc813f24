"""rosinality/stylegan2-pytorch's generator (model.py, with the pure-PyTorch upfirdn2d_native and fused_leaky_relu as on
the CPU), written out for the PyTorch side of bench/Atelier.Bench, with a channel cap as Atelier's
GeneratorConfig.MaxChannels."""
import math

import torch
import torch.nn.functional as F
from torch import nn


def make_kernel(k):
    k = torch.tensor(k, dtype=torch.float32)
    k = k[None, :] * k[:, None]
    return k / k.sum()


def upfirdn2d(input, kernel, up=1, down=1, pad=(0, 0)):
    pad_x0, pad_x1 = pad; pad_y0, pad_y1 = pad
    _, channel, in_h, in_w = input.shape
    input = input.reshape(-1, in_h, in_w, 1)
    _, in_h, in_w, minor = input.shape
    kernel_h, kernel_w = kernel.shape
    out = input.view(-1, in_h, 1, in_w, 1, minor)
    out = F.pad(out, [0, 0, 0, up - 1, 0, 0, 0, up - 1])
    out = out.view(-1, in_h * up, in_w * up, minor)
    out = F.pad(out, [0, 0, max(pad_x0, 0), max(pad_x1, 0), max(pad_y0, 0), max(pad_y1, 0)])
    out = out[:, max(-pad_y0, 0): out.shape[1] - max(-pad_y1, 0), max(-pad_x0, 0): out.shape[2] - max(-pad_x1, 0), :]
    out = out.permute(0, 3, 1, 2)
    out = out.reshape([-1, 1, in_h * up + pad_y0 + pad_y1, in_w * up + pad_x0 + pad_x1])
    w = torch.flip(kernel, [0, 1]).view(1, 1, kernel_h, kernel_w)
    out = F.conv2d(out, w)
    out = out.reshape(-1, minor, in_h * up + pad_y0 + pad_y1 - kernel_h + 1, in_w * up + pad_x0 + pad_x1 - kernel_w + 1)
    out = out.permute(0, 2, 3, 1)[:, ::down, ::down, :]
    out_h = (in_h * up + pad_y0 + pad_y1 - kernel_h + down) // down
    out_w = (in_w * up + pad_x0 + pad_x1 - kernel_w + down) // down
    return out.reshape(-1, channel, out_h, out_w)


def fused_leaky_relu(x, bias, scale=2 ** 0.5):
    return F.leaky_relu(x + bias.view(1, -1, *([1] * (x.ndim - 2))), 0.2) * scale


class EqualLinear(nn.Module):
    def __init__(self, i, o, bias_init=0, lr_mul=1, act=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i).div_(lr_mul))
        self.bias = nn.Parameter(torch.zeros(o).fill_(bias_init))
        self.scale, self.lr_mul, self.act = 1 / math.sqrt(i) * lr_mul, lr_mul, act

    def forward(self, x):
        if self.act:
            return fused_leaky_relu(F.linear(x, self.weight * self.scale), self.bias * self.lr_mul)
        return F.linear(x, self.weight * self.scale, bias=self.bias * self.lr_mul)


class ModulatedConv2d(nn.Module):
    def __init__(self, i, o, k, style_dim, demodulate=True, upsample=False):
        super().__init__()
        self.i, self.o, self.k, self.demodulate, self.upsample = i, o, k, demodulate, upsample
        if upsample:
            pp = (4 - 2) - (k - 1)
            self.pad = ((pp + 1) // 2 + 2 - 1, pp // 2 + 1)
            self.register_buffer("kernel", make_kernel([1, 3, 3, 1]) * 4)
        self.scale = 1 / math.sqrt(i * k * k)
        self.weight = nn.Parameter(torch.randn(1, o, i, k, k))
        self.modulation = EqualLinear(style_dim, i, bias_init=1)

    def forward(self, x, style):
        b, c, h, w = x.shape
        style = self.modulation(style).view(b, 1, c, 1, 1)
        weight = self.scale * self.weight * style
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8).view(b, self.o, 1, 1, 1)
        if self.upsample:
            weight = weight.transpose(1, 2).reshape(b * c, self.o, self.k, self.k)
            out = F.conv_transpose2d(x.view(1, b * c, h, w), weight, padding=0, stride=2, groups=b)
            out = out.view(b, self.o, out.shape[2], out.shape[3])
            return upfirdn2d(out, self.kernel, pad=self.pad)
        weight = weight.view(b * self.o, c, self.k, self.k)
        out = F.conv2d(x.view(1, b * c, h, w), weight, padding=self.k // 2, groups=b)
        return out.view(b, self.o, out.shape[2], out.shape[3])


class StyledConv(nn.Module):
    def __init__(self, i, o, style_dim, upsample=False):
        super().__init__()
        self.conv = ModulatedConv2d(i, o, 3, style_dim, upsample=upsample)
        self.noise_weight = nn.Parameter(torch.zeros(1))
        self.bias = nn.Parameter(torch.zeros(o))

    def forward(self, x, style, noise):
        return fused_leaky_relu(self.conv(x, style) + self.noise_weight * noise, self.bias)


class ToRGB(nn.Module):
    def __init__(self, i, style_dim, upsample=True):
        super().__init__()
        self.conv = ModulatedConv2d(i, 3, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))
        self.register_buffer("kernel", make_kernel([1, 3, 3, 1]) * 4)

    def forward(self, x, style, skip=None):
        out = self.conv(x, style) + self.bias
        if skip is not None:
            out = out + upfirdn2d(skip, self.kernel, up=2, pad=(2, 1))
        return out


class Generator(nn.Module):
    def __init__(self, size, style_dim, n_mlp, max_channels):
        super().__init__()
        self.style_dim = style_dim
        self.style = nn.Sequential(*[EqualLinear(style_dim, style_dim, lr_mul=0.01, act=True) for _ in range(n_mlp)])
        # rosinality's channels per resolution (channel_multiplier 2), capped as Atelier's GeneratorConfig.MaxChannels.
        table = {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128, 512: 64, 1024: 32}
        ch = lambda r: min(max_channels, table[r])
        self.input = nn.Parameter(torch.randn(1, ch(4), 4, 4))
        self.conv1 = StyledConv(ch(4), ch(4), style_dim)
        self.to_rgb1 = ToRGB(ch(4), style_dim, upsample=False)
        self.log_size = int(math.log2(size))
        self.n_latent = self.log_size * 2 - 2
        self.convs, self.to_rgbs = nn.ModuleList(), nn.ModuleList()
        c = ch(4)
        for i in range(3, self.log_size + 1):
            o = ch(2 ** i)
            self.convs.append(StyledConv(c, o, style_dim, upsample=True))
            self.convs.append(StyledConv(o, o, style_dim))
            self.to_rgbs.append(ToRGB(o, style_dim))
            c = o
        self.noises = [torch.randn(1, 1, 2 ** ((j + 5) // 2), 2 ** ((j + 5) // 2)) for j in range((self.log_size - 2) * 2 + 1)]

    def map(self, z):
        z = z * torch.rsqrt(torch.mean(z ** 2, dim=1, keepdim=True) + 1e-8)
        return self.style(z)

    def synthesize(self, latent):
        x = self.input.repeat(latent.shape[0], 1, 1, 1)
        x = self.conv1(x, latent[:, 0], self.noises[0])
        skip = self.to_rgb1(x, latent[:, 1])
        i = 1
        for b, to_rgb in enumerate(self.to_rgbs):
            x = self.convs[2 * b](x, latent[:, i], self.noises[2 * b + 1])
            x = self.convs[2 * b + 1](x, latent[:, i + 1], self.noises[2 * b + 2])
            skip = to_rgb(x, latent[:, i + 2], skip)
            i += 2
        return skip


class EqualConv2d(nn.Module):
    def __init__(self, i, o, k, stride=1, padding=0, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i, k, k))
        self.scale, self.stride, self.padding = 1 / math.sqrt(i * k * k), stride, padding
        self.bias = nn.Parameter(torch.zeros(o)) if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, bias=self.bias, stride=self.stride, padding=self.padding)


class FusedLeakyReLU(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return fused_leaky_relu(x, self.bias)


class Blur(nn.Module):
    def __init__(self, pad):
        super().__init__()
        self.register_buffer("kernel", make_kernel([1, 3, 3, 1]))
        self.pad = pad

    def forward(self, x):
        return upfirdn2d(x, self.kernel, pad=self.pad)


def conv_layer(i, o, k, downsample=False, bias=True, activate=True):
    layers = []
    if downsample:
        p = (4 - 2) + (k - 1)
        layers.append(Blur(((p + 1) // 2, p // 2)))
    layers.append(EqualConv2d(i, o, k, stride=2 if downsample else 1, padding=0 if downsample else k // 2, bias=bias and not activate))
    if activate:
        layers.append(FusedLeakyReLU(o))
    return nn.Sequential(*layers)


class ResBlock(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv1, self.conv2 = conv_layer(i, i, 3), conv_layer(i, o, 3, downsample=True)
        self.skip = conv_layer(i, o, 1, downsample=True, activate=False, bias=False)

    def forward(self, x):
        return (self.conv2(self.conv1(x)) + self.skip(x)) / math.sqrt(2)


class Discriminator(nn.Module):
    """rosinality's Discriminator (ResBlocks, minibatch standard deviation, two linear layers), channels as the Generator's."""

    def __init__(self, size, max_channels):
        super().__init__()
        table = {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128, 512: 64, 1024: 32}
        ch = lambda r: min(max_channels, table[r])
        convs, c = [conv_layer(3, ch(size), 1)], ch(size)
        for i in range(int(math.log2(size)), 2, -1):
            convs.append(ResBlock(c, ch(2 ** (i - 1))))
            c = ch(2 ** (i - 1))
        self.convs = nn.Sequential(*convs)
        self.final_conv = conv_layer(c + 1, ch(4), 3)
        self.final_linear = nn.Sequential(EqualLinear(ch(4) * 16, ch(4), act=True), EqualLinear(ch(4), 1))

    def forward(self, x):
        out = self.convs(x)
        b, c, h, w = out.shape
        group = min(b, 4)
        std = out.view(group, -1, 1, c, h, w)
        std = torch.sqrt(std.var(0, unbiased=False) + 1e-8).mean([2, 3, 4], keepdim=True).squeeze(2)
        out = torch.cat([out, std.repeat(group, 1, h, w)], 1)
        return self.final_linear(self.final_conv(out).view(b, -1))
