using Atelier.Checkpoints;
using Atelier.Models;
using Atelier.Style;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Models;

/// <summary>Shipped models are found by folder, named by it, and load from float16 files as float32 networks.</summary>
public class ShippedModelsTests
{
    [Fact]
    public void ModelsAreFoldersHoldingModelSafetensorsAndLoadFromHalfPrecision()
    {
        using var dir = TestPaths.NewTempDir();
        var folder = Directory.CreateDirectory(dir.File("fast-style-test")).FullName;
        Directory.CreateDirectory(dir.File("resnet18")); // the built-in network's folder holds no model.safetensors
        manual_seed(3);
        using var net = new TransformerNet();
        var half = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float16));
        SafeTensors.Save(Path.Combine(folder, ShippedModels.ModelFileName), half, new Dictionary<string, string> { ["architecture"] = "fast_neural_style.TransformerNet" });
        File.WriteAllText(Path.Combine(folder, "card.md"), "# test");

        var found = Assert.Single(ShippedModels.In(dir.Path));
        Assert.Equal("fast-style-test", found.Name);
        Assert.EndsWith("card.md", found.CardPath);
        using var loaded = FastStyle.LoadModel(found.Path);
        var expected = net.state_dict();
        foreach (var (k, v) in loaded.state_dict())
        {
            Assert.Equal(ScalarType.Float32, v.dtype);
            Assert.True(v.allclose(expected[k], rtol: 1e-3, atol: 1e-3), $"{k} differs after the float16 round trip");
        }
    }

    [Fact]
    public void NamesResolveToFilesAndPathsStayAsGiven()
    {
        // Whatever ships with this build: each name (with or without its kind's prefix) resolves to its file.
        Assert.NotEmpty(ShippedModels.All());
        foreach (var m in ShippedModels.All())
        {
            Assert.Equal(m.Path, ModelResolver.Resolve(m.Name, ModelUse.Any));
            if (m.Name.StartsWith("fast-style-")) Assert.Equal(m.Path, ModelResolver.Resolve(m.Name["fast-style-".Length..], ModelUse.FastStyle));
        }
        Assert.Equal("no-such-model", ModelResolver.Resolve("no-such-model", ModelUse.FastStyle));
        Assert.Equal("dir/candy", ModelResolver.Resolve("dir/candy", ModelUse.FastStyle));
    }

    /// <summary>`checkpoint convert --half` is how a trained model becomes a shipped one: float32 weights stored as float16.</summary>
    [Fact]
    public void ConvertHalfStoresFloat32TensorsAsFloat16()
    {
        using var dir = TestPaths.NewTempDir();
        manual_seed(4);
        using var net = new TransformerNet();
        SafeTensors.Save(dir.File("full.safetensors"), net.state_dict(), new Dictionary<string, string> { ["architecture"] = "fast_neural_style.TransformerNet" });
        var r = Cli.CliHarness.Run("checkpoint", "convert", dir.File("full.safetensors"), dir.File("half.safetensors"), "--half");
        Assert.True(r.ExitCode == 0, r.Err);
        using var file = Checkpoint.Load(dir.File("half.safetensors"));
        Assert.All(file.StateDict.Values, t => Assert.Equal(ScalarType.Float16, t.dtype));
        Assert.Equal("fast_neural_style.TransformerNet", file.Metadata["architecture"]);
        Assert.InRange(new FileInfo(dir.File("half.safetensors")).Length, new FileInfo(dir.File("full.safetensors")).Length * 0.45, new FileInfo(dir.File("full.safetensors")).Length * 0.55);
    }
}
