using Atelier.Imaging;
using Atelier.Models;

namespace Atelier.Studio.Tests.Methods;

/// <summary>
/// The models Atelier ships make the studio's tabs work out of the box: the fast-style tab is available with no
/// models folder, and stylises with the shipped candy network.
/// </summary>
public class ShippedModelTests
{
    [Fact]
    public async Task The_fast_style_tab_works_with_the_shipped_candy_model_and_nothing_else()
    {
        var candy = Assert.Single(ShippedModels.All(), m => m.Name == "fast-style-candy");
        Assert.True(candy.CardPath is not null, "a shipped model comes with its card");
        await using var s = await StudioHarness.StartAsync(o => o.ShippedModels = true);

        var panels = await s.GetJsonAsync("/api/panels");
        var faststyle = panels.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "faststyle");
        Assert.True(faststyle.GetProperty("available").GetBoolean(), faststyle.ToString());

        var model = (await s.GetJsonAsync("/api/models")).EnumerateArray().Single(m => m.GetProperty("name").GetString() == "fast-style-candy");
        Assert.Equal("built in", model.GetProperty("source").GetString());
        Assert.Equal("fast-style", model.GetProperty("kind").GetString());

        var content = ProceduralSamples.Make("pebbles", 64);
        var (image, _) = await s.RunJobAsync("style.fast", f =>
        {
            f.Add(new StringContent(model.GetProperty("id").GetString()!), "model");
            StudioHarness.AddFile(f, "content", StudioImages.EncodePng(content), "c.png");
        }, TimeSpan.FromSeconds(60));
        Assert.Equal((64, 64), (image.Width, image.Height));
        // Stylised, not passed through: the picture changes well beyond rounding.
        double change = image.Data.Zip(content.Data, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(change > 0.05, $"mean change {change:0.000}");
    }
}
