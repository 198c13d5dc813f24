using Atelier.Imaging;
using Atelier.Networks;

namespace Atelier.Style;

/// <summary>How the optimised image starts.</summary>
public enum GatysInit { Content, Noise, Style }

/// <summary>Which optimiser updates the pixels.</summary>
public enum GatysOptimizer { Lbfgs, Adam }

/// <summary>Colour preservation (Gatys et al. 2017, "Controlling perceptual factors in neural style transfer").</summary>
public enum ColorPreservation
{
    None,
    /// <summary>Transfer on luminance only (YIQ), then put the content's chrominance back.</summary>
    Luminance,
    /// <summary>Recolour the style image to the content's colour mean and covariance before the transfer.</summary>
    Histogram,
}

/// <summary>A style image and its weight in the mix of Gram matrices.</summary>
public sealed record WeightedStyle(Image Image, double Weight = 1.0);

/// <summary>Settings shared by texture synthesis and style transfer.</summary>
public record GatysOptimizationOptions
{
    /// <summary>
    /// Layers whose Gram matrices are matched; null takes the feature network's recipe (<see cref="FeatureRecipe"/>:
    /// relu1_1 ... relu5_1 on a VGG, conv1 and the first block of each stage on the built-in ResNet-18).
    /// </summary>
    public IReadOnlyList<string>? StyleLayers { get; init; }

    /// <summary>Per-layer weights w_l (same count as the style layers); null gives each 1/L (or the recipe's).</summary>
    public IReadOnlyList<double>? StyleLayerWeights { get; init; }

    /// <summary>The transform applied to activations before they are compared; null takes the network's recipe.</summary>
    public ActivationSmoothing? Smoothing { get; init; }

    /// <summary>Optimiser steps (L-BFGS: one function evaluation each) at the finest scale.</summary>
    public int Iterations { get; init; } = 300;

    public GatysOptimizer Optimizer { get; init; } = GatysOptimizer.Lbfgs;

    /// <summary>Step size: L-BFGS's initial step scale (1) or Adam's learning rate in [0,1] pixel units (0.02); null picks these.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Weight of the style (Gram) loss; null takes the network's recipe (tuned per network and method).</summary>
    public double? StyleWeight { get; init; }

    /// <summary>Weight of the total-variation smoothness loss (0 = off); null takes the network's recipe.</summary>
    public double? TvWeight { get; init; }

    /// <summary>
    /// Coarse-to-fine scales: 1 optimises at the output size only; S &gt; 1 starts at 1/2^(S-1) of it and doubles,
    /// each scale initialised from the upsampled result of the previous one (large outputs get the large structures right).
    /// Null takes the network's recipe.
    /// </summary>
    public int? Scales { get; init; }

    /// <summary>
    /// Memory the run may use for its image-sized buffers and the network's activations (not the runtime or the
    /// weights); null = <see cref="Inference.TilingOptions.DefaultMaxMemory"/>. A scale that does not fit whole is
    /// refined in overlapping tiles that share the Gram targets (<see cref="GatysPyramid"/>).
    /// </summary>
    public long? MaxMemory { get; init; }

    /// <summary>Tile side in pixels for scales larger than it (rounded down to the network's stride); null = the largest the budget allows.</summary>
    public int? TileSize { get; init; }

    /// <summary>Overlap of neighbouring tiles in pixels; null = a quarter of the tile. (Tests set 0 to build the naive tiling.)</summary>
    internal int? Overlap { get; init; }

    /// <summary>Shift the tile grid by a seeded random offset every step, so no border stays put long enough to become a seam (tests turn it off).</summary>
    internal bool MoveTiles { get; init; } = true;

    /// <summary>Write an intermediate frame every N steps through <see cref="OnFrame"/> (0 = never).</summary>
    public int SaveEvery { get; init; }

    /// <summary>Called with (step, image) every <see cref="SaveEvery"/> steps.</summary>
    public Action<int, Image>? OnFrame { get; init; }

    /// <summary>Seed of the noise initialisation.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// These options with every unset choice taken from <paramref name="network"/>'s recipe. Layer weights from the
    /// recipe apply only with the recipe's layers.
    /// </summary>
    public virtual GatysOptimizationOptions ResolveFor(FeatureNetwork network) =>
        Resolve(network, network.Recipe.TextureStyleWeight, network.Recipe.TextureScales);

    protected GatysOptimizationOptions Resolve(FeatureNetwork network, double recipeStyleWeight, int recipeScales)
    {
        var r = network.Recipe;
        double styleWeight = StyleWeight ?? recipeStyleWeight;
        return this with
        {
            StyleLayers = StyleLayers ?? r.StyleLayers,
            StyleLayerWeights = StyleLayers is null ? StyleLayerWeights ?? r.StyleLayerWeights : StyleLayerWeights,
            Smoothing = Smoothing ?? r.Smoothing,
            StyleWeight = styleWeight,
            TvWeight = TvWeight ?? styleWeight * r.TvPerStyleWeight,
            Scales = Scales ?? recipeScales,
        };
    }
}

/// <summary>Texture synthesis (Gatys et al. 2015): only the style loss, starting from noise.</summary>
public sealed record GatysTextureOptions : GatysOptimizationOptions
{
    /// <summary>
    /// Make the texture tile seamlessly: the network pads circularly (the image is one period of an endless plane),
    /// the smoothness term and the upsampling between scales wrap, and in tiled refinement the tiles wrap around.
    /// </summary>
    public bool Tileable { get; init; }
}

/// <summary>Style transfer (Gatys et al. 2016).</summary>
public sealed record GatysStyleOptions : GatysOptimizationOptions
{
    /// <summary>Layers whose activations must match the content image; null takes the network's (relu4_2 on a VGG).</summary>
    public IReadOnlyList<string>? ContentLayers { get; init; }

    public double ContentWeight { get; init; } = 1.0;

    public GatysInit Init { get; init; } = GatysInit.Content;

    public ColorPreservation PreserveColor { get; init; } = ColorPreservation.None;

    /// <summary>Style images are resized so their longer side is this factor times the output's longer side.</summary>
    public double StyleScale { get; init; } = 1.0;

    /// <summary>Style transfer's style weight balances against a content weight of 1: the recipe's transfer weight.</summary>
    public override GatysOptimizationOptions ResolveFor(FeatureNetwork network) =>
        ((GatysStyleOptions)Resolve(network, network.Recipe.TransferStyleWeight, network.Recipe.TransferScales)) with { ContentLayers = ContentLayers ?? network.Recipe.ContentLayers };
}

/// <summary>The result: the image and the final losses.</summary>
public sealed record GatysResult(Image Image, IReadOnlyDictionary<string, double> Losses, int Steps, double Seconds)
{
    /// <summary>The scales it went through, coarsest first, and which were refined in tiles.</summary>
    public IReadOnlyList<GatysLevel> Levels { get; init; } = [];
}
