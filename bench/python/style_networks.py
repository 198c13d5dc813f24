"""The style networks of the reference implementations, written out for the PyTorch side of bench/Atelier.Bench:
Johnson's TransformerNet (pytorch/examples fast_neural_style) and AdaIN's normalised VGG-19 encoder, decoder and
feature statistics (naoto0804/pytorch-AdaIN net.py, function.py)."""
import torch.nn as nn


class ConvLayer(nn.Module):
    def __init__(self, i, o, k, s):
        super().__init__()
        self.reflection_pad = nn.ReflectionPad2d(k // 2)
        self.conv2d = nn.Conv2d(i, o, k, s)

    def forward(self, x):
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.in1 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)
        self.conv2, self.in2 = ConvLayer(c, c, 3, 1), nn.InstanceNorm2d(c, affine=True)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.in2(self.conv2(self.relu(self.in1(self.conv1(x))))) + x


class UpsampleConvLayer(nn.Module):
    def __init__(self, i, o, k, s, upsample=None):
        super().__init__()
        self.upsample = upsample
        self.reflection_pad = nn.ReflectionPad2d(k // 2)
        self.conv2d = nn.Conv2d(i, o, k, s)

    def forward(self, x):
        if self.upsample:
            x = nn.functional.interpolate(x, mode="nearest", scale_factor=self.upsample)
        return self.conv2d(self.reflection_pad(x))


class TransformerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.in1 = ConvLayer(3, 32, 9, 1), nn.InstanceNorm2d(32, affine=True)
        self.conv2, self.in2 = ConvLayer(32, 64, 3, 2), nn.InstanceNorm2d(64, affine=True)
        self.conv3, self.in3 = ConvLayer(64, 128, 3, 2), nn.InstanceNorm2d(128, affine=True)
        self.res = nn.Sequential(*[ResidualBlock(128) for _ in range(5)])
        self.deconv1, self.in4 = UpsampleConvLayer(128, 64, 3, 1, 2), nn.InstanceNorm2d(64, affine=True)
        self.deconv2, self.in5 = UpsampleConvLayer(64, 32, 3, 1, 2), nn.InstanceNorm2d(32, affine=True)
        self.deconv3 = ConvLayer(32, 3, 9, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu(self.in1(self.conv1(x)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res(y)
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)


def block(i, o):
    return [nn.ReflectionPad2d(1), nn.Conv2d(i, o, 3), nn.ReLU()]


def adain_encoder():
    """naoto0804/pytorch-AdaIN's normalised VGG-19 through relu4_1 (its enc_1..enc_4 are [:4], [4:11], [11:18], [18:31])."""
    return nn.Sequential(nn.Conv2d(3, 3, 1), *block(3, 64), *block(64, 64), nn.MaxPool2d(2, 2, ceil_mode=True),
                         *block(64, 128), *block(128, 128), nn.MaxPool2d(2, 2, ceil_mode=True),
                         *block(128, 256), *block(256, 256), *block(256, 256), *block(256, 256), nn.MaxPool2d(2, 2, ceil_mode=True),
                         *block(256, 512))


def adain_decoder():
    up = lambda: nn.Upsample(scale_factor=2, mode="nearest")
    return nn.Sequential(*block(512, 256), up(), *block(256, 256), *block(256, 256), *block(256, 256), *block(256, 128), up(),
                         *block(128, 128), *block(128, 64), up(), *block(64, 64), nn.ReflectionPad2d(1), nn.Conv2d(64, 3, 3))


def mean_std(f, eps=1e-5):
    n, c = f.shape[:2]
    var = f.view(n, c, -1).var(dim=2) + eps
    return f.view(n, c, -1).mean(dim=2).view(n, c, 1, 1), var.sqrt().view(n, c, 1, 1)


def adain(content, style):
    cm, cs = mean_std(content)
    sm, ss = mean_std(style)
    return (content - cm) / cs * ss + sm
