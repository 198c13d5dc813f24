using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Models;
using Atelier.StyleGan;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Cli.Commands;

/// <summary>`atelier stylegan generate|mix`: sample a StyleGAN2 checkpoint from seeds or latent files; style-mixing grids.</summary>
public static class StyleGanCommand
{
    public static Command Create()
    {
        var cmd = new Command("stylegan", "StyleGAN2 (rosinality/stylegan2-pytorch checkpoints, NVlabs StyleGAN2-ADA .pkl): sample, mix styles, train; invert an image (Image2StyleGAN) and edit in latent space");
        cmd.Subcommands.Add(Generate());
        cmd.Subcommands.Add(Mix());
        cmd.Subcommands.Add(StyleGanTrainCommand.Create());
        return cmd;
    }

    internal static Option<string> CheckpointOption() => new("--checkpoint", "-c")
    {
        Description = "StyleGAN2 checkpoint: a file (.pt/.pth with g_ema, .safetensors, or an NVlabs StyleGAN2-ADA .pkl, read without running its code) or a catalogue name (e.g. ffhq; fetched on first use)",
        Required = true,
    };

    internal static Option<double> TruncationOption() => new("--truncation")
    {
        Description = "Truncation psi toward the mean w (1 = none; 0.7 is common)",
        DefaultValueFactory = _ => 1.0,
    };

    static Command Generate()
    {
        var checkpoint = CheckpointOption();
        var seeds = new Option<string?>("--seeds") { Description = "Seeds, e.g. 1-16 or 3,5,9 (one z each)" };
        var latents = new Option<string?>("--latents") { Description = "Latent codes file (safetensors or PyTorch): (n, dim) or (n, n_latent, dim)" };
        var space = new Option<string>("--space") { Description = "Space of --latents: z, w or w+", DefaultValueFactory = _ => "z" };
        var truncation = TruncationOption();
        var noise = new Option<string>("--noise") { Description = "Noise maps: stored (the checkpoint's fixed maps) or random", DefaultValueFactory = _ => "stored" };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (one PNG per image) or a grid image path (.png/.jpg/.webp)", Required = true };
        var cmd = new Command("generate", "Generate images from seeds or latent codes") { checkpoint, seeds, latents, space, truncation, noise, output };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            string? seedText = ctx.Get(seeds), latentPath = ctx.Get(latents);
            if ((seedText is null) == (latentPath is null)) throw new AtelierUsageException("give exactly one of --seeds or --latents");
            var psi = ctx.Get(truncation);
            if (!(psi >= 0 && psi <= 1)) throw new AtelierUsageException($"--truncation {psi}: must be in [0, 1]");
            bool randomNoise = ParseNoise(ctx.Get(noise));
            var ckPath = ctx.ModelFile(ctx.Get(checkpoint)!, ModelUse.StyleGan, ct);
            var outPath = ctx.Get(output)!;
            bool grid = IsImagePath(outPath);

            using var scope = NewDisposeScope();
            using var g = LoadGenerator(ctx, ckPath);
            Tensor codes;
            LatentSpace latentSpace;
            List<string> names;
            if (seedText is not null)
            {
                var list = SeedList.Parse(seedText);
                codes = cat(list.Select(s => SeedList.Z(s, g.StyleDim)).ToArray(), 0);
                latentSpace = LatentSpace.Z;
                names = list.Select(s => $"seed{s:D4}").ToList();
            }
            else
            {
                latentSpace = LatentFile.ParseSpace(ctx.Get(space));
                codes = LatentFile.Load(latentPath!, latentSpace, g);
                names = Enumerable.Range(0, (int)codes.shape[0]).Select(i => $"latent{i:D4}").ToList();
            }
            var wMean = psi < 1 ? MeanLatent.Get(g, ckPath, note: ctx.Note) : null;

            var images = ctx.WithProgress("generate", progress =>
            {
                var result = new List<Image>();
                using var noGrad = no_grad();
                for (int i = 0; i < names.Count; i += 8)
                {
                    ct.ThrowIfCancellationRequested();
                    using var batchScope = NewDisposeScope();
                    int n = Math.Min(8, names.Count - i);
                    var batch = codes.narrow(0, i, n).to(g.Device);
                    var imgs = g.Generate(batch, latentSpace, psi, wMean, randomNoise);
                    result.AddRange(ImageTensors.FromBatch(imgs.cpu().clamp(-1, 1), ValueRange.MinusOneOne));
                    progress.Report(new Runtime.ProgressReport(i + n, names.Count, "generate"));
                }
                return result;
            });

            var written = new List<string>();
            if (grid)
            {
                ImageIO.Save(ContactSheet.Create(images.Zip(names, (im, nm) => (im, (string?)nm)).ToList()), outPath);
                written.Add(outPath);
            }
            else
            {
                Directory.CreateDirectory(outPath);
                for (int i = 0; i < images.Count; i++)
                {
                    var path = Path.Combine(outPath, names[i] + ".png");
                    ImageIO.Save(images[i], path);
                    written.Add(path);
                }
            }
            ctx.Result(new { command = "stylegan generate", count = images.Count, size = g.Size, truncation = psi, noise = randomNoise ? "random" : "stored", outputs = written },
                grid ? $"wrote a grid of {images.Count} images to {outPath}" : $"wrote {images.Count} images to {outPath}");
            return CliRunner.Success;
        });
        return cmd;
    }

    static Command Mix()
    {
        var checkpoint = CheckpointOption();
        var rows = new Option<string>("--rows") { Description = "Row seeds (their codes are kept outside --layers)", Required = true };
        var cols = new Option<string>("--cols") { Description = "Column seeds (their codes supply the --layers)", Required = true };
        var layers = new Option<string>("--layers") { Description = "Layers taken from the columns: coarse (4-8 px), middle (16-32 px), fine (64 px+) or latent indices i-j", DefaultValueFactory = _ => "coarse" };
        var truncation = TruncationOption();
        var output = new Option<string>("--output", "-o") { Description = "Grid image path (.png/.jpg/.webp)", Required = true };
        var cmd = new Command("mix", "Style-mixing grid: seed images on the top row and left column, mixes inside") { checkpoint, rows, cols, layers, truncation, output };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var outPath = ctx.Get(output)!;
            if (!IsImagePath(outPath)) throw new AtelierUsageException($"--output {outPath}: the mixing grid is one image (.png, .jpg or .webp)");
            var psi = ctx.Get(truncation);
            if (!(psi >= 0 && psi <= 1)) throw new AtelierUsageException($"--truncation {psi}: must be in [0, 1]");
            var rowSeeds = SeedList.Parse(ctx.Get(rows)!, "Rows");
            var colSeeds = SeedList.Parse(ctx.Get(cols)!, "Cols");
            var ckPath = ctx.ModelFile(ctx.Get(checkpoint)!, ModelUse.StyleGan, ct);

            using var scope = NewDisposeScope();
            using var g = LoadGenerator(ctx, ckPath);
            var range = StyleMixing.LayerRange(ctx.Get(layers)!, g.Config);
            var wMean = psi < 1 ? MeanLatent.Get(g, ckPath, note: ctx.Note) : null;
            using var noGrad = no_grad();
            Tensor W(long seed) => g.SeedW(seed, wMean, psi);
            var rowW = rowSeeds.Select(W).ToList();
            var colW = colSeeds.Select(W).ToList();
            var cells = StyleMixing.Grid(g, rowW, colW, range,
                rowSeeds.Select(s => $"seed {s}").ToList(), colSeeds.Select(s => $"seed {s}").ToList(), w => g.Synthesize(w));
            ImageIO.Save(ContactSheet.Create(cells, columns: colSeeds.Count + 1), outPath);
            ctx.Result(new { command = "stylegan mix", rows = rowSeeds, cols = colSeeds, layers = new[] { range.First, range.Last }, output = outPath },
                $"wrote a {rowSeeds.Count}x{colSeeds.Count} mixing grid (latents {range.First}-{range.Last} from the columns) to {outPath}");
            return CliRunner.Success;
        });
        return cmd;
    }

    /// <summary>Loads a generator from a file or a catalogue name (fetched on first use).</summary>
    internal static Generator LoadGenerator(CliContext ctx, string nameOrPath, CancellationToken ct = default)
    {
        var g = GeneratorLoader.Load(ctx.ModelFile(nameOrPath, ModelUse.StyleGan, ct), ctx.Device);
        ctx.Note($"StyleGAN2 generator: {g.Size} px, style dim {g.StyleDim}, {g.Config.NMlp} mapping layers, {g.NLatent} latents");
        return g;
    }

    static bool ParseNoise(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "stored" => false,
        "random" => true,
        _ => throw new AtelierUsageException($"--noise {text}: expected stored or random"),
    };

    internal static bool IsImagePath(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".webp";
}
