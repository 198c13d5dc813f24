using static TorchSharp.torch;

namespace Atelier.Style;

/// <summary>Which feature transform the AdaIN pipeline applies between encoder and decoder.</summary>
public enum FeatureTransform
{
    /// <summary>Adaptive instance normalisation: match per-channel mean and std (Huang and Belongie 2017).</summary>
    AdaIn,
    /// <summary>Whitening and colouring: match the full covariance (Li et al. 2017).</summary>
    Wct,
}

/// <summary>
/// One style of a stylisation: an RGB image (1, 3, H, W) in [0,1], its weight when several styles are interpolated,
/// and optionally the region of the content it applies to (a (1, 1, H, W) mask at the content's size, 0/1 or soft,
/// thresholded at 0.5).
/// </summary>
public sealed record StyleInput(Tensor Image, double Weight = 1.0, Tensor? Mask = null);

/// <summary>Controls of <see cref="AdaInStylizer.Stylize"/>.</summary>
public sealed record AdaInOptions
{
    /// <summary>Content–style trade-off in [0,1]: alpha · transformed + (1 − alpha) · content features.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>Recolour every style image to the content's colour statistics first (CORAL), keeping the content's colours.</summary>
    public bool PreserveColor { get; init; }

    public FeatureTransform Transform { get; init; } = FeatureTransform.AdaIn;

    /// <summary>The ridge WCT adds to the content covariance (PytorchWCT adds the identity).</summary>
    public double WctRidge { get; init; } = Wct.ReferenceRidge;
}
