namespace Atelier.Runtime;

/// <summary>
/// What long-running library calls report through <see cref="IProgress{T}"/>: a step count and the
/// current figures (losses, PSNR...). Front ends turn it into a progress bar with ETA or server events.
/// </summary>
public sealed record ProgressReport(long Step, long Total, string Stage = "", IReadOnlyDictionary<string, double>? Metrics = null)
{
    public double Fraction => Total <= 0 ? 0 : Math.Clamp((double)Step / Total, 0, 1);
}
