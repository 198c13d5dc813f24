using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

public class LinePlotTests
{
    static IReadOnlyList<(double, double)> Curve(Func<double, double> f, int n = 50) =>
        Enumerable.Range(0, n).Select(i => ((double)i * 10, f(i))).ToList();

    [Fact]
    public void RendersSeriesInTheirColours()
    {
        var series = new Dictionary<string, IReadOnlyList<(double, double)>>
        {
            ["generator"] = Curve(i => 2.0 * Math.Exp(-i / 10.0) + 0.5),
            ["discriminator"] = Curve(i => 0.7 + 0.1 * Math.Sin(i / 3.0)),
        };
        var img = LinePlot.Render(series, 320, 200, "losses");
        Assert.Equal((320, 200, 3), (img.Width, img.Height, img.Channels));
        // Each series' colour appears (lines are antialiased: look for pixels close to the pure colour).
        for (int s = 0; s < 2; s++)
        {
            var col = LinePlot.SeriesColor(s);
            Assert.True(CountNear(img, col.Red / 255f, col.Green / 255f, col.Blue / 255f) > 40, $"series {s} colour is missing");
        }
        Assert.Equal(0, CountNear(img, LinePlot.SeriesColor(2).Red / 255f, LinePlot.SeriesColor(2).Green / 255f, LinePlot.SeriesColor(2).Blue / 255f));
        // The title puts dark text in the top band.
        Assert.True(ContactSheetTests.CountDark(img, 0, 320, 0, 18) > 10);
    }

    [Fact]
    public void LogScaleSkipsNonPositiveAndNonFiniteValues()
    {
        var series = new Dictionary<string, IReadOnlyList<(double, double)>>
        {
            ["loss"] = [(0, 10), (1, 1), (2, double.NaN), (3, 0), (4, 0.01), (5, -1), (6, 0.001)],
        };
        var img = LinePlot.Render(series, 240, 160, "log", logY: true);
        Assert.Equal((240, 160), (img.Width, img.Height));
        var c = LinePlot.SeriesColor(0);
        Assert.True(CountNear(img, c.Red / 255f, c.Green / 255f, c.Blue / 255f) > 10);
    }

    [Fact]
    public void EmptyAndSinglePointSeriesStillRender()
    {
        var img = LinePlot.Render(new Dictionary<string, IReadOnlyList<(double, double)>> { ["none"] = [], ["one"] = [(5, 3)] }, 200, 120, null);
        Assert.Equal((200, 120), (img.Width, img.Height));
        var c = LinePlot.SeriesColor(1);
        Assert.True(CountNear(img, c.Red / 255f, c.Green / 255f, c.Blue / 255f) > 3); // the dot (and its legend swatch)
    }

    [Fact]
    public void NiceTicksAreRoundNumbers()
    {
        Assert.Equal([0, 20, 40, 60, 80, 100], LinePlot.NiceTicks(0, 100, 5));
        Assert.Equal([0.2, 0.4, 0.6], LinePlot.NiceTicks(0.13, 0.67, 3).Select(t => Math.Round(t, 10)));
    }

    static int CountNear(Image img, float r, float g, float b)
    {
        int n = 0;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (Math.Abs(img[0, y, x] - r) + Math.Abs(img[1, y, x] - g) + Math.Abs(img[2, y, x] - b) < 0.08f) n++;
        return n;
    }
}
