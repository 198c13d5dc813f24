using Atelier.Imaging;
using Atelier.Networks;
using Atelier.Runtime;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>One held-out picture's inversions: its name, the picture at the generator's size, and per space the reconstruction and its figures.</summary>
public sealed record InversionScore(string Name, Image Target, IReadOnlyList<(LatentSpace Space, Image Image, double Psnr, double Perceptual)> Spaces);

/// <summary>
/// A generator's held-out figure (Image2StyleGAN's measure of how much a latent space can express): each picture is
/// inverted in each space with the same loss, steps and seed, and the reconstruction's PSNR and perceptual distance
/// are kept. Pictures the generator never drew (other typefaces, other photos) tell what it can represent, not what it
/// memorised.
/// </summary>
public static class InversionEvaluation
{
    public static IReadOnlyList<InversionScore> Run(Generator generator, string modelPath, IReadOnlyList<(string Name, Image Image)> pictures,
        FeatureNetwork? features, IReadOnlyList<LatentSpace> spaces, int steps, long seed,
        IProgress<ProgressReport>? progress = null, CancellationToken ct = default)
    {
        if (pictures.Count == 0) throw new AtelierUsageException("no pictures to invert");
        if (spaces.Count == 0) throw new AtelierUsageException("no latent space to invert in");
        var meanW = MeanLatent.Get(generator, modelPath);
        using var loss = features is null ? null : new PerceptualLoss(features);
        var scores = new List<InversionScore>();
        int done = 0, total = pictures.Count * spaces.Count;
        foreach (var (name, picture) in pictures)
        {
            // The picture at the generator's size, once: every space inverts the same observation.
            using var pictureScope = NewDisposeScope();
            var observation = InversionTarget.Prepare(InversionTask.Invert, picture, generator.Size, null).Observation;
            var target = StyleMixing.ToImage(observation);
            var rows = new List<(LatentSpace, Image, double, double)>();
            foreach (var space in spaces)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var options = new InversionOptions { Space = space, Steps = steps, Seed = seed }.Validate();
                long before = (long)done * steps;
                var stage = $"{name} {LatentFile.SpaceName(space)}";
                var inner = progress is null ? null : new InlineProgress(p => progress.Report(new ProgressReport(before + p.Step, (long)total * steps, stage, p.Metrics)));
                using var result = Inversion.Invert(generator, observation, meanW, loss is null ? null : loss.Distance, options, inner, ct);
                rows.Add((space, StyleMixing.ToImage(result.Image), result.Psnr, result.PerceptualDistance));
                done++;
            }
            scores.Add(new InversionScore(name, target, rows));
        }
        return scores;
    }

    /// <summary>The mean PSNR in one space.</summary>
    public static double MeanPsnr(IReadOnlyList<InversionScore> scores, LatentSpace space) =>
        scores.Average(s => s.Spaces.First(x => x.Space == space).Psnr);

    /// <summary>The mean perceptual distance in one space.</summary>
    public static double MeanPerceptual(IReadOnlyList<InversionScore> scores, LatentSpace space) =>
        scores.Average(s => s.Spaces.First(x => x.Space == space).Perceptual);

    /// <summary>A sheet: per picture, the target, then each space's reconstruction with its PSNR.</summary>
    public static Image Sheet(IReadOnlyList<InversionScore> scores)
    {
        var cells = new List<(Image, string?)>();
        foreach (var s in scores)
        {
            cells.Add((s.Target, s.Name));
            foreach (var (space, image, psnr, _) in s.Spaces) cells.Add((image, $"{LatentFile.SpaceName(space)} {psnr:0.0} dB"));
        }
        return StyleGanMethods.Sheet(cells, 1 + scores[0].Spaces.Count);
    }
}
