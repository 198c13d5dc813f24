using Atelier.Networks;
using Atelier.Studio.Methods;

namespace Atelier.Studio.Tests.Methods;

/// <summary>The studio's once-per-process copy of the built-in AdaIN encoder gives the library's weights, to each job its own.</summary>
public class BuiltInEncoderTests
{
    [Fact]
    public void The_cached_encoder_is_the_library_built_in_one()
    {
        using var expected = Vgg.BuiltInNormalised(BuiltInEncoder.Layer);
        using var cached = BuiltInEncoder.Create();
        using var again = BuiltInEncoder.Create(); // a second job's copy, independent of the first
        var want = expected.state_dict();
        Assert.Equal(want.Keys.Order(), cached.state_dict().Keys.Order());
        foreach (var (k, t) in cached.state_dict()) Assert.True(t.allclose(want[k], rtol: 0, atol: 0), k);
        var (first, _) = want.First();
        using (TorchSharp.torch.no_grad()) cached.state_dict()[first].zero_();
        Assert.True(again.state_dict()[first].allclose(want[first], rtol: 0, atol: 0), "the copies share weights");
    }
}
