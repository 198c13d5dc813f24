namespace Atelier.StyleGan;

/// <summary>Seeds written as "1-16", "3,5,9" or a mix ("1-4,10"); each seed gives one z.</summary>
public static class SeedList
{
    public const int MaxCount = 10000;

    /// <param name="parameter">The option the text is for, named in a usage error (by library name: Seeds, Rows, Cols).</param>
    public static IReadOnlyList<long> Parse(string text, string parameter = "Seeds")
    {
        var seeds = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', 1);
            if (dash > 0)
            {
                if (!long.TryParse(part[..dash], out var a) || !long.TryParse(part[(dash + 1)..], out var b) || a < 0 || b < a)
                    throw new AtelierUsageException($"{{{parameter}}} {text}: '{part}' is not a range like 1-16");
                if (b - a + 1 + seeds.Count > MaxCount) throw new AtelierUsageException($"{{{parameter}}} {text}: more than {MaxCount} seeds");
                for (long s = a; s <= b; s++) seeds.Add(s);
            }
            else if (long.TryParse(part, out var s) && s >= 0) seeds.Add(s);
            else throw new AtelierUsageException($"{{{parameter}}} {text}: '{part}' is not a seed (a non-negative integer)");
        }
        if (seeds.Count == 0) throw new AtelierUsageException($"{{{parameter}}}: no seeds given");
        if (seeds.Count > MaxCount) throw new AtelierUsageException($"{{{parameter}}} {text}: more than {MaxCount} seeds");
        return seeds;
    }

    /// <summary>The z (1, dim) of a seed: its own generator, so a seed's image does not depend on the other seeds.</summary>
    public static TorchSharp.torch.Tensor Z(long seed, int styleDim)
    {
        using var rng = new TorchSharp.torch.Generator((ulong)seed);
        return TorchSharp.torch.randn(new long[] { 1, styleDim }, generator: rng);
    }
}
