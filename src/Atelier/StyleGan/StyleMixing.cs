using Atelier.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// The StyleGAN style-mixing figure: each cell takes its layers in <see cref="LayerRange"/> from a column seed and
/// the rest from a row seed. The grid has the column seeds' images on the top row and the row seeds' images in
/// the left column.
/// </summary>
public static class StyleMixing
{
    /// <summary>
    /// Parses coarse (4-8 px), middle (16-32 px), fine (64 px and up) or an index range "i-j" (inclusive) into
    /// latent indices for <paramref name="config"/>. A usage error names <paramref name="parameter"/> (a library name).
    /// </summary>
    public static (int First, int Last) LayerRange(string text, GeneratorConfig config, string parameter = "Layers")
    {
        var t = text.Trim().ToLowerInvariant();
        (int, int) range = t switch
        {
            "coarse" => config.LatentRange(4, 8),
            "middle" when config.Size >= 16 => config.LatentRange(16, Math.Min(32, config.Size)),
            "fine" when config.Size >= 64 => config.LatentRange(64, config.Size),
            "middle" or "fine" => throw new AtelierUsageException($"{{{parameter}}} {text}: a {config.Size} px generator has no {t} layers (coarse 4-8 px, middle 16-32 px, fine 64 px and up); give an index range 0-{config.NLatent - 1}"),
            _ => ParseIndices(t, config, parameter, text),
        };
        return range;
    }

    static (int, int) ParseIndices(string t, GeneratorConfig config, string parameter, string text)
    {
        var parts = t.Split('-');
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], out var a) || !int.TryParse(parts[^1], out var b))
            throw new AtelierUsageException($"{{{parameter}}} {text}: expected coarse, middle, fine or a latent index range i-j");
        if (a < 0 || b < a || b >= config.NLatent)
            throw new AtelierUsageException($"{{{parameter}}} {text}: latent indices must satisfy 0 <= i <= j <= {config.NLatent - 1} for this {config.Size} px generator");
        return (a, b);
    }

    /// <summary>w+ whose latents First..Last come from <paramref name="source"/> and the rest from <paramref name="destination"/>.</summary>
    public static Tensor Mix(Generator generator, Tensor destination, Tensor source, (int First, int Last) layers)
    {
        using var scope = NewDisposeScope();
        var dst = generator.Broadcast(destination).clone();
        var src = generator.Broadcast(source);
        int count = layers.Last - layers.First + 1;
        dst[TensorIndex.Colon, TensorIndex.Slice(layers.First, layers.Last + 1)] = src.narrow(1, layers.First, count);
        return dst.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The (rows + 1) x (cols + 1) grid images in reading order: a blank corner, the column seeds, then per row its
    /// seed image and the mixes (row seed's code with the column seed's layers in <paramref name="layers"/>).
    /// </summary>
    public static List<(Image Image, string? Caption)> Grid(Generator generator, IReadOnlyList<Tensor> rowW, IReadOnlyList<Tensor> colW,
        (int First, int Last) layers, IReadOnlyList<string> rowNames, IReadOnlyList<string> colNames, Func<Tensor, Tensor> render)
    {
        var cells = new List<(Image, string?)>();
        var blank = new Image(generator.Size, generator.Size, 3);
        Array.Fill(blank.Data, 1f);
        cells.Add((blank, null));
        for (int c = 0; c < colW.Count; c++) cells.Add((ToImage(render(generator.Broadcast(colW[c]))), colNames[c]));
        for (int r = 0; r < rowW.Count; r++)
        {
            cells.Add((ToImage(render(generator.Broadcast(rowW[r]))), rowNames[r]));
            for (int c = 0; c < colW.Count; c++)
            {
                using var scope = NewDisposeScope();
                cells.Add((ToImage(render(Mix(generator, rowW[r], colW[c], layers))), null));
            }
        }
        return cells;
    }

    /// <summary>One generated image (1, 3, H, W) in [-1, 1] to an <see cref="Image"/> (clamped).</summary>
    public static Image ToImage(Tensor image)
    {
        using var scope = NewDisposeScope();
        return ImageTensors.FromTensor(image.detach().cpu().clamp(-1, 1), ValueRange.MinusOneOne);
    }
}
