using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Atelier.Networks;

namespace Atelier.Style;

/// <summary>
/// The AdaIN decoder in the layout of naoto0804/pytorch-AdaIN (a Sequential, keys <c>N.weight/bias</c>): it mirrors the
/// normalised VGG-19 from relu4_1 back to RGB with reflection padding, ReLU after every convolution but the last, and
/// nearest x2 upsampling in place of pooling. Convolutions at 1 (512→256), 5, 8, 11, 14 (→128), 18, 21 (→64), 25, 28 (→3);
/// upsampling at 3, 16, 23. No output activation (the output is roughly [0,1] and clamped when saved).
/// <para>
/// A decoder for a shallower encoder level (relu3_1, relu2_1, relu1_1, used by multi-level WCT) is a tail of the same
/// sequence keeping the same indices, starting at the padding before its first convolution; <see cref="FromStateDict"/>
/// detects where a file starts.
/// </para>
/// </summary>
public sealed partial class AdaInDecoder : nn.Module<Tensor, Tensor>
{
    sealed record Step(int Index, string Kind, int In, int Out);

    /// <summary>The full sequence: index, kind (pad/conv/relu/up), channels.</summary>
    static readonly Step[] Plan = BuildPlan();

    readonly List<nn.Module<Tensor, Tensor>> _layers = [];

    /// <summary>Index of the first layer (0 for the full relu4_1 decoder).</summary>
    public int StartIndex { get; }

    /// <summary>Channels the decoder takes.</summary>
    public int InputChannels { get; }

    /// <summary>How many x2 upsamplings it applies: 3 for relu4_1, 2 for relu3_1, 1 for relu2_1, 0 for relu1_1.</summary>
    public int Upsamplings { get; }

    readonly string? _encoderLayer;

    /// <summary>The encoder layer whose output this decoder inverts (relu1_1 ... relu4_1 of the normalised VGG, or a tap of another encoder).</summary>
    public string EncoderLayer => _encoderLayer ?? $"relu{Upsamplings + 1}_1";

    /// <summary>The encoder a mirror decoder was built for ("resnet18"); null for the normalised VGG's reference layout.</summary>
    public string? Encoder { get; }

    /// <summary>
    /// Pixels of reflected picture added on each side before encoding and cut off after decoding (at most the
    /// picture's side less one): a mirror decoder draws a frame along the edges of what it is given (measured on the
    /// shipped ResNet-18 decoder; the ResNet's zero padding marks the edges in its features), so the frame falls in
    /// the margin. The reference layout keeps the reference's behaviour (none).
    /// </summary>
    public int EdgeMargin(long height, long width) => Encoder is null ? 0 : (int)Math.Max(0, Math.Min(MirrorEdgeMargin, Math.Min(height, width) - 1));

    /// <summary>The margin of a mirror decoder: 32 px, the ResNet-18's stride at layer2 (8) times four.</summary>
    public const int MirrorEdgeMargin = 32;

    /// <summary><paramref name="x"/> (N, C, H, W) with <paramref name="margin"/> reflected pixels on each side; itself for 0.</summary>
    public static Tensor Reflect(Tensor x, int margin) =>
        margin == 0 ? x : nn.functional.pad(x, [margin, margin, margin, margin], PaddingModes.Reflect);

    /// <summary>A decoder starting at layer <paramref name="startIndex"/> of the reference sequence (0 = the full relu4_1 decoder).</summary>
    public AdaInDecoder(int startIndex = 0) : base("AdaInDecoder")
    {
        if (startIndex < 0 || startIndex >= Plan.Length || Plan[startIndex].Kind == "relu")
            throw new ArgumentOutOfRangeException(nameof(startIndex));
        StartIndex = startIndex;
        (InputChannels, Upsamplings) = Build(Plan.Skip(startIndex));
    }

    AdaInDecoder(Step[] plan, string encoderLayer, string encoder) : base("AdaInDecoder")
    {
        _encoderLayer = encoderLayer;
        Encoder = encoder;
        (InputChannels, Upsamplings) = Build(plan);
    }

    /// <summary>
    /// A decoder for another encoder's tap, in the reference decoder's style (reflection-padded 3x3 convolutions, ReLU,
    /// nearest x2 upsampling): per upsampling two convolutions, the second halving the channels (down to 32), then two
    /// at full resolution, the last to RGB without activation.
    /// </summary>
    public static AdaInDecoder Mirror(int inputChannels, int upsamplings, string encoderLayer, string encoder)
    {
        if (inputChannels < 1 || upsamplings is < 0 or > 6) throw new ArgumentOutOfRangeException(nameof(upsamplings));
        var steps = new List<Step>();
        int c = inputChannels;
        for (int u = 0; u < upsamplings; u++)
        {
            int next = Math.Max(32, c / 2);
            AddConv(steps, c, c); AddConv(steps, c, next); AddUp(steps, next);
            c = next;
        }
        AddConv(steps, c, c); AddConv(steps, c, 3, relu: false);
        return new AdaInDecoder([.. steps], encoderLayer, encoder);
    }

    /// <summary>What a saved decoder records so that it can be rebuilt and paired with its encoder.</summary>
    public Dictionary<string, string> Metadata() => Encoder is null
        ? new() { ["architecture"] = "pytorch-AdaIN.decoder" }
        : new()
        {
            ["architecture"] = MirrorArchitecture, ["encoder"] = Encoder, ["encoder_layer"] = EncoderLayer,
            ["decoder_input_channels"] = InputChannels.ToString(CultureInfo.InvariantCulture),
            ["decoder_upsamplings"] = Upsamplings.ToString(CultureInfo.InvariantCulture),
        };

    public const string MirrorArchitecture = "atelier.AdaInDecoder.mirror";

    (int InputChannels, int Upsamplings) Build(IEnumerable<Step> steps)
    {
        var list = steps.ToList();
        foreach (var s in list)
        {
            nn.Module<Tensor, Tensor> m = s.Kind switch
            {
                "pad" => nn.ReflectionPad2d(1),
                "conv" => new SafeConv2d(s.In, s.Out, 3),
                "relu" => nn.ReLU(),
                _ => nn.Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            };
            _layers.Add(m);
            register_module(s.Index.ToString(CultureInfo.InvariantCulture), m);
        }
        return (list.First(s => s.Kind == "conv").In, list.Count(s => s.Kind == "up"));
    }

    static Step[] BuildPlan()
    {
        var steps = new List<Step>();
        void Conv(int i, int o, bool relu = true) => AddConv(steps, i, o, relu);
        void Up(int c) => AddUp(steps, c);
        Conv(512, 256); Up(256);
        Conv(256, 256); Conv(256, 256); Conv(256, 256); Conv(256, 128); Up(128);
        Conv(128, 128); Conv(128, 64); Up(64);
        Conv(64, 64); Conv(64, 3, relu: false);
        return [.. steps];
    }

    /// <summary>Reflection padding, a 3x3 convolution and (unless last) a ReLU, indexed as the reference's Sequential.</summary>
    static void AddConv(List<Step> steps, int i, int o, bool relu = true)
    {
        steps.Add(new Step(steps.Count, "pad", i, i));
        steps.Add(new Step(steps.Count, "conv", i, o));
        if (relu) steps.Add(new Step(steps.Count, "relu", o, o));
    }

    static void AddUp(List<Step> steps, int c) => steps.Add(new Step(steps.Count, "up", c, c));

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != InputChannels)
            throw new AtelierException($"the decoder takes N×{InputChannels}×H×W features, got [{string.Join(", ", x.shape)}]");
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var l in _layers)
        {
            Runtime.AmbientCancellation.ThrowIfRequested(); // a stop request ends a large tile's pass between layers
            h = l.forward(h);
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A decoder built from a state dict in the reference layout (full, or a tail for a shallower level), weights copied
    /// strictly. Anything else is an <see cref="AtelierException"/> naming <paramref name="source"/>.
    /// </summary>
    public static AdaInDecoder FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, string source, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (metadata is not null && metadata.GetValueOrDefault("architecture") == MirrorArchitecture)
        {
            static int Int(IReadOnlyDictionary<string, string> m, string key, string source) =>
                int.TryParse(m.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new AtelierException($"{source}: an AdaIN decoder without a valid '{key}' in its metadata");
            var mirror = Mirror(Int(metadata, "decoder_input_channels", source), Int(metadata, "decoder_upsamplings", source),
                metadata.GetValueOrDefault("encoder_layer") ?? throw new AtelierException($"{source}: an AdaIN decoder without 'encoder_layer' in its metadata"),
                metadata.GetValueOrDefault("encoder") ?? throw new AtelierException($"{source}: an AdaIN decoder without 'encoder' in its metadata"));
            try
            {
                StyleWeights.CopyStrict(mirror, stateDict, source, $"an AdaIN decoder for {mirror.Encoder} {mirror.EncoderLayer}");
                mirror.eval();
                return mirror;
            }
            catch { mirror.Dispose(); throw; }
        }
        var convs = stateDict.Keys.Select(k => ConvKey().Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        var planConvs = Plan.Where(s => s.Kind == "conv").Select(s => s.Index).ToList();
        int at = convs.Count == 0 ? -1 : planConvs.IndexOf(convs[0]);
        if (at < 0 || !convs.SequenceEqual(planConvs.Skip(at)))
            throw new AtelierException(
                $"{source}: not an AdaIN decoder (pytorch-AdaIN layout: convolutions at {string.Join(", ", planConvs)}, keys like 1.weight [256x512x3x3]); " +
                $"found keys {string.Join(", ", stateDict.Keys.Take(6))}{(stateDict.Count > 6 ? ", ..." : "")}");
        var decoder = new AdaInDecoder(convs[0] - 1);
        try
        {
            StyleWeights.CopyStrict(decoder, stateDict, source, $"an AdaIN decoder from {decoder.EncoderLayer}");
            decoder.eval();
            return decoder;
        }
        catch { decoder.Dispose(); throw; }
    }

    [GeneratedRegex(@"^(\d+)\.weight$")]
    private static partial Regex ConvKey();

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var l in _layers) l.Dispose();
        base.Dispose(disposing);
    }
}
