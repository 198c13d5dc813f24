using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Atelier.Tests.StyleGan;

/// <summary>The parity tests' measure: the largest difference relative to the largest expected value, logged and bounded.</summary>
static class ParityAssert
{
    public const double Tolerance = 1e-4;

    public static void Close(ITestOutputHelper log, string name, Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double rel = ((actual - expected).abs().max() / expected.abs().max()).item<float>();
        log.WriteLine($"{name}: max relative difference {rel:E2}");
        Assert.True(rel <= Tolerance, $"{name}: relative difference {rel:E2} > {Tolerance}");
    }
}
