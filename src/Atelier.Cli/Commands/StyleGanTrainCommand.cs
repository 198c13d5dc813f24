using System.CommandLine;
using Atelier.Cli.Infrastructure;
using Atelier.StyleGan.Training;
using Atelier.Training;

namespace Atelier.Cli.Commands;

/// <summary>`atelier stylegan train`: StyleGAN2 from scratch on an image folder (rosinality's train.py losses and schedule).</summary>
public static class StyleGanTrainCommand
{
    public static Command Create()
    {
        var d = new StyleGanTrainingOptions();
        var data = new Option<string>("--data") { Description = "Folder of training images (centre-cropped to squares, resized to --size)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Run folder: checkpoint.safetensors (g, d, g_ema, g_optim, d_optim, args), losses.csv, losses.png, samples/", Required = true };
        var steps = new Option<long>("--steps") { Description = "Training steps (one batch each)", DefaultValueFactory = _ => 2000 };
        var size = new Option<int>("--size") { Description = "Image size (a power of two, at least 8)", DefaultValueFactory = _ => d.Size };
        var latent = new Option<int>("--latent") { Description = "Style (z and w) dimension", DefaultValueFactory = _ => d.StyleDim };
        var nMlp = new Option<int>("--n-mlp") { Description = "Mapping network layers", DefaultValueFactory = _ => d.NMlp };
        var channels = new Option<int>("--channels") { Description = "Channel cap at every resolution (512 in the reference)", DefaultValueFactory = _ => d.Channels };
        var cm = new Option<int>("--channel-multiplier") { Description = "Channel multiplier (64 px and up)", DefaultValueFactory = _ => d.ChannelMultiplier };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (before the lazy-regularisation adjustment)", DefaultValueFactory = _ => d.LearningRate };
        var r1 = new Option<double>("--r1") { Description = "R1 weight gamma (0: off)", DefaultValueFactory = _ => d.R1 };
        var pathReg = new Option<double>("--path-regularize") { Description = "Path-length penalty weight (0: off)", DefaultValueFactory = _ => d.PathRegularize };
        var pathShrink = new Option<int>("--path-batch-shrink") { Description = "Path-length batch = batch / this", DefaultValueFactory = _ => d.PathBatchShrink };
        var dReg = new Option<int>("--d-reg-every") { Description = "R1 every N steps (lazy regularisation)", DefaultValueFactory = _ => d.DRegEvery };
        var gReg = new Option<int>("--g-reg-every") { Description = "Path-length penalty every N steps", DefaultValueFactory = _ => d.GRegEvery };
        var mixing = new Option<double>("--mixing") { Description = "Style-mixing regularisation probability", DefaultValueFactory = _ => d.Mixing };
        var emaKimg = new Option<double>("--ema-kimg") { Description = "EMA half-life in thousands of images (10: rosinality's decay at batch 32)", DefaultValueFactory = _ => d.EmaKimg };
        var noFlip = new Option<bool>("--no-flip") { Description = "No random horizontal flips" };
        var samples = new Option<int>("--samples") { Description = "Images in each sample grid", DefaultValueFactory = _ => d.SampleCount };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Write a sample grid and the loss plot every N steps", DefaultValueFactory = _ => 100 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Save the resumable checkpoint every N steps (and at the end, and on Ctrl+C)", DefaultValueFactory = _ => 200 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --output (its architecture and settings come from the checkpoint)" };
        var eval = new EvalCliOptions("real pictures: FD and KID of g_ema's samples against them");
        var cmd = new Command("train", "Train a StyleGAN2 from scratch on a folder of images")
        {
            data, output, steps, size, latent, nMlp, channels, cm, batch, lr, r1, pathReg, pathShrink, dReg, gReg, mixing, emaKimg, noFlip,
            samples, sampleEvery, checkpointEvery, resume,
        };
        eval.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            int sample = ctx.Get(sampleEvery), every = ctx.Get(checkpointEvery);
            if (sample < 1) throw new AtelierUsageException($"--sample-every {sample}: must be at least 1");
            if (every < 1) throw new AtelierUsageException($"--checkpoint-every {every}: must be at least 1");
            var loop = eval.Apply(ctx, new TrainingLoopOptions(ctx.Get(output)!, ctx.Get(steps), 0, sample, every));
            bool isResume = ctx.Get(resume);
            StyleGanTrainingOptions o;
            if (isResume && File.Exists(loop.CheckpointPath))
            {
                o = StyleGanTrainer.ReadOptions(loop.CheckpointPath);
                ctx.Note($"resuming with the run's own settings from {loop.CheckpointPath}");
            }
            else
            {
                o = new StyleGanTrainingOptions
                {
                    Size = ctx.Get(size), StyleDim = ctx.Get(latent), NMlp = ctx.Get(nMlp), Channels = ctx.Get(channels),
                    ChannelMultiplier = ctx.Get(cm), BatchSize = ctx.Get(batch), LearningRate = ctx.Get(lr), R1 = ctx.Get(r1),
                    PathRegularize = ctx.Get(pathReg), PathBatchShrink = ctx.Get(pathShrink), DRegEvery = ctx.Get(dReg),
                    GRegEvery = ctx.Get(gReg), Mixing = ctx.Get(mixing), EmaKimg = ctx.Get(emaKimg), Flip = !ctx.Get(noFlip),
                    SampleCount = ctx.Get(samples), Seed = ctx.Seed ?? 0,
                }.Validate();
            }
            using var dataset = ImageFolderDataset.Load(ctx.Get(data)!, o.Size);
            using var trainer = new StyleGanTrainer(dataset, o, ctx.Device);
            ctx.Note($"stylegan2: {dataset.Count} images at {o.Size} px; latent {o.StyleDim}, {o.NMlp} mapping layers, {o.Channels} channels, batch {o.BatchSize}; EMA decay {o.EmaDecay:G6}; {loop.Steps} steps -> {loop.RunDirectory}");
            var r = ctx.WithProgress("stylegan train", p => TrainingLoop.Run(trainer, loop, isResume, p, ct, ctx.Warn));
            return TrainOptions.Report(ctx, r, "stylegan train");
        });
        return cmd;
    }
}
