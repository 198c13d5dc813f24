using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Atelier.Networks;

namespace Atelier.Translation;

/// <summary>
/// The reference's ResnetBlock: pad, conv3, norm, ReLU, [dropout], pad, conv3, norm, plus the input.
/// Registered as <c>conv_block</c> so keys read <c>model.10.conv_block.1.weight</c>.
/// </summary>
public sealed class ResnetBlock : Module<Tensor, Tensor>
{
    private readonly Sequential conv_block;

    public ResnetBlock(long dim, NormKind norm, bool useDropout) : base(nameof(ResnetBlock))
    {
        bool bias = Norms.ConvBias(norm);
        var layers = new List<Module<Tensor, Tensor>>
        {
            ReflectionPad2d(1), new SafeConv2d(dim, dim, 3, bias: bias), Norms.Create(norm, dim), ReLU(),
        };
        if (useDropout) layers.Add(Dropout(0.5));
        layers.AddRange([ReflectionPad2d(1), new SafeConv2d(dim, dim, 3, bias: bias), Norms.Create(norm, dim)]);
        conv_block = Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        // A stop request ends a large tile's pass between blocks (the caller's dispose scope frees what was made).
        Runtime.AmbientCancellation.ThrowIfRequested();
        // The branch is freed at once (not left to an enclosing dispose scope: nine of them were alive at the end).
        using var branch = conv_block.forward(x);
        return x + branch;
    }
}

/// <summary>
/// The reference's ResnetGenerator (CycleGAN's resnet_9blocks / resnet_6blocks): a 7x7 stem, two stride-2
/// downsamplings, <c>nBlocks</c> residual blocks at 4 ngf, two transposed-conv upsamplings and a 7x7 conv to
/// Tanh. Inputs and outputs in [-1, 1]; sides must be multiples of 4 to come back at the same size.
/// </summary>
public sealed class ResnetGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public ResnetGenerator(long inputNc, long outputNc, long ngf, NormKind norm, bool useDropout, int nBlocks)
        : base(nameof(ResnetGenerator))
    {
        if (nBlocks < 0) throw new ArgumentOutOfRangeException(nameof(nBlocks));
        bool bias = Norms.ConvBias(norm);
        var m = new List<Module<Tensor, Tensor>>
        {
            ReflectionPad2d(3), new SafeConv2d(inputNc, ngf, 7, bias: bias), Norms.Create(norm, ngf), ReLU(),
        };
        for (int i = 0; i < 2; i++)
        {
            long mult = 1L << i;
            m.AddRange([new SafeConv2d(ngf * mult, ngf * mult * 2, 3, stride: 2, padding: 1, bias: bias), Norms.Create(norm, ngf * mult * 2), ReLU()]);
        }
        for (int i = 0; i < nBlocks; i++) m.Add(new ResnetBlock(ngf * 4, norm, useDropout));
        for (int i = 0; i < 2; i++)
        {
            long mult = 1L << (2 - i);
            m.AddRange([
                new SafeConvTranspose2d(ngf * mult, ngf * mult / 2, 3, stride: 2, padding: 1, outputPadding: 1, bias: bias),
                Norms.Create(norm, ngf * mult / 2), ReLU()]);
        }
        m.AddRange([ReflectionPad2d(3), new SafeConv2d(ngf, outputNc, 7), Tanh()]);
        model = Sequential(m);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.forward(x);
}
