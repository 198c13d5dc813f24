using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Atelier.Networks;

namespace Atelier.Translation;

/// <summary>
/// The reference's NLayerDiscriminator (PatchGAN): conv4 s2 + LeakyReLU 0.2, (nLayers - 1) x [conv4 s2, norm,
/// LeakyReLU], [conv4 s1, norm, LeakyReLU], conv4 s1 to one channel of logits. Widths ndf * min(2^n, 8).
/// Receptive field: nLayers 1 -> 16 px, 3 -> 70 px (the default "basic"), 5 -> 286 px.
/// </summary>
public sealed class PatchDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential model;

    public PatchDiscriminator(long inputNc, long ndf = 64, int nLayers = 3, NormKind norm = NormKind.Batch)
        : base(nameof(PatchDiscriminator))
    {
        if (nLayers < 1) throw new ArgumentOutOfRangeException(nameof(nLayers), "n_layers must be at least 1");
        bool bias = Norms.ConvBias(norm);
        var seq = new List<Module<Tensor, Tensor>> { new SafeConv2d(inputNc, ndf, 4, stride: 2, padding: 1), LeakyReLU(0.2) };
        long mult = 1;
        for (int n = 1; n < nLayers; n++)
        {
            long prev = mult;
            mult = Math.Min(1L << n, 8);
            seq.AddRange([new SafeConv2d(ndf * prev, ndf * mult, 4, stride: 2, padding: 1, bias: bias), Norms.Create(norm, ndf * mult), LeakyReLU(0.2)]);
        }
        long last = mult;
        mult = Math.Min(1L << nLayers, 8);
        seq.AddRange([new SafeConv2d(ndf * last, ndf * mult, 4, stride: 1, padding: 1, bias: bias), Norms.Create(norm, ndf * mult), LeakyReLU(0.2)]);
        seq.Add(new SafeConv2d(ndf * mult, 1, 4, stride: 1, padding: 1));
        model = Sequential(seq);
        RegisterComponents();
    }

    /// <summary>The side in pixels of the input patch one output logit sees.</summary>
    public static int ReceptiveField(int nLayers)
    {
        // Walk back from one output pixel: the two stride-1 convs, then nLayers stride-2 convs (all kernel 4).
        int rf = 1;
        rf += 3; rf += 3;                       // two stride-1 k4 convs
        for (int i = 0; i < nLayers; i++) rf = (rf - 1) * 2 + 4;
        return rf;
    }

    public override Tensor forward(Tensor x) => model.forward(x);
}

/// <summary>The reference's PixelDiscriminator (1x1 PatchGAN): 1x1 convs ndf, 2 ndf (norm), 1. Keys <c>net.N</c>.</summary>
public sealed class PixelDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential net;

    public PixelDiscriminator(long inputNc, long ndf = 64, NormKind norm = NormKind.Batch) : base(nameof(PixelDiscriminator))
    {
        bool bias = Norms.ConvBias(norm);
        net = Sequential(
            new SafeConv2d(inputNc, ndf, 1), LeakyReLU(0.2),
            new SafeConv2d(ndf, ndf * 2, 1, bias: bias), Norms.Create(norm, ndf * 2), LeakyReLU(0.2),
            new SafeConv2d(ndf * 2, 1, 1, bias: bias));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => net.forward(x);
}
