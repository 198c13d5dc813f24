using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// A kernel distance between two sets of feature vectors in the manner of KID (Bińkowski et al. 2018): the squared
/// maximum mean discrepancy under the polynomial kernel k(x, y) = (x·y / d + 1)³, estimated without bias (the
/// kernel of a vector with itself left out), averaged over <see cref="Subsets"/> random pairs of subsets of
/// <see cref="SubsetSize"/> vectors each, with the standard error of that mean. Unbiased means that two sets drawn
/// from one distribution score 0 on average; a single figure can be slightly negative. Subsets hold half the smaller
/// set (at most 1000, KID's usual size) so that they differ from one another and the spread says something. On the
/// built-in ResNet-18's pooled features it is "KID-ResNet18", comparable only with itself.
/// </summary>
public sealed class KernelDistance(int subsets = 100, int? subsetSize = null, long seed = 0) : SetMetric
{
    public const int MaxSubsetSize = 1000;

    public int Subsets { get; } = subsets >= 2 ? subsets : throw new AtelierUsageException($"{{Subsets}} {subsets}: must be at least 2");
    /// <summary>Vectors per subset; null: half the smaller set, at most <see cref="MaxSubsetSize"/>.</summary>
    public int? SubsetSize { get; } = subsetSize is null or >= 2 ? subsetSize : throw new AtelierUsageException($"{{SubsetSize}} {subsetSize}: must be at least 2");

    public override string Key => "kid";
    public override string Name => "KID-ResNet18";
    /// <summary>Subsets of at least two vectors (the unbiased estimate needs pairs), drawn from half a set.</summary>
    public override int MinimumSetSize => 4;

    /// <summary>The subset size used for sets of <paramref name="countA"/> and <paramref name="countB"/> vectors.</summary>
    public int SubsetSizeFor(int countA, int countB) =>
        Math.Min(SubsetSize ?? Math.Clamp(Math.Min(countA, countB) / 2, 2, MaxSubsetSize), Math.Min(countA, countB));

    protected override SetFigure Measure(FeatureSet a, FeatureSet b)
    {
        int s = SubsetSizeFor(a.Count, b.Count);
        var (kaa, kbb, kab) = KernelMatrices(a, b);
        var random = new Random(unchecked((int)seed));
        var estimates = new double[Subsets];
        for (int k = 0; k < Subsets; k++)
        {
            var ia = Draw(random, a.Count, s);
            var ib = Draw(random, b.Count, s);
            estimates[k] = UnbiasedMmd2(kaa, kbb, kab, ia, ib);
        }
        double mean = estimates.Average();
        double variance = estimates.Sum(e => (e - mean) * (e - mean)) / (Subsets - 1);
        return new SetFigure(mean, Math.Sqrt(variance / Subsets));
    }

    /// <summary>The kernel of two vectors: (x·y / d + 1)³.</summary>
    public static double Kernel(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double dot = 0;
        for (int i = 0; i < x.Length; i++) dot += x[i] * y[i];
        double v = dot / x.Length + 1;
        return v * v * v;
    }

    /// <summary>The unbiased MMD² estimate of two whole sets (one subset pair holding everything).</summary>
    public static double UnbiasedMmd2(FeatureSet a, FeatureSet b)
    {
        if (a.Count < 2 || b.Count < 2) throw new ArgumentException("the unbiased estimate needs at least two vectors in each set");
        var (kaa, kbb, kab) = KernelMatrices(a, b);
        return UnbiasedMmd2(kaa, kbb, kab, Enumerable.Range(0, a.Count).ToArray(), Enumerable.Range(0, b.Count).ToArray());
    }

    static double UnbiasedMmd2(double[,] kaa, double[,] kbb, double[,] kab, int[] ia, int[] ib)
    {
        int m = ia.Length, n = ib.Length;
        double saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                if (i != j) saa += kaa[ia[i], ia[j]];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) sbb += kbb[ib[i], ib[j]];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) sab += kab[ia[i], ib[j]];
        return saa / ((double)m * (m - 1)) + sbb / ((double)n * (n - 1)) - 2 * sab / ((double)m * n);
    }

    /// <summary>k over A×A, B×B and A×B, once (subsets index into them).</summary>
    static (double[,] Aa, double[,] Bb, double[,] Ab) KernelMatrices(FeatureSet a, FeatureSet b)
    {
        using var scope = NewDisposeScope();
        var ta = a.ToTensor();
        var tb = b.ToTensor();
        double d = a.Dimension;
        Tensor K(Tensor x, Tensor y) => (x.matmul(y.t()) / d + 1).pow(3);
        return (ToArray(K(ta, ta)), ToArray(K(tb, tb)), ToArray(K(ta, tb)));
    }

    static double[,] ToArray(Tensor t)
    {
        int r = (int)t.shape[0], c = (int)t.shape[1];
        var flat = t.contiguous().data<double>().ToArray();
        var m = new double[r, c];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    /// <summary><paramref name="count"/> distinct indices of [0, n): a partial Fisher-Yates shuffle.</summary>
    static int[] Draw(Random random, int n, int count)
    {
        var all = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, n);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all[..count];
    }
}
