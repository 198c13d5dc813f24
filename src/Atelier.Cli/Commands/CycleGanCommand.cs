using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Methods;
using Atelier.Training;
using Atelier.Translation;

namespace Atelier.Cli.Commands;

/// <summary>`atelier cyclegan train|translate` (translate: the registered method): unpaired translation between two domains (Zhu et al.), the reference's defaults.</summary>
public static class CycleGanCommand
{
    public static Command Create()
    {
        var cmd = new Command("cyclegan", "CycleGAN: unpaired translation between two image domains: train, translate");
        var train = new Command("train", "Train on trainA/ and trainB/ folders");
        var t = new TrainOptions("testA/ and testB/, or A/ and B/: G_A's outputs as a set against B");
        t.AddTo(train);
        var lambdaA = new Option<double>("--lambda-a") { Description = "Weight of the cycle loss A -> B -> A", DefaultValueFactory = _ => 10 };
        var lambdaB = new Option<double>("--lambda-b") { Description = "Weight of the cycle loss B -> A -> B", DefaultValueFactory = _ => 10 };
        var lambdaIdt = new Option<double>("--lambda-identity") { Description = "Identity loss weight, relative to the cycle weights (0 turns it off)", DefaultValueFactory = _ => 0.5 };
        var pool = new Option<int>("--pool-size") { Description = "Fake images kept for the discriminators (0: none)", DefaultValueFactory = _ => 50 };
        var featureCycle = new Option<double>("--feature-cycle") { Description = "Share (0-1) of the cycle loss measured between VGG features of x and F(G(x)) instead of pixels (1: features only)", DefaultValueFactory = _ => 0 };
        var featureLayer = new Option<string>("--feature-layer") { Description = "VGG layer for --feature-cycle", DefaultValueFactory = _ => "relu3_1" };
        var vgg = new Option<string?>("--vgg") { Description = "VGG-16/19 weights for --feature-cycle: a torchvision file or a catalogue name (vgg19, vgg16; fetched on first use); default: the built-in seeded random VGG-19" };
        foreach (var o in new Option[] { lambdaA, lambdaB, lambdaIdt, pool, featureCycle, featureLayer, vgg }) train.Options.Add(o);
        CliRunner.SetAction(train, (ctx, ct) =>
        {
            var loop = t.Loop(ctx);
            var (a, b) = TranslationData.LoadUnaligned(ctx.Get(t.Data)!, ctx.Warn);
            if (ctx.Get(pool) < 0) throw new AtelierUsageException($"--pool-size {ctx.Get(pool)}: must be 0 or more");
            var o = new CycleGanOptions
            {
                Generator = ctx.Get(t.Arch) ?? "resnet_9blocks", Discriminator = ctx.Get(t.NetD)!, Ngf = ctx.Get(t.Ngf), Ndf = ctx.Get(t.Ndf),
                Norm = Norms.Parse(ctx.Get(t.Norm) ?? "instance"), GanMode = GanLoss.Parse(ctx.Get(t.GanMode) ?? "lsgan"),
                LambdaA = ctx.Get(lambdaA), LambdaB = ctx.Get(lambdaB), LambdaIdentity = ctx.Get(lambdaIdt), PoolSize = ctx.Get(pool),
                LearningRate = ctx.Get(t.Lr), Beta1 = ctx.Get(t.Beta1), Init = WeightInit.Parse(ctx.Get(t.Init)!),
                LoadSize = ctx.Get(t.LoadSize), CropSize = ctx.Get(t.CropSize), Flip = !ctx.Get(t.NoFlip), BatchSize = ctx.Get(t.BatchSize),
                Seed = ctx.Seed ?? 0, FeatureCycle = ctx.Get(featureCycle), FeatureLayer = ctx.Get(featureLayer)!, VggPath = ctx.Get(vgg) is { } vggGiven ? ctx.ModelFile(vggGiven, Atelier.Models.ModelUse.Features, ct) : null,
            };
            using var trainer = new CycleGanTrainer(a, b, o, ctx.Device);
            ctx.Note($"cyclegan: {a.Count} A and {b.Count} B images; G {trainer.GSpec}; {loop.Steps} steps -> {loop.RunDirectory}");
            var r = ctx.WithProgress("cyclegan", p => TrainingLoop.Run(trainer, loop, ctx.Get(t.Resume), p, ct, ctx.Warn));
            return TrainOptions.Report(ctx, r, "cyclegan");
        });
        cmd.Subcommands.Add(train);
        cmd.Subcommands.Add(CreateTest());
        foreach (var method in MethodRegistry.InArea("cyclegan")) cmd.Subcommands.Add(RegisteredCommand.Create(method));
        return cmd;
    }

    /// <summary>`cyclegan test`: held-out cycle PSNR both ways (A -> B -> A, B -> A -> B) of a run's two generators, and a grid of the trips.</summary>
    static Command CreateTest()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Both generators: a CycleGAN run checkpoint, or a model holding G_A and G_B (a name Atelier ships or a file)", Required = true };
        var data = new Option<string>("--data") { Description = "Held-out pictures: testA/ and testB/ (or A/ and B/) not used in training", Required = true };
        var size = new Option<int>("--size") { Description = "Pictures are resized to this square", DefaultValueFactory = _ => 256 };
        var count = new Option<int>("--count") { Description = "Pictures scored per domain at most (the first in name order; 0: all)", DefaultValueFactory = _ => 0 };
        var grid = new Option<string?>("--grid", "-o") { Description = "Write a grid (picture, translation, back again per row) of the first --rows trips each way to this PNG" };
        var rows = new Option<int>("--rows") { Description = "Rows of the grid per direction", DefaultValueFactory = _ => 4 };
        var test = new Command("test", "Score a CycleGAN's two generators on held-out pictures: the PSNR of each picture after the round trip through the other domain, both ways")
            { checkpoint, data, size, count, grid, rows };
        CliRunner.SetAction(test, (ctx, ct) =>
        {
            int s = ctx.Get(size), n = ctx.Get(count);
            if (s < 8) throw new AtelierUsageException($"--size {s}: must be at least 8");
            if (n < 0) throw new AtelierUsageException($"--count {n}: must be 0 (all) or more");
            var path = ctx.ModelFile(ctx.Get(checkpoint)!, Atelier.Models.ModelUse.CycleGan, ct);
            var headers = Atelier.Checkpoints.Checkpoint.ReadHeaders(path);
            if (!headers.Has("G_A") || !headers.Has("G_B"))
                throw new AtelierUsageException($"--checkpoint {ctx.Get(checkpoint)}: holds one generator; the round trip needs a CycleGAN run's G_A and G_B");
            var (a, b) = TranslationData.LoadUnaligned(ctx.Get(data)!, ctx.Warn, split: "test");
            using var aToB = Translator.Load(path, evalMode: true, direction: Direction.AtoB, device: ctx.Device);
            using var bToA = Translator.Load(path, evalMode: true, direction: Direction.BtoA, device: ctx.Device);
            var score = ctx.WithProgress("cycles", p => CycleEvaluation.Score(aToB, bToA, n > 0 ? [.. a.Take(n)] : a, n > 0 ? [.. b.Take(n)] : b, s, p, ct));
            if (ctx.Get(grid) is { } gridPath)
            {
                int r = Math.Max(1, ctx.Get(rows));
                var cells = new List<(Imaging.Image, string?)>();
                foreach (var (trips, there, back) in new[] { (score.FromA, "A->B", "A->B->A"), (score.FromB, "B->A", "B->A->B") })
                    foreach (var t in trips.Take(r))
                        cells.AddRange([(t.Input, there[..1]), (t.Translated, there), (t.Back, $"{back} {t.Psnr:F1} dB")]);
                Imaging.ImageIO.Save(Imaging.ContactSheet.Create(cells, 3), gridPath);
            }
            ctx.Result(new { pictures_a = score.FromA.Count, pictures_b = score.FromB.Count, cycle_psnr_a = score.PsnrA, cycle_psnr_b = score.PsnrB, architecture = aToB.Spec.Name },
                $"{score.FromA.Count} A and {score.FromB.Count} B pictures, {aToB.Spec.Name}: cycle PSNR A->B->A {score.PsnrA:F2} dB, B->A->B {score.PsnrB:F2} dB");
            return CliRunner.Success;
        });
        return test;
    }
}
