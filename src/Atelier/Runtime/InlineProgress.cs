namespace Atelier.Runtime;

/// <summary>
/// Progress reported on the caller's thread, in order, as it happens: <see cref="Progress{T}"/> posts each report to
/// the thread pool (or the captured context), so counts can arrive late or out of order and a cancellation keyed to a
/// step can miss it.
/// </summary>
public sealed class InlineProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
{
    public void Report(ProgressReport value) => report(value);
}
