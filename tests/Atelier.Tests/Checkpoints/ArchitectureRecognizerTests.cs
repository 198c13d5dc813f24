using Atelier.Checkpoints;
using Xunit;

namespace Atelier.Tests.Checkpoints;

public class ArchitectureRecognizerTests
{
    [SkippableTheory]
    [InlineData("stylegan2_g_ema.pt", "rosinality StyleGAN2 generator (size 8, style_dim 64, n_mlp 2) in 'g_ema'")]
    [InlineData("fast_style_transformer.pth", "pytorch/examples fast_neural_style TransformerNet (with stale InstanceNorm running stats)")]
    [InlineData("adain_decoder.pth", "naoto0804 AdaIN decoder")]
    [InlineData("adain_vgg_normalised_relu4_1.pth", "normalised VGG-19 (through relu4_1)")]
    [InlineData("cyclegan_resnet_9blocks_ngf16_instance.pth", "junyanz ResNet generator (9 blocks, ngf 16, instance norm)")]
    [InlineData("cyclegan_resnet_6blocks_ngf16_instance.pth", "junyanz ResNet generator (6 blocks, ngf 16, instance norm)")]
    [InlineData("pix2pix_unet_256_ngf8_batch.pth", "junyanz U-Net 256 (ngf 8, batch norm)")]
    [InlineData("pix2pix_unet_128_ngf8_batch.pth", "junyanz U-Net 128 (ngf 8, batch norm)")]
    [InlineData("patchgan_n_layers3_ndf16_batch_6ch.pth", "junyanz PatchGAN (n_layers 3, ndf 16)")]
    [InlineData("patchgan_n_layers1_ndf16_batch_6ch.pth", "junyanz PatchGAN (n_layers 1, ndf 16)")]
    [InlineData("patchgan_n_layers5_ndf16_batch_6ch.pth", "junyanz PatchGAN (n_layers 5, ndf 16)")]
    [InlineData("pixelgan_ndf16_batch_6ch.pth", "junyanz PixelGAN (ndf 16)")]
    [InlineData("adain_expected.pth", "unknown")]
    public void RecognisesTheReferenceLayouts(string file, string expected)
    {
        Skip.If(TestPaths.Shared == null, TestPaths.SharedMissing);
        using var ckpt = Checkpoint.Load(Path.Combine(TestPaths.Shared!, "parity", file));
        Assert.Equal(expected, ArchitectureRecognizer.Recognize(ckpt));
    }

    [Fact]
    public void AtelierMetadataAndTorchvisionKeysAreRecognised()
    {
        var md = ModelMetadata.Create("fast-style", new { blocks = 5 });
        Assert.Equal("Atelier model fast-style", ArchitectureRecognizer.Recognize(new Dictionary<string, long[]>(), md));

        var vgg = new Dictionary<string, long[]>();
        int[] convs = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34];
        foreach (var i in convs) vgg[$"features.{i}.weight"] = i == 0 ? [64, 3, 3, 3] : [64, 64, 3, 3];
        vgg["classifier.0.weight"] = [4096, 25088];
        Assert.Equal("torchvision VGG-19", ArchitectureRecognizer.Recognize(vgg));
        var dp = vgg.ToDictionary(kv => "module." + kv.Key, kv => kv.Value);
        Assert.Equal("torchvision VGG-19", ArchitectureRecognizer.Recognize(dp));
        Assert.Equal("unknown", ArchitectureRecognizer.Recognize(new Dictionary<string, long[]> { ["x"] = [1] }));
    }

    [Fact]
    public void TheStructuredResultNamesKindParametersAndTrainingRuns()
    {
        // A StyleGAN2 generator alone (g_ema) and in a training checkpoint beside its discriminator.
        Dictionary<string, long[]> Gen(string prefix) => new()
        {
            [prefix + "style.1.weight"] = [16, 16], [prefix + "style.2.weight"] = [16, 16], [prefix + "input.input"] = [1, 8, 4, 4],
            [prefix + "conv1.conv.weight"] = [1, 8, 8, 3, 3], [prefix + "to_rgbs.0.conv.weight"] = [1, 3, 8, 1, 1],
            [prefix + "to_rgbs.1.conv.weight"] = [1, 3, 8, 1, 1],
        };
        var bare = ArchitectureRecognizer.Identify(Gen(""));
        Assert.Equal(ArchitectureKind.StyleGan2Generator, bare.Kind);
        Assert.Equal("stylegan2-generator", bare.KindId);
        Assert.Equal(16L, bare.Parameters["size"]);
        Assert.Equal(2, bare.Parameters["n_mlp"]);
        Assert.True(bare.IsStyleGanGenerator);
        var ema = ArchitectureRecognizer.Identify(Gen("g_ema."));
        Assert.Equal((ArchitectureKind.StyleGan2Generator, "g_ema"), (ema.Kind, ema.Prefix));
        var run = Gen("g_ema.").Concat(Gen("g.")).ToDictionary();
        run["d.convs.0.0.weight"] = [8, 3, 1, 1];
        run["d.final_linear.0.weight"] = [8, 128];
        run["d.final_conv.0.weight"] = [8, 9, 3, 3];
        var sg = ArchitectureRecognizer.Identify(run);
        Assert.Equal((ArchitectureKind.StyleGan2Run, "g_ema"), (sg.Kind, sg.Prefix));
        Assert.True(sg.IsStyleGanGenerator);

        // CycleGAN and pix2pix runs (Atelier's trainers: G_A/G_B/D_A/D_B, G/D).
        Dictionary<string, long[]> Resnet(string prefix) => new()
        {
            [prefix + "model.1.weight"] = [16, 3, 7, 7], [prefix + "model.10.conv_block.1.weight"] = [64, 64, 3, 3],
            [prefix + "model.11.conv_block.1.weight"] = [64, 64, 3, 3],
        };
        var patch = new Dictionary<string, long[]> { ["model.0.weight"] = [16, 6, 4, 4], ["model.2.weight"] = [32, 16, 4, 4], ["model.5.weight"] = [1, 32, 4, 4] };
        var cycle = Resnet("G_A.").Concat(Resnet("G_B.")).Concat(patch.ToDictionary(kv => "D_A." + kv.Key, kv => kv.Value)).ToDictionary();
        var c = ArchitectureRecognizer.Identify(cycle);
        Assert.Equal(ArchitectureKind.CycleGanRun, c.Kind);
        Assert.Equal(2, c.Parameters["blocks"]);
        Assert.StartsWith("CycleGAN run: junyanz ResNet generator (2 blocks, ngf 16", c.Description);
        var pix = Resnet("G.").Concat(patch.ToDictionary(kv => "D." + kv.Key, kv => kv.Value)).ToDictionary();
        Assert.Equal(ArchitectureKind.Pix2PixRun, ArchitectureRecognizer.Identify(pix).Kind);
        Assert.True(ArchitectureRecognizer.Identify(pix).IsTranslationGenerator);
        Assert.Equal(ArchitectureKind.ResnetGenerator, ArchitectureRecognizer.Identify(Resnet("")).Kind);
        Assert.Equal(ArchitectureKind.PatchGan, ArchitectureRecognizer.Identify(patch).Kind);

        // A fast-style run checkpoint (net. + optimiser state, metadata kind) and the AdaIN decoder run.
        var net = new Dictionary<string, long[]>
        {
            ["net.conv1.conv2d.weight"] = [32, 3, 9, 9], ["net.res1.conv1.conv2d.weight"] = [128, 128, 3, 3], ["net.deconv1.conv2d.weight"] = [64, 128, 3, 3],
            ["adam.exp_avg.0"] = [32, 3, 9, 9],
        };
        var fs = ArchitectureRecognizer.Identify(net, new Dictionary<string, string> { ["kind"] = "fast-style" });
        Assert.Equal((ArchitectureKind.FastStyleRun, "net"), (fs.Kind, fs.Prefix));
        var dec = new Dictionary<string, long[]> { ["decoder.1.weight"] = [256, 512, 3, 3], ["decoder.28.weight"] = [3, 64, 3, 3] };
        Assert.Equal(ArchitectureKind.AdaInDecoderRun, ArchitectureRecognizer.Identify(dec, new Dictionary<string, string> { ["kind"] = "adain-decoder" }).Kind);
        Assert.Equal(ArchitectureKind.AdaInDecoder, ArchitectureRecognizer.Identify(dec.ToDictionary(kv => kv.Key[8..], kv => kv.Value)).Kind);

        // Atelier's mirror decoder (adain train on the ResNet-18), alone and in its run; a convolution stack that does not end in RGB is not one.
        using (var mirror = Atelier.Style.AdaInDecoder.Mirror(128, 3, "layer2.1", "resnet18"))
        {
            var shapes = mirror.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
            var m = ArchitectureRecognizer.Identify(shapes);
            Assert.Equal((ArchitectureKind.AdaInDecoder, 128L), (m.Kind, (long)m.Parameters["from_channels"]));
            Assert.StartsWith("Atelier AdaIN decoder (", m.Description);
            var decoderRun = shapes.ToDictionary(kv => "decoder." + kv.Key, kv => kv.Value);
            decoderRun["adam.exp_avg.0"] = [1];
            Assert.Equal((ArchitectureKind.AdaInDecoderRun, "decoder"), (ArchitectureRecognizer.Identify(decoderRun).Kind, ArchitectureRecognizer.Identify(decoderRun).Prefix));
            var notRgb = shapes.Where(kv => kv.Value[0] != 3).ToDictionary();
            Assert.NotEqual(ArchitectureKind.AdaInDecoder, ArchitectureRecognizer.Identify(notRgb).Kind);
        }

        // VGG kinds, and nothing known.
        var vgg = new Dictionary<string, long[]> { ["features.0.weight"] = [64, 3, 3, 3] };
        Assert.Equal(ArchitectureKind.VggTorchvision, ArchitectureRecognizer.Identify(vgg).Kind);
        var norm = new Dictionary<string, long[]> { ["0.weight"] = [3, 3, 1, 1], ["2.weight"] = [64, 3, 3, 3], ["29.weight"] = [512, 256, 3, 3] };
        var n = ArchitectureRecognizer.Identify(norm);
        Assert.Equal((ArchitectureKind.VggNormalised, "relu4_1"), (n.Kind, n.Parameters["through"]));
        Assert.Same(RecognizedArchitecture.Unknown, ArchitectureRecognizer.Identify(new Dictionary<string, long[]> { ["x"] = [1] }));
        Assert.Equal(ArchitectureKind.AtelierModel, ArchitectureRecognizer.Identify(new Dictionary<string, long[]>(), ModelMetadata.Create("fast-style", new { })).Kind);
    }
}
