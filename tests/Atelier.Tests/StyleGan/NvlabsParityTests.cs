using Atelier.Checkpoints;
using Atelier.StyleGan;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Tests.StyleGan;

/// <summary>
/// Against NVlabs/stylegan2-ada-pytorch's own outputs: its generators, pickled as its training loop does and loaded
/// by Atelier without running their code, reproduce the images NVlabs' reference ops made from z (truncation 1 and
/// 0.7 toward the pickled w_avg), from w and from w+, with the constant noise maps. fixtures/nvlabs has a 16 px
/// generator with conv_clamp 2 (so the clamp cuts); ../shared/parity a 16 px one without a clamp.
/// </summary>
public class NvlabsParityTests(ITestOutputHelper log)
{
    void Close(string name, Tensor expected, Tensor actual) => ParityAssert.Close(log, name, expected, actual);

    [Fact]
    public void ReproducesNvlabsOutputsWithConvClamp()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = GeneratorLoader.Load(TestPaths.Fixture("nvlabs", "sg2ada_tiny.pkl"));
        Assert.Equal(new GeneratorConfig(16, 16, 2, MaxChannels: 16, ChannelBase: 256, ConvClamp: 2), g.Config);
        using var e = Checkpoint.Load(TestPaths.Fixture("nvlabs", "sg2ada_tiny_expected.safetensors"));
        var z = e["z"];
        var w = g.Map(z);
        Close("w", e["w"].select(1, 0), w);
        var wMean = MeanLatent.Get(g, "unused: the pickle carries w_avg");
        Close("w_trunc07", e["w_trunc07"].select(1, 0), Generator.Truncate(w, wMean, 0.7));
        Close("img_const", e["img_const"], g.Synthesize(w));
        Close("img_trunc07_const", e["img_trunc07_const"], g.Synthesize(e["w_trunc07"]));
        Close("img_z_trunc07_const", e["img_z_trunc07_const"], g.Generate(z, LatentSpace.Z, 0.7, wMean));
        Close("img_wplus_const", e["img_wplus_const"], g.Synthesize(e["wplus"]));

        // The clamp matters here: without it the same weights give other images.
        var unclamped = new Generator(g.Config with { ConvClamp = null });
        StateDictLoader.Load(unclamped, g.state_dict());
        unclamped.eval();
        double gap = (unclamped.Synthesize(w) - e["img_const"]).abs().max().item<float>();
        Assert.True(gap > 1e-2, $"the fixture's clamp never cuts (gap {gap})");
    }

    [Fact]
    public void ABareGeneratorPickledWithProtocol2GivesTheSameImages()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var path = TestPaths.Fixture("nvlabs", "sg2ada_tiny_G_ema_protocol2.pkl");
        using (var file = Checkpoint.Load(path))
            Assert.Equal(2L, file.Value("init_kwargs.synthesis_kwargs.conv_clamp"));
        var g = GeneratorLoader.Load(path);
        Assert.Equal(2.0, g.Config.ConvClamp);
        using var e = Checkpoint.Load(TestPaths.Fixture("nvlabs", "sg2ada_tiny_expected.safetensors"));
        Close("img_const", e["img_const"], g.Synthesize(e["w"]));
        Close("img_z_trunc07_const", e["img_z_trunc07_const"], g.Generate(e["z"], LatentSpace.Z, 0.7, MeanLatent.Get(g, path)));
    }

    [SkippableFact]
    public void ReproducesTheSharedNvlabsParityOutputs()
    {
        var pkl = TestPaths.Parity("nvlabs_sg2ada_16.pkl");
        var expPath = TestPaths.Parity("nvlabs_sg2ada_16_expected.pth");
        Skip.If(pkl is null || !File.Exists(pkl) || !File.Exists(expPath), TestPaths.SharedMissing);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = GeneratorLoader.Load(pkl!);
        Assert.Equal((16, 32, 2, (double?)null), (g.Size, g.StyleDim, g.Config.NMlp, g.Config.ConvClamp));
        using var e = Checkpoint.Load(expPath!);
        var w = g.Map(e["z"]);
        Close("w", e["w"].select(1, 0), w);
        Close("w_trunc07", e["w_trunc07"].select(1, 0), Generator.Truncate(w, MeanLatent.Get(g, pkl!), 0.7));
        Close("img_const", e["img_const"], g.Synthesize(e["w"]));
        Close("img_trunc07_const", e["img_trunc07_const"], g.Synthesize(e["w_trunc07"]));
        Close("img_wplus_mix_const", e["img_wplus_mix_const"], g.Synthesize(e["wplus_mix"]));
    }

    [Fact]
    public void TheTruncationCentreIsThePickledWAverage()
    {
        using var scope = NewDisposeScope();
        var path = TestPaths.Fixture("nvlabs", "sg2ada_tiny.pkl");
        var g = GeneratorLoader.Load(path);
        using var file = Checkpoint.Load(path);
        var mean = MeanLatent.Get(g, path);
        Assert.Equal(file["G_ema.mapping.w_avg"].data<float>().ToArray(), mean.reshape(-1).data<float>().ToArray());
        // Nothing estimated, so nothing cached beside the checkpoint.
        Assert.False(File.Exists(MeanLatent.CachePath(Path.GetFullPath(path), MeanLatent.DefaultSamples)));
    }

    [Fact]
    public void AnUnsupportedNvlabsGeneratorIsRefusedByName()
    {
        using var scope = NewDisposeScope();
        using var file = Checkpoint.Load(TestPaths.Fixture("nvlabs", "sg2ada_tiny.pkl"));
        var sd = file.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value);
        sd["G_ema.mapping.embed.weight"] = zeros(16, 10);
        var e = Assert.Throws<AtelierException>(() => NvlabsGenerator.FromStateDict(sd, "G_ema.", null, "cond.pkl"));
        Assert.Contains("cond.pkl", e.Message);
        Assert.Contains("class-conditional", e.Message);

        sd.Remove("G_ema.mapping.embed.weight");
        sd.Remove("G_ema.synthesis.b4.conv1.weight");
        e = Assert.Throws<AtelierException>(() => NvlabsGenerator.FromStateDict(sd, "G_ema.", null, "broken.pkl"));
        Assert.Equal("'broken.pkl': NVlabs generator has no 'synthesis.b4.conv1.weight'", e.Message);

        var kwargs = new Dictionary<string, object?> { ["synthesis_kwargs"] = new Dictionary<string, object?> { ["architecture"] = "resnet" } };
        e = Assert.Throws<AtelierException>(() => NvlabsGenerator.FromStateDict(file, "G_ema.", kwargs, "resnet.pkl"));
        Assert.Contains("architecture 'resnet'", e.Message);
    }
}
