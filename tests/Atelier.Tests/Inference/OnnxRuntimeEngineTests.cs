using Atelier.Inference;
using Atelier.Onnx.Export;
using Atelier.Style;
using Atelier.Tests.Imaging;
using Xunit;

namespace Atelier.Tests.Inference;

/// <summary>The ONNX Runtime engine: the same pictures as Atelier's layers, and tiles that share statistics left to those layers.</summary>
public class OnnxRuntimeEngineTests
{
    [Fact]
    public void AFastStyleNetworkInOnnxRuntimeGivesAteliersPictureAtAnySize()
    {
        using var net = InferenceTestNets.FastStyle();
        var torchNetwork = new FastStyleNetwork(net);
        using var session = new OnnxRuntimeSession(ExportableNetwork.FastStyle(net));
        var ort = new OnnxRuntimeImageNetwork(torchNetwork, session, x => x * 255.0, y => y.clamp(0, 255).div_(255.0));
        foreach (var (w, h) in new[] { (64, 48), (57, 41) }) // a multiple of 4, and one padded by reflection
        {
            var image = InferenceTestNets.Picture(w, h);
            var expected = TiledInference.Run(image, torchNetwork);
            var actual = TiledInference.Run(image, ort);
            Assert.Equal((w, h), (actual.Width, actual.Height));
            Assert.True(TestImages.MaxAbsDiff(expected, actual) < 1e-4, $"{w}x{h}: max diff {TestImages.MaxAbsDiff(expected, actual)}");
            Assert.True(TestImages.MeanAbsDiff(expected, InferenceTestNets.Picture(w, h)) > 0.05, "the network should change the picture");
        }
        Assert.Equal(2, session.Passes);

        // Tiles that share instance-norm statistics need Atelier's layers, which carry them: the same picture, no session pass.
        var big = InferenceTestNets.Picture(200, 168);
        var tiling = new TilingOptions { TileSize = 136, Overlap = 64 };
        Assert.True(TilePlan.Create(200, 168, 3, torchNetwork, tiling).Tiled);
        var tiledTorch = TiledInference.Run(big, torchNetwork, tiling);
        var tiledOrt = TiledInference.Run(big, ort, tiling);
        Assert.Equal(tiledTorch.Data, tiledOrt.Data);
        Assert.Equal(2, session.Passes);
    }

    [Fact]
    public void EngineNamesParseAndABadOneNamesTheOption()
    {
        Assert.Equal(InferenceEngine.Torch, InferenceEngines.Parse("torch"));
        Assert.Equal(InferenceEngine.OnnxRuntime, InferenceEngines.Parse("OnnxRuntime"));
        var e = Assert.Throws<AtelierUsageException>(() => InferenceEngines.Parse("tensorrt"));
        Assert.Contains("Engine tensorrt: expected torch or onnxruntime", e.Message);
    }
}
