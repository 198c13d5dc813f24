"""The pix2pix/CycleGAN networks of junyanz/pytorch-CycleGAN-and-pix2pix (networks.py), written out for the PyTorch side
of bench/Atelier.Bench: the U-Net and ResNet generators, the PatchGAN discriminator and the reference's initialisation."""
import functools

import torch
import torch.nn as nn


class UnetBlock(nn.Module):
    def __init__(self, outer, inner, input_nc=None, sub=None, outermost=False, innermost=False, norm=nn.BatchNorm2d, dropout=False):
        super().__init__()
        self.outermost = outermost
        use_bias = norm == nn.InstanceNorm2d
        input_nc = input_nc or outer
        downconv = nn.Conv2d(input_nc, inner, 4, 2, 1, bias=use_bias)
        downrelu, downnorm = nn.LeakyReLU(0.2, True), norm(inner)
        uprelu, upnorm = nn.ReLU(True), norm(outer)
        if outermost:
            model = [downconv, sub, uprelu, nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1), nn.Tanh()]
        elif innermost:
            model = [downrelu, downconv, uprelu, nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=use_bias), upnorm]
        else:
            model = [downrelu, downconv, downnorm, sub, uprelu, nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=use_bias), upnorm]
            if dropout:
                model += [nn.Dropout(0.5)]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def unet(num_downs, ngf, norm=nn.BatchNorm2d):
    b = UnetBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
    for _ in range(num_downs - 5):
        b = UnetBlock(ngf * 8, ngf * 8, sub=b, norm=norm, dropout=True)
    b = UnetBlock(ngf * 4, ngf * 8, sub=b, norm=norm)
    b = UnetBlock(ngf * 2, ngf * 4, sub=b, norm=norm)
    b = UnetBlock(ngf, ngf * 2, sub=b, norm=norm)
    return UnetBlock(3, ngf, input_nc=3, sub=b, outermost=True, norm=norm)


class ResnetBlock(nn.Module):
    def __init__(self, dim, norm, use_bias):
        super().__init__()
        self.conv_block = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm(dim), nn.ReLU(True),
                                        nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm(dim))

    def forward(self, x):
        return x + self.conv_block(x)


def resnet(blocks, ngf, norm=functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)):
    use_bias = True  # instance norm
    m = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7, bias=use_bias), norm(ngf), nn.ReLU(True)]
    for i in range(2):
        mult = 2 ** i
        m += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, 2, 1, bias=use_bias), norm(ngf * mult * 2), nn.ReLU(True)]
    m += [ResnetBlock(ngf * 4, norm, use_bias) for _ in range(blocks)]
    for i in range(2):
        mult = 2 ** (2 - i)
        m += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, 2, 1, output_padding=1, bias=use_bias), norm(ngf * mult // 2), nn.ReLU(True)]
    m += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
    return nn.Sequential(*m)


def patchgan(input_nc, ndf=64, n_layers=3, norm=nn.BatchNorm2d):
    use_bias = norm != nn.BatchNorm2d
    m = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers):
        prev, mult = mult, min(2 ** n, 8)
        m += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=use_bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    prev, mult = mult, min(2 ** n_layers, 8)
    m += [nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=use_bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    m += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
    return nn.Sequential(*m)


def init(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return net
