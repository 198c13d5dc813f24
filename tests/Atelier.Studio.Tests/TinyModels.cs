using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using Atelier.Translation;
using static TorchSharp.torch;

namespace Atelier.Studio.Tests;

/// <summary>
/// Random-weight checkpoints in the layouts the library loads, small enough that the model panels run in a
/// fraction of a second: what a models folder holds, without downloads (weights fixed by the seed).
/// </summary>
static class TinyModels
{
    /// <summary>A junyanz U-Net generator (unet_32, ngf 4, batch norm), as pix2pix's latest_net_G.pth holds it.</summary>
    public static void SavePix2Pix(string path, long seed = 1) => SaveTranslation(path, GeneratorSpec.Parse("unet_32", ngf: 4), seed);

    /// <summary>A junyanz ResNet generator (2 blocks, ngf 4, instance norm), as CycleGAN's horse2zebra.pth holds it.</summary>
    public static void SaveCycleGan(string path, long seed = 2) =>
        SaveTranslation(path, GeneratorSpec.Parse("resnet_2blocks", ngf: 4, norm: NormKind.Instance), seed);

    static void SaveTranslation(string path, GeneratorSpec spec, long seed)
    {
        manual_seed(seed);
        using var g = spec.Build();
        SafeTensors.Save(path, g.state_dict());
    }

    /// <summary>
    /// A pytorch/examples TransformerNet (its widths are fixed; the images keep it fast). Its last layer is scaled to
    /// the 0..255 range trained networks produce: at the default init every pixel would clamp to black.
    /// </summary>
    public static void SaveFastStyle(string path, long seed = 3)
    {
        manual_seed(seed);
        using var net = new TransformerNet();
        var sd = net.state_dict();
        using (no_grad())
        {
            sd["deconv3.conv2d.weight"].mul_(255);
            sd["deconv3.conv2d.bias"].fill_(128);
        }
        SafeTensors.Save(path, sd);
    }

    /// <summary>
    /// A pytorch-AdaIN relu4_1 decoder (it fits any normalised VGG-19, e.g. the built-in one). Its convolutions are
    /// scaled to He's variance and its output centred on grey, so the picture depends on the features as a trained
    /// decoder's does: at the default init the signal fades through the nine layers and a slider's change would
    /// vanish in the 8-bit rounding.
    /// </summary>
    public static void SaveAdaInDecoder(string path, long seed = 4)
    {
        manual_seed(seed);
        using var decoder = new AdaInDecoder();
        var sd = decoder.state_dict();
        var convs = sd.Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal) && sd[k].dim() == 4).ToList();
        using (no_grad())
        {
            foreach (var k in convs) sd[k].mul_(Math.Sqrt(6)); // PyTorch's default bound gives variance 1/(3 fan_in); He's is 2/fan_in
            sd[convs[^1]].mul_(0.2);
            sd[convs[^1][..^".weight".Length] + ".bias"].fill_(0.5);
        }
        SafeTensors.Save(path, sd);
    }

    /// <summary>Uniform per-pixel noise, PNG-encoded: a style as unlike a smooth content as can be (its features' statistics differ).</summary>
    public static byte[] Noise(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = (float)rng.NextDouble();
        return StudioImages.EncodePng(img);
    }

    /// <summary>A smooth colourful picture (sines per channel), PNG-encoded: an upload with structure.</summary>
    public static byte[] Picture(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        double fx = 0.1 + rng.NextDouble() * 0.3, fy = 0.1 + rng.NextDouble() * 0.3;
        for (int c = 0; c < 3; c++)
        {
            double phase = rng.NextDouble() * 6;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    img[c, y, x] = (float)(0.5 + 0.45 * Math.Sin(fx * x * (c + 1) + fy * y + phase));
        }
        return StudioImages.EncodePng(img);
    }
}
