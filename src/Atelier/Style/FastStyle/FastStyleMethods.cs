using System.Diagnostics;
using Atelier.Checkpoints;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Methods;
using Atelier.Models;
using P = Atelier.Methods.MethodParameter;

namespace Atelier.Style;

/// <summary>Fast style transfer (a trained TransformerNet) as every front end offers it (<see cref="MethodRegistry"/>).</summary>
public static class FastStyleMethods
{
    /// <summary>The smallest side <see cref="AnySizeParameters"/> may scale a picture to.</summary>
    const int MinSide = 8;

    /// <summary>A TransformerNet file, or a fast-style training run's checkpoint (<see cref="FastStyle.LoadModel"/> takes its net.*).</summary>
    public static readonly ArchitectureKind[] Models = [ArchitectureKind.FastStyle, ArchitectureKind.FastStyleRun];

    public static MethodDescriptor Stylize { get; } = new()
    {
        Id = "fast-style.stylize",
        Title = "Fast style (Johnson)",
        About = "one pass through a network trained for one style (any size, tiled within the memory budget)",
        Reference = "Johnson et al. 2016",
        Parameters =
        [
            P.Model("Model", "Style network", ModelUse.FastStyle, Models, "candy",
                "trained network: a name (one Atelier ships, e.g. candy, mosaic, udnie or rain-princess, which wins over a catalogue name; or a catalogue model fetched on first use: "
                + "rain-princess-pytorch, candy-pytorch, mosaic-pytorch, udnie-pytorch), a .pth from pytorch/examples fast_neural_style, or a .safetensors from fast-style train")
                with
                {
                    Aliases = ["M"],
                    Accepts = "pytorch/examples' fast_neural_style .pth files (candy.pth, mosaic.pth, ...) load directly, as do `atelier fast-style train` "
                        + "outputs and their run checkpoints (X.safetensors.run/checkpoint.safetensors)",
                },
            P.Image("Content", "Content", "clock", 256, primary: true, help: "content images and/or folders of images"),
            P.OptionalInt("Size", "Shorter side (px)", MinSide, SizePolicy.MaxSideLimit,
                "resize each content image so its shorter side is this many pixels (default: keep its size)"),
            .. AnySizeParameters.For(MinSide),
            P.Engine(),
        ],
        Validate = v => AnySizeParameters.Validate(v, MinSide),
        Run = (v, run) => StylizeMany([v], 1, run).Single(),
        RunMany = StylizeMany,
        Examples = ShippedExamples(),
    };

    /// <summary>Every network Atelier ships (models/fast-style-*) on every shipped photo, none of which it was trained on.</summary>
    static IReadOnlyList<MethodExample> ShippedExamples() =>
    [
        .. from style in ShippedModels.Names("fast-style-")
           from photo in ShippedPictures.Photos.All()
           select new MethodExample($"fast-style-{style}-{photo.Name}", $"{style}, one pass",
               new Dictionary<string, object?> { ["Model"] = style, ["Content"] = new SamplePhoto(photo.Name, 256) })
               { Quick = new Dictionary<string, object?> { ["Content"] = new SamplePhoto(photo.Name, 64) } },
    ];

    /// <summary>
    /// The pictures in order, one network for all: same-sized ones in batches of up to <paramref name="batchSize"/>
    /// (instance norm is per picture, so a batch gives each the result it gets alone), a picture off the network's
    /// multiple or too large for the budget alone (padded, tiled if need be, cropped back).
    /// </summary>
    static IEnumerable<MethodResult> StylizeMany(IEnumerable<MethodValues> all, int batchSize, MethodContext run)
    {
        IImageNetwork? network = null;
        var pending = new List<Image>();
        var clock = Stopwatch.StartNew();
        foreach (var v in all)
        {
            run.Cancellation.ThrowIfCancellationRequested();
            // The stream's values differ only in their picture: one network, one budget.
            network ??= Network(v.Text("Model"), InferenceEngines.Parse(v.Choice("Engine")), run);
            var tiling = AnySizeParameters.Tiling(v);
            var image = AnySizeParameters.Sizing(v, MinSide).Apply(v.Image("Content"));
            if (image.Width % network.Multiple != 0 || image.Height % network.Multiple != 0
                || TilePlan.Create(image.Width, image.Height, 3, network, tiling).Tiled)
            {
                foreach (var done in Flush(network, pending, run, clock)) yield return done;
                var result = TiledInference.Run(image, network, tiling, ct: run.Cancellation);
                yield return Result(result, clock);
                continue;
            }
            // A batch holds pictures of one size: it goes when the size changes or it is full.
            if (pending.Count > 0 && (pending[0].Width != image.Width || pending[0].Height != image.Height))
                foreach (var done in Flush(network, pending, run, clock)) yield return done;
            pending.Add(image);
            if (pending.Count == batchSize)
                foreach (var done in Flush(network, pending, run, clock)) yield return done;
        }
        if (network is not null)
            foreach (var done in Flush(network, pending, run, clock)) yield return done;
    }

    /// <summary>The network in <paramref name="model"/> as <paramref name="engine"/> computes it; an ONNX Runtime session is kept with the model.</summary>
    static IImageNetwork Network(string model, InferenceEngine engine, MethodContext run)
    {
        var net = run.Resources.Model(model, path => FastStyle.LoadModel(path, run.Device));
        var network = new FastStyleNetwork(net);
        if (engine == InferenceEngine.Torch) return network;
        var session = run.Resources.Model(model, _ => new OnnxRuntimeSession(Atelier.Onnx.Export.ExportableNetwork.FastStyle(net)));
        return new OnnxRuntimeImageNetwork(network, session, x => x * 255.0, y => y.clamp(0, 255).div_(255.0));
    }

    /// <summary>One pass over the pending pictures, whose sides are the network's multiple (the others went the tiled way).</summary>
    static List<MethodResult> Flush(IImageNetwork network, List<Image> pending, MethodContext run, Stopwatch clock)
    {
        if (pending.Count == 0) return [];
        List<Image> images;
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var x = ImageTensors.ToTensor(pending.Select(network.PrepareInput).ToList(), ValueRange.ZeroOne, run.Device);
            images = ImageTensors.FromBatch(network.Forward(x).cpu());
        }
        var results = images.Select(r => Result(r, clock)).ToList();
        pending.Clear();
        return results;
    }

    /// <summary>A picture with the time since the run began (a batch's pictures share theirs).</summary>
    static MethodResult Result(Image image, Stopwatch clock) =>
        new(image, new Dictionary<string, object> { ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3) });
}
