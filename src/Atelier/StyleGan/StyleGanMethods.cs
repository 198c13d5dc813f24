using System.Diagnostics;
using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Models;
using TorchSharp;
using static TorchSharp.torch;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.StyleGan;

/// <summary>Sampling a StyleGAN2 generator and its style-mixing grid, as every front end offers them (<see cref="MethodRegistry"/>).</summary>
public static class StyleGanMethods
{
    /// <summary>The files a StyleGAN2 generator loads from: rosinality's g_ema, Atelier's runs, NVlabs' pickles.</summary>
    public static readonly ArchitectureKind[] Generators = [ArchitectureKind.StyleGan2Generator, ArchitectureKind.StyleGan2Run,
        ArchitectureKind.StyleGan2NvlabsGenerator, ArchitectureKind.StyleGan2NvlabsSnapshot];

    /// <summary>Images generated per forward pass.</summary>
    const int Batch = 8;

    /// <summary>The generator every StyleGAN method runs, by file or catalogue name.</summary>
    internal static MethodParameter Checkpoint() =>
        P.Model("Model", "Generator (StyleGAN2)", ModelUse.StyleGan, Generators, GlyphExamples.DefaultModel,
            help: "StyleGAN2 checkpoint: a file (.pt/.pth with g_ema, .safetensors, or an NVlabs StyleGAN2-ADA .pkl, read without running its code) or a catalogue name (e.g. ffhq; fetched on first use)"
                + (GlyphExamples.Shipped ? $"; default: {GlyphExamples.Model}, the 32 px letter generator Atelier ships" : ""))
            // The earlier --checkpoint / -c, which scripts and docs use, and -m as the other model options spell it.
            with { Aliases = ["Checkpoint", "C", "M"] };

    static MethodParameter Truncation() =>
        P.Float("Truncation", "Truncation psi", 0, 1, 1, 0.05, "truncation psi toward the mean w (1 = none; 0.7 is common): less variety, fewer artefacts");

    public static MethodDescriptor Generate { get; } = new()
    {
        Id = "stylegan.generate",
        Title = "Seeds",
        MakesSheet = true,
        About = "the images of seeds (one z each), or of latent codes from a file; truncation pulls every w toward the mean",
        Reference = "Karras et al. 2020",
        Examples = GlyphExamples.Generate(),
        Parameters =
        [
            Checkpoint(),
            P.Seed(label: "First seed"),
            P.Int("Count", "Images", 1, SeedList.MaxCount, 4, "images of consecutive seeds from the first (the seed)"),
            P.Text("Seeds", "Seeds (e.g. 1-16 or 3,5,9)", help: "seeds, e.g. 1-16 or 3,5,9 (one z each); given, they replace the first seed and the count"),
            P.Text("Latents", "Latent codes file", help: "latent codes file (safetensors or PyTorch): (n, dim) or (n, n_latent, dim); given, it replaces the seeds"),
            P.Choice("Space", "Latent space of the file", "z", ["z", "w", "w+"], "space of the latent codes file: z, w or w+"),
            Truncation(),
            P.Choice("Noise", "Noise maps", "stored", ["stored", "random"], "noise maps: stored (the checkpoint's fixed maps) or random (drawn from the seed)"),
        ],
        Validate = v =>
        {
            if (v.OptionalText("Seeds") is not null && v.OptionalText("Latents") is not null)
                throw new AtelierUsageException("give one of {Seeds} or {Latents}, not both");
            if (v.OptionalText("Seeds") is { } seeds) SeedList.Parse(seeds);
        },
        Run = (v, run) =>
        {
            var clock = Stopwatch.StartNew();
            var path = v.Text("Model");
            // Borrowed before the dispose scope opens: a kept generator's weights outlive this run.
            var g = run.Resources.Model(path, p => GeneratorLoader.Load(p, run.Device));
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            double psi = v.Float("Truncation");
            bool randomNoise = v.Choice("Noise") == "random";
            Tensor codes;
            LatentSpace space;
            List<string> names, captions;
            if (v.OptionalText("Latents") is { } file)
            {
                space = LatentFile.ParseSpace(v.Choice("Space"));
                codes = LatentFile.Load(file, space, g);
                names = [.. Enumerable.Range(0, (int)codes.shape[0]).Select(i => $"latent{i:D4}")];
                captions = names;
            }
            else
            {
                var seeds = v.OptionalText("Seeds") is { } text ? SeedList.Parse(text)
                    : [.. Enumerable.Range(0, v.Int("Count")).Select(i => v.Seed() + i)];
                codes = cat(seeds.Select(s => SeedList.Z(s, g.StyleDim)).ToArray(), 0);
                space = LatentSpace.Z;
                names = [.. seeds.Select(s => $"seed{s:D4}")];
                captions = [.. seeds.Select(s => $"seed {s}")];
            }
            var wMean = psi < 1 ? MeanLatent.Get(g, path) : null;
            // Random noise comes from the seed's own generator, so concurrent runs stay reproducible.
            using var rng = randomNoise ? new torch.Generator((ulong)v.Seed()) : null;
            var images = new List<Image>();
            for (int i = 0; i < names.Count; i += Batch)
            {
                run.Cancellation.ThrowIfCancellationRequested();
                using var batchScope = NewDisposeScope();
                int n = Math.Min(Batch, names.Count - i);
                var made = g.Generate(codes.narrow(0, i, n).to(g.Device), space, psi, wMean, randomNoise, rng);
                images.AddRange(ImageTensors.FromBatch(made.cpu().clamp(-1, 1), ValueRange.MinusOneOne));
                run.Progress?.Report(new Runtime.ProgressReport(i + n, names.Count, "generate"));
            }
            // One image is itself; several are a captioned sheet.
            var picture = images.Count == 1 ? images[0] : Sheet([.. images.Zip(captions, (im, c) => (im, (string?)c))], Math.Min(images.Count, 8));
            return new MethodResult(picture, new Dictionary<string, object>
            {
                ["seed"] = v.Seed(), ["count"] = images.Count, ["size"] = g.Size, ["truncation"] = psi, ["noise"] = randomNoise ? "random" : "stored",
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            }) { Parts = [.. names.Zip(images)] };
        },
    };

    public static MethodDescriptor Mix { get; } = new()
    {
        Id = "stylegan.mix",
        Title = "Style mixing",
        About = "top row: column seeds; left column: row seeds; inside, each row's code takes the column's latents before the crossover (coarse: pose, shape) and keeps its own after it (fine: colour, texture)",
        Reference = "Karras et al. 2019",
        Examples = GlyphExamples.Mix(),
        Parameters =
        [
            Checkpoint(),
            P.Seed("RowSeed", "First row seed") with { Help = "the first row seed (the others follow it)" },
            P.Seed("ColSeed", "First column seed") with { Default = 100L, Help = "the first column seed (the others follow it)" },
            P.Int("Count", "Seeds per side", 1, 16, 3, "row and column seeds, consecutive from the first ones"),
            P.Int("Crossover", "Crossover layer (latents before it from the columns)", 1, 17, 2, "the latents before this index come from the columns"),
            P.Text("Rows", "Row seeds (e.g. 1,2,3)", help: "row seeds, e.g. 1,2,3 (their codes are kept outside the mixed layers); given, they replace the first row seed and the count"),
            P.Text("Cols", "Column seeds (e.g. 4,5,6)", help: "column seeds (their codes supply the mixed layers); given, they replace the first column seed and the count"),
            P.Text("Layers", "Mixed layers", help: "layers taken from the columns: coarse (4-8 px), middle (16-32 px), fine (64 px+) or latent indices i-j; given, they replace the crossover"),
            Truncation(),
        ],
        Validate = v =>
        {
            if (v.OptionalText("Rows") is { } rows) SeedList.Parse(rows, "Rows");
            if (v.OptionalText("Cols") is { } cols) SeedList.Parse(cols, "Cols");
        },
        Run = (v, run) =>
        {
            var clock = Stopwatch.StartNew();
            var path = v.Text("Model");
            var g = run.Resources.Model(path, p => GeneratorLoader.Load(p, run.Device));
            using var scope = NewDisposeScope();
            (int First, int Last) range = v.OptionalText("Layers") is { } layers ? StyleMixing.LayerRange(layers, g.Config)
                : v.Int("Crossover") < g.NLatent ? (0, v.Int("Crossover") - 1)
                : throw new AtelierUsageException($"{{Crossover}} {v.Int("Crossover")}: must be below this generator's {g.NLatent} latents");
            IReadOnlyList<long> Seeds(string list, string first) => v.OptionalText(list) is { } text ? SeedList.Parse(text, list)
                : [.. Enumerable.Range(0, v.Int("Count")).Select(i => v.Seed(first) + i)];
            var rowSeeds = Seeds("Rows", "RowSeed");
            var colSeeds = Seeds("Cols", "ColSeed");
            double psi = v.Float("Truncation");
            var wMean = psi < 1 ? MeanLatent.Get(g, path) : null;
            using var noGrad = no_grad();
            var cells = StyleMixing.Grid(g, [.. rowSeeds.Select(s => g.SeedW(s, wMean, psi))], [.. colSeeds.Select(s => g.SeedW(s, wMean, psi))], range,
                [.. rowSeeds.Select(s => $"seed {s}")], [.. colSeeds.Select(s => $"seed {s}")], w => g.Synthesize(w));
            return new MethodResult(Sheet(cells, colSeeds.Count + 1), new Dictionary<string, object>
            {
                ["rows"] = rowSeeds, ["cols"] = colSeeds, ["layers"] = new[] { range.First, range.Last },
                ["crossover"] = range.Last + 1, ["fromColumns"] = $"{range.First}-{range.Last}", ["latents"] = g.NLatent, ["truncation"] = psi,
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            });
        },
    };

    /// <summary>
    /// A captioned sheet of the generator's images. A small generator's cells are enlarged (nearest, by a whole
    /// factor) to at least 64 px: under a 16 px cell "seed 100" would be wrapped and cut.
    /// </summary>
    public static Image Sheet(IReadOnlyList<(Image Image, string? Caption)> cells, int columns)
    {
        int side = cells.Max(c => Math.Max(c.Image.Width, c.Image.Height));
        int k = side >= 64 ? 1 : (64 + side - 1) / side;
        if (k > 1) cells = [.. cells.Select(c => (ImageResize.Resize(c.Image, c.Image.Width * k, c.Image.Height * k, ResizeFilter.Nearest), c.Caption))];
        return ContactSheet.Create([.. cells], columns: columns);
    }
}
