using System.CommandLine;
using System.Globalization;
using Atelier.Checkpoints;
using Atelier.Cli.Infrastructure;
using Atelier.Networks;
using Atelier.Style;
using TorchSharp;

namespace Atelier.Cli.Commands.Style;

/// <summary>`atelier fast-style train --style S --content-dir DIR [--vgg FILE] -o MODEL`: trains a fast-style network for one style.</summary>
public static class FastStyleTrainCommand
{
    public static Command Create()
    {
        var style = new Option<string>("--style", "-s") { Description = "The style image", Required = true };
        var contentDir = new Option<string>("--content-dir") { Description = "Folder of content images (e.g. COCO train2014)", Required = true };
        var features = new FeatureCliOption();
        features.Vgg.Description = "torchvision VGG-16 weights (vgg16-397923af.pth): the reference's loss network and losses";
        var output = new Option<string>("--output", "-o") { Description = "The trained network (.safetensors)", Required = true };
        var imageSize = new Option<int>("--image-size") { Description = "Training crop size", DefaultValueFactory = _ => 256 };
        var styleSize = new Option<int?>("--style-size") { Description = "Resize the style image's shorter side to this (default: its own size)" };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 4 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the content folder", DefaultValueFactory = _ => 2 };
        var steps = new Option<long?>("--steps", "--max-steps") { Description = "Training steps in total (default: as many as --epochs passes over the folder take)" };
        var contentWeight = new Option<double?>("--content-weight") { Description = "Weight of the content loss (default: 1e5 on a VGG-16 at relu2_2, as the reference; 1 with the built-in ResNet-18's recipe)" };
        var styleWeight = new Option<double?>("--style-weight") { Description = "Weight of the Gram style loss (default: 1e10 on a VGG-16; the network's style-transfer weight otherwise)" };
        var contentLayers = new Option<string?>("--content-layer") { Description = "Content layer(s) of the loss network, comma-separated (default: relu2_2 on a VGG-16, the network's recipe otherwise)" };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Write a sample grid and the loss plot every N steps", DefaultValueFactory = _ => 200 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Save a resumable checkpoint every N steps (and at the end, and on Ctrl+C)", DefaultValueFactory = _ => 500 };
        var runDir = new Option<string?>("--run-dir") { Description = "Run folder: checkpoint.safetensors, run.json, losses.csv, losses.png, samples/ (default OUTPUT.run)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in the run folder from its checkpoint" };
        var startFrom = new Option<string?>("--start-from") { Description = "Start a new run from this trained network's weights instead of random ones (fine-tuning): a shipped name such as candy, a catalogue name, or a file" };
        var eval = new EvalCliOptions("content pictures not trained on: style distance to --style, content distance to themselves");
        var cmd = new Command("fast-train", "Train a fast-style network for one style (Johnson et al. 2016)")
            { style, contentDir, output, imageSize, styleSize, batch, epochs, steps, contentWeight, styleWeight, contentLayers, lr, sampleEvery, checkpointEvery, runDir, resume, startFrom };
        features.AddTo(cmd);
        eval.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var o = new FastStyleTrainOptions
            {
                StyleImage = ctx.Get(style)!, ContentDir = ctx.Get(contentDir)!, Output = ctx.Get(output)!,
                ImageSize = ctx.Get(imageSize), StyleSize = ctx.Get(styleSize), BatchSize = ctx.Get(batch), Epochs = ctx.Get(epochs),
                Steps = ctx.Get(steps), ContentWeight = ctx.Get(contentWeight), StyleWeight = ctx.Get(styleWeight),
                ContentLayers = ctx.Get(contentLayers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                LearningRate = ctx.Get(lr), SampleEvery = ctx.Get(sampleEvery), CheckpointEvery = ctx.Get(checkpointEvery), RunDir = ctx.Get(runDir), Resume = ctx.Get(resume),
                InitialWeights = ctx.Get(startFrom) is { } from ? ctx.ModelFile(from, Atelier.Models.ModelUse.FastStyle, ct) : null,
                EvalDir = ctx.Get(eval.Dir), EvalEvery = ctx.Get(eval.Every), EvalImages = ctx.Get(eval.Images),
                Seed = ctx.SeedOrRandom(),
            };
            var choice = features.Choice(ctx);
            // A VGG-16 file gets the reference's losses; the built-in ResNet-18 (the default) its own recipe's.
            // The random-weight choice keeps the reference's layout: the built-in seeded VGG-16.
            using FeatureNetwork lossNet = choice == FeatureNetworks.RandomVgg19
                ? Vgg.BuiltIn(upToLayer: "relu4_3", config: VggConfig.Vgg16)
                : FeatureNetworks.IsBuiltIn(choice) ? FeatureNetworks.Load(choice) : LoadVgg16OrOnnx(choice);
            lossNet.to(ctx.Device);
            var r = ctx.WithProgress("fast-style train", p => FastStyleTrainer.Train(o, lossNet, ctx.Device, p, w => ctx.Warn(w), ct));
            return TrainOptions.Report(ctx, r, "fast-style train", o.Output, o.Seed);
        });
        return cmd;
    }

    static FeatureNetwork LoadVgg16OrOnnx(string path)
    {
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return FeatureNetworks.Load(path);
        var sd = Checkpoint.LoadStateDict(path);
        try
        {
            var v = Vgg.FromStateDict(sd, VggPooling.Max, path);
            if (v.Config != VggConfig.Vgg16 || v.Layout != VggLayout.TorchVision)
            {
                v.Dispose();
                throw new AtelierException($"{path}: fast-style training uses torchvision's VGG-16 (vgg16-397923af.pth) as the loss network");
            }
            return v;
        }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }
}
