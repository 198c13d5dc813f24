using Atelier.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Checkpoints;

/// <summary>
/// Files written by torch.save (tests/fixtures/make_checkpoints.py) against the same tensors written
/// independently as NAME.expected.safetensors: every value must match bit for bit.
/// </summary>
public class CheckpointFixtureTests
{
    static string F(string name) => TestPaths.Fixture("checkpoints", name);

    [Theory]
    [InlineData("dtypes.pth", CheckpointFormat.TorchZip)]
    [InlineData("dtypes_protocol4.pth", CheckpointFormat.TorchZip)]
    [InlineData("views.pth", CheckpointFormat.TorchZip)]
    [InlineData("nested_state_dict.pth", CheckpointFormat.TorchZip)]
    [InlineData("module_prefix.pth", CheckpointFormat.TorchZip)]
    [InlineData("gan_namespace.pt", CheckpointFormat.TorchZip)]
    [InlineData("legacy.pth", CheckpointFormat.TorchLegacy)]
    public void TensorsMatchWhatPyTorchWroteBitForBit(string file, CheckpointFormat format)
    {
        using var ckpt = Checkpoint.Load(F(file));
        using var expected = SafeTensors.Load(F(file + ".expected.safetensors"));
        Assert.Equal(format, ckpt.Format);
        Assert.Equal(expected.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal), ckpt.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (k, e) in expected.Tensors)
        {
            TensorAssert.BitEqual(e, ckpt[k], $"{file}:{k}");
            Assert.True(ckpt[k].is_contiguous());
        }
    }

    [Theory]
    [InlineData("checkpoints", "dtypes.pth")]
    [InlineData("checkpoints", "views.pth")]
    [InlineData("checkpoints", "nested_state_dict.pth")]
    [InlineData("checkpoints", "gan_namespace.pt")]
    [InlineData("checkpoints", "legacy.pth")]
    [InlineData("checkpoints", "dtypes.pth.expected.safetensors")]
    [InlineData("nvlabs", "sg2ada_tiny.pkl")]
    public void HeadersAloneGiveWhatLoadingGives(string folder, string file)
    {
        // Names, shapes, dtypes, plain entries and the recognised architecture, with no tensor data read.
        var path = TestPaths.Fixture(folder, file);
        using var ckpt = Checkpoint.Load(path);
        var headers = Checkpoint.ReadHeaders(path);
        Assert.Equal(ckpt.Format, headers.Format);
        Assert.Equal(ckpt.Keys, headers.Tensors.Keys);
        foreach (var (k, t) in ckpt.StateDict)
        {
            Assert.Equal(t.shape, headers.Tensors[k].Shape);
            Assert.Equal(t.dtype, headers.Tensors[k].DType);
            Assert.Equal(t.numel(), headers.Tensors[k].Numel);
        }
        Assert.Equal(ckpt.Metadata, headers.Metadata);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(ckpt.NonTensorEntries), System.Text.Json.JsonSerializer.Serialize(headers.NonTensorEntries));
        Assert.Equal(ArchitectureRecognizer.Identify(ckpt).Description, headers.Identify().Description);
    }

    [Fact]
    public void EveryDTypeComesOutWithItsTorchDType()
    {
        using var ckpt = Checkpoint.Load(F("dtypes.pth"));
        Assert.Equal(ScalarType.Float32, ckpt["f32"].dtype);
        Assert.Equal(ScalarType.Float16, ckpt["f16"].dtype);
        Assert.Equal(ScalarType.BFloat16, ckpt["bf16"].dtype);
        Assert.Equal(ScalarType.Float64, ckpt["f64"].dtype);
        Assert.Equal(ScalarType.Int64, ckpt["i64"].dtype);
        Assert.Equal(ScalarType.Int32, ckpt["i32"].dtype);
        Assert.Equal(ScalarType.Byte, ckpt["u8"].dtype);
        Assert.Equal(ScalarType.Bool, ckpt["bool"].dtype);
        Assert.Equal(1L << 62, ckpt["i64"][4].item<long>());
        Assert.Empty(ckpt["scalar"].shape);
        Assert.Equal(2.5f, ckpt["scalar"].item<float>());
        Assert.Equal(new long[] { 0, 4 }, ckpt["empty"].shape);
    }

    [Fact]
    public void ViewsReadTheirOwnElements()
    {
        using var ckpt = Checkpoint.Load(F("views.pth"));
        // base = arange(24).reshape(4, 6): slice [1:3, 2:5] starts at element 8.
        Assert.Equal(new[] { 8f, 9f, 10f, 14f, 15f, 16f }, ckpt["slice"].data<float>().ToArray());
        Assert.Equal(new[] { 1f, 7f, 13f, 19f }, ckpt["column"].data<float>().ToArray());
        Assert.Equal(new long[] { 6, 4 }, ckpt["transposed"].shape);
        Assert.Equal(6f, ckpt["transposed"][0, 1].item<float>());
        Assert.Equal(new[] { 1.5f, -2f, 3.25f, 1.5f, -2f, 3.25f }, ckpt["expanded"].data<float>().ToArray());
    }

    [Fact]
    public void NestedDictsFlattenAndPlainValuesStayReadable()
    {
        using var ckpt = Checkpoint.Load(F("nested_state_dict.pth"));
        Assert.Equal(7L, ckpt.Value("epoch"));
        Assert.Equal(0.125, ckpt.Value("best_loss"));
        Assert.Equal("tiny", ckpt.Value("name"));
        Assert.Equal(new long[] { 3, 2, 3, 3 }, ckpt["state_dict.conv.weight"].shape);
        Assert.Equal(new long[] { 2, 2 }, ckpt["param"].shape); // an nn.Parameter
        var sd = ckpt.Select("state_dict");
        Assert.Contains("bn.running_mean", sd.Keys);
        Assert.Equal(5L, sd["bn.num_batches_tracked"].item<long>());
        Assert.Equal(new[] { "best_loss", "epoch", "name" }, ckpt.NonTensorEntries.Keys.OrderBy(k => k));
        var e = Assert.Throws<AtelierException>(() => ckpt.Select("model"));
        Assert.Contains("state_dict", e.Message);
    }

    [Fact]
    public void GanCheckpointGivesSubDictsAndNamespaceArgs()
    {
        using var ckpt = Checkpoint.Load(F("gan_namespace.pt"));
        var gEma = ckpt.Select("g_ema");
        Assert.Equal(ScalarType.Float16, gEma["conv.weight"].dtype);
        Assert.Equal(ScalarType.Int64, gEma["bn.num_batches_tracked"].dtype);
        var args = Assert.IsType<Dictionary<string, object?>>(ckpt.Value("args"));
        Assert.Equal(8L, args["size"]);
        Assert.Equal(0.002, args["lr"]);
        Assert.Equal("ffhq", args["name"]);
        Assert.Equal(true, args["augment"]);
        // "g" and "d" were the same state dict object in Python: both names resolve, to equal tensors.
        TensorAssert.BitEqual(ckpt["g.fc.weight"], ckpt["d.fc.weight"]);
    }

    sealed class Tiny : nn.Module<Tensor, Tensor>
    {
        public Conv2d conv = nn.Conv2d(2, 3, 3);
        public BatchNorm2d bn = nn.BatchNorm2d(3);
        public Linear fc = nn.Linear(3, 2);
        public Tiny() : base("Tiny") => RegisterComponents();
        public override Tensor forward(Tensor x) => fc.forward(bn.forward(conv.forward(x)).mean([2, 3]));
    }

    [Fact]
    public void LoaderStripsModulePrefixAndCopiesBuffers()
    {
        using var ckpt = Checkpoint.Load(F("module_prefix.pth"));
        Assert.All(ckpt.Keys, k => Assert.StartsWith("module.", k));
        using var tiny = new Tiny();
        var report = StateDictLoader.Load(tiny, ckpt);
        Assert.True(report.IsComplete);
        Assert.Equal(ckpt.Count, report.Loaded.Count);
        TensorAssert.BitEqual(ckpt["module.bn.running_var"], tiny.bn.running_var!);
        TensorAssert.BitEqual(ckpt["module.conv.weight"], tiny.conv.weight!);
        Assert.Equal(5L, tiny.bn.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void LoaderConvertsFloat16FileIntoFloat32Module()
    {
        using var ckpt = Checkpoint.Load(F("gan_namespace.pt"));
        using var tiny = new Tiny();
        StateDictLoader.Load(tiny, ckpt.Select("g_ema"));
        Assert.Equal(ScalarType.Float32, tiny.conv.weight!.dtype);
        TensorAssert.BitEqual(ckpt["g_ema.conv.weight"].to(ScalarType.Float32), tiny.conv.weight!);
        Assert.False(tiny.conv.weight!.requires_grad == false); // still a trainable parameter
    }

    [Fact]
    public void StrictLoaderListsMissingUnexpectedAndMisShapedKeysAndCopiesNothing()
    {
        using var ckpt = Checkpoint.Load(F("nested_state_dict.pth"));
        var sd = new Dictionary<string, Tensor>(ckpt.Select("state_dict"));
        sd.Remove("fc.bias");
        sd["extra.weight"] = torch.zeros(1);
        sd["fc.weight"] = torch.zeros(5, 5);
        using var tiny = new Tiny();
        using var before = tiny.conv.weight!.clone();
        var e = Assert.Throws<AtelierException>(() => StateDictLoader.Load(tiny, sd));
        Assert.Contains("fc.bias", e.Message);
        Assert.Contains("extra.weight", e.Message);
        Assert.Contains("fc.weight: module [2, 3] vs file [5, 5]", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        TensorAssert.BitEqual(before, tiny.conv.weight!); // nothing half-loaded

        var report = StateDictLoader.Load(tiny, sd, strict: false);
        Assert.Equal(["fc.bias"], report.Missing);
        Assert.Equal(["extra.weight"], report.Unexpected);
        Assert.Single(report.Mismatched);
        TensorAssert.BitEqual(ckpt["state_dict.conv.weight"], tiny.conv.weight!);

        var ignoring = StateDictLoader.Load(tiny, sd, strict: false, ignore: k => k.StartsWith("extra.") || k == "fc.bias");
        Assert.Empty(ignoring.Unexpected);
        Assert.Empty(ignoring.Missing);
        Assert.Contains("extra.weight", ignoring.Ignored);
    }
}
