using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// What an inversion found, kept off the torch heap so it outlives the run (a registered inversion's
/// <see cref="Methods.MethodResult.Artifact"/>): the code in the space it was optimised in, the w+ code its image came
/// from, and the generator file it belongs to (a code means nothing to another generator).
/// </summary>
public sealed record InvertedCode(string Checkpoint, int Size, int StyleDim, LatentSpace Space, long[] LatentShape, float[] Latent, long[] WPlusShape, float[] WPlus)
{
    public static InvertedCode From(string checkpoint, Generator generator, LatentSpace space, Tensor latent, Tensor wplus)
    {
        using var scope = NewDisposeScope();
        var l = latent.detach().cpu().to(float32).contiguous();
        var w = wplus.detach().cpu().to(float32).contiguous();
        return new InvertedCode(checkpoint, generator.Size, generator.StyleDim, space, l.shape, l.data<float>().ToArray(), w.shape, w.data<float>().ToArray());
    }

    /// <summary>The w+ code (1, n_latent, dim) on <paramref name="device"/>.</summary>
    public Tensor WPlusTensor(Device device) => tensor(WPlus).reshape(WPlusShape).to(device);

    /// <summary>Writes the code in its own space as a latent file (<see cref="LatentFile"/>).</summary>
    public void Save(string path)
    {
        using var scope = NewDisposeScope();
        LatentFile.Save(path, tensor(Latent).reshape(LatentShape), Space, Size, StyleDim);
    }

    /// <summary>Whether the code belongs to the generator in <paramref name="checkpoint"/> (the same file).</summary>
    public bool BelongsTo(string checkpoint) => string.Equals(Path.GetFullPath(checkpoint), Path.GetFullPath(Checkpoint), StringComparison.Ordinal);
}
