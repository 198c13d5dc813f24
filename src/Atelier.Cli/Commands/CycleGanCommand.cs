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
        foreach (var method in MethodRegistry.InArea("cyclegan")) cmd.Subcommands.Add(RegisteredCommand.Create(method));
        return cmd;
    }
}
