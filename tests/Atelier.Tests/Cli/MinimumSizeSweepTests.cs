using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Style;
using Atelier.Translation;
using Xunit;
using static TorchSharp.torch;

namespace Atelier.Tests.Cli;

/// <summary>
/// Every method given the smallest pictures a careless user can give (1x1, 2x2, 7x7, 15x15 samples, contents, styles,
/// targets): each either works or says in one line what size it needs; no native (libtorch) or raw .NET message ever
/// reaches the user.
/// </summary>
public class MinimumSizeSweepTests : IClassFixture<MinimumSizeSweepTests.Models>
{
    /// <summary>Tiny random-weight checkpoints of each kind the sweep needs, written once.</summary>
    public sealed class Models : IDisposable
    {
        readonly TempDir _dir = TestPaths.NewTempDir();
        public string Pix2Pix { get; }
        public string CycleGan { get; }
        public string AdaInDecoder { get; }
        public string StyleGan { get; }
        public string Photo { get; }

        public Models()
        {
            manual_seed(1);
            Pix2Pix = _dir.File("p2p.safetensors");
            using (var g = GeneratorSpec.Parse("unet_32", ngf: 4).Build()) SafeTensors.Save(Pix2Pix, g.state_dict());
            CycleGan = _dir.File("cyc.safetensors");
            using (var g = GeneratorSpec.Parse("resnet_2blocks", ngf: 4, norm: NormKind.Instance).Build()) SafeTensors.Save(CycleGan, g.state_dict());
            AdaInDecoder = _dir.File("dec.safetensors");
            using (var d = new AdaInDecoder()) SafeTensors.Save(AdaInDecoder, d.state_dict());
            StyleGan = _dir.File("sg.safetensors");
            using (var g = new Atelier.StyleGan.Generator(new Atelier.StyleGan.GeneratorConfig(16, 16, NMlp: 2, ChannelMultiplier: 1, MaxChannels: 8)))
                SafeTensors.Save(StyleGan, g.state_dict().ToDictionary(kv => "g_ema." + kv.Key, kv => kv.Value));
            Photo = _dir.File("photo.png");
            ImageIO.Save(ProceduralSamples.Make("bricks", 48), Photo);
        }

        public void Dispose() => _dir.Dispose();
    }

    readonly Models _models;
    public MinimumSizeSweepTests(Models models) => _models = models;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var method in new[]
        {
            "quilting", "efros-leung", "scanline", "fill", "transfer-texture", "transfer-target",
            "gatys-texture", "gatys-content", "gatys-style", "fast-style", "adain-content", "adain-style",
            "pix2pix", "cyclegan", "invert",
        })
            foreach (var size in new[] { 1, 2, 7, 15 }) data.Add(method, size);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_tiny_picture_is_handled_or_refused_in_one_line(string method, int size)
    {
        using var dir = TestPaths.NewTempDir();
        var tiny = dir.File($"tiny{size}.png");
        ImageIO.Save(ImageOps.Crop(ProceduralSamples.Make("pebbles", 48), 0, 0, size, size), tiny);
        var mask = dir.File("mask.png");
        var m = new Image(size, size, 1);
        m.Data[0] = 1; // one pixel to fill
        ImageIO.Save(m, mask);
        var photo = _models.Photo;
        var output = dir.File("out.png");
        string[] args = method switch
        {
            "quilting" or "efros-leung" or "scanline" => ["texture", method, tiny, "--size", "24", "-o", output, "--seed", "1"],
            "fill" => ["texture", "fill", tiny, "--mask", mask, "-o", output],
            "transfer-texture" => ["texture", "transfer", "--texture", tiny, "--target", photo, "-o", output],
            "transfer-target" => ["texture", "transfer", "--texture", photo, "--target", tiny, "-o", output],
            "gatys-texture" => ["gatys", "texture", tiny, "--size", "32", "--steps", "1", "-o", output],
            "gatys-content" => ["gatys", "transfer", tiny, "--style", photo, "--steps", "1", "--size", "32", "--optimizer", "adam", "-o", output],
            "gatys-style" => ["gatys", "transfer", photo, "--style", tiny, "--steps", "1", "--size", "32", "--optimizer", "adam", "-o", output],
            "fast-style" => ["fast-style", "stylize", tiny, "--model", "candy", "-o", output],
            "adain-content" => ["adain", "stylize", tiny, "--style", photo, "--decoder", _models.AdaInDecoder, "-o", output],
            "adain-style" => ["adain", "stylize", photo, "--style", tiny, "--decoder", _models.AdaInDecoder, "-o", output],
            "pix2pix" => ["pix2pix", "translate", tiny, "--checkpoint", _models.Pix2Pix, "-o", output],
            "cyclegan" => ["cyclegan", "translate", tiny, "--checkpoint", _models.CycleGan, "-o", output],
            "invert" => ["stylegan", "invert", tiny, "--checkpoint", _models.StyleGan, "--steps", "1", "-o", dir.File("w.safetensors")],
            _ => throw new ArgumentException(method),
        };
        var r = CliHarness.Run(args);
        var said = $"{string.Join(' ', args.Select(a => a.StartsWith(dir.Path) ? Path.GetFileName(a) : a))}\nexit {r.ExitCode}\n{r.Err}";
        Assert.True(r.ExitCode is 0 or 1 or 2, said);
        foreach (var raw in new[] { "Exception", "   at ", "c10", "libtorch", "Calculated", "Given input size", "(set ATELIER_DEBUG" })
            Assert.False(r.Err.Contains(raw, StringComparison.Ordinal), $"raw message ({raw}): {said}");
        if (r.ExitCode == 0)
            Assert.True(File.Exists(output) || File.Exists(dir.File("w.safetensors")), said);
        else
        {
            var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            Assert.True(lines.Count == 1, said);
            Assert.Matches(@"\d+x\d+|size|pixels|at least|too small|smaller", lines[0]);
        }
    }
}
