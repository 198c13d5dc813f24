using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// The discriminator's conv: optional [1,3,3,1] blur then a stride-2 EqualConv2d when downsampling, then bias +
/// leaky ReLU. A Sequential in rosinality, so keys are indexed: `0.kernel` (blur), `1.weight`, `2.bias`
/// (or `0.weight`, `1.bias` without downsampling).
/// </summary>
public sealed class ConvLayer : nn.Module<Tensor, Tensor>
{
    readonly Sequential layers;

    public ConvLayer(long inChannels, long outChannels, int kernelSize, bool downsample = false, bool bias = true, bool activate = true)
        : base(nameof(ConvLayer))
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        long stride = 1, padding = kernelSize / 2;
        if (downsample)
        {
            const int factor = 2;
            var taps = Generator.DefaultBlurKernel;
            int p = (taps.Count - factor) + (kernelSize - 1);
            modules.Add(new Blur(taps, ((p + 1) / 2, p / 2)));
            stride = 2;
            padding = 0;
        }
        modules.Add(new EqualConv2d(inChannels, outChannels, kernelSize, stride, padding, bias: bias && !activate));
        if (activate) modules.Add(new FusedLeakyReLU(outChannels, bias));
        layers = nn.Sequential(modules.Select((m, i) => (i.ToString(), m)).ToArray());
        // Register the children directly (not under a "layers." prefix): rosinality's ConvLayer is itself the Sequential.
        foreach (var (name, module) in layers.named_children()) register_module(name, module);
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
