using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Checkpoints;

/// <summary>Bit-exact tensor comparison: same dtype, same shape, same bytes.</summary>
public static class TensorAssert
{
    public static void BitEqual(Tensor expected, Tensor actual, string what = "")
    {
        Assert.True(expected.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", expected.shape)}]");
        using var e = expected.cpu().contiguous();
        using var a = actual.cpu().contiguous();
        Assert.True(e.bytes.SequenceEqual(a.bytes), $"{what}: values differ");
    }
}
