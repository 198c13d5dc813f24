using Atelier.Checkpoints;
using Atelier.StyleGan;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Tests.StyleGan;

/// <summary>
/// Against rosinality/stylegan2-pytorch's own outputs (../shared/parity/stylegan2_*): a size-8 generator stored
/// as {g_ema (fp16), args}, and the images it made from z, w, truncation 0.7, style mixing at inject index 2 and
/// w+, all with the stored noise maps.
/// </summary>
public class StyleGanParityTests(ITestOutputHelper log)
{
    void Close(string name, Tensor expected, Tensor actual) => ParityAssert.Close(log, name, expected, actual);

    [SkippableFact]
    public void ReproducesTheReferenceOutputs()
    {
        var ckPath = TestPaths.Parity("stylegan2_g_ema.pt");
        var expPath = TestPaths.Parity("stylegan2_expected.pth");
        Skip.If(ckPath is null || !File.Exists(ckPath) || !File.Exists(expPath), TestPaths.SharedMissing);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = GeneratorLoader.Load(ckPath!);
        Assert.Equal(new GeneratorConfig(8, 64, 2, 1), g.Config); // from args
        using var e = Checkpoint.Load(expPath!);
        var z = e["z"];

        var w = g.Map(z);
        Close("w", e["w"], w);
        Close("img_from_z", e["img_from_z"], g.Generate(z, LatentSpace.Z));
        Close("img_from_w", e["img_from_w"], g.Generate(e["w"], LatentSpace.W));
        Close("img_truncation_0.7", e["img_truncation_0.7"], g.Generate(z, LatentSpace.Z, 0.7, e["w_mean"]));
        Close("img_mix_inject2", e["img_mix_inject2"], g.Synthesize(g.Mix(w.narrow(0, 0, 1), w.narrow(0, 1, 1), 2)));
        Close("img_from_wplus", e["img_from_wplus"], g.Synthesize(e["wplus"]));

        // Our mean w estimate (4096 fixed-seed samples) lands near the reference's.
        var mean = g.MeanLatent(4096, new torch.Generator(0));
        double gap = (mean - e["w_mean"]).norm().item<float>() / e["w_mean"].norm().item<float>();
        log.WriteLine($"mean w relative gap {gap:F4}");
        Assert.True(gap < 0.1, $"mean w differs by {gap:P1}");
    }

    [SkippableFact]
    public void InfersTheArchitectureWithoutArgs()
    {
        var ckPath = TestPaths.Parity("stylegan2_g_ema.pt");
        Skip.If(ckPath is null || !File.Exists(ckPath), TestPaths.SharedMissing);
        using var scope = NewDisposeScope();
        using var file = Checkpoint.Load(ckPath!);
        var bare = file.Select("g_ema");
        var g = GeneratorLoader.FromStateDict(bare, "g_ema");
        Assert.Equal(8, g.Size);
        Assert.Equal(64, g.StyleDim);
        Assert.Equal(2, g.Config.NMlp);
        Assert.Equal(4, g.NLatent);
        // Weights are float32 after loading the float16 file.
        Assert.Equal(ScalarType.Float32, g.parameters().First().dtype);
    }

    [Fact]
    public void RefusesAFileWithoutAGenerator()
    {
        using var scope = NewDisposeScope();
        var dict = new Dictionary<string, Tensor> { ["d.convs.0.0.weight"] = zeros(2, 2) };
        var ex = Assert.Throws<AtelierException>(() => GeneratorLoader.FromStateDict(dict, "disc.pt"));
        Assert.Contains("disc.pt", ex.Message);
        Assert.Contains("no StyleGAN2 generator", ex.Message);
    }
}
