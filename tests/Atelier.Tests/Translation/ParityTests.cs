using Atelier.Checkpoints;
using Atelier.Translation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Translation;

/// <summary>
/// Atelier's networks reproduce the reference's outputs (../shared/parity, computed by
/// junyanz/pytorch-CycleGAN-and-pix2pix in eval mode) to 1e-4 relative, loading the reference's .pth files by name.
/// </summary>
public class ParityTests
{
    public static readonly TheoryData<string> Names = new()
    {
        "cyclegan_resnet_6blocks_ngf16_instance", "cyclegan_resnet_9blocks_ngf16_instance",
        "pix2pix_unet_128_ngf8_batch", "pix2pix_unet_256_ngf8_batch",
        "patchgan_n_layers1_ndf16_batch_6ch", "patchgan_n_layers3_ndf16_batch_6ch", "patchgan_n_layers5_ndf16_batch_6ch",
        "pixelgan_ndf16_batch_6ch",
    };

    [SkippableTheory, MemberData(nameof(Names))]
    public void MatchesTheReference(string name)
    {
        var path = TestPaths.Parity(name + ".pth");
        Skip.If(path is null || !File.Exists(path), TestPaths.SharedMissing);
        using var scope = NewDisposeScope();
        var sd = Checkpoint.LoadStateDict(path);
        var expected = Checkpoint.LoadStateDict(TestPaths.Parity(name + "_expected.pth")!);
        // The architecture comes from the file's keys and shapes (the U-Net's dropout leaves no keys; eval mode ignores it).
        nn.Module<Tensor, Tensor> net = name.StartsWith("patchgan") || name.StartsWith("pixelgan")
            ? DiscriminatorSpec.Detect(sd, path).Build()
            : GeneratorSpec.Detect(sd, path).Build();
        object detected = net is UnetGenerator or ResnetGenerator ? GeneratorSpec.Detect(sd, path) : DiscriminatorSpec.Detect(sd, path);
        Assert.Equal(NetworkLayoutTests.SpecFor(name), detected);
        TranslationCheckpoint.LoadInto(net, sd, path);
        net.eval();
        using var noGrad = no_grad();
        var y = net.forward(expected["input"]);
        var want = expected["output"];
        Assert.Equal(want.shape, y.shape);
        double rel = ((y - want).norm() / want.norm()).item<float>();
        double maxAbs = (y - want).abs().max().item<float>();
        Assert.True(rel < 1e-4, $"{name}: relative error {rel:G3} (max abs {maxAbs:G3})");
        Assert.True(maxAbs < 1e-4 * Math.Max(1, want.abs().max().item<float>()), $"{name}: max abs error {maxAbs:G3}");
    }

    [SkippableFact]
    public void TranslatorLoadsTheCheckpointAndKeepsTheInputSize()
    {
        var path = TestPaths.Parity("cyclegan_resnet_6blocks_ngf16_instance.pth");
        Skip.If(path is null || !File.Exists(path), TestPaths.SharedMissing);
        using var scope = NewDisposeScope();
        using var t = Translator.Load(path, evalMode: true);
        Assert.Equal("resnet_6blocks", t.Spec.Name);
        Assert.Equal(NormKind.Instance, t.Spec.Norm);
        Assert.Equal(16, t.Spec.Ngf);
        // An odd size comes back at exactly that size; a multiple of 4 needs no padding and equals a plain forward.
        var x = rand(1, 3, 37, 50) * 2 - 1;
        Assert.Equal(new long[] { 1, 3, 37, 50 }, t.TranslateTensor(x).shape);
        var x4 = x[.., .., ..36, ..48];
        using (no_grad())
            Assert.True(t.TranslateTensor(x4).allclose(t.Generator.forward(x4), 1e-5, 1e-6));
    }
}
