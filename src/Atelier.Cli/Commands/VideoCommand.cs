using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Infrastructure;
using Atelier.Imaging;
using Atelier.Inference;
using Atelier.Models;
using Atelier.Style;
using Atelier.Translation;
using Atelier.Video;
using Atelier.Video.Temporal;
using static TorchSharp.torch;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier video stylize|translate IN -o OUT`: a feed-forward network over every frame of a video (through ffmpeg) or
/// a folder of frames, with shared normalisation statistics across frames, an optional temporal filter, resume and a
/// flicker figure.
/// </summary>
public static class VideoCommand
{
    sealed class Common
    {
        public readonly Argument<string> Input = new("input") { Description = "A video file (read with ffmpeg) or a folder of frames" };
        public readonly Option<string> Output = new("--output", "-o") { Description = "Output video (.mp4, .mkv, .mov...; assembled by ffmpeg) or a folder for the frames", Required = true };
        public readonly Option<double> Momentum = new("--stats-momentum") { Description = "Weight of earlier frames in each frame's normalisation statistics (moving average; 0 = each frame alone)", DefaultValueFactory = _ => 0.7 };
        public readonly Option<string?> Temporal = new("--temporal") { Description = "Tie each output frame to the previous one: motion (carried along the input's optical flow where it is reliable; no ghosts), blend (in place; ghosts moving things) or none; default motion" };
        const string DefaultMode = "motion";
        public readonly Option<double> Weight = new("--temporal-weight") { Description = "Weight of the previous output in the motion and blend modes, in [0, 1)", DefaultValueFactory = _ => 0.7 };
        // The earlier spelling: --temporal-filter B is --temporal blend --temporal-weight B.
        public readonly Option<double?> Filter = new("--temporal-filter") { Description = "Same as --temporal blend --temporal-weight B", Hidden = true };
        public readonly Option<double> Fps = new("--fps") { Description = "Frame rate of a folder of frames (a video keeps its own)", DefaultValueFactory = _ => 25.0 };
        public readonly AnySizeCliOptions AnySize = new();

        public void AddTo(Command cmd)
        {
            Temporal.AcceptOnlyFromAmong("motion", "blend", "none");
            cmd.Arguments.Add(Input);
            cmd.Options.Add(Output);
            cmd.Options.Add(Momentum);
            cmd.Options.Add(Temporal);
            cmd.Options.Add(Weight);
            cmd.Options.Add(Filter);
            cmd.Options.Add(Fps);
            AnySize.AddTo(cmd);
        }

        /// <summary>--temporal and --temporal-weight, or the earlier --temporal-filter B (blend by B, 0 = none); not both spellings.</summary>
        (TemporalMode, double) TemporalChoice(CliContext ctx)
        {
            var named = ctx.Get(Temporal);
            if (ctx.Get(Filter) is double b)
            {
                if (named is not null) throw new AtelierUsageException("--temporal-filter: the earlier spelling of --temporal blend --temporal-weight B; give one of the two");
                return (b == 0 ? TemporalMode.None : TemporalMode.Blend, b);
            }
            // The default needs OpenCV; where it cannot load (a machine without GTK 3), the default falls back to
            // per-frame with a note, and only an explicit --temporal motion fails.
            if (named is null && OpticalFlow.LoadError is { } why)
            {
                ctx.Warn($"--temporal motion (the default) is off: {why}; frames are stylised one by one");
                return (TemporalMode.None, ctx.Get(Weight));
            }
            var mode = (named ?? DefaultMode) switch
            {
                "none" => TemporalMode.None,
                "blend" => TemporalMode.Blend,
                _ => TemporalMode.Motion,
            };
            return (mode, ctx.Get(Weight));
        }

        public int Run(CliContext ctx, CancellationToken ct, string title, Func<FrameSource, IImageNetwork> build, Action? cleanup = null)
        {
            var inPath = ctx.Get(Input)!;
            if (!File.Exists(inPath) && !Directory.Exists(inPath)) throw new AtelierException($"{inPath}: no such file or folder");
            double fps = ctx.Get(Fps);
            if (!(fps > 0)) throw new AtelierUsageException($"--fps {fps}: must be positive");
            if (ctx.Get(AnySize.MaxSide) is not null) throw new AtelierUsageException("--max-side: video frames keep their size; scale the video first (ffmpeg -vf scale=...)");
            var (mode, weight) = TemporalChoice(ctx);
            var source = FrameSource.Open(inPath, fps);
            var options = new VideoOptions
            {
                StatisticsMomentum = ctx.Get(Momentum),
                Temporal = mode,
                TemporalWeight = weight,
                FolderRate = fps,
                Tiling = AnySize.Tiling(ctx),
            };
            try
            {
                var net = build(source);
                ctx.Note($"{source.Width}x{source.Height} at {source.RateText} fps{(source.Count is int n ? $", {n} frames" : "")}{(source.HasAudio ? ", with audio" : "")}");
                var result = ctx.WithProgress(title, p => VideoProcessor.Run(source, net, ctx.Get(Output)!, options, p, ct));
                ctx.Result(new
                {
                    command = title,
                    output = result.Output,
                    frames = result.Frames,
                    width = result.Width,
                    height = result.Height,
                    rate = result.Rate,
                    audio = result.Audio,
                    resumedAt = result.ResumedAt,
                    inputChange = Math.Round(result.InputChange, 5),
                    outputChange = Math.Round(result.OutputChange, 5),
                    flicker = double.IsNaN(result.Flicker) ? (double?)null : Math.Round(result.Flicker, 4),
                    temporal = result.Temporal.ToString().ToLowerInvariant(),
                    temporalWeight = result.Temporal == TemporalMode.None ? (double?)null : weight,
                    warpingError = Round(result.WarpingError),
                    inputWarpingError = Round(result.InputWarpingError),
                    reliable = result.Reliable is double r ? Math.Round(r, 4) : (double?)null,
                    drift = Math.Round(result.Drift, 5),
                    note = result.Note,
                    seconds = Math.Round(result.Seconds, 2),
                }, $"wrote {result.Frames} frames ({result.Width}x{result.Height}, {result.Rate} fps{(result.Audio ? ", audio kept" : "")}) to {result.Output}"
                   + (result.ResumedAt > 0 ? $", resumed at frame {result.ResumedAt + 1}" : "")
                   + (result.WarpingError is double e
                       ? $"; warping error {VideoProcessor.Format(e)} (input's own {VideoProcessor.Format(result.InputWarpingError ?? 0)}, over {100 * (result.Reliable ?? 0):0}% of pixels), drift from per-frame {VideoProcessor.Format(result.Drift)}"
                       : "")
                   + $"; flicker {result.Flicker.ToString("0.000", CultureInfo.InvariantCulture)} (mean frame-to-frame change of the output {VideoProcessor.Format(result.OutputChange)} / input {VideoProcessor.Format(result.InputChange)})"
                   + (result.Note is { } note ? $"; {note}" : ""));
                return CliRunner.Success;
            }
            finally { cleanup?.Invoke(); }
        }
    }

    static double? Round(double? v) => v is double x ? Math.Round(x, 5) : null;

    public static Command Create()
    {
        var cmd = new Command("video", "Stylise or translate a video (ffmpeg) or a folder of frames, frame by frame with steady statistics");
        cmd.Subcommands.Add(Stylize());
        cmd.Subcommands.Add(Translate());
        return cmd;
    }

    static Command Stylize()
    {
        var common = new Common();
        var model = new Option<string?>("--model", "-m") { Description = "A fast-style network (a shipped or catalogue name such as candy or mosaic, or a .pth / .safetensors file), or use --style with --vgg and --decoder for AdaIN/WCT" };
        var styles = new Option<string[]>("--style", "-s") { Description = "AdaIN/WCT style image(s), optionally path:weight" };
        var vgg = new Option<string?>("--vgg") { Description = "The normalised VGG-19 encoder (AdaIN/WCT)" };
        var decoders = new Option<string[]>("--decoder") { Description = "AdaIN/WCT decoder(s)" };
        var transform = new Option<string>("--transform") { Description = "adain or wct", DefaultValueFactory = _ => "adain" };
        transform.AcceptOnlyFromAmong("adain", "wct");
        var alpha = new Option<double>("--alpha") { Description = "AdaIN/WCT content-style trade-off in [0,1]", DefaultValueFactory = _ => 1.0 };
        var cmd = new Command("stylize", "Stylise every frame with a fast-style network (--model) or AdaIN/WCT (--style --vgg --decoder)") { model, styles, vgg, decoders, transform, alpha };
        common.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var m = ctx.Get(model) is { } given ? ctx.ModelFile(given, ModelUse.FastStyle, ct) : null;
            // Catalogue names are fetched before the frames' progress bar starts.
            var vggFile = ctx.Get(vgg) is { } vggGiven ? ctx.ModelFile(vggGiven, ModelUse.AdaInEncoder, ct) : null;
            var decoderFiles = (ctx.Get(decoders) ?? []).Select(d => ctx.ModelFile(d, ModelUse.AdaInDecoder, ct)).ToArray();
            var styleSpecs = ctx.Get(styles) ?? [];
            if ((m is null) == (styleSpecs.Length == 0)) throw new AtelierUsageException("--model or --style: give a fast-style network, or AdaIN/WCT styles with --vgg and --decoder (one of the two)");
            var disposables = new List<IDisposable>();
            return common.Run(ctx, ct, "video stylize", source =>
            {
                if (m is not null)
                {
                    var net = FastStyle.LoadModel(m, ctx.Device);
                    disposables.Add(net);
                    return new FastStyleNetwork(net);
                }
                var v = vggFile ?? throw new AtelierUsageException("--vgg: needed with --style");
                var d = decoderFiles is { Length: > 0 } ds ? ds : throw new AtelierUsageException("--decoder: needed with --style");
                var kind = ctx.Get(transform) == "wct" ? FeatureTransform.Wct : FeatureTransform.AdaIn;
                if (kind == FeatureTransform.AdaIn && d.Length > 1) throw new AtelierUsageException("--decoder: AdaIN uses one decoder; several are for --transform wct");
                if (d.Length > 1) throw new AtelierUsageException("--decoder: video supports single-level AdaIN/WCT (one decoder)");
                double a = ctx.Get(alpha);
                if (!(a >= 0 && a <= 1)) throw new AtelierUsageException($"--alpha {a}: must be between 0 and 1");
                var stylizer = AdaInStylizer.Load(v, d, ctx.Device);
                disposables.Add(stylizer);
                var inputs = styleSpecs.Select(s =>
                {
                    var (path, weight) = StyleSpec.Parse(s, positive: false); // AdaIN weights may be any finite number
                    var t = ImageTensors.ToTensor(ImageIO.Load(path), ValueRange.ZeroOne, ctx.Device);
                    disposables.Add(t);
                    return new StyleInput(t, weight);
                }).ToList();
                var level = AdaInNetwork.Levels(stylizer, inputs, new AdaInOptions { Alpha = a, Transform = kind })[0];
                disposables.Add(level);
                return level;
            }, () => { foreach (var x in disposables) x.Dispose(); });
        });
        return cmd;
    }

    static Command Translate()
    {
        var common = new Common();
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Generator weights (pix2pix/CycleGAN): a file or a catalogue name such as horse2zebra (fetched on first use)", Required = true };
        var arch = new Option<string?>("--arch") { Description = "Generator architecture; detected when left out" };
        var direction = new Option<string>("--direction") { Description = "AtoB or BtoA", DefaultValueFactory = _ => "AtoB" };
        var eval = new Option<bool>("--eval") { Description = "Eval mode (BatchNorm running statistics, no dropout)" };
        var cmd = new Command("translate", "Translate every frame with a pix2pix or CycleGAN generator") { checkpoint, arch, direction, eval };
        common.AddTo(cmd);
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            Translator? translator = null;
            var weights = ctx.ModelFile(ctx.Get(checkpoint)!, ModelUse.Pix2Pix, ct);
            return common.Run(ctx, ct, "video translate", _ =>
            {
                translator = Translator.Load(weights, ctx.Get(eval), ctx.Get(arch), Atelier.Translation.TranslationMethods.ParseDirection(ctx.Get(direction) ?? "AtoB"), ctx.Device);
                return translator;
            }, () => translator?.Dispose());
        });
        return cmd;
    }
}
