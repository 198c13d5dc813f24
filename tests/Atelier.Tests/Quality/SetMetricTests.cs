using Atelier.Imaging;
using Atelier.Quality;
using Xunit;

namespace Atelier.Tests.Quality;

/// <summary>The set figures on known answers: FD of identical, shifted and scaled sets; KID's unbiasedness; too few pictures.</summary>
public class SetMetricTests
{
    static double[,] Gaussian(Random random, int n, int d, double scale = 1, double mean = 0)
    {
        var m = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double u = 1 - random.NextDouble(), v = random.NextDouble();
                m[i, j] = mean + scale * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
            }
        return m;
    }

    static FeatureSet Map(FeatureSet set, Func<int, double, double> f)
    {
        var m = (double[,])set.Features.Clone();
        for (int i = 0; i < set.Count; i++)
            for (int j = 0; j < set.Dimension; j++) m[i, j] = f(j, m[i, j]);
        return new FeatureSet(m);
    }

    [Theory]
    [InlineData(40, 8)]   // more vectors than dimensions: full-rank covariances
    [InlineData(6, 32)]   // fewer: singular covariances, as a handful of pictures in 512-d gives
    public void FrechetDistanceIsZeroForIdenticalSetsTheSquaredShiftForAShiftAndScalesAsKnown(int n, int d)
    {
        var set = new FeatureSet(Gaussian(new Random(n), n, d, 2, 0.5));
        Assert.Equal(0, FrechetDistance.Between(set, set), 8);
        var delta = Enumerable.Range(0, d).Select(j => 0.1 * (j % 5) - 0.2).ToArray();
        double shift = delta.Sum(x => x * x);
        Assert.Equal(shift, FrechetDistance.Between(set, Map(set, (j, x) => x + delta[j])), 8);
        // Scaling about the mean by c: ‖μ − cμ‖² + (1 − c)² Tr Σ, which the matrix root has to get right.
        var mean = Enumerable.Range(0, d).Select(j => Enumerable.Range(0, n).Average(i => set.Features[i, j])).ToArray();
        double trace = Enumerable.Range(0, d).Sum(j => Enumerable.Range(0, n).Sum(i => Math.Pow(set.Features[i, j] - mean[j], 2)) / (n - 1));
        const double c = 1.5;
        double expected = mean.Sum(m => Math.Pow(m - c * m, 2)) + (1 - c) * (1 - c) * trace;
        Assert.Equal(expected, FrechetDistance.Between(set, Map(set, (j, x) => c * x)), 6);
        Assert.Equal(expected, new FrechetDistance().Compare(Map(set, (j, x) => c * x), set).Value, 6);
    }

    [Fact]
    public void KernelDistanceIsUnbiasedWhereTheBiasedEstimateIsNot()
    {
        // Two sets drawn from one distribution, many times: the unbiased MMD² averages to 0 within its standard
        // error, while the estimate that keeps k(x, x) in (the V-statistic) is clearly positive.
        var random = new Random(7);
        const int draws = 300, n = 12, d = 6;
        var unbiased = new double[draws];
        var biased = new double[draws];
        for (int t = 0; t < draws; t++)
        {
            var a = new FeatureSet(Gaussian(random, n, d));
            var b = new FeatureSet(Gaussian(random, n, d));
            unbiased[t] = KernelDistance.UnbiasedMmd2(a, b);
            biased[t] = Biased(a, b);
        }
        var (mu, se) = MeanAndError(unbiased);
        var (mb, seb) = MeanAndError(biased);
        Assert.True(Math.Abs(mu) < 3 * se, $"unbiased mean {mu} with standard error {se}");
        Assert.True(mb > 10 * seb, $"biased mean {mb} with standard error {seb}");
    }

    static double Biased(FeatureSet a, FeatureSet b)
    {
        double Mean(FeatureSet x, FeatureSet y)
        {
            double s = 0;
            for (int i = 0; i < x.Count; i++)
                for (int j = 0; j < y.Count; j++) s += KernelDistance.Kernel(Row(x, i), Row(y, j));
            return s / ((double)x.Count * y.Count);
        }
        return Mean(a, a) + Mean(b, b) - 2 * Mean(a, b);
    }

    static double[] Row(FeatureSet s, int i) => Enumerable.Range(0, s.Dimension).Select(j => s.Features[i, j]).ToArray();

    static (double Mean, double Error) MeanAndError(double[] x)
    {
        double m = x.Average();
        return (m, Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Length - 1) / x.Length));
    }

    [Fact]
    public void KernelDistanceOfSubsetsIsNearZeroForOneDistributionAndPositiveForAShift()
    {
        var random = new Random(11);
        var a = new FeatureSet(Gaussian(random, 60, 16));
        var b = new FeatureSet(Gaussian(random, 60, 16));
        var kid = new KernelDistance(subsets: 50, seed: 1);
        var same = kid.Compare(a, b);
        var shifted = kid.Compare(a, Map(b, (_, x) => x + 0.7));
        Assert.True(same.StandardError > 0);
        Assert.True(Math.Abs(same.Value) < 4 * same.StandardError!.Value + 0.01 * shifted.Value, $"same distribution {same}");
        Assert.True(shifted.Value > 10 * shifted.StandardError!.Value, $"shifted {shifted}");
        Assert.Equal(30, kid.SubsetSizeFor(60, 80));
        // Seeded: the same figure twice.
        Assert.Equal(same, kid.Compare(a, b));
        // A set against itself: subsets are drawn independently, so the cross term sometimes pairs a vector with
        // itself, and the expectation is 2(k̄_off − k̄_all) = −(2/n)(k̄_self − k̄_off): O(1/n), small beside a real difference.
        var identical = kid.Compare(a, a);
        double self = Enumerable.Range(0, a.Count).Average(i => KernelDistance.Kernel(Row(a, i), Row(a, i)));
        double off = (Enumerable.Range(0, a.Count).Sum(i => Enumerable.Range(0, a.Count).Sum(j => KernelDistance.Kernel(Row(a, i), Row(a, j)))) - self * a.Count) / (a.Count * (a.Count - 1.0));
        double expected = -2.0 / a.Count * (self - off);
        Assert.True(Math.Abs(identical.Value - expected) < 4 * identical.StandardError!.Value, $"identical sets {identical}, expected {expected}");
        Assert.True(Math.Abs(identical.Value) < 0.15 * shifted.Value, $"identical sets {identical} against shifted {shifted}");
    }

    [Fact]
    public void SetFiguresOfPicturesAreZeroForTheSameSetAndTheShiftForShiftedFeatures()
    {
        using var suite = MetricSuite.BuiltIn();
        var pictures = ProceduralSamples.Names.SelectMany(name => new[] { 1, 2 }.Select(seed => ProceduralSamples.Make(name, 32, seed))).ToList();
        var set = suite.Features(pictures);
        Assert.Equal((6, 512), (set.Count, set.Dimension));
        var same = suite.CompareSets(set, suite.Features(pictures.Select(p => p.Clone())));
        Assert.Equal(0, same.Figures["fd"].Value, 6);
        // A pure shift of the pooled features: FD is its squared length, whatever the (singular) covariance.
        var shifted = Map(set, (j, x) => x + (j % 2 == 0 ? 0.05 : -0.03));
        double expected = 256 * 0.05 * 0.05 + 256 * 0.03 * 0.03;
        Assert.Equal(expected, FrechetDistance.Between(set, shifted), 6);
        // Brighter copies of the pictures move further from the originals the brighter they are.
        FeatureSet Brighter(float by) => suite.Features(pictures.Select(p =>
        {
            var q = p.Clone();
            for (int i = 0; i < q.Data.Length; i++) q.Data[i] = Math.Min(1, q.Data[i] + by);
            return q;
        }));
        var slight = suite.CompareSets(set, Brighter(0.05f));
        var strong = suite.CompareSets(set, Brighter(0.3f));
        Assert.True(slight.Figures["fd"].Value > 0 && slight.Figures["fd"].Value < strong.Figures["fd"].Value, $"FD {slight.Figures["fd"]} then {strong.Figures["fd"]}");
        Assert.True(slight.Figures["kid"].Value < strong.Figures["kid"].Value);
        var e = Assert.Throws<AtelierException>(() => suite.CompareSets(set, suite.Features(pictures.Take(3)), nameB: "outputs/"));
        Assert.Contains("outputs/: 3 pictures; the set figures (FD, KID) need at least 4", e.Message);
    }
}
