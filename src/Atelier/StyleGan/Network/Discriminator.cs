using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

// The discriminator, in model.py's order: its conv layer, the residual block, and the network.

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

/// <summary>The discriminator's residual block: two 3x3 convs (the second downsampling) plus a 1x1 downsampling skip, summed and divided by sqrt(2). Keys: `conv1`, `conv2`, `skip`.</summary>
public sealed class ResBlock : nn.Module<Tensor, Tensor>
{
    readonly ConvLayer conv1, conv2, skip;

    public ResBlock(long inChannels, long outChannels) : base(nameof(ResBlock))
    {
        conv1 = new ConvLayer(inChannels, inChannels, 3);
        conv2 = new ConvLayer(inChannels, outChannels, 3, downsample: true);
        skip = new ConvLayer(inChannels, outChannels, 1, downsample: true, bias: false, activate: false);
        register_module("conv1", conv1);
        register_module("conv2", conv2);
        register_module("skip", skip);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = conv2.call(conv1.call(input));
        return ((output + skip.call(input)) / Math.Sqrt(2)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// StyleGAN2's residual discriminator in rosinality's layout: `convs` (a 1x1 from RGB, then a ResBlock per
/// resolution down to 4 px), the minibatch standard-deviation feature, `final_conv` and `final_linear`
/// (EqualLinear with leaky ReLU, then EqualLinear to one logit).
/// </summary>
public sealed class Discriminator : nn.Module<Tensor, Tensor>
{
    const int StddevGroup = 4;
    const int StddevFeat = 1;

    readonly Sequential convs;
    readonly ConvLayer final_conv;
    readonly Sequential final_linear;

    public GeneratorConfig Config { get; }

    /// <summary>Uses the size, channel multiplier and channel cap of <paramref name="config"/> (as the generator it judges).</summary>
    public Discriminator(GeneratorConfig config) : base(nameof(Discriminator))
    {
        Config = config.Validate();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", new ConvLayer(3, config.Channels(config.Size), 1)) };
        long inChannels = config.Channels(config.Size);
        for (int i = config.LogSize; i > 2; i--)
        {
            long outChannels = config.Channels(1 << (i - 1));
            layers.Add((layers.Count.ToString(), new ResBlock(inChannels, outChannels)));
            inChannels = outChannels;
        }
        convs = nn.Sequential(layers.ToArray());
        long c4 = config.Channels(4);
        final_conv = new ConvLayer(inChannels + 1, c4, 3);
        final_linear = nn.Sequential(
            ("0", new EqualLinear(c4 * 4 * 4, c4, fusedLeakyRelu: true)),
            ("1", new EqualLinear(c4, 1)));
        register_module("convs", convs);
        register_module("final_conv", final_conv);
        register_module("final_linear", final_linear);
    }

    /// <summary>Images (N, 3, size, size) in [-1, 1] -> realness logits (N, 1).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = convs.call(input);
        long batch = x.shape[0], channels = x.shape[1], height = x.shape[2], width = x.shape[3];
        long group = Math.Min(batch, StddevGroup);
        if (batch % group != 0)
            throw new ArgumentException($"the discriminator needs a batch divisible by {group}, got {batch}");
        // Minibatch standard deviation: how varied the group is, as one extra feature map.
        var stddev = x.view(group, -1, StddevFeat, channels / StddevFeat, height, width);
        stddev = (stddev.var(0, unbiased: false) + 1e-8).sqrt();
        stddev = stddev.mean(new long[] { 2, 3, 4 }, keepdim: true).squeeze(2);
        stddev = stddev.repeat(group, 1, height, width);
        x = cat(new[] { x, stddev }, 1);
        x = final_conv.call(x);
        return final_linear.call(x.view(batch, -1)).MoveToOuterDisposeScope();
    }
}
