using Atelier.Imaging;

namespace Atelier.Training;

/// <summary>Which figures a trainer's held-out outputs get (see Atelier.Quality.HeldOutEvaluation).</summary>
public enum HeldOutFigures
{
    /// <summary>Each output against its target (References[i] for Inputs[i]): L1, PSNR, SSIM, feature and style distances.</summary>
    Pairs,
    /// <summary>Each output's style distance to its style (<see cref="HeldOutData.Styles"/>[i], else <see cref="HeldOutData.Style"/>) and content distance to its input.</summary>
    Style,
    /// <summary>The outputs as a set against References as a set: FD-ResNet18, KID-ResNet18.</summary>
    Sets,
}

/// <summary>
/// The pictures a run is scored on: inputs its network turns into outputs (none for a generator, which draws as many
/// samples as there are references) and what the outputs are measured against.
/// </summary>
/// <remarks><paramref name="Styles"/>: one style per input, for networks that take any style (AdaIN); <paramref name="Style"/> otherwise.</remarks>
public sealed record HeldOutData(HeldOutFigures Figures, IReadOnlyList<Image> Inputs, IReadOnlyList<Image> References, Image? Style = null,
    IReadOnlyList<Image>? Styles = null);

/// <summary>
/// A trainer whose network makes pictures, so that <see cref="TrainingLoop"/> can score it on a held-out folder
/// every few steps (TrainingLoopOptions.EvalDir).
/// </summary>
public interface IHeldOutScoring
{
    /// <summary>Reads a held-out folder laid out like this trainer's data, at most <paramref name="maxImages"/> inputs (or references), prepared at the training size.</summary>
    HeldOutData LoadHeldOut(string folder, int maxImages, Action<string>? warn);

    /// <summary>
    /// The network's outputs: one per input, or one sample per reference for a generator (fixed seeds, so steps are
    /// comparable). Eval mode, and the training state (modes, batch-norm buffers, random state) is left as it was.
    /// </summary>
    IReadOnlyList<Image> Produce(HeldOutData data);
}
