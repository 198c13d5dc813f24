using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>
/// Huge and non-finite option values, as a careless or hostile user types them: each is refused before any work with
/// one line naming the option, never an overflow, an out-of-memory, a native message or a run that cannot end.
/// </summary>
public class HugeValueSweepTests : IClassFixture<MinimumSizeSweepTests.Models>
{
    readonly MinimumSizeSweepTests.Models _models;
    public HugeValueSweepTests(MinimumSizeSweepTests.Models models) => _models = models;

    public static TheoryData<string, string, string> Cases() => new()
    {
        // command, option, value
        { "quilting", "--size", "100000" },
        { "quilting", "--size", "3000000000" },
        { "quilting", "--block", "100000" },
        { "quilting", "--overlap", "-100000" },
        { "efros-leung", "--window", "100001" },
        { "scanline", "--levels", "1000" },
        { "gatys-texture", "--size", "100000" },
        { "gatys-texture", "--lr", "1e309" },
        { "gatys-texture", "--style-weight", "NaN" },
        { "gatys-transfer", "--size", "100000" },
        { "gatys-transfer", "--content-weight", "-1e308" },
        { "fast-style", "--size", "100000" },
        { "fast-style", "--max-memory", "1e30GB" },
        { "fast-style", "--tile", "1000000000" },
        { "adain", "--alpha", "1e308" },
        { "adain", "--size", "100000" },
        { "pix2pix", "--size", "100000" },
        { "pix2pix", "--overlap", "100000000" },
        { "stylegan", "--truncation", "1e308" },
        { "stylegan", "--seeds", "0-100000000000" },
        { "invert", "--lr", "Infinity" },
        { "fast-style-train", "--lr", "1e309" },
        { "stylegan-train", "--lr", "NaN" },
        { "any", "--threads", "1000000" },
        { "any", "--seed", "99999999999999999999999" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_huge_value_is_refused_in_one_line_naming_the_option(string command, string option, string value)
    {
        using var dir = TestPaths.NewTempDir();
        var sample = dir.File("s.png");
        ImageIO.Save(ProceduralSamples.Make("pebbles", 32), sample);
        var o = dir.File("o.png");
        string[] args = command switch
        {
            "quilting" or "efros-leung" or "scanline" => ["texture", command, sample, "-o", o],
            "gatys-texture" => ["gatys", "texture", sample, "--steps", "1", "--size", "32x32", "-o", o],
            "gatys-transfer" => ["gatys", "transfer", sample, "--style", sample, "--steps", "1", "-o", o],
            "fast-style" => ["fast-style", "stylize", sample, "--model", "candy", "-o", o],
            "adain" => ["adain", "stylize", sample, "--style", sample, "--decoder", _models.AdaInDecoder, "-o", o],
            "pix2pix" => ["pix2pix", "translate", sample, "--checkpoint", _models.Pix2Pix, "-o", o],
            "stylegan" => ["stylegan", "generate", "--checkpoint", _models.StyleGan, "-o", o, .. option == "--seeds" ? Array.Empty<string>() : ["--seeds", "1"]],
            "invert" => ["stylegan", "invert", sample, "--checkpoint", _models.StyleGan, "--steps", "1", "-o", dir.File("w.safetensors")],
            "fast-style-train" => ["fast-style", "train", "--style", sample, "--content-dir", "/nonexistent-atelier-data", "-o", dir.File("m.safetensors")],
            "stylegan-train" => ["stylegan", "train", "--data", "/nonexistent-atelier-data", "-o", dir.File("run")],
            "any" => ["texture", "quilting", sample, "--size", "32", "-o", o],
            _ => throw new ArgumentException(command),
        };
        var r = CliHarness.Run([.. args, option, value]);
        var said = $"{command} {option} {value}: exit {r.ExitCode}\n{r.Err}";
        Assert.True(r.ExitCode == 2, said);
        var errors = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, said);
        Assert.Contains(option, errors[0]);
        foreach (var raw in new[] { "Exception", "Overflow", "   at ", "c10", "(set ATELIER_DEBUG" })
            Assert.False(r.Err.Contains(raw, StringComparison.Ordinal), $"raw message ({raw}): {said}");
        Assert.False(File.Exists(o), said);
    }
}
