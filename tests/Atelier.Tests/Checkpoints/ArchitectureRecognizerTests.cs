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
}
