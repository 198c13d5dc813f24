using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Methods;
using Atelier.Networks;
using Atelier.Style;

namespace Atelier.Cli.Commands.Style;

/// <summary>`gatys texture|transfer --json`: the quality figures of the result, measured only when a script asks.</summary>
internal static class GatysCliFigures
{
    public static CommandExtension Texture { get; } = new Figures(SampleAsUsed);

    // Measured against the first style at the scale the transfer used it.
    public static CommandExtension Transfer { get; } = new Figures((v, image) => GatysMethods.StyleAsUsed(v, image));

    sealed class Figures(Func<MethodValues, Image, Image> reference) : CommandExtension
    {
        public override IReadOnlyDictionary<string, object?>? Report(CliContext ctx, MethodValues values, MethodResult result, MethodResources resources) =>
            ctx.Json ? new Dictionary<string, object?> { ["quality"] = Quality(ctx, values, result.Image, reference(values, result.Image), resources) } : null;
    }

    static Image SampleAsUsed(MethodValues v, Image _) =>
        v.OptionalInt("SampleSize") is int side ? ImageResize.ResizeToFit(v.Image("Sample"), side, allowUpscale: true) : v.Image("Sample");

    /// <summary>
    /// The artifact figure (high-frequency energy against the style's, 1 = as fine-grained as the style) and the style
    /// distance on the built-in ResNet-18's raw features, whatever network the run used (the run's own when it was
    /// that one). Outputs over 1024 px are measured on their centre 1024 px.
    /// </summary>
    static object Quality(CliContext ctx, MethodValues v, Image output, Image style, MethodResources resources)
    {
        // Under the budget policy: the optimisation's freed heap goes back to the system first, and the figures'
        // feature maps (the style at the transfer's scale: 2048 px for a 2048 px output) do not stack on top of it.
        using var budget = Atelier.Runtime.NativeAllocator.EnterBudget();
        var o = output.Width > 1024 || output.Height > 1024 ? ImageOps.Crop(output, Math.Max(0, (output.Width - 1024) / 2), Math.Max(0, (output.Height - 1024) / 2), Math.Min(1024, output.Width), Math.Min(1024, output.Height)) : output;
        double artifact = Atelier.Quality.HighFrequencyEnergy.ArtifactRatio(o, style);
        // The run's own network when it ran on the ResNet-18 (asked with its pooling, it is the same object).
        var resnet = (ResNetFeatures)resources.Features(FeatureNetworks.ResNet18, v.Choice("Pooling") == "avg" ? VggPooling.Average : VggPooling.Max, ctx.Device);
        double distance = Atelier.Quality.StyleDistance.Between(resnet, o, style, ResNetFeatures.RawStyleLayers);
        return new { artifact = Math.Round(artifact, 3), styleDistance = Math.Round(distance, 4) };
    }
}
