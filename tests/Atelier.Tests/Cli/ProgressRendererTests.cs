using Atelier.Cli.Infrastructure;
using Xunit;

namespace Atelier.Tests.Cli;

public class ProgressRendererTests
{
    [Fact]
    public void EtaCountsFromTheFirstReportedStepSoAResumedRunIsNotTooOptimistic()
    {
        // A run resumed at step 1,500 of 4,000 that did 100 steps in 20 s has 2,400 steps, 480 s, left
        // (counting from step 0 said 30 s).
        Assert.Equal(480, ProgressRenderer.RemainingSeconds(1500, 0, 1600, 20, 4000)!.Value, 6);
        // A fresh run: from step 0.
        Assert.Equal(90, ProgressRenderer.RemainingSeconds(0, 0, 10, 10, 100)!.Value, 6);
        // Nothing timed yet, or no total: no estimate.
        Assert.Null(ProgressRenderer.RemainingSeconds(1500, 3, 1500, 5, 4000));
        Assert.Null(ProgressRenderer.RemainingSeconds(0, 0, 10, 10, 0));
        // Done: nothing left.
        Assert.Equal(0, ProgressRenderer.RemainingSeconds(0, 0, 100, 10, 100)!.Value);
    }
}
