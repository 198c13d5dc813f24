using Atelier.Imaging;
using static TorchSharp.torch;

namespace Atelier.Inference;

/// <summary>
/// A feed-forward image-to-image network as <see cref="TiledInference"/> sees it: what sides it needs, how much context
/// a tile needs, how much memory it takes per pixel, and the forward pass itself on [0,1] images.
/// </summary>
public interface IImageNetwork
{
    /// <summary>A short name for messages.</summary>
    string Name { get; }

    /// <summary>Input sides must be multiples of this (2^downsamplings) to come back at the same size.</summary>
    int Multiple { get; }

    /// <summary>Default overlap of neighbouring tiles in pixels (about the receptive-field radius; a multiple of <see cref="Multiple"/>).</summary>
    int Overlap { get; }

    /// <summary>Working memory of one forward pass per input pixel, in bytes (an upper estimate, measured: see docs/any-size.md).</summary>
    long BytesPerPixel { get; }

    /// <summary>Whether the output depends on statistics of the whole image (instance norm, AdaIN/WCT), to be shared between tiles.</summary>
    bool UsesStatistics { get; }

    /// <summary>Channels of the output.</summary>
    int OutputChannels { get; }

    /// <summary>The image in the channels the network takes (RGB, or grey for a one-channel generator).</summary>
    Image PrepareInput(Image image);

    /// <summary>
    /// The forward pass on a (1, C, H, W) tensor in [0,1] whose sides are multiples of <see cref="Multiple"/>; returns
    /// (1, OutputChannels, H, W) on the [0,1] scale (values outside are clamped when saved). Runs under no_grad.
    /// </summary>
    Tensor Forward(Tensor input01);
}
