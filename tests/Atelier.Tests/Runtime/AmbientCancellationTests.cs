using Atelier.Runtime;
using Atelier.Style;
using Atelier.Translation;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Runtime;

/// <summary>
/// Every network a tiled or long run drives stops within its pass once the run's ambient token is cancelled (Ctrl+C,
/// SIGTERM, a studio cancel), not after a large tile's whole pass; outside the token's scope it runs as before.
/// </summary>
public class AmbientCancellationTests
{
    public static TheoryData<string> Networks => new() { "resnet", "unet", "adain-decoder", "vgg", "stylegan" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_cancelled_ambient_token_stops_the_forward_pass(string kind)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(1);
        Func<Tensor> pass = kind switch
        {
            "resnet" => Pass(GeneratorSpec.Parse("resnet_2blocks", ngf: 4, norm: NormKind.Instance).Build(), rand(1, 3, 16, 16)),
            "unet" => Pass(GeneratorSpec.Parse("unet_32", ngf: 4).Build(), rand(1, 3, 32, 32)),
            "adain-decoder" => Pass(new AdaInDecoder(), rand(1, 512, 4, 4)),
            "vgg" => Pass(Atelier.Networks.Vgg.BuiltInNormalised(), rand(1, 3, 16, 16)),
            "stylegan" => StyleGan(),
            _ => throw new ArgumentException(kind),
        };
        using (var cts = new CancellationTokenSource())
        using (AmbientCancellation.Use(cts.Token))
        {
            pass().Dispose();
            cts.Cancel();
            Assert.Throws<OperationCanceledException>(() => pass());
        }
        pass().Dispose();
    }

    static Func<Tensor> Pass(nn.Module<Tensor, Tensor> net, Tensor x)
    {
        net.eval();
        return () => net.forward(x);
    }

    static Func<Tensor> StyleGan()
    {
        var g = new Atelier.StyleGan.Generator(new Atelier.StyleGan.GeneratorConfig(16, 8, NMlp: 1, ChannelMultiplier: 1, MaxChannels: 8));
        var w = g.Map(randn(1, 8));
        return () => g.Synthesize(w);
    }
}
