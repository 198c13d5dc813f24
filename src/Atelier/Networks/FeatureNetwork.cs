using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Networks;

/// <summary>
/// A fixed, pretrained (or seeded) CNN whose intermediate activations serve as perceptual features: Gram matrices for
/// style, activations for content, encodings for AdaIN. Input is RGB in [0,1], N×3×H×W; each network applies its own
/// preprocessing. Implemented by <see cref="Vgg"/> (torchvision or normalised layout, or seeded random weights) and
/// <see cref="ResNetFeatures"/> (the built-in ImageNet ResNet-18). Parameters never need gradients; gradients flow to
/// the input.
/// </summary>
public abstract class FeatureNetwork : nn.Module<Tensor, Tensor>
{
    protected FeatureNetwork(string name) : base(name) { }

    /// <summary>What this network is, for outputs and training metadata (e.g. "resnet18", "vgg19-random", a file).</summary>
    public abstract string Description { get; }

    /// <summary>Layer (tap) names in forward order, up to the deepest one built.</summary>
    public abstract IReadOnlyList<string> LayerNames { get; }

    /// <summary>The deepest layer this network computes.</summary>
    public string LastLayer => LayerNames[^1];

    /// <summary>Activations of the named layers for <paramref name="x"/>, in one pass that stops at the deepest one asked for.</summary>
    public Dictionary<string, Tensor> Features(Tensor x, IReadOnlyCollection<string> layers) => Features(x, layers, wrapAround: false);

    /// <summary>
    /// Activations of the named layers; with <paramref name="wrapAround"/> every convolution and pooling pads
    /// circularly instead of with zeros (or reflection), so the image is seen as one tile of a periodic plane: what a
    /// tileable texture must look like across its own edges. Sides should be multiples of the layers' stride.
    /// </summary>
    public abstract Dictionary<string, Tensor> Features(Tensor x, IReadOnlyCollection<string> layers, bool wrapAround);

    /// <summary>
    /// Floats of activation per input pixel that one pass up to the deepest of <paramref name="layers"/> produces
    /// (every step's channels over its stride squared): the basis of memory estimates for passes with gradients.
    /// </summary>
    public abstract double ActivationsPerPixel(IReadOnlyCollection<string> layers);

    /// <summary>Channels of a named layer's output.</summary>
    public abstract int ChannelsOf(string layer);

    /// <summary>Spatial downsampling of a named layer relative to the input.</summary>
    public abstract int StrideOf(string layer);

    /// <summary>Position of a named layer in forward order (for comparing depths).</summary>
    public abstract int DepthOf(string layer);

    /// <summary>True when <paramref name="layer"/> is spelled like a layer of this family of networks, built or not.</summary>
    public abstract bool IsLayerNameOfFamily(string layer);

    /// <summary>Example layer names for messages about unknown layers.</summary>
    public virtual string LayerNameExamples => string.Join(", ", LayerNames.Take(8));

    /// <summary>The defaults that work best with this network for optimisation-based style methods.</summary>
    public abstract FeatureRecipe Recipe { get; }

    /// <summary>
    /// The smallest input side the network accepts (below it some layer's output would be empty), so callers can say
    /// so before any work starts.
    /// </summary>
    public abstract int MinimumInputSide { get; }

    /// <summary>The device the weights live on.</summary>
    public Device Device => parameters().FirstOrDefault()?.device ?? buffers().FirstOrDefault()?.device ?? CPU;

    /// <summary>Checks that an image of this size can go through the network, naming <paramref name="what"/> if not.</summary>
    public void CheckInputSize(long width, long height, string what)
    {
        if (Math.Min(width, height) < MinimumInputSide)
            throw new AtelierException($"{what} is {width}x{height}; {Description} needs at least {MinimumInputSide}x{MinimumInputSide}");
    }
}

/// <summary>How features are transformed before they are compared (Gram and content losses).</summary>
public enum ActivationSmoothing
{
    /// <summary>Raw activations, as Gatys et al.</summary>
    None,

    /// <summary>
    /// SWAG (Wang, Li and Vasconcelos, CVPR 2021): a softmax over all of a layer's activations before the comparisons,
    /// which the paper reports raises their entropy and removes ResNet's checkerboard. On the built-in ResNet-18 it made
    /// both worse (docs/style-gatys.md), so no recipe uses it; it stays for comparison.
    /// </summary>
    Softmax,
}

/// <summary>
/// Per-network defaults for Gatys texture synthesis and style transfer: which layers, how they are weighted and
/// transformed, and the loss weights those were tuned with.
/// </summary>
public sealed record FeatureRecipe
{
    public required IReadOnlyList<string> StyleLayers { get; init; }
    public IReadOnlyList<double>? StyleLayerWeights { get; init; }
    public required IReadOnlyList<string> ContentLayers { get; init; }
    public ActivationSmoothing Smoothing { get; init; }
    public required double TextureStyleWeight { get; init; }
    public required double TransferStyleWeight { get; init; }

    /// <summary>
    /// The total-variation weight as a multiple of the style weight, so it keeps its balance when the style weight
    /// changes (0 = off).
    /// </summary>
    public double TvPerStyleWeight { get; init; }

    /// <summary>Coarse-to-fine scales of texture synthesis (1 = the output size only).</summary>
    public int TextureScales { get; init; } = 1;

    /// <summary>Coarse-to-fine scales of style transfer (starting small from the content loses its detail).</summary>
    public int TransferScales { get; init; } = 1;
}
