using System.CommandLine;
using Atelier.Networks;
using TorchSharp;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// `--features NAME|FILE`: the perceptual network, spelled the same in every command that needs one
/// (<see cref="FeatureNetworks"/>). `--vgg FILE`, the older spelling, still works and means the same.
/// </summary>
internal sealed class FeatureCliOption
{
    public readonly Option<string?> Features = new("--features") { Description = "Perceptual network: " + FeatureNetworks.Help };
    public readonly Option<string?> Vgg = new("--vgg") { Description = "VGG-19/16 weights: a file or a catalogue name (vgg19, vgg16, adain-vgg; fetched on first use); the same as --features" };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Features);
        cmd.Options.Add(Vgg);
    }

    /// <summary>
    /// The choice: a built-in name as given, else the file it names (a catalogue name such as vgg19 is fetched on
    /// first use); <see cref="FeatureNetworks.Default"/> when none.
    /// </summary>
    public string Choice(CliContext ctx, CancellationToken ct = default) => Resolve(ctx, Given(ctx), ct);

    /// <summary>A built-in name as given, else the file a name or path stands for (fetching a catalogue model on first use).</summary>
    public static string Resolve(CliContext ctx, string given, CancellationToken ct = default) =>
        FeatureNetworks.IsBuiltIn(given) ? given : ctx.ModelFile(given, Atelier.Models.ModelUse.Features, ct);

    /// <summary>The choice as typed (a built-in name, a catalogue name or a file).</summary>
    public string Given(CliContext ctx) => Given(ctx.Parse);

    /// <inheritdoc cref="Given(CliContext)"/>
    public string Given(ParseResult parse)
    {
        var features = parse.GetValue(Features);
        var vgg = parse.GetValue(Vgg);
        if (!string.IsNullOrEmpty(features) && !string.IsNullOrEmpty(vgg))
            throw new AtelierUsageException("--vgg and --features: give one (--vgg FILE is the same as --features FILE)");
        return !string.IsNullOrEmpty(vgg) ? vgg : !string.IsNullOrEmpty(features) ? features : FeatureNetworks.Default;
    }

    /// <summary>Loads the chosen network onto the command's device.</summary>
    public FeatureNetwork Load(CliContext ctx, VggPooling pooling = VggPooling.Max, CancellationToken ct = default)
    {
        var net = FeatureNetworks.Load(Choice(ctx, ct), pooling);
        net.to(ctx.Device);
        return net;
    }
}
