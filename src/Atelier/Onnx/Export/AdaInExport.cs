using Atelier.Networks;
using Atelier.Style;
using static Atelier.Onnx.Export.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace Atelier.Onnx.Export;

/// <summary>
/// AdaIN as one ONNX graph: inputs <c>content</c> and <c>style</c> (N×3×H×W RGB on 0..1, each of any size) and
/// <c>alpha</c> (one value, 0..1); both images go through the normalised VGG-19 to relu4_1 (one copy of its weights),
/// the content features take the style features' per-channel mean and standard deviation (unbiased variance plus 1e-5,
/// as pytorch-AdaIN), are blended with the content features by alpha, decoded, and cropped to the content's size.
/// </summary>
public static class AdaInExport
{
    const string Layer = "relu4_1";

    /// <summary>The exportable network; <paramref name="stylizer"/>, when given, is Atelier's own runner of the same modules (and is owned).</summary>
    public static ExportableNetwork Network(Vgg encoder, AdaInDecoder decoder, AdaInStylizer? stylizer = null)
    {
        if (encoder.Layout != VggLayout.Normalised)
            throw new AtelierException("cannot export AdaIN with a torchvision-layout VGG: its decoders are trained on the normalised VGG-19");
        if (decoder.EncoderLayer != Layer)
            throw new AtelierException($"cannot export AdaIN with a decoder for {decoder.EncoderLayer}: AdaIN decodes {Layer}");
        var runner = stylizer ?? new AdaInStylizer(encoder, decoder);
        IDisposable[] owned = stylizer is null ? [encoder, decoder] : [stylizer];
        encoder.eval();
        decoder.eval();
        return new ExportableNetwork("adain", "AdaIN (normalised VGG-19 relu4_1 encoder, AdaIN, decoder)",
            [new ExportInput("content", 3, 0f, 1f), new ExportInput("style", 3, 0f, 1f), new ExportInput("alpha", 1, 0f, 1f, [1])],
            3, [(64, 64), (48, 80)],
            (g, x) => Emit(g, encoder, decoder, x[0], x[1], x[2]),
            x => runner.Stylize(x[0], [new StyleInput(x[1])], new AdaInOptions { Alpha = x[2].item<float>() }),
            owned);
    }

    static string Emit(OnnxGraphBuilder g, Vgg encoder, AdaInDecoder decoder, string content, string style, string alpha)
    {
        var modules = new ModuleExporter(g);
        var fc = Encode(modules, encoder, content, "encoder");
        var fs = Encode(modules, encoder, style, "encoder");
        var (cm, cs) = MeanStd(g, fc, "content_stats");
        var (sm, ss) = MeanStd(g, fs, "style_stats");
        var normalised = g.Node("Div", [g.Node("Sub", [fc, cm], "adain.centred"), cs], "adain.normalised");
        var t = g.Node("Add", [g.Node("Mul", [normalised, ss], "adain.scaled"), sm], "adain");
        // alpha · t + (1 − alpha) · content features, as AdaIn.Blend computes it.
        var one = g.Initializer("one", [], [1f]);
        var blended = g.Node("Add", [g.Node("Mul", [t, alpha], "blend.style"),
            g.Node("Mul", [fc, g.Node("Sub", [one, alpha], "blend.one_minus_alpha")], "blend.content")], "blend");
        var y = modules.Emit(decoder, blended, "decoder");
        // Ceil-mode pooling rounds odd sizes up and the decoder then gives a larger image: crop to the content's size.
        var hw = Slice(g, g.Node("Shape", [content], "content_shape"), 0, 2, 4, "content_hw");
        return g.Node("Slice", [y, g.Int64Initializer("crop.starts", 0, 0), hw, g.Int64Initializer("crop.axes", 2, 3)], "cropped");
    }

    /// <summary>The normalised VGG's layers up to relu4_1 (each image reuses the same weights).</summary>
    static string Encode(ModuleExporter modules, Vgg encoder, string x, string path)
    {
        int last = encoder.DepthOf(Layer);
        foreach (var (name, child) in encoder.named_children().Take(last + 1))
            x = modules.Emit(child, x, path + "." + name);
        return x;
    }

    /// <summary>Per-channel mean and standard deviation (N×C×1×1): unbiased variance plus AdaIn.Epsilon, then the root.</summary>
    static (string Mean, string Std) MeanStd(OnnxGraphBuilder g, string x, string path)
    {
        var mean = g.Node("GlobalAveragePool", [x], path + ".mean");
        var d = g.Node("Sub", [x, mean], path + ".centred");
        var biased = g.Node("GlobalAveragePool", [g.Node("Mul", [d, d], path + ".squared")], path + ".biased_var");
        // n / (n − 1) with n = H·W of the features, read from the shape at run time (height and width are dynamic).
        var hw = Slice(g, g.Node("Shape", [x], path + ".shape"), 0, 2, 4, path + ".hw");
        var n = g.Node("Cast", [g.Node("ReduceProd", [hw], path + ".n_int", Int("keepdims", 1))], path + ".n", Int("to", 1));
        var factor = g.Node("Div", [n, g.Node("Sub", [n, g.Initializer(path + ".one", [], [1f])], path + ".n_minus_1")], path + ".unbias");
        var variance = g.Node("Add", [g.Node("Mul", [biased, factor], path + ".unbiased_var"), g.Initializer(path + ".eps", [], [(float)AdaIn.Epsilon])], path + ".var");
        return (mean, g.Node("Sqrt", [variance], path + ".std"));
    }

    static string Slice(OnnxGraphBuilder g, string x, long axis, long start, long end, string name) =>
        g.Node("Slice", [x, g.Int64Initializer(name + ".starts", start), g.Int64Initializer(name + ".ends", end), g.Int64Initializer(name + ".axes", axis)], name);
}
