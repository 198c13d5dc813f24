using TorchSharp;
using Xunit;

namespace Atelier.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void ConvForwardBackwardRuns()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 3, 8, 8, requires_grad: true);
        using var conv = torch.nn.Conv2d(3, 4, 3);
        conv.forward(x).sum().backward();
        Assert.NotNull(x.grad);
        Assert.Equal(new long[] { 1, 3, 8, 8 }, x.grad!.shape);
    }
}
