using Atelier.Checkpoints;
using Atelier.Networks;
using Atelier.Onnx.Export;
using Atelier.Style;
using Atelier.StyleGan;
using Atelier.Tests.Cli;
using Atelier.Translation;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Atelier.Tests.Onnx;

/// <summary>
/// Each exportable network kind, at tiny sizes with non-trivial norm parameters, round-trips through ONNX Runtime at two
/// sizes within 1e-4 relative; a wrong export is caught; a module without an ONNX form is refused naming it.
/// </summary>
public class OnnxExportTests
{
    /// <summary>
    /// Norm scales and shifts and batch-norm running statistics drawn at random (fresh ones are 1, 0, 0, 1, which would
    /// let an export that drops them or swaps them pass).
    /// </summary>
    static void RandomizeNorms(nn.Module module, long seed)
    {
        var g = new TorchSharp.torch.Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (p.dim() != 1) continue;
            using var r = randn(p.shape, generator: g) * 0.3 + (name.EndsWith("weight", StringComparison.Ordinal) ? 1.0 : 0.0);
            p.copy_(r);
        }
        foreach (var (name, b) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) { using var r = randn(b.shape, generator: g) * 0.2; b.copy_(r); }
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) { using var r = rand(b.shape, generator: g) + 0.5; b.copy_(r); }
        }
    }

    static OnnxVerification RoundTrip(ExportableNetwork network)
    {
        var bytes = OnnxExporter.Build(network).ToByteArray();
        var v = OnnxVerifier.Verify(bytes, network);
        Assert.Equal(2, v.Sizes.Count);
        Assert.NotEqual((v.Sizes[0].Height, v.Sizes[0].Width), (v.Sizes[1].Height, v.Sizes[1].Width));
        Assert.All(v.Sizes, s => Assert.InRange(s.MaxRelativeDifference, 0, 1e-4));
        Assert.True(v.Passed);
        return v;
    }

    static ExportableNetwork TinyResnet(NormKind norm, bool dropout = false)
    {
        manual_seed(3);
        var spec = new GeneratorSpec(GeneratorFamily.Resnet, 2, 4, 3, 3, norm, dropout);
        var g = spec.Build();
        RandomizeNorms(g, 5);
        return ExportableNetwork.Translation(spec, g);
    }

    [Fact]
    public void FastStyleTransformerNetRoundTrips()
    {
        manual_seed(1);
        var net = new TransformerNet();
        RandomizeNorms(net, 2);
        using var network = ExportableNetwork.FastStyle(net);
        var v = RoundTrip(network);
        // Its output is on 0..255: the absolute figure is larger than the relative one by that scale.
        Assert.All(v.Sizes, s => Assert.Equal(new long[] { s.Batch, 3, s.Height, s.Width }, s.OutputShape));
    }

    [Theory]
    [InlineData(NormKind.Instance, false)]
    [InlineData(NormKind.Batch, true)]
    [InlineData(NormKind.None, false)]
    public void ResnetGeneratorRoundTrips(NormKind norm, bool dropout)
    {
        using var network = TinyResnet(norm, dropout);
        RoundTrip(network);
    }

    [Theory]
    [InlineData(NormKind.Batch, true)]
    [InlineData(NormKind.Instance, false)]
    public void UnetGeneratorRoundTrips(NormKind norm, bool dropout)
    {
        manual_seed(4);
        var spec = new GeneratorSpec(GeneratorFamily.Unet, 5, 4, 3, 2, norm, dropout);
        var g = spec.Build();
        RandomizeNorms(g, 6);
        using var network = ExportableNetwork.Translation(spec, g);
        var v = RoundTrip(network);
        Assert.Equal([(32, 32), (32, 64)], network.VerifySizes);
        Assert.Equal(2, v.Sizes[0].OutputShape[1]);
    }

    [Fact]
    public void AdaInRoundTripsWithStyleAndAlphaAsInputs()
    {
        manual_seed(9);
        var encoder = Vgg.BuiltInNormalised("relu4_1");
        var decoder = new AdaInDecoder();
        using var network = ExportableNetwork.AdaIn(encoder, decoder);
        Assert.Equal(["content", "style", "alpha"], network.Inputs.Select(i => i.Name));
        var v = RoundTrip(network);
        Assert.All(v.Sizes, s => Assert.Equal(new long[] { s.Batch, 3, s.Height, s.Width }, s.OutputShape));

        // One copy of the encoder's weights serves both images; a content side that is not a multiple of 8 is cropped back.
        var model = OnnxExporter.Build(network);
        Assert.Equal(model.Graph.Initializer.Count, model.Graph.Initializer.Select(t => t.Name).Distinct().Count());
        Assert.Equal(encoder.parameters().Count(p => p.dim() == 4), model.Graph.Node.Count(n => n.OpType == "Conv" && n.Input[1].StartsWith("encoder", StringComparison.Ordinal)) / 2);
        using var session = new InferenceSession(model.ToByteArray());
        using var content = rand(1, 3, 36, 44);
        using var style = rand(1, 3, 40, 32);
        var feeds = new[]
        {
            NamedOnnxValue.CreateFromTensor("content", new DenseTensor<float>(content.data<float>().ToArray(), [1, 3, 36, 44])),
            NamedOnnxValue.CreateFromTensor("style", new DenseTensor<float>(style.data<float>().ToArray(), [1, 3, 40, 32])),
            NamedOnnxValue.CreateFromTensor("alpha", new DenseTensor<float>(new[] { 0.25f }, [1])),
        };
        using var results = session.Run(feeds);
        var actual = results.First().AsTensor<float>();
        Assert.Equal([1, 3, 36, 44], actual.Dimensions.ToArray());
        using var expected = network.Reference([content, style, tensor(new[] { 0.25f })]);
        var e = expected.data<float>().ToArray();
        var scale = e.Max(Math.Abs);
        Assert.InRange(e.Zip(actual.ToArray(), (a, b) => Math.Abs(a - b)).Max() / scale, 0, 1e-4);
    }

    [Theory]
    [InlineData(StyleGanPart.Synthesis)]
    [InlineData(StyleGanPart.Mapping)]
    public void StyleGan2RoundTrips(StyleGanPart part)
    {
        var g = Atelier.Tests.StyleGan.InversionTests.TinyGenerator();
        // Non-zero noise strengths and biases, so the stored noise maps and every bias are part of what is compared.
        RandomizeNorms(g, 12);
        using var network = StyleGanExport.Network(g, part);
        var v = OnnxVerifier.Verify(OnnxExporter.Build(network).ToByteArray(), network);
        Assert.Equal([1, part == StyleGanPart.Mapping ? 3 : 2], v.Sizes.Select(s => s.Batch));
        Assert.All(v.Sizes, s => Assert.InRange(s.MaxRelativeDifference, 0, 1e-4));
        Assert.True(v.Passed);
        var expected = part == StyleGanPart.Mapping ? new long[] { 3, 16 } : [2, 3, 16, 16];
        Assert.Equal(expected, v.Sizes[1].OutputShape);
    }

    [Fact]
    public void BatchHeightAndWidthAreDynamic()
    {
        using var network = TinyResnet(NormKind.Batch);
        var model = OnnxExporter.Build(network);
        var dims = model.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["batch", "", "height", "width"], dims.Select(d => d.DimParam));
        Assert.Equal(3, dims[1].DimValue);
        Assert.Equal(OnnxGraphBuilder.DefaultOpset, model.OpsetImport.Single().Version);

        // A batch of two at a size the verification did not use gives Atelier's numbers for both items.
        using var x = rand(2, 3, 20, 28) * 2 - 1;
        using var session = new InferenceSession(model.ToByteArray());
        var input = x.data<float>().ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, [2, 3, 20, 28]))]);
        var actual = results.First().AsTensor<float>().ToArray();
        using var expected = network.Reference([x]);
        var e = expected.data<float>().ToArray();
        Assert.Equal(e.Length, actual.Length);
        Assert.InRange(e.Zip(actual, (a, b) => Math.Abs(a - b)).Max(), 0, 1e-4);
    }

    [Fact]
    public void AWrongExportIsCaught()
    {
        using var network = TinyResnet(NormKind.Instance);
        var model = OnnxExporter.Build(network);
        // Perturb one weight of the last convolution: verification must see it.
        var last = model.Graph.Initializer.Last(t => t.Dims.Count == 4);
        var values = last.RawData.ToByteArray();
        var f = BitConverter.ToSingle(values, 0) + 0.5f;
        BitConverter.GetBytes(f).CopyTo(values, 0);
        last.RawData = ByteString.CopyFrom(values);
        var v = OnnxVerifier.Verify(model.ToByteArray(), network);
        Assert.False(v.Passed);
        Assert.True(v.MaxRelativeDifference > 1e-3, $"relative difference {v.MaxRelativeDifference}");
    }

    [Theory]
    [InlineData(13)]
    [InlineData(21)]
    public void EveryKindRunsAtTheOldestAndNewestOpset(int opset)
    {
        manual_seed(2);
        var fast = new TransformerNet();
        RandomizeNorms(fast, 3);
        using var style = ExportableNetwork.FastStyle(fast);
        using var adain = ExportableNetwork.AdaIn(Vgg.BuiltInNormalised("relu4_1"), new AdaInDecoder());
        using var synthesis = StyleGanExport.Network(Atelier.Tests.StyleGan.InversionTests.TinyGenerator(), StyleGanPart.Synthesis);
        using var unet = ExportableNetwork.Translation(new GeneratorSpec(GeneratorFamily.Unet, 5, 4, 3, 3, NormKind.Batch, true),
            new GeneratorSpec(GeneratorFamily.Unet, 5, 4, 3, 3, NormKind.Batch, true).Build());
        foreach (var network in new[] { style, adain, synthesis, unet })
        {
            var model = OnnxExporter.Build(network, opset);
            Assert.Equal(opset, model.OpsetImport.Single().Version);
            var v = OnnxVerifier.Verify(model.ToByteArray(), network);
            Assert.True(v.Passed, $"{network.Kind} at opset {opset}: {v.MaxRelativeDifference}");
        }
    }

    [Fact]
    public void AnExportThatDisagreesIsNotWritten()
    {
        // Written as ReLU, computed by Atelier as the identity: the verification must fail and leave no file.
        using var network = new ExportableNetwork("test", "test network", [new ExportInput("input", 2, -1f, 1f)], 2, [(8, 8), (6, 10)],
            (g, x) => g.Node("Relu", [x[0]], "relu"), x => x[0].clone());
        using var dir = TestPaths.NewTempDir();
        var result = OnnxExporter.Export(network, dir.File("wrong.onnx"));
        Assert.False(result.Verification.Passed);
        Assert.InRange(result.Verification.MaxRelativeDifference, 0.5, 1.0);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void AModuleWithoutAnOnnxFormIsRefusedByName()
    {
        var net = nn.Sequential(("0", (nn.Module<Tensor, Tensor>)new SafeConv2d(3, 4, 3, padding: 1)), ("1", nn.GELU()));
        using var network = new ExportableNetwork(net, "test", "test network", 3, 4, (0f, 1f), [(8, 8), (8, 12)]);
        var e = Assert.Throws<AtelierException>(() => OnnxExporter.Build(network));
        Assert.Contains("cannot export 1 (GELU)", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void TheOpsetIsCheckedAndWritten()
    {
        using var network = TinyResnet(NormKind.Instance);
        Assert.Equal(13, OnnxExporter.Build(network, 13).OpsetImport.Single().Version);
        var e = Assert.Throws<AtelierUsageException>(() => OnnxExporter.Build(network, 9));
        Assert.Contains("Opset 9: Atelier writes opsets 13 to 21", e.Message);
    }

    [Fact]
    public void TheCliExportsAFastStyleCheckpointAndReportsTheFigures()
    {
        using var dir = TestPaths.NewTempDir();
        manual_seed(21);
        using (var net = new TransformerNet())
        {
            RandomizeNorms(net, 8);
            SafeTensors.Save(dir.File("model.safetensors"), net.state_dict());
        }
        var output = dir.File("model.onnx");
        var r = CliHarness.Run("export", "onnx", "--checkpoint", dir.File("model.safetensors"), "-o", output, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        var root = json.RootElement;
        Assert.Equal("fast-style", root.GetProperty("kind").GetString());
        Assert.Equal(17, root.GetProperty("opset").GetInt32());
        var sizes = root.GetProperty("verification").GetProperty("sizes");
        Assert.Equal(2, sizes.GetArrayLength());
        foreach (var s in sizes.EnumerateArray()) Assert.InRange(s.GetProperty("maxRelativeDifference").GetDouble(), 0, 1e-4);
        Assert.True(root.GetProperty("verification").GetProperty("passed").GetBoolean());
        // The file is a model ONNX Runtime loads, with no temporary left beside it.
        using (var session = new InferenceSession(output)) Assert.Equal("input", session.InputMetadata.Keys.Single());
        Assert.Equal(["model.onnx", "model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void TheCliExportsAShippedModelByName()
    {
        using var dir = TestPaths.NewTempDir();
        var r = CliHarness.Run("export", "onnx", "-c", "candy", "-o", dir.File("candy.onnx"), "--opset", "13");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("fast-style TransformerNet, opset 13", r.Out);
        Assert.Contains("48x80 batch 2", r.Out);
        Assert.True(new FileInfo(dir.File("candy.onnx")).Length > 1_000_000);
    }

    [Fact]
    public void TheCliExportsAStyleGanGeneratorsTwoParts()
    {
        using var dir = TestPaths.NewTempDir();
        using (var g = Atelier.Tests.StyleGan.InversionTests.TinyGenerator())
            SafeTensors.Save(dir.File("g.safetensors"), g.state_dict());
        var r = CliHarness.Run("export", "onnx", "-c", dir.File("g.safetensors"), "-o", dir.File("mapping.onnx"), "--part", "mapping");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("StyleGAN2 mapping network", r.Out);
        Assert.Contains("dynamic axes: batch\n", r.Out.ReplaceLineEndings("\n"));
        Assert.Contains("batch 3", r.Out);
        r = CliHarness.Run("export", "onnx", "-c", dir.File("g.safetensors"), "-o", dir.File("synthesis.onnx"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        Assert.Equal("stylegan2-synthesis", json.RootElement.GetProperty("kind").GetString());
        using (var session = new InferenceSession(dir.File("synthesis.onnx")))
            Assert.Equal([-1, 6, 16], session.InputMetadata["wplus"].Dimensions);
        r = CliHarness.Run("export", "onnx", "-c", dir.File("g.safetensors"), "-o", dir.File("x.onnx"), "--part", "discriminator");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--part discriminator: expected synthesis or mapping", r.Err);
    }

    [Fact]
    public void TheCliExportsACycleGanGeneratorAndRefusesWhatItCannotExport()
    {
        using var dir = TestPaths.NewTempDir();
        manual_seed(3);
        using (var g = new GeneratorSpec(GeneratorFamily.Resnet, 2, 4, 3, 3, NormKind.Instance, false).Build())
        {
            RandomizeNorms(g, 5);
            SafeTensors.Save(dir.File("G.safetensors"), g.state_dict());
        }
        var r = CliHarness.Run("export", "onnx", "-c", dir.File("G.safetensors"), "-o", dir.File("g.onnx"));
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("resnet_2blocks generator", r.Out);
        Assert.Contains("max relative", r.Out);
        Assert.True(File.Exists(dir.File("g.onnx")));

        // A checkpoint of a network Atelier does not export: one line naming the file and what it holds.
        SafeTensors.Save(dir.File("other.safetensors"), new Dictionary<string, Tensor> { ["1.weight"] = zeros(2, 2) });
        r = CliHarness.Run("export", "onnx", "-c", dir.File("other.safetensors"), "-o", dir.File("other.onnx"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("other.safetensors", r.Err);
        Assert.Contains("exports fast-style networks, pix2pix/CycleGAN generators, AdaIN decoders and StyleGAN2 generators", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("other.onnx")));

        r = CliHarness.Run("export", "onnx", "-c", dir.File("G.safetensors"), "-o", dir.File("g.bin"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--output", r.Err);
        r = CliHarness.Run("export", "onnx", "-c", dir.File("G.safetensors"), "-o", dir.File("g2.onnx"), "--opset", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--opset 5", r.Err);
    }
}
