using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

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
