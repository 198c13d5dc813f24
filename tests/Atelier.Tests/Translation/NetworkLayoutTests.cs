using System.Text.Json;
using Atelier.Translation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Translation;

/// <summary>
/// The networks' state-dict keys and shapes match the reference's exactly (fixture: the parity files' own keys
/// plus variants built by the transcribed reference classes, see fixtures/translation/make_reference_keys.py),
/// and the architecture is read back from those keys.
/// </summary>
public class NetworkLayoutTests
{
    public static readonly TheoryData<string> Names = new()
    {
        "cyclegan_resnet_6blocks_ngf16_instance", "cyclegan_resnet_9blocks_ngf16_instance",
        "pix2pix_unet_128_ngf8_batch", "pix2pix_unet_256_ngf8_batch",
        "patchgan_n_layers1_ndf16_batch_6ch", "patchgan_n_layers3_ndf16_batch_6ch", "patchgan_n_layers5_ndf16_batch_6ch",
        "pixelgan_ndf16_batch_6ch",
        "resnet_6blocks_ngf8_batch_dropout", "resnet_3blocks_ngf8_none", "unet_64_ngf4_instance_dropout",
        "unet_32_ngf4_none_1to3", "patchgan_n_layers2_ndf8_instance_3ch", "pixelgan_ndf8_none_3ch",
    };

    internal static object SpecFor(string name) => name switch
    {
        "cyclegan_resnet_6blocks_ngf16_instance" => new GeneratorSpec(GeneratorFamily.Resnet, 6, 16, 3, 3, NormKind.Instance),
        "cyclegan_resnet_9blocks_ngf16_instance" => new GeneratorSpec(GeneratorFamily.Resnet, 9, 16, 3, 3, NormKind.Instance),
        "pix2pix_unet_128_ngf8_batch" => new GeneratorSpec(GeneratorFamily.Unet, 7, 8, 3, 3, NormKind.Batch, true),
        "pix2pix_unet_256_ngf8_batch" => new GeneratorSpec(GeneratorFamily.Unet, 8, 8, 3, 3, NormKind.Batch, true),
        "patchgan_n_layers1_ndf16_batch_6ch" => new DiscriminatorSpec(DiscriminatorFamily.Patch, 1, 16, 6),
        "patchgan_n_layers3_ndf16_batch_6ch" => new DiscriminatorSpec(DiscriminatorFamily.Patch, 3, 16, 6),
        "patchgan_n_layers5_ndf16_batch_6ch" => new DiscriminatorSpec(DiscriminatorFamily.Patch, 5, 16, 6),
        "pixelgan_ndf16_batch_6ch" => new DiscriminatorSpec(DiscriminatorFamily.Pixel, 0, 16, 6),
        "resnet_6blocks_ngf8_batch_dropout" => new GeneratorSpec(GeneratorFamily.Resnet, 6, 8, 3, 3, NormKind.Batch, true),
        "resnet_3blocks_ngf8_none" => new GeneratorSpec(GeneratorFamily.Resnet, 3, 8, 3, 3, NormKind.None),
        "unet_64_ngf4_instance_dropout" => new GeneratorSpec(GeneratorFamily.Unet, 6, 4, 3, 3, NormKind.Instance, true),
        "unet_32_ngf4_none_1to3" => new GeneratorSpec(GeneratorFamily.Unet, 5, 4, 1, 3, NormKind.None),
        "patchgan_n_layers2_ndf8_instance_3ch" => new DiscriminatorSpec(DiscriminatorFamily.Patch, 2, 8, 3, NormKind.Instance),
        "pixelgan_ndf8_none_3ch" => new DiscriminatorSpec(DiscriminatorFamily.Pixel, 0, 8, 3, NormKind.None),
        _ => throw new ArgumentException(name),
    };

    static Dictionary<string, long[]> ReferenceKeys(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("translation", "reference_keys.json")));
        return doc.RootElement.GetProperty(name).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt64()).ToArray());
    }

    static nn.Module<Tensor, Tensor> Build(object spec) => spec switch
    {
        GeneratorSpec g => g.Build(),
        DiscriminatorSpec d => d.Build(),
        _ => throw new ArgumentException("spec"),
    };

    [Theory, MemberData(nameof(Names))]
    public void KeysAndShapesMatchTheReference(string name)
    {
        var expected = ReferenceKeys(name);
        using var net = Build(SpecFor(name));
        var actual = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(actual[key]), $"{key}: expected [{string.Join(",", shape)}], got [{string.Join(",", actual[key])}]");
    }

    [Theory, MemberData(nameof(Names))]
    public void ArchitectureIsDetectedFromTheReferenceKeys(string name)
    {
        using var scope = NewDisposeScope();
        var sd = ReferenceKeys(name).ToDictionary(kv => kv.Key, kv => empty(kv.Value));
        var spec = SpecFor(name);
        object detected = spec is GeneratorSpec g
            ? GeneratorSpec.Detect(sd, name, unetDropout: g.Dropout)
            : DiscriminatorSpec.Detect(sd, name);
        Assert.Equal(spec, detected);
    }

    [Fact]
    public void NamesParseToTheReferenceDepths()
    {
        Assert.Equal(8, GeneratorSpec.Parse("unet_256").Depth);
        Assert.Equal(7, GeneratorSpec.Parse("unet_128").Depth);
        Assert.Equal(9, GeneratorSpec.Parse("resnet_9blocks").Depth);
        Assert.Equal(GeneratorFamily.Resnet, GeneratorSpec.Parse("resnet_6blocks").Family);
        Assert.Equal(256, GeneratorSpec.Parse("unet_256").Multiple);
        Assert.Equal(4, GeneratorSpec.Parse("resnet_6blocks").Multiple);
        Assert.Equal("unet_128", GeneratorSpec.Parse("unet_128").Name);
        Assert.Throws<AtelierUsageException>(() => GeneratorSpec.Parse("unet_100"));
        Assert.Throws<AtelierUsageException>(() => GeneratorSpec.Parse("vgg16"));
        Assert.Equal(3, DiscriminatorSpec.Parse("basic", 64, 6, NormKind.Batch).NLayers);
        Assert.Equal(5, DiscriminatorSpec.Parse("n_layers_5", 64, 6, NormKind.Batch).NLayers);
        Assert.Throws<AtelierUsageException>(() => DiscriminatorSpec.Parse("huge", 64, 6, NormKind.Batch));
    }

    [Theory]
    [InlineData(1, 16, 16)]
    [InlineData(3, 70, 68)]
    [InlineData(5, 286, 272)]
    public void PatchGanReceptiveFields(int nLayers, int field, int covered)
    {
        Assert.Equal(field, PatchDiscriminator.ReceptiveField(nLayers));
        // Check against the network itself, forward only: with positive weights every input pixel raises every
        // output that sees it. A vertical line at column c changes the outputs whose patch reaches c; summed over
        // one period of the total stride (2^nLayers) the counts give the pixels a patch really depends on: the
        // span above less the 4-tap kernels' unreachable edge columns (the transcribed reference network gives
        // the same 16 / 68 / 272, and its gradient spans exactly 16 / 70 / 286 columns).
        using var scope = NewDisposeScope();
        using var d = new PatchDiscriminator(1, 1, nLayers, NormKind.None);
        d.to(float64);
        using var noGrad = no_grad();
        foreach (var p in d.parameters()) p.fill_(p.dim() == 1 ? 0.0 : 0.05);
        int stride = 1 << nLayers, size = field + 4 * stride, c0 = size / 2;
        var x = ones(stride + 1, 1, field, size, float64);
        for (int p = 0; p < stride; p++) x[p + 1, 0, .., c0 + p] += 1.0;
        var y = d.forward(x);
        var changed = (y[1..] - y[..1]).abs()[.., 0, y.shape[2] / 2, ..].gt(0);
        Assert.Equal(covered, changed.sum().item<long>());
    }

    [Fact]
    public void OutputsKeepTheInputSize()
    {
        using var scope = NewDisposeScope();
        foreach (var spec in new[] { GeneratorSpec.Parse("unet_32", ngf: 2), GeneratorSpec.Parse("resnet_2blocks", ngf: 2, norm: NormKind.Instance) })
        {
            using var g = spec.Build();
            g.eval();
            var y = g.forward(rand(2, 3, 64, 32) * 2 - 1);
            Assert.Equal(new long[] { 2, 3, 64, 32 }, y.shape);
            Assert.True(y.abs().max().item<float>() <= 1f, "outputs pass through Tanh");
        }
    }
}
