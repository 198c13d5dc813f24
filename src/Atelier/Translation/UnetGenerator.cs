using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Atelier.Networks;

namespace Atelier.Translation;

/// <summary>
/// The reference's UnetSkipConnectionBlock: [LeakyReLU 0.2, conv4 s2, norm] down, the inner block, [ReLU,
/// convT4 s2, norm] up, optional Dropout(0.5); the result is concatenated with the block's input on channels.
/// The outermost block has no activation or norm before its conv, no skip, and ends in Tanh; the innermost has
/// no inner block and no down norm. Nested as <c>model</c> so keys read <c>model.model.1.model.3.model...</c>.
/// </summary>
public sealed class UnetSkipBlock : Module<Tensor, Tensor>
{
    private readonly Sequential model;
    private readonly bool _outermost;

    /// <summary>Whether this is the outermost block (no skip concatenation).</summary>
    public bool Outermost => _outermost;

    public UnetSkipBlock(long outerNc, long innerNc, long? inputNc, UnetSkipBlock? submodule, NormKind norm,
        bool outermost = false, bool innermost = false, bool useDropout = false) : base(nameof(UnetSkipBlock))
    {
        _outermost = outermost;
        bool bias = Norms.ConvBias(norm);
        long inNc = inputNc ?? outerNc;
        var downconv = new SafeConv2d(inNc, innerNc, 4, stride: 2, padding: 1, bias: bias);
        List<Module<Tensor, Tensor>> layers;
        if (outermost)
        {
            if (submodule is null) throw new ArgumentException("the outermost block needs an inner block", nameof(submodule));
            layers = [downconv, submodule, ReLU(), new SafeConvTranspose2d(innerNc * 2, outerNc, 4, stride: 2, padding: 1), Tanh()];
        }
        else if (innermost)
        {
            layers = [LeakyReLU(0.2), downconv, ReLU(), new SafeConvTranspose2d(innerNc, outerNc, 4, stride: 2, padding: 1, bias: bias), Norms.Create(norm, outerNc)];
        }
        else
        {
            if (submodule is null) throw new ArgumentException("a middle block needs an inner block", nameof(submodule));
            layers = [LeakyReLU(0.2), downconv, Norms.Create(norm, innerNc), submodule, ReLU(),
                new SafeConvTranspose2d(innerNc * 2, outerNc, 4, stride: 2, padding: 1, bias: bias), Norms.Create(norm, outerNc)];
            if (useDropout) layers.Add(Dropout(0.5));
        }
        model = Sequential(layers);
        RegisterComponents();
    }

    // The reference's in-place LeakyReLU also rewrites the skip half, but the parent's ReLU follows the concat
    // and ReLU(LeakyReLU(x)) = ReLU(x), so the plain input is concatenated here with identical results.
    public override Tensor forward(Tensor x)
    {
        // A stop request ends a large tile's pass between levels (the caller's dispose scope frees what was made).
        Runtime.AmbientCancellation.ThrowIfRequested();
        return _outermost ? model.forward(x) : cat([x, model.forward(x)], 1);
    }
}

/// <summary>
/// The reference's UnetGenerator: <c>numDowns</c> stride-2 downsamplings (unet_256: 8, unet_128: 7) with skip
/// connections, widths ngf, 2ngf, 4ngf then 8ngf; dropout (when on) in the 8ngf middle blocks. Sides must be
/// multiples of 2^numDowns.
/// </summary>
public sealed class UnetGenerator : Module<Tensor, Tensor>
{
    private readonly UnetSkipBlock model;

    public UnetGenerator(long inputNc, long outputNc, int numDowns, long ngf, NormKind norm, bool useDropout)
        : base(nameof(UnetGenerator))
    {
        if (numDowns < 5) throw new ArgumentOutOfRangeException(nameof(numDowns), "a U-Net needs at least 5 downsamplings");
        var block = new UnetSkipBlock(ngf * 8, ngf * 8, null, null, norm, innermost: true);
        for (int i = 0; i < numDowns - 5; i++) block = new UnetSkipBlock(ngf * 8, ngf * 8, null, block, norm, useDropout: useDropout);
        block = new UnetSkipBlock(ngf * 4, ngf * 8, null, block, norm);
        block = new UnetSkipBlock(ngf * 2, ngf * 4, null, block, norm);
        block = new UnetSkipBlock(ngf, ngf * 2, null, block, norm);
        model = new UnetSkipBlock(outputNc, ngf, inputNc, block, norm, outermost: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.forward(x);
}
