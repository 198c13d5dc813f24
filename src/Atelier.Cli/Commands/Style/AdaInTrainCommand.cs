using System.CommandLine;
using System.Globalization;
using Atelier.Checkpoints;
using Atelier.Cli.Infrastructure;
using Atelier.Networks;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Cli.Commands.Style;

/// <summary>`atelier adain train --content-dir C --style-dir S --vgg V -o DECODER`: trains the AdaIN decoder.</summary>
public static class AdaInTrainCommand
{
    public static Command Create()
    {
        var contentDir = new Option<string>("--content-dir") { Description = "Folder of content images (e.g. COCO)", Required = true };
        var styleDir = new Option<string>("--style-dir") { Description = "Folder of style images (e.g. WikiArt)", Required = true };
        var features = new FeatureCliOption();
        features.Vgg.Description = "The normalised VGG-19 (vgg_normalised.pth): the reference's encoder and decoder layout";
        var output = new Option<string>("--output", "-o") { Description = "The trained decoder (.safetensors, pytorch-AdaIN keys)", Required = true };
        var loadSize = new Option<int>("--load-size") { Description = "Resize images' shorter side to this before cropping", DefaultValueFactory = _ => 512 };
        var cropSize = new Option<int>("--crop-size") { Description = "Random crop size", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch-size") { Description = "Pairs per step", DefaultValueFactory = _ => 8 };
        var steps = new Option<long>("--steps", "--iterations") { Description = "Training steps", DefaultValueFactory = _ => 160_000 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (decayed as lr / (1 + lr-decay * step))", DefaultValueFactory = _ => 1e-4 };
        var lrDecay = new Option<double>("--lr-decay") { Description = "Learning-rate decay", DefaultValueFactory = _ => 5e-5 };
        var styleWeight = new Option<double>("--style-weight") { Description = "Weight of the mean/std style loss", DefaultValueFactory = _ => 10.0 };
        var contentWeight = new Option<double>("--content-weight") { Description = "Weight of the content loss", DefaultValueFactory = _ => 1.0 };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Write a sample grid and the loss plot every N steps", DefaultValueFactory = _ => 1000 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Save a resumable checkpoint every N steps (and at the end, and on Ctrl+C)", DefaultValueFactory = _ => 1000 };
        var runDir = new Option<string?>("--run-dir") { Description = "Run folder: checkpoint.safetensors, run.json, losses.csv, losses.png, samples/ (default OUTPUT.run)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in the run folder from its checkpoint" };
        var cmd = new Command("adain-train", "Train an AdaIN decoder (Huang and Belongie 2017)")
            { contentDir, styleDir, output, loadSize, cropSize, batch, steps, lr, lrDecay, styleWeight, contentWeight, sampleEvery, checkpointEvery, runDir, resume };
        features.AddTo(cmd);
        var eval = new EvalCliOptions("a folder with content/ and style/ pictures not trained on: each content stylised with a style, style and content distances");
        eval.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var o = new AdaInTrainOptions
            {
                ContentDir = ctx.Get(contentDir)!, StyleDir = ctx.Get(styleDir)!, Output = ctx.Get(output)!,
                LoadSize = ctx.Get(loadSize), CropSize = ctx.Get(cropSize), BatchSize = ctx.Get(batch), Steps = ctx.Get(steps),
                LearningRate = ctx.Get(lr), LearningRateDecay = ctx.Get(lrDecay), StyleWeight = ctx.Get(styleWeight), ContentWeight = ctx.Get(contentWeight),
                SampleEvery = ctx.Get(sampleEvery), CheckpointEvery = ctx.Get(checkpointEvery), RunDir = ctx.Get(runDir), Resume = ctx.Get(resume), Seed = ctx.SeedOrRandom(),
                EvalDir = ctx.Get(eval.Dir), EvalEvery = ctx.Get(eval.Every), EvalImages = ctx.Get(eval.Images),
            };
            using var encoder = LoadEncoder(features.Choice(ctx), ctx);
            encoder.to(ctx.Device);
            var r = ctx.WithProgress("adain train", p => AdaInTrainer.Train(o, encoder, ctx.Device, p, w => ctx.Warn(w), ct));
            return TrainOptions.Report(ctx, r, "adain train", o.Output, o.Seed);
        });
        return cmd;
    }

    /// <summary>The built-in ResNet-18 (default), the seeded normalised VGG-19 (vgg19-random), a normalised VGG file, or a ResNet .onnx.</summary>
    static FeatureNetwork LoadEncoder(string path, CliContext ctx)
    {
        if (path == FeatureNetworks.ResNet18 || path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return FeatureNetworks.Load(path);
        if (path == FeatureNetworks.RandomVgg19)
        {
            ctx.Warn("the seeded random normalised VGG-19: the decoder fits only that encoder (use it with `adain stylize` without --vgg); the built-in ResNet-18 (the default) or a real vgg_normalised.pth gives far better results");
            return Vgg.BuiltInNormalised("relu4_1");
        }
        var sd = Checkpoint.LoadStateDict(path);
        try
        {
            var v = Vgg.FromStateDict(sd, VggPooling.Max, path);
            if (v.Layout != VggLayout.Normalised) { v.Dispose(); throw new AtelierException($"{path}: AdaIN uses the normalised VGG-19 (vgg_normalised.pth)"); }
            return v;
        }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }
}
