using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>Image2StyleGAN's edits as arithmetic on latent codes (w or w+).</summary>
public static class LatentEdits
{
    /// <summary>Morphing: w = l w1 + (1 - l) w2 (l = 1 gives w1).</summary>
    public static Tensor Morph(Tensor w1, Tensor w2, double lambda) => lambda * w1 + (1 - lambda) * w2;

    /// <summary>The morph at <paramref name="frames"/> evenly spaced l from 1 (w1) to 0 (w2), stacked on the batch axis.</summary>
    public static Tensor MorphSequence(Tensor w1, Tensor w2, int frames)
    {
        if (frames < 2) throw new AtelierUsageException($"a morph needs at least 2 frames, got {frames}");
        using var scope = NewDisposeScope();
        var steps = Enumerable.Range(0, frames).Select(i => Morph(w1, w2, 1 - (double)i / (frames - 1))).ToArray();
        return cat(steps, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Layer crossover: latents before <paramref name="split"/> (the coarse, shallow layers) from
    /// <paramref name="shallow"/>, the rest from <paramref name="deep"/>.
    /// </summary>
    public static Tensor Crossover(Generator generator, Tensor shallow, Tensor deep, int split)
    {
        if (split < 0 || split > generator.NLatent)
            throw new AtelierUsageException($"{{Split}} {split} is out of range: this generator has {generator.NLatent} latents (0..{generator.NLatent})");
        return generator.Mix(shallow, deep, split);
    }

    /// <summary>Expression transfer: w1 + lambda (w3 - w2), moving w1 by the difference from w2 (neutral) to w3 (expressive).</summary>
    public static Tensor Expression(Tensor w1, Tensor w2, Tensor w3, double lambda) => w1 + lambda * (w3 - w2);
}
