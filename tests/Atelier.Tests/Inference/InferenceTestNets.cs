using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Networks;
using Atelier.Style;
using Atelier.Translation;
using static TorchSharp.torch;

namespace Atelier.Tests.Inference;

/// <summary>Tiny seeded networks and a test picture for the any-size tests.</summary>
internal static class InferenceTestNets
{
    /// <summary>A CycleGAN ResNet generator with instance norm, ngf 8 and 2 blocks (receptive-field radius about 28 px).</summary>
    public static Translator TinyResnet(int seed = 3)
    {
        manual_seed(seed);
        var spec = new GeneratorSpec(GeneratorFamily.Resnet, 2, 8, 3, 3, NormKind.Instance);
        return new Translator(spec, spec.Build(), evalMode: true);
    }

    public static TransformerNet FastStyle(int seed = 5)
    {
        manual_seed(seed);
        var net = new TransformerNet();
        net.eval();
        return net;
    }

    /// <summary>A picture with structure at several scales: a gradient, discs, stripes and a little noise.</summary>
    public static Image Picture(int width, int height, int seed = 1)
    {
        var rng = new Random(seed);
        var img = new Image(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float gx = x / (float)width, gy = y / (float)height;
                bool disc = (x - width * 0.3f) * (x - width * 0.3f) + (y - height * 0.4f) * (y - height * 0.4f) < 0.04f * width * width;
                bool stripe = ((x + 2 * y) / 9) % 2 == 0 && gx > 0.55f;
                img[0, y, x] = Math.Clamp(0.2f + 0.6f * gx + (disc ? 0.3f : 0) + 0.03f * (float)rng.NextDouble(), 0, 1);
                img[1, y, x] = Math.Clamp(0.3f + 0.4f * gy + (stripe ? 0.3f : 0) + 0.03f * (float)rng.NextDouble(), 0, 1);
                img[2, y, x] = Math.Clamp(0.7f - 0.5f * gx * gy + (disc ? -0.4f : 0) + 0.03f * (float)rng.NextDouble(), 0, 1);
            }
        return img;
    }

    /// <summary>
    /// A smooth, statistics-dependent network: a 9x9 box blur, instance norm, sigmoid. Its output is smooth, so any
    /// seam (a jump where tiles meet) stands out in the gradient measure.
    /// </summary>
    public sealed class SmoothNormNet : IImageNetwork
    {
        readonly SharedInstanceNorm _norm = new(3, affine: false);
        public string Name => "a blur-and-normalise test network";
        public int Multiple => 4;
        public int Overlap => 16;
        public long BytesPerPixel => 100;
        public bool UsesStatistics => true;
        public int OutputChannels => 3;
        public Image PrepareInput(Image image) => image;
        public Tensor Forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var padded = ReflectPadding.ReflectPad(x, 4, 4, 4, 4);
            var blurred = nn.functional.avg_pool2d(padded, 9, stride: 1);
            return (_norm.forward(blurred) * 0.5).sigmoid().MoveToOuterDisposeScope();
        }
    }
}
