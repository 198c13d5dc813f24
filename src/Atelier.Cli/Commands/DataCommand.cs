using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.StyleGan.Training;
using Atelier.Translation.Data;

namespace Atelier.Cli.Commands;

/// <summary>`atelier data`: training sets made here — `pairs` (pix2pix AB images derived from any folder of photos),
/// `shapes` (synthetic images for quick GAN experiments) and `pictures` (free pictures Debian packages install).</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var cmd = new Command("data", "Make training data");
        cmd.Subcommands.Add(Pairs());
        cmd.Subcommands.Add(Shapes());
        cmd.Subcommands.Add(Pictures());
        cmd.Subcommands.Add(Glyphs());
        return cmd;
    }

    static Command Pictures()
    {
        var output = new Option<string>("--output", "-o") { Description = "New folder: train/ and test/ JPEGs and ATTRIBUTION.tsv", Required = true };
        var size = new Option<int>("--size") { Description = "Shorter side of each picture in pixels (never enlarged)", DefaultValueFactory = _ => 512 };
        var testEvery = new Option<int>("--test-every") { Description = "Every N-th picture (in name order) is held out in test/; 0 holds none out", DefaultValueFactory = _ => 10 };
        var root = new Option<string>("--root") { Description = "File-system root to look under", DefaultValueFactory = _ => "/" };
        var cmd = new Command("pictures", "Gather the wallpapers and backgrounds Debian packages install (e.g. plasma-workspace-wallpapers, mate-backgrounds) into a training folder, with each picture's package and licence")
            { output, size, testEvery, root };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            // The options check themselves; their messages name --size and --test-every.
            var dir = ctx.Get(output)!;
            var o = new Atelier.Data.PackagedPicturesOptions { Root = ctx.Get(root)!, ShorterSide = ctx.Get(size), HoldOutEvery = ctx.Get(testEvery) };
            var r = ctx.WithProgress("pictures", p => Atelier.Data.PackagedPictures.Collect(dir, o, p, ct));
            foreach (var (file, error) in r.Skipped) ctx.Warn($"skipped {file}: {error}");
            ctx.Result(new { command = "data pictures", output = dir, train = r.Train, test = r.Test, duplicates = r.Duplicates, skipped = r.Skipped.Count, attribution = r.Attribution },
                $"{r.Train} training and {r.Test} held-out pictures ({r.Duplicates} duplicates dropped) -> {dir}; sources and licences in {r.Attribution}");
            return r.Skipped.Count > 0 ? CliRunner.Failure : CliRunner.Success;
        });
        return cmd;
    }

    static Command Glyphs()
    {
        var output = new Option<string>("--output", "-o") { Description = "New folder: train/ and test/ PNGs (FONT_LETTER.png) and ATTRIBUTION.tsv", Required = true };
        var size = new Option<int>("--size") { Description = "Side of each glyph picture in pixels", DefaultValueFactory = _ => 32 };
        var letters = new Option<string>("--letters") { Description = "Characters drawn from every font (a font lacking one is skipped)", DefaultValueFactory = _ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ" };
        var testEvery = new Option<int>("--test-every") { Description = "Every N-th typeface family (in name order) is held out in test/ with all its fonts; 0 holds none out", DefaultValueFactory = _ => 10 };
        var fill = new Option<double>("--fill") { Description = "Fraction of the side a font's largest letter spans", DefaultValueFactory = _ => 0.8 };
        var root = new Option<string>("--root") { Description = "File-system root to look under", DefaultValueFactory = _ => "/" };
        var families = new Option<string?>("--families") { Description = "Only fonts of the families listed in this text file, one per line as ATTRIBUTION.tsv names them (# starts a comment)" };
        var cmd = new Command("glyphs", "Draw letters from the fonts Debian packages install (e.g. fonts-urw-base35, fonts-adf-*), one picture per letter and font, with each font's package and licence")
            { output, size, letters, testEvery, fill, root, families };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            // The options check themselves; their messages name --size, --letters, --test-every and --fill.
            var dir = ctx.Get(output)!;
            var o = new Atelier.Data.FontGlyphsOptions
            {
                Root = ctx.Get(root)!, Size = ctx.Get(size), Letters = ctx.Get(letters) ?? "", HoldOutEvery = ctx.Get(testEvery), Fill = ctx.Get(fill),
                Families = ctx.Get(families) is { } list ? ReadFamilies(list) : null,
            };
            var r = ctx.WithProgress("glyphs", p => Atelier.Data.FontGlyphs.Collect(dir, o, p, ct));
            if (r.MissingFamilies.Count > 0)
                ctx.Warn($"{r.MissingFamilies.Count} of the families in {ctx.Get(families)} have no font here (their package is not installed?): {string.Join(", ", r.MissingFamilies)}");
            ctx.Result(new { command = "data glyphs", output = dir, train_fonts = r.TrainFonts, test_fonts = r.TestFonts, images = r.Images, duplicates = r.Duplicates, skipped = r.Skipped.Count, attribution = r.Attribution },
                $"{r.TrainFonts} training and {r.TestFonts} held-out fonts, {r.Images} glyph pictures ({r.Duplicates} duplicate fonts dropped, {r.Skipped.Count} fonts skipped, listed with why in SKIPPED.tsv) -> {dir}; sources and licences in {r.Attribution}");
            return CliRunner.Success;
        });
        return cmd;
    }

    /// <summary>A family list: one name per line, blank lines and # comments ignored.</summary>
    static HashSet<string> ReadFamilies(string path)
    {
        if (!File.Exists(path)) throw new AtelierUsageException($"--families {path}: no such file");
        var names = File.ReadLines(path).Select(l => (l.IndexOf('#') is var k and >= 0 ? l[..k] : l).Trim()).Where(l => l.Length > 0);
        var set = names.ToHashSet(StringComparer.Ordinal);
        return set.Count > 0 ? set : throw new AtelierUsageException($"--families {path}: lists no family");
    }

    static Command Pairs()
    {
        var source = new Argument<string>("source") { Description = "Folder of photos" };
        var output = new Option<string>("--output", "-o") { Description = "New dataset folder: train/ (and test/) of AB images, input left, photo right", Required = true };
        var from = new Option<string>("--from") { Description = "Input derived from each photo: edges, grayscale, blur or downsample", DefaultValueFactory = _ => "edges" };
        var edges = new Option<string>("--edges") { Description = "Edge method for --from edges: canny (thin contours) or xdog (sketch-like strokes)", DefaultValueFactory = _ => "canny" };
        var sigma = new Option<double?>("--sigma") { Description = "Gaussian sigma in output pixels: Canny's smoothing (1), XDoG's scale (0.8), the blur of --from blur (2)" };
        var factor = new Option<int>("--factor") { Description = "--from downsample: shrink by this factor, then enlarge back", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--size") { Description = "Side of each half of a pair, in pixels", DefaultValueFactory = _ => 256 };
        var perImage = new Option<int>("--per-image") { Description = "Pairs per photo: the centred square, then random crops", DefaultValueFactory = _ => 1 };
        var minCrop = new Option<double>("--min-crop") { Description = "Random crops span this fraction of the photo's shorter side or more", DefaultValueFactory = _ => 0.5 };
        var noFlip = new Option<bool>("--no-flip") { Description = "No mirrored random crops" };
        var test = new Option<int>("--test") { Description = "Photos held out: their pairs go to test/ (for held-out scores)", DefaultValueFactory = _ => 0 };
        var minStrokes = new Option<double>("--min-strokes") { Description = "--from edges: a pair whose sketch has fewer stroke pixels than this fraction (e.g. 0.03) is cut again at random, then left out (smooth gradients give empty sketches)", DefaultValueFactory = _ => 0 };
        var pairs = new Command("pairs", "Build aligned input/target pairs (the pix2pix AB format) from a folder of photos")
        {
            source, output, from, edges, sigma, factor, size, perImage, minCrop, noFlip, test, minStrokes,
        };
        CliRunner.SetAction(pairs, (ctx, ct) =>
        {
            var o = new PairDatasetOptions
            {
                Input = new PairInputOptions
                {
                    Source = PairInputOptions.ParseSource(ctx.Get(from)!), Edges = PairInputOptions.ParseEdges(ctx.Get(edges)!),
                    Sigma = ctx.Get(sigma), Factor = ctx.Get(factor),
                },
                Size = ctx.Get(size), PerImage = ctx.Get(perImage), MinCrop = ctx.Get(minCrop), Flip = !ctx.Get(noFlip),
                TestImages = ctx.Get(test), MinStrokes = ctx.Get(minStrokes), Seed = ctx.Seed ?? 0,
            };
            if (o.Input.Sigma is <= 0) throw new AtelierUsageException($"--sigma {o.Input.Sigma}: must be positive");
            var dir = ctx.Get(output)!;
            var r = ctx.WithProgress("pairs", p => PairDatasetBuilder.Build(ctx.Get(source)!, dir, o, p, ct));
            foreach (var (file, error) in r.Skipped) ctx.Warn($"skipped {file}: {error}");
            ctx.Result(r, $"{r.TrainPairs} training pairs{(r.TestPairs > 0 ? $" and {r.TestPairs} test pairs (from {string.Join(", ", r.TestPhotos)})" : "")} " +
                $"from {r.Photos - r.Skipped.Count} photo(s){(r.Skipped.Count > 0 ? $"; {r.Skipped.Count} skipped" : "")}" +
                $"{(r.SparsePairs > 0 ? $"; {r.SparsePairs} pairs left out for too few strokes" : "")} -> {dir}");
            // Like translate: a bad image is skipped but the exit code says something failed.
            return r.Skipped.Count > 0 ? CliRunner.Failure : CliRunner.Success;
        });
        return pairs;
    }

    static Command Shapes()
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder for the images", Required = true };
        var count = new Option<int>("--count") { Description = "How many images", DefaultValueFactory = _ => 2000 };
        var size = new Option<int>("--size") { Description = "Side in pixels", DefaultValueFactory = _ => 32 };
        var shapes = new Command("shapes", "Coloured circles, squares and triangles on plain backgrounds (seedable with --seed)") { output, count, size };
        CliRunner.SetAction(shapes, (ctx, ct) =>
        {
            var dir = ctx.Get(output)!;
            var n = ctx.Get(count);
            var paths = ctx.WithProgress("shapes", p => ShapesDataset.Write(dir, n, ctx.Get(size), ctx.Seed ?? 0, p, ct));
            ctx.Result(new { command = "data shapes", count = paths.Count, size = ctx.Get(size), output = dir }, $"wrote {paths.Count} shape images to {dir}");
            return CliRunner.Success;
        });
        return shapes;
    }
}
