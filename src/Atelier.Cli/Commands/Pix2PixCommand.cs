using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.Methods;
using Atelier.Training;
using Atelier.Translation;
using TorchSharp;

namespace Atelier.Cli.Commands;

/// <summary>Options shared by `pix2pix train` and `cyclegan train`.</summary>
sealed class TrainOptions(string evalLayout)
{
    public readonly Option<string> Data = new("--data") { Description = "Training data folder", Required = true };
    public readonly Option<string> Output = new("--output", "-o") { Description = "Run folder: checkpoint.safetensors, losses.csv, losses.png, samples/", Required = true };
    public readonly Option<long> Steps = new("--steps") { Description = "Training steps (one batch each)", DefaultValueFactory = _ => 2000 };
    public readonly Option<long?> DecaySteps = new("--decay-steps") { Description = "Last steps over which the learning rate falls linearly to zero (default: half of --steps, like the reference's 100 + 100 epochs)" };
    public readonly Option<string?> Arch = new("--arch") { Description = "Generator: unet_256, unet_128 (unet_N), resnet_9blocks, resnet_6blocks (resnet_Nblocks)" };
    public readonly Option<string> NetD = new("--netD") { Description = "Discriminator: basic (70x70 PatchGAN), n_layers_N, pixel", DefaultValueFactory = _ => "basic" };
    public readonly Option<long> Ngf = new("--ngf") { Description = "Generator width", DefaultValueFactory = _ => 64 };
    public readonly Option<long> Ndf = new("--ndf") { Description = "Discriminator width", DefaultValueFactory = _ => 64 };
    public readonly Option<string?> Norm = new("--norm") { Description = "batch, instance or none" };
    public readonly Option<string?> GanMode = new("--gan-mode") { Description = "vanilla, lsgan or wgangp" };
    public readonly Option<string> Init = new("--init") { Description = "normal, xavier, kaiming or orthogonal", DefaultValueFactory = _ => "normal" };
    public readonly Option<double> Lr = new("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 2e-4 };
    public readonly Option<double> Beta1 = new("--beta1") { Description = "Adam beta1", DefaultValueFactory = _ => 0.5 };
    public readonly Option<int> LoadSize = new("--load-size") { Description = "Images are resized to this square first", DefaultValueFactory = _ => 286 };
    public readonly Option<int> CropSize = new("--crop-size") { Description = "then randomly cropped to this", DefaultValueFactory = _ => 256 };
    public readonly Option<bool> NoFlip = new("--no-flip") { Description = "No random horizontal flips" };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 1 };
    public readonly Option<int> SampleEvery = new("--sample-every") { Description = "Write a sample grid and the loss plot every N steps", DefaultValueFactory = _ => 100 };
    public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Save a resumable checkpoint every N steps (and at the end, and on Ctrl+C)", DefaultValueFactory = _ => 500 };
    public readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in --output from its checkpoint" };

    public readonly EvalCliOptions Eval = new(evalLayout);

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Data, Output, Steps, DecaySteps, Arch, NetD, Ngf, Ndf, Norm, GanMode, Init, Lr, Beta1, LoadSize, CropSize, NoFlip, BatchSize, SampleEvery, CheckpointEvery, Resume })
            cmd.Options.Add(o);
        Eval.AddTo(cmd);
    }

    public TrainingLoopOptions Loop(CliContext ctx)
    {
        long steps = ctx.Get(Steps);
        int sample = ctx.Get(SampleEvery), every = ctx.Get(CheckpointEvery);
        if (sample < 1) throw new AtelierUsageException($"--sample-every {sample}: must be at least 1");
        if (every < 1) throw new AtelierUsageException($"--checkpoint-every {every}: must be at least 1");
        if (ctx.Get(BatchSize) < 1) throw new AtelierUsageException($"--batch-size {ctx.Get(BatchSize)}: must be at least 1");
        return Eval.Apply(ctx, new TrainingLoopOptions(ctx.Get(Output)!, steps, ctx.Get(DecaySteps) ?? steps / 2, sample, every));
    }

    /// <summary>
    /// Every trainer's closing line: steps, time and last losses, the last held-out figures when the run had a held-out
    /// folder, the checkpoint, and the exported model when there is one (<paramref name="output"/>: the style trainers
    /// write it when the run completes); a stopped run says how to resume.
    /// </summary>
    public static int Report(CliContext ctx, TrainingResult r, string kind, string? output = null, long? seed = null)
    {
        var losses = string.Join(" ", r.LastLosses.Select(kv => $"{kv.Key}={kv.Value:G4}"));
        if (r.LastMetrics.Count > 0)
            losses += "; held-out " + string.Join(" ", r.LastMetrics.Select(kv => $"{kv.Key}={kv.Value:G4}")) + $" (metrics.csv, metrics.png in {r.RunDirectory})";
        var wrote = output is null ? "" : $"; wrote {output}";
        ctx.Result(new
        {
            command = kind, step = r.Step, steps = r.Steps, interrupted = r.Interrupted, checkpoint = r.Checkpoint, runDirectory = r.RunDirectory,
            output = r.Interrupted ? null : output, lastLosses = r.LastLosses, heldOut = r.LastMetrics.Count > 0 ? r.LastMetrics : null, seconds = r.Seconds, totalSeconds = r.TotalSeconds, startStep = r.StartStep,
            seed = seed ?? ctx.Seed,
        }, r.Interrupted
            ? $"{kind}: stopped at step {r.Step}/{r.Steps}; checkpoint saved to {r.Checkpoint} (rerun with --resume to continue)"
            : r.StartStep > 0
                ? $"{kind}: steps {r.StartStep}-{r.Step} in {r.Seconds:F0} s (resumed); {losses}; checkpoint {r.Checkpoint}{wrote}"
                : $"{kind}: {r.Steps} steps in {r.Seconds:F0} s; {losses}; checkpoint {r.Checkpoint}{wrote}");
        return r.Interrupted ? CliRunner.Failure : CliRunner.Success;
    }
}

/// <summary>`atelier pix2pix train|test|translate` (translate: the registered method): paired image-to-image translation (Isola et al.), the reference's defaults.</summary>
public static class Pix2PixCommand
{
    public static Command Create()
    {
        var cmd = new Command("pix2pix", "Pix2Pix: paired image-to-image translation: train, test, translate");
        var train = new Command("train", "Train on aligned pairs (side-by-side AB images, or A/ and B/ folders matched by name)");
        var t = new TrainOptions("aligned pairs like --data; its test/ when it has one");
        t.AddTo(train);
        var direction = new Option<string>("--direction") { Description = "AtoB or BtoA", DefaultValueFactory = _ => "AtoB" };
        var lambdaL1 = new Option<double>("--lambda-l1") { Description = "Weight of the L1 loss", DefaultValueFactory = _ => 100 };
        var noDropout = new Option<bool>("--no-dropout") { Description = "No dropout in the generator" };
        train.Options.Add(direction); train.Options.Add(lambdaL1); train.Options.Add(noDropout);
        CliRunner.SetAction(train, (ctx, ct) =>
        {
            var loop = t.Loop(ctx);
            var dir = TranslationMethods.ParseDirection(ctx.Get(direction) ?? "AtoB");
            var data = TranslationData.LoadAligned(ctx.Get(t.Data)!, dir, ctx.Warn);
            var o = new Pix2PixOptions
            {
                Generator = ctx.Get(t.Arch) ?? "unet_256", Discriminator = ctx.Get(t.NetD)!, Ngf = ctx.Get(t.Ngf), Ndf = ctx.Get(t.Ndf),
                Norm = Norms.Parse(ctx.Get(t.Norm) ?? "batch"), Dropout = !ctx.Get(noDropout), GanMode = GanLoss.Parse(ctx.Get(t.GanMode) ?? "vanilla"),
                LambdaL1 = ctx.Get(lambdaL1), LearningRate = ctx.Get(t.Lr), Beta1 = ctx.Get(t.Beta1), Init = WeightInit.Parse(ctx.Get(t.Init)!),
                LoadSize = ctx.Get(t.LoadSize), CropSize = ctx.Get(t.CropSize), Flip = !ctx.Get(t.NoFlip), BatchSize = ctx.Get(t.BatchSize),
                Seed = ctx.Seed ?? 0, Direction = dir,
            };
            using var trainer = new Pix2PixTrainer(data, o, ctx.Device);
            ctx.Note($"pix2pix: {data.Count} pairs; G {trainer.GSpec}; {loop.Steps} steps -> {loop.RunDirectory}");
            var r = ctx.WithProgress("pix2pix", p => TrainingLoop.Run(trainer, loop, ctx.Get(t.Resume), p, ct, ctx.Warn));
            return TrainOptions.Report(ctx, r, "pix2pix");
        });
        cmd.Subcommands.Add(train);
        cmd.Subcommands.Add(CreateTest());
        foreach (var method in MethodRegistry.InArea("pix2pix")) cmd.Subcommands.Add(RegisteredCommand.Create(method));
        return cmd;
    }

    /// <summary>`pix2pix test`: held-out L1 and PSNR of a generator on aligned pairs, and a grid of its outputs.</summary>
    static Command CreateTest()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Generator: an Atelier run checkpoint or the reference's latest_net_G.pth", Required = true };
        var data = new Option<string>("--data") { Description = "Aligned pairs (AB images, or A/ and B/ folders) not used in training", Required = true };
        var size = new Option<int>("--size") { Description = "Pairs are resized to this square", DefaultValueFactory = _ => 256 };
        var arch = new Option<string?>("--arch") { Description = "Generator architecture; detected from the checkpoint when left out" };
        var eval = new Option<bool>("--eval") { Description = "Eval mode (BatchNorm running statistics, no dropout) instead of the reference test.py's train mode" };
        var grid = new Option<string?>("--grid", "-o") { Description = "Write a grid (input, output, target per row) of the first --rows pairs to this PNG" };
        var rows = new Option<int>("--rows") { Description = "Rows of the grid", DefaultValueFactory = _ => 6 };
        var direction = new Option<string>("--direction") { Description = "AtoB or BtoA", DefaultValueFactory = _ => "AtoB" };
        var baselineData = new Option<string?>("--baseline-data") { Description = "Pairs whose targets' mean colour the flat baseline paints: the training pairs, for the colour a generator blind to its input would learn (default: the scored pairs' own)" };
        var test = new Command("test", "Score a pix2pix generator on held-out pairs: mean L1 (in [0,1] units) and PSNR, beside a flat picture of the targets' mean colour as a baseline") { checkpoint, data, size, arch, eval, grid, rows, direction, baselineData };
        CliRunner.SetAction(test, (ctx, ct) =>
        {
            int s = ctx.Get(size);
            if (s < 8) throw new AtelierUsageException($"--size {s}: must be at least 8");
            var pairs = TranslationData.LoadAligned(ctx.Get(data)!, TranslationMethods.ParseDirection(ctx.Get(direction) ?? "AtoB"), ctx.Warn);
            bool evalMode = ctx.Get(eval);
            var (spec, g) = TranslationCheckpoint.LoadGenerator(ctx.ModelFile(ctx.Get(checkpoint)!, Atelier.Models.ModelUse.Pix2Pix, ct), ctx.Get(arch));
            using (g)
            {
                g.to(ctx.Device);
                if (s % spec.Multiple != 0) throw new AtelierUsageException($"--size {s}: {spec.Name} needs a multiple of {spec.Multiple}");
                var score = Pix2PixTrainer.Score(g, pairs, s, ctx.Device, evalMode);
                if (ctx.Get(grid) is { } path)
                {
                    var cells = new List<(Imaging.Image, string?)>();
                    foreach (var p in pairs.Take(Math.Max(1, ctx.Get(rows))))
                    {
                        var a = Imaging.ImageResize.Resize(Imaging.ImageOps.ToRgb(p.A), s, s);
                        if (evalMode) g.eval(); else g.train();
                        cells.Add((a, "input"));
                        cells.Add((Pix2PixTrainer.Evaluate(g, a, ctx.Device), "output"));
                        cells.Add((Imaging.ImageResize.Resize(Imaging.ImageOps.ToRgb(p.B), s, s), "target"));
                    }
                    Imaging.ImageIO.Save(Imaging.ContactSheet.Create(cells, 3), path);
                }
                var mode = evalMode ? "eval" : "train";
                var colourFrom = ctx.Get(baselineData) is { } bd ? TranslationData.LoadAligned(bd, TranslationMethods.ParseDirection(ctx.Get(direction) ?? "AtoB"), ctx.Warn) : null;
                var flat = Pix2PixTrainer.MeanColourBaseline(pairs, s, colourFrom);
                string whose = colourFrom is null ? "these targets'" : $"the {colourFrom.Count} baseline pairs' targets'";
                ctx.Result(new { pairs = pairs.Count, l1 = score.L1, psnr = score.Psnr, mode, architecture = spec.Name,
                        baseline = new { l1 = flat.L1, psnr = flat.Psnr, colour_from = colourFrom is null ? "scored pairs" : ctx.Get(baselineData) } },
                    $"{pairs.Count} pairs, {spec.Name} ({mode} mode): L1 {score.L1:F4}, PSNR {score.Psnr:F2} dB; "
                    + $"a flat picture of {whose} mean colour: L1 {flat.L1:F4}, PSNR {flat.Psnr:F2} dB");
            }
            return CliRunner.Success;
        });
        return test;
    }
}
