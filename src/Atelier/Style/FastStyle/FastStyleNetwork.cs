using Atelier.Imaging;
using Atelier.Inference;
using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>
/// A <see cref="TransformerNet"/> as an <see cref="IImageNetwork"/>: RGB in [0,1] scaled to 0..255 as pytorch/examples
/// does, output clamped to 0..255 and scaled back. Two stride-2 convolutions, so sides must be multiples of 4; the
/// receptive-field radius is about 54 px (9x9, ten 3x3 at quarter resolution, ...), hence a 96 px overlap.
/// </summary>
public sealed class FastStyleNetwork(TransformerNet net) : IImageNetwork
{
    public TransformerNet Net { get; } = net;
    public string Name => "the fast-style TransformerNet";
    public int Multiple => 4;
    public int Overlap => 96;
    /// <summary>Measured peak of one tile's forward pass: 710-742 bytes a pixel at 256-384 px tiles (docs/any-size.md), with a margin.</summary>
    public long BytesPerPixel => 800;
    public bool UsesStatistics => true;
    public int OutputChannels => 3;

    public Image PrepareInput(Image image) => image.Channels == 3 ? image : ImageOps.ToRgb(image);

    public Tensor Forward(Tensor input01)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Net.eval();
        var y = FastStyle.Stylize(Net, input01 * 255.0).div_(255.0); // in place: one output-sized tensor fewer
        return y.MoveToOuterDisposeScope();
    }
}
