using System.Text.Json;
using Atelier.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Checkpoints;

/// <summary>Every real checkpoint in ../shared/parity (written by the reference implementations) loads.</summary>
public class ParityFilesTests
{
    static string ParityDir()
    {
        Skip.If(TestPaths.Shared == null, TestPaths.SharedMissing);
        return Path.Combine(TestPaths.Shared!, "parity");
    }

    [SkippableFact]
    public void EveryParityCheckpointLoadsAndListsItsTensors()
    {
        var dir = ParityDir();
        var files = Directory.GetFiles(dir, "*.pth").Concat(Directory.GetFiles(dir, "*.pt")).OrderBy(f => f).ToList();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            using var ckpt = Checkpoint.Load(f);
            Assert.Equal(CheckpointFormat.TorchZip, ckpt.Format);
            Assert.True(ckpt.Count > 0, f);
            foreach (var (k, t) in ckpt)
            {
                Assert.True(t.is_contiguous(), $"{f} {k}");
                Assert.Equal(DeviceType.CPU, t.device_type);
            }
        }
    }

    [SkippableFact]
    public void StyleGan2FileHasFloat16GEmaFloat32NoiseAndArgs()
    {
        using var ckpt = Checkpoint.Load(Path.Combine(ParityDir(), "stylegan2_g_ema.pt"));
        var g = ckpt.Select("g_ema");
        Assert.Equal(ScalarType.Float16, g["style.1.weight"].dtype);
        Assert.Equal(new long[] { 64, 64 }, g["style.1.weight"].shape);
        // Values as torch.load reads them (printed by /usr/bin/python3, torch 1.13).
        using var style = g["style.1.weight"].to(ScalarType.Float32).flatten();
        Assert.Equal(new[] { -23.671875f, 181.125f, 19.65625f }, style.narrow(0, 0, 3).data<float>().ToArray());
        Assert.Equal(60.46875f, style[-1].item<float>());
        Assert.Equal(5267.7197265625, style.to(ScalarType.Float64).sum().item<double>(), 6);
        using var noise = g["noises.noise_0"].flatten();
        Assert.Equal(new[] { 0.20441709458827972f, 1.2332442998886108f, 0.7806811928749084f }, noise.narrow(0, 0, 3).data<float>().ToArray());
        Assert.Contains(g, kv => kv.Key.StartsWith("noises.noise_", StringComparison.Ordinal) && kv.Value.dtype == ScalarType.Float32);
        var args = Assert.IsType<Dictionary<string, object?>>(ckpt.Value("args"));
        Assert.Equal(8L, args["size"]);
        Assert.Equal(64L, args["latent"]);
        Assert.Equal(2L, args["n_mlp"]);
        Assert.Equal(1L, args["channel_multiplier"]);
        Assert.Equal(8L, ckpt.Value("args.size"));
        Assert.True(ckpt.NonTensorEntries.ContainsKey("args"));
        Assert.False(ckpt.NonTensorEntries.ContainsKey("g_ema"));
    }

    [SkippableFact]
    public void StateDictMetadataIsNotTakenForTensors()
    {
        // PyTorch attaches state_dict._metadata with BUILD; it must not show up as keys.
        using var ckpt = Checkpoint.Load(Path.Combine(ParityDir(), "cyclegan_resnet_6blocks_ngf16_instance.pth"));
        Assert.DoesNotContain(ckpt.Keys, k => k.Contains("_metadata"));
        Assert.Equal(new long[] { 16, 3, 7, 7 }, ckpt["model.1.weight"].shape);
    }

    [SkippableFact]
    public void AdaInExpectedHoldsItsNamedTensors()
    {
        using var ckpt = Checkpoint.Load(Path.Combine(ParityDir(), "adain_expected.pth"));
        Assert.Equal(new long[] { 1, 512, 32, 32 }, ckpt["content_relu4_1"].shape);
        Assert.Equal(new long[] { 1, 3, 256, 256 }, ckpt["stylized_alpha1"].shape);
        Assert.True(ckpt.Count >= 4);
        Assert.All(ckpt.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
    }

    [SkippableFact]
    public void PatchGanBatchNormBuffersLoadIntoATorchSharpModule()
    {
        using var ckpt = Checkpoint.Load(Path.Combine(ParityDir(), "pixelgan_ndf16_batch_6ch.pth"));
        Assert.Equal(ScalarType.Int64, ckpt["net.3.num_batches_tracked"].dtype);
        // junyanz PixelDiscriminator: Conv(6,16,1), LeakyReLU, Conv(16,32,1,bias=False), BatchNorm(32), LeakyReLU, Conv(32,1,1,bias=False)
        using var net = nn.Sequential(
            ("0", nn.Conv2d(6, 16, 1)), ("1", nn.LeakyReLU(0.2)), ("2", nn.Conv2d(16, 32, 1, bias: false)),
            ("3", nn.BatchNorm2d(32)), ("4", nn.LeakyReLU(0.2)), ("5", nn.Conv2d(32, 1, 1, bias: false)));
        var sd = StateDicts.Select(ckpt, "net");
        var report = StateDictLoader.Load(net, sd);
        Assert.True(report.IsComplete);
        var running = net.state_dict()["3.running_var"];
        TensorAssert.BitEqual(ckpt["net.3.running_var"], running, "running_var");
        TensorAssert.BitEqual(ckpt["net.0.weight"], net.state_dict()["0.weight"], "0.weight");
    }
}
