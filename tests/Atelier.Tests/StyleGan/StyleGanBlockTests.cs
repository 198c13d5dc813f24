using Atelier.StyleGan;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Tests.StyleGan;

/// <summary>The building blocks against hand-computed small cases.</summary>
public class StyleGanBlockTests
{
    static void Close(Tensor expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= tol, $"max abs difference {diff} > {tol}");
    }

    /// <summary>Direct upfirdn: insert zeros, pad, then slide the kernel as a true convolution (flipped), subsample.</summary>
    static float[,] DirectUpFirDn(float[,] x, float[,] k, int up, int down, int pad0, int pad1)
    {
        int h = x.GetLength(0), w = x.GetLength(1), kh = k.GetLength(0), kw = k.GetLength(1);
        int uh = h * up + pad0 + pad1, uw = w * up + pad0 + pad1;
        var u = new float[uh, uw];
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
            {
                int ty = y * up + pad0, tx = xx * up + pad0;
                if (ty >= 0 && ty < uh && tx >= 0 && tx < uw) u[ty, tx] = x[y, xx];
            }
        int oh = (uh - kh + down) / down, ow = (uw - kw + down) / down;
        var o = new float[oh, ow];
        for (int y = 0; y < oh; y++)
            for (int xx = 0; xx < ow; xx++)
            {
                double s = 0;
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        s += u[y * down + i, xx * down + j] * k[kh - 1 - i, kw - 1 - j];
                o[y, xx] = (float)s;
            }
        return o;
    }

    [Theory]
    [InlineData(2, 1, 2, 1)]   // ToRGB's Upsample
    [InlineData(1, 1, 1, 1)]   // the blur after an upsampling transposed conv
    [InlineData(1, 2, 1, 1)]   // the discriminator's blur before a stride-2 conv
    [InlineData(1, 1, -1, 2)]  // negative padding crops
    public void Upfirdn2dMatchesDirectConvolution(int up, int down, int pad0, int pad1)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = randn(1, 2, 5, 5);
        var k = Upfirdn2d.MakeKernel(new float[] { 1, 2, 3, 1 }) * (float)(up * up);
        // Make the kernel asymmetric so a missing flip would show.
        k = k + arange(16, dtype: float32).reshape(4, 4) * 0.01f;
        var got = Upfirdn2d.Apply(x, k, up, down, (pad0, pad1));
        var kk = new float[4, 4];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) kk[i, j] = k[i, j].item<float>();
        for (int c = 0; c < 2; c++)
        {
            var xc = new float[5, 5];
            for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) xc[i, j] = x[0, c, i, j].item<float>();
            var exp = DirectUpFirDn(xc, kk, up, down, pad0, pad1);
            Assert.Equal(exp.GetLength(0), got.shape[2]);
            Assert.Equal(exp.GetLength(1), got.shape[3]);
            for (int i = 0; i < exp.GetLength(0); i++)
                for (int j = 0; j < exp.GetLength(1); j++)
                    Assert.Equal(exp[i, j], got[0, c, i, j].item<float>(), 4);
        }
    }

    [Fact]
    public void MakeKernelIsNormalisedOuterProduct()
    {
        using var k = Upfirdn2d.MakeKernel(new float[] { 1, 3, 3, 1 });
        Assert.Equal(1f / 64, k[0, 0].item<float>(), 6);
        Assert.Equal(9f / 64, k[1, 2].item<float>(), 6);
        Assert.Equal(3f / 64, k[0, 1].item<float>(), 6);
    }

    [Fact]
    public void UpsampleDoublesSizeAndKeepsConstants()
    {
        using var scope = NewDisposeScope();
        var up = new Upsample(Generator.DefaultBlurKernel);
        Assert.Equal((2, 1), up.Pad);
        var y = up.call(full(1, 3, 4, 4, 2.5f));
        Assert.Equal(new long[] { 1, 3, 8, 8 }, y.shape);
        // Interior samples of a constant stay constant (the kernel times 4 has gain 1 per phase).
        Assert.Equal(2.5f, y[0, 1, 3, 4].item<float>(), 5);
    }

    [Fact]
    public void EqualLinearAppliesRuntimeScales()
    {
        using var scope = NewDisposeScope();
        var layer = new EqualLinear(4, 2, lrMul: 0.01, biasInit: 0);
        Assert.Equal(0.01 / 2, layer.Scale, 12);
        using (no_grad())
        {
            layer.Weight.copy_(tensor(new float[] { 100, 200, 300, 400, -100, 0, 0, 0 }).reshape(2, 4));
            layer.get_parameter("bias")!.copy_(tensor(new float[] { 10, 20 }));
        }
        var y = layer.call(tensor(new float[] { 1, 1, 1, 1 }).reshape(1, 4));
        // (100+200+300+400) * 0.005 + 10 * 0.01 = 5.1; -100 * 0.005 + 20 * 0.01 = -0.3
        Assert.Equal(5.1f, y[0, 0].item<float>(), 4);
        Assert.Equal(-0.3f, y[0, 1].item<float>(), 4);

        var act = new EqualLinear(4, 2, lrMul: 0.01, fusedLeakyRelu: true);
        using (no_grad()) act.Weight.copy_(layer.Weight);
        var ya = act.call(tensor(new float[] { 1, 1, 1, 1 }).reshape(1, 4));
        Assert.Equal(5.0f * Math.Sqrt(2), ya[0, 0].item<float>(), 4);
        Assert.Equal(-0.5f * 0.2f * Math.Sqrt(2), ya[0, 1].item<float>(), 4);
    }

    [Fact]
    public void EqualConv2dScalesByFanIn()
    {
        using var scope = NewDisposeScope();
        var conv = new EqualConv2d(2, 1, 3, padding: 1);
        Assert.Equal(1 / Math.Sqrt(18), conv.Scale, 12);
        using (no_grad()) conv.get_parameter("weight")!.fill_(1);
        var y = conv.call(ones(1, 2, 3, 3));
        Assert.Equal(18 / Math.Sqrt(18), y[0, 0, 1, 1].item<float>(), 4); // the centre sees all 18 taps
        Assert.Equal(8 / Math.Sqrt(18), y[0, 0, 0, 0].item<float>(), 4);  // a corner sees 2 x 2 x 2
    }

    [Fact]
    public void FusedLeakyReluAddsBiasThenScales()
    {
        using var scope = NewDisposeScope();
        var y = FusedLeakyReLU.Apply(tensor(new float[] { -1, 2 }).reshape(1, 2, 1, 1), tensor(new float[] { 0.5f, -1 }));
        Assert.Equal(-0.5f * 0.2f * Math.Sqrt(2), y[0, 0, 0, 0].item<float>(), 5);
        Assert.Equal(1 * Math.Sqrt(2), y[0, 1, 0, 0].item<float>(), 5);
    }

    [Fact]
    public void PixelNormGivesUnitRms()
    {
        using var scope = NewDisposeScope();
        var y = new PixelNorm().call(tensor(new float[] { 3, 4, 0, 0 }).reshape(1, 4));
        Assert.Equal(3 / 2.5f, y[0, 0].item<float>(), 5);
        Assert.Equal(4 / 2.5f, y[0, 1].item<float>(), 5);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void ModulatedConvMatchesPerSampleConvolution(bool demodulate, bool upsample)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var conv = new ModulatedConv2d(3, 4, 3, 5, demodulate, upsample);
        var x = randn(2, 3, 6, 6);
        var style = randn(2, 5);
        var got = conv.forward(x, style);

        using var _ = no_grad();
        var s = conv.Modulation.call(style); // (2, 3)
        for (int b = 0; b < 2; b++)
        {
            // Hand-built weight for sample b: W[o,i] * s[i] / sqrt(in k k), then each output row to unit norm.
            var w = conv.Weight[0] * s[b].view(1, 3, 1, 1) / Math.Sqrt(3 * 9);
            if (demodulate)
            {
                var norm = w.pow(2).sum(new long[] { 1, 2, 3 }, keepdim: true).add(1e-8).sqrt();
                w = w / norm;
                Assert.Equal(1f, w[0].pow(2).sum().item<float>(), 4);
            }
            Tensor exp;
            if (upsample)
            {
                exp = F.conv_transpose2d(x[b].unsqueeze(0), w.transpose(0, 1), strides: new long[] { 2, 2 });
                var k = Upfirdn2d.MakeKernel(Generator.DefaultBlurKernel) * 4;
                exp = Upfirdn2d.Apply(exp, k, pad: (1, 1));
                Assert.Equal(new long[] { 1, 4, 12, 12 }, exp.shape);
            }
            else exp = F.conv2d(x[b].unsqueeze(0), w, padding: new long[] { 1, 1 });
            Close(exp, got[b].unsqueeze(0), 1e-4);
        }
    }

    [Fact]
    public void NoiseInjectionScalesNoiseByLearnedWeight()
    {
        using var scope = NewDisposeScope();
        var inj = new NoiseInjection();
        using (no_grad()) inj.get_parameter("weight")!.fill_(0.5f);
        var y = inj.forward(ones(2, 3, 2, 2), full(1, 1, 2, 2, 4f));
        Close(full(2, 3, 2, 2, 3f), y);
    }

    [Theory]
    [InlineData(8, 4, 3)]
    [InlineData(16, 6, 5)]
    [InlineData(1024, 18, 17)]
    public void LatentCountsFollowSize(int size, int nLatent, int numLayers)
    {
        var c = new GeneratorConfig(size);
        Assert.Equal(nLatent, c.NLatent);
        Assert.Equal(numLayers, c.NumLayers);
    }

    [Fact]
    public void ChannelTableAndLayerRanges()
    {
        var c = new GeneratorConfig(1024, ChannelMultiplier: 2);
        Assert.Equal(512, c.Channels(32));
        Assert.Equal(512, c.Channels(64));
        Assert.Equal(256, c.Channels(128));
        Assert.Equal(32, c.Channels(1024));
        Assert.Equal((0, 3), c.LatentRange(4, 8));
        Assert.Equal((4, 7), c.LatentRange(16, 32));
        Assert.Equal((8, 17), c.LatentRange(64, 1024));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(4)]
    [InlineData(0)]
    public void SizeMustBeAPowerOfTwoFrom8(int size)
    {
        var e = Assert.Throws<AtelierException>(() => new GeneratorConfig(size, 8, 1).Validate());
        Assert.Contains("power of two", e.Message);
    }

    [Fact]
    public void GeneratorHasReferenceKeysAndShapes()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(new GeneratorConfig(16, StyleDim: 8, NMlp: 2, ChannelMultiplier: 1, MaxChannels: 16));
        var sd = g.state_dict();
        Assert.Equal(new long[] { 1, 16, 4, 4 }, sd["input.input"].shape);
        Assert.Equal(new long[] { 8, 8 }, sd["style.2.weight"].shape);
        Assert.False(sd.ContainsKey("style.3.weight"));
        Assert.Equal(new long[] { 1, 16, 16, 3, 3 }, sd["convs.2.conv.weight"].shape);
        Assert.Equal(new long[] { 4, 4 }, sd["convs.2.conv.blur.kernel"].shape);
        Assert.False(sd.ContainsKey("convs.1.conv.blur.kernel"));
        Assert.Equal(new long[] { 4, 4 }, sd["to_rgbs.1.upsample.kernel"].shape);
        Assert.Equal(new long[] { 1, 1, 16, 16 }, sd["noises.noise_4"].shape);
        Assert.Equal(new long[] { 1, 1, 8, 8 }, sd["noises.noise_2"].shape);
        Assert.Equal(1f, sd["conv1.conv.modulation.bias"][0].item<float>()); // bias_init 1

        var shapes = sd.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(g.Config, GeneratorConfig.Infer(shapes) with { ChannelMultiplier = 1 });

        using var _ = no_grad();
        var img = g.Generate(randn(2, 8), LatentSpace.Z);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, img.shape);
        // Stored noise is deterministic; random noise is not.
        var w = g.Map(randn(1, 8));
        Close(g.Synthesize(w), g.Synthesize(w), 0);
        using (no_grad()) foreach (var p in g.named_parameters().Where(p => p.name.EndsWith("noise.weight"))) p.parameter.fill_(1);
        Assert.True((g.Synthesize(w, randomizeNoise: true) - g.Synthesize(w)).abs().max().item<float>() > 1e-3);
        // Fresh noise from a caller's generator: the same seed gives the same picture whatever else draws from torch's
        // global generator in between (concurrent jobs), and a new seed a new picture.
        Tensor Fresh(ulong seed) { using var rng = new TorchSharp.torch.Generator(seed); return g.Synthesize(w, randomizeNoise: true, rng: rng); }
        var a = Fresh(5);
        randn(100).Dispose();
        Close(a, Fresh(5), 0);
        Assert.True((Fresh(6) - a).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void MixTakesLeadingLatentsFromTheFirstCode()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(new GeneratorConfig(8, StyleDim: 4, NMlp: 1, MaxChannels: 4));
        var mixed = g.Mix(zeros(1, 4), ones(1, 4), 2);
        Assert.Equal(new long[] { 1, 4, 4 }, mixed.shape);
        Assert.Equal(0f, mixed[0, 1].sum().item<float>());
        Assert.Equal(4f, mixed[0, 2].sum().item<float>());
        Assert.Throws<AtelierException>(() => g.Mix(zeros(1, 4), ones(1, 4), 5));
        var t = Generator.Truncate(full(1, 4, 3f), ones(1, 4), 0.5);
        Assert.Equal(2f, t[0, 0].item<float>());
    }
}
