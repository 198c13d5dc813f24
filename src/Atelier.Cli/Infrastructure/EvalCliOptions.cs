using System.CommandLine;
using Atelier.Training;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// The held-out options every image-making trainer shares (--eval-dir, --eval-every, --eval-images): TrainingLoop scores
/// the trainer's outputs on the folder and logs the figures in metrics.csv and metrics.png beside the losses.
/// </summary>
sealed class EvalCliOptions(string layout)
{
    public readonly Option<string?> Dir = new("--eval-dir") { Description = $"Held-out folder ({layout}): quality figures of the outputs on it are logged to metrics.csv and metrics.png every --eval-every steps and shown at the end" };
    public readonly Option<int?> Every = new("--eval-every") { Description = "Steps between held-out figures (default: --sample-every)" };
    public readonly Option<int> Images = new("--eval-images") { Description = "Held-out pictures used at most (a handful keeps it cheap)", DefaultValueFactory = _ => 8 };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Dir); cmd.Options.Add(Every); cmd.Options.Add(Images);
    }

    public TrainingLoopOptions Apply(CliContext ctx, TrainingLoopOptions loop) =>
        loop with { EvalDir = ctx.Get(Dir), EvalEvery = ctx.Get(Every), EvalImages = ctx.Get(Images) };
}
