namespace Atelier.Onnx.Export;

/// <summary>
/// How an exported model compared with Atelier's own network at one input size (batch × height × width; height and
/// width 0 for a network without image inputs): the largest absolute difference and
/// that difference relative to the largest absolute value of Atelier's output (so an output on 0..255 and one on -1..1
/// are judged alike, and values near zero do not inflate the figure).
/// </summary>
public sealed record OnnxSizeCheck(int Batch, int Height, int Width, long[] OutputShape, double MaxAbsDifference, double MaxRelativeDifference);

/// <summary>The verification of one export: the check at each size, the tolerance, and whether every size is within it.</summary>
public sealed record OnnxVerification(IReadOnlyList<OnnxSizeCheck> Sizes, double Tolerance, int Seed)
{
    public double MaxAbsDifference => Sizes.Max(s => s.MaxAbsDifference);
    public double MaxRelativeDifference => Sizes.Max(s => s.MaxRelativeDifference);
    public bool Passed => Sizes.All(s => s.MaxRelativeDifference <= Tolerance);
}
