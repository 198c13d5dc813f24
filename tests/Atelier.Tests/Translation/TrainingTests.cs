using Atelier.Imaging;
using Atelier.Tests.Cli;
using Atelier.Training;
using Atelier.Translation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Translation;

/// <summary>
/// Training building blocks; the end-to-end runs (overfitting one pair, losses falling, exact resume) are in
/// <see cref="TrainingRunTests"/>.
/// </summary>
public class TrainingTests
{
    [Fact]
    public void ImagePoolMixesOldAndNewFakesAndSchedulesDecayToZero()
    {
        using var scope = NewDisposeScope();
        using var pool = new ImagePool(3);
        var random = new TrainingRandom(5);
        for (int i = 0; i < 3; i++) Assert.Equal(i, pool.Query(full(1, 1, 2, 2, (float)i), random).mean().item<float>());
        int old = 0;
        for (int i = 3; i < 43; i++) if (pool.Query(full(1, 1, 2, 2, (float)i), random).mean().item<float>() < i) old++;
        Assert.InRange(old, 8, 32); // about half the time an older image comes back
        Assert.Equal(3, pool.Count);

        var s = new LinearDecaySchedule(100, 100);
        Assert.Equal(1.0, s.Factor(0));
        Assert.Equal(1.0, s.Factor(99));
        Assert.True(s.Factor(150) is > 0.45 and < 0.55);
        Assert.True(s.Factor(199) < 0.011);
    }

    [Fact]
    public void GanLossesMatchTheirDefinitions()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { 0.5f, -1f, 2f });
        Assert.Equal(((0.25 + 4 + 1) / 3), GanLoss.Loss(GanMode.Lsgan, p, true).item<float>(), 5);
        Assert.Equal(((0.25 + 1 + 4) / 3), GanLoss.Loss(GanMode.Lsgan, p, false).item<float>(), 5);
        double bce = new[] { 0.5, -1, 2 }.Average(x => Math.Log(1 + Math.Exp(-x)));
        Assert.Equal(bce, GanLoss.Loss(GanMode.Vanilla, p, true).item<float>(), 5);
        Assert.Equal(-0.5, GanLoss.Loss(GanMode.Wgangp, p, true).item<float>(), 5);
        // Gradient penalty of a linear critic with weight norm 2: (2 - 1)^2 * 10.
        using var critic = nn.Linear(4, 1, hasBias: false);
        using (no_grad()) critic.weight!.copy_(tensor(new[] { 1f, 1f, 1f, 1f }).reshape(1, 4));
        var gp = GanLoss.GradientPenalty(new Flat(critic), rand(2, 1, 2, 2), rand(2, 1, 2, 2));
        Assert.Equal(10.0, gp.item<float>(), 3);
    }

    sealed class Flat(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>("Flat")
    {
        public override Tensor forward(Tensor x) => inner.forward(x.reshape(x.shape[0], -1));
    }

    [Fact]
    public void BadTrainingDataGivesClearErrors()
    {
        using var dir = TestPaths.NewTempDir();
        var ab = Path.Combine(dir.Path, "ab");
        Directory.CreateDirectory(ab);
        ImageIO.Save(new Image(33, 16, 3), Path.Combine(ab, "odd.png"));
        var e = Assert.Throws<AtelierException>(() => TranslationData.LoadAligned(ab));
        Assert.Contains("even", e.Message);

        var pairs = Path.Combine(dir.Path, "pairs");
        Directory.CreateDirectory(Path.Combine(pairs, "A"));
        Directory.CreateDirectory(Path.Combine(pairs, "B"));
        ImageIO.Save(new Image(8, 8, 3), Path.Combine(pairs, "A", "one.png"));
        ImageIO.Save(new Image(8, 8, 3), Path.Combine(pairs, "B", "two.png"));
        e = Assert.Throws<AtelierException>(() => TranslationData.LoadAligned(pairs));
        Assert.Contains("one", e.Message);
        Assert.Contains("two", e.Message);

        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        var r = CliHarness.Run("pix2pix", "train", "--data", Path.Combine(dir.Path, "empty"), "-o", dir.File("run"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no images", r.Err);
        r = CliHarness.Run("cyclegan", "train", "--data", Path.Combine(dir.Path, "empty"), "-o", dir.File("run"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("trainA", r.Err);
    }
}
