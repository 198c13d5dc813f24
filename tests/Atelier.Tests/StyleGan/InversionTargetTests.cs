using Atelier.Imaging;
using Atelier.StyleGan;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.StyleGan;

/// <summary>One preparation of inversion targets for every front end: shapes, filters and mask semantics.</summary>
public class InversionTargetTests
{
    [Fact]
    public void Each_task_brings_its_pictures_to_the_observation_the_degradation_expects()
    {
        using var scope = NewDisposeScope();
        var photo = ProceduralSamples.Make("bricks", 64);
        var wide = ImageOps.Crop(ProceduralSamples.Make("bricks", 64), 0, 0, 64, 40);

        var (o, d) = InversionTarget.Prepare(InversionTask.Invert, wide, 16);
        Assert.Equal(new long[] { 1, 3, 16, 16 }, o.shape);
        Assert.Null(d);
        // Centre-cropped, then the antialiased bicubic: what the studio and the CLI both give.
        var expected = ImageTensors.ToTensor(ImageResize.Resize(ImageOps.CenterCrop(wide, 40, 40), 16, 16, ResizeFilter.Bicubic), ValueRange.MinusOneOne);
        Assert.Equal(0, (o - expected).abs().max().item<float>());

        (o, d) = InversionTarget.Prepare(InversionTask.SuperResolution, photo, 16, factor: 4);
        Assert.Equal(new long[] { 1, 3, 4, 4 }, o.shape);
        Assert.Equal("downsample x4", d!.Name);
        var area = ImageTensors.ToTensor(ImageResize.Resize(photo, 4, 4, ResizeFilter.Area), ValueRange.MinusOneOne);
        Assert.Equal(0, (o - area).abs().max().item<float>());
        var e = Assert.Throws<AtelierUsageException>(() => InversionTarget.Prepare(InversionTask.SuperResolution, photo, 16, factor: 3));
        Assert.Contains("Factor", e.Parameters);

        (o, _) = InversionTarget.Prepare(InversionTask.Colorize, photo, 16);
        Assert.Equal(new long[] { 1, 1, 16, 16 }, o.shape);

        // A one-pixel stroke survives the drawing's area average as a grey line.
        var sketch = new Image(64, 64, 3);
        Array.Fill(sketch.Data, 1f);
        for (int y = 0; y < 64; y++) for (int c = 0; c < 3; c++) sketch.Data[c * 64 * 64 + y * 64 + 30] = 0f;
        (o, d) = InversionTarget.Prepare(InversionTask.Sketch, sketch, 16);
        Assert.Equal("edges", d!.Name);
        Assert.InRange(o.min().item<float>(), 0.4f, 0.6f); // 1 - 2 * (1/4) in [-1, 1]: a quarter of the cell was ink
    }

    [Fact]
    public void Inpainting_keeps_what_the_mask_leaves_and_refuses_masks_that_do_not_fit()
    {
        using var scope = NewDisposeScope();
        var photo = ProceduralSamples.Make("bricks", 32);
        var mask = new Image(32, 32, 1);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 16; x++) mask.Data[y * 32 + x] = 1f; // the left half is the hole
        var (o, d) = InversionTarget.Prepare(InversionTask.Inpaint, photo, 16, mask);
        Assert.Equal(new long[] { 1, 3, 16, 16 }, o.shape);
        var observed = d!.Observe(o);
        Assert.Equal(0, observed[.., .., .., ..8].abs().max().item<float>()); // the hole is not looked at
        Assert.Equal(0, (observed[.., .., .., 8..] - o[.., .., .., 8..]).abs().max().item<float>());

        var small = new Image(16, 16, 1);
        Assert.Contains("Mask", Assert.Throws<AtelierUsageException>(() => InversionTarget.Prepare(InversionTask.Inpaint, photo, 16, small)).Parameters);
        Assert.Contains("nothing marks a hole", Assert.Throws<AtelierUsageException>(() => InversionTarget.Prepare(InversionTask.Inpaint, photo, 16, new Image(32, 32, 1))).Message);
    }
}
