using System.Globalization;
using Atelier.Imaging;
using Atelier.Methods;

namespace Atelier.Studio.Demo;

/// <summary>
/// The demo's sections for registered methods, made from their examples (<see cref="MethodExample"/>): the inputs,
/// the result (a tileable one also tiled 2x2), and the command line that makes the same pictures. A quick run does
/// each method's first example only.
/// </summary>
static class RegisteredDemoSteps
{
    public static IEnumerable<DemoGallery.Step> For(IEnumerable<MethodDescriptor> methods) =>
        methods.Where(m => m.Examples.Count > 0).Select(m => new DemoGallery.Step(Title(m), ctx => Run(m, ctx)));

    /// <summary>A section's title: the method's, with the model family where the title alone does not name it ("Seeds").</summary>
    static string Title(MethodDescriptor method) => method.Area == "stylegan" ? $"StyleGAN2: {method.Title.ToLowerInvariant()}" : method.Title;

    static DemoSection Run(MethodDescriptor method, DemoContext ctx)
    {
        var pictures = new List<DemoPicture>();
        var commands = new List<string>();
        var shown = new Dictionary<(string, object?), string>();
        foreach (var example in ctx.Quick ? method.Examples.Take(1) : method.Examples)
        {
            var given = example.Resolve(method, ctx.Quick, ctx.Seed);
            // Models by name run from their files; the command line shown keeps the name.
            var values = MethodValues.Create(method, MethodExample.WithModelFiles(method, given));
            // Each input picture is shown and written, and the command line names its file (a weighted list's with their weights).
            var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var p in method.Parameters.Where(p => p.Kind is ParameterKind.Image or ParameterKind.Images && given.GetValueOrDefault(p.Name) is Image or IReadOnlyList<WeightedImage>))
            {
                var inputs = p.Kind == ParameterKind.Images ? values.Images(p.Name) : [new WeightedImage(values.Image(p.Name))];
                var raw = ctx.Quick && example.Quick.TryGetValue(p.Name, out var quick) ? quick : example.Values[p.Name];
                List<object?> samples = raw is IEnumerable<WeightedSample> list ? [.. list.Select(w => w.Sample)] : [raw];
                var kebab = MethodParameter.Kebab(p.Name);
                files[p.Name] = [];
                for (int i = 0; i < inputs.Count; i++)
                {
                    // A shipped picture at the same size, shown once per section: a row of examples on one photo names one file.
                    var key = (p.Name, samples[i]);
                    if (samples[i] is not (SamplePhoto or SamplePainting or SampleGlyph or SampleSketch) || !shown.TryGetValue(key, out var file))
                    {
                        file = inputs.Count == 1 ? $"{example.Name}-{kebab}.png" : $"{example.Name}-{kebab}-{i + 1}.png";
                        pictures.Add(new DemoPicture(file, $"{p.Label}: {Describe(samples[i])}", inputs[i].Image));
                        shown[key] = file;
                    }
                    files[p.Name].Add(inputs.Count == 1 && inputs[i].Weight == 1 ? file : $"{file}:{inputs[i].Weight.ToString(CultureInfo.InvariantCulture)}");
                }
                if (inputs.Count != 1) continue;
                var image = inputs[0].Image;
                var masks = method.Parameters.Where(m => m.Kind == ParameterKind.Mask && m.Over == p.Name && given.GetValueOrDefault(m.Name) is not null).ToList();
                foreach (var m in masks)
                {
                    var maskFile = $"{example.Name}-{MethodParameter.Kebab(m.Name)}.png";
                    files[m.Name] = [maskFile];
                    pictures.Add(new DemoPicture(maskFile, $"{m.Label} (magenta)", Painted(image, values.Image(m.Name))));
                }
            }
            using var resources = new Atelier.Studio.Methods.StudioResources();
            var result = method.Run(values, new MethodContext { Progress = ctx.Progress, Cancellation = ctx.CancellationToken, Resources = resources });
            pictures.Add(new DemoPicture($"{example.Name}.png", example.Caption, result.Image));
            string? tiles = null;
            if (values.Tiles(method) != TileAxes.None)
            {
                tiles = $"{example.Name}-tiles.png";
                pictures.Add(new DemoPicture(tiles, "the same tiled 2x2: no seam where the copies meet", ImageOps.Tile(result.Image, 2, 2)));
            }
            commands.Add(CommandLine(method, example, given, files, $"{example.Name}.png", tiles));
        }
        var about = method.About + (method.Reference is { } r ? $" ({r})." : ".");
        return new DemoSection(Title(method), about + " From the command line: " + string.Join("  ", commands), pictures);
    }

    static string Describe(object? value) => value switch
    {
        SampleImage s => $"built-in {s.Name}",
        SamplePhoto p => $"photo {p.Name}",
        SamplePainting p => $"painting {p.Name}",
        SampleGlyph g => $"glyph {g.Name} (a typeface the generator never saw)",
        SampleSketch k => $"XDoG sketch of photo {k.Photo} (a photo the model never saw)",
        _ => "",
    };

    /// <summary>The picture with the masked pixels painted magenta, as the studio shows a painted hole.</summary>
    static Image Painted(Image image, Image mask)
    {
        var painted = image.Clone();
        int n = image.PlaneSize;
        for (int i = 0; i < n; i++)
            if (mask.Data[i] > 0.5f) { painted.Data[i] = 1f; painted.Data[n + i] = 0f; painted.Data[2 * n + i] = 1f; }
        return painted;
    }

    /// <summary>`atelier AREA VERB [PRIMARY] --flag value ... --seed S -o OUT` for the example's own values, the gallery's files as inputs.</summary>
    static string CommandLine(MethodDescriptor method, MethodExample example, Dictionary<string, object?> given, Dictionary<string, List<string>> files, string output,
        string? previewTiles = null)
    {
        var parts = new List<string> { "atelier", method.Area, method.Verb };
        if (method.Primary is { } primary && files.TryGetValue(primary.Name, out var primaryFiles)) parts.AddRange(primaryFiles);
        foreach (var p in method.Parameters)
        {
            if (p.Primary || p.Kind == ParameterKind.Seed || !given.ContainsKey(p.Name) || !example.Values.ContainsKey(p.Name)) continue;
            var flag = "--" + MethodParameter.Kebab(p.Name);
            var value = given[p.Name];
            if (files.TryGetValue(p.Name, out var named)) foreach (var file in named) parts.AddRange([flag, file]);
            else if (p.Kind == ParameterKind.Bool) { if (value is true) parts.Add(flag); }
            else if (p.Kind == ParameterKind.Size && value is int side) parts.AddRange([flag, $"{side}x{side}"]);
            else if (p.Kind == ParameterKind.Tiling)
            {
                var axes = MethodValues.Create(method, given).Tiling(p.Name);
                if (axes == TileAxes.Both) parts.Add(flag); // alone it means both
                else if (axes != TileAxes.None) parts.AddRange([flag, axes.Name()]);
            }
            else parts.AddRange([flag, Convert.ToString(value, CultureInfo.InvariantCulture)!]);
        }
        if (given.TryGetValue("Seed", out var seed)) parts.AddRange(["--seed", Convert.ToString(seed, CultureInfo.InvariantCulture)!]);
        parts.AddRange(["-o", output]);
        if (previewTiles is not null) parts.AddRange(["--preview-tiles", previewTiles]);
        return string.Join(" ", parts);
    }
}
