using Atelier.StyleGan;
using TorchSharp;
using static Atelier.Onnx.Export.OnnxGraphBuilder;
using static TorchSharp.torch;
using Generator = Atelier.StyleGan.Generator;

namespace Atelier.Onnx.Export;

/// <summary>Which network of a StyleGAN2 generator to export.</summary>
public enum StyleGanPart
{
    /// <summary>w+ (N × n_latent × style_dim) to the image (N×3×size×size, about -1..1), with the stored noise maps as constants.</summary>
    Synthesis,
    /// <summary>z (N × style_dim) to w (N × style_dim): PixelNorm and the mapping MLP.</summary>
    Mapping,
}

/// <summary>
/// StyleGAN2 (rosinality's layout, which NVlabs' generators are converted to) as ONNX. Modulated convolutions are written
/// in their unfused form, which needs no per-sample weights: the input is scaled by the style, convolved with the shared
/// weight, and the output scaled by the demodulation coefficients rsqrt(s² · Σ_k w² + 1e-8) (a MatMul) — the same
/// arithmetic as Atelier's grouped convolution. FIR upsampling is zero insertion (Reshape, Pad) and a depthwise Conv.
/// The synthesis network has a fixed resolution; batch is dynamic.
/// </summary>
public static class StyleGanExport
{
    public static ExportableNetwork Network(Generator g, StyleGanPart part)
    {
        g.eval();
        long d = g.StyleDim;
        if (part == StyleGanPart.Mapping)
            return new ExportableNetwork("stylegan2-mapping", $"StyleGAN2 mapping network ({d}-d, {g.Config.NMlp} layers)",
                [new ExportInput("z", d, -2f, 2f, [-1, d])], d, [(0, 0), (0, 0)],
                (graph, x) => Mapping(graph, g, x[0]), x => g.Map(x[0]), g)
            { OutputDims = [-1, d], VerifyBatches = [1, 3] };
        return new ExportableNetwork("stylegan2-synthesis", $"StyleGAN2 synthesis network ({g.Size}px from w+, stored noise)",
            [new ExportInput("wplus", d, -1f, 1f, [-1, g.NLatent, d])], 3, [(0, 0), (0, 0)],
            (graph, x) => new Writer(graph).Synthesis(g, x[0]), x => g.Synthesize(x[0]), g)
        { OutputDims = [-1, 3, g.Size, g.Size], VerifyBatches = [1, 2] };
    }

    static string Mapping(OnnxGraphBuilder graph, Generator g, string z)
    {
        var w = new Writer(graph);
        var x = z;
        foreach (var (name, layer) in g.Mapping.named_children())
        {
            var path = "mapping." + name;
            x = layer switch
            {
                PixelNorm => w.PixelNorm(x, g.StyleDim, path),
                EqualLinear linear => w.Linear(linear, x, path),
                _ => throw new AtelierException($"cannot export {path} ({layer.GetType().Name}) to ONNX: not a StyleGAN2 mapping layer"),
            };
        }
        return x;
    }

    /// <summary>The nodes of each StyleGAN2 building block.</summary>
    sealed class Writer(OnnxGraphBuilder g)
    {
        public string Synthesis(Generator gen, string wplus)
        {
            var children = gen.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
            var constant = children["input"].named_parameters().Single().parameter;
            // The learned 4x4 input, one copy: multiplying by the batch's styles broadcasts it over the batch.
            var x = g.Initializer("input", constant);
            string Latent(int i) => g.Node("Reshape", [g.Node("Gather", [wplus, g.Int64Initializer($"latent_{i}.index", i)], $"latent_{i}.gathered", Int("axis", 1)),
                g.Int64Initializer($"latent_{i}.shape", 0, gen.StyleDim)], $"latent_{i}");
            x = StyledConv((StyledConv)children["conv1"], x, Latent(0), gen.StoredNoise(0), "conv1");
            var skip = ToRgb((ToRGB)children["to_rgb1"], x, Latent(1), null, "to_rgb1");
            var convs = children["convs"].named_children().Select(c => (StyledConv)c.module).ToList();
            var toRgbs = children["to_rgbs"].named_children().Select(c => (ToRGB)c.module).ToList();
            int i = 1;
            for (int block = 0; block < toRgbs.Count; block++)
            {
                x = StyledConv(convs[2 * block], x, Latent(i), gen.StoredNoise(2 * block + 1), $"convs.{2 * block}");
                x = StyledConv(convs[2 * block + 1], x, Latent(i + 1), gen.StoredNoise(2 * block + 2), $"convs.{2 * block + 1}");
                skip = ToRgb(toRgbs[block], x, Latent(i + 2), skip, $"to_rgbs.{block}");
                i += 2;
            }
            return skip;
        }

        public string PixelNorm(string x, long dim, string path)
        {
            // x / sqrt(mean(x²) + 1e-8); the mean over features as a MatMul with 1/dim keeps clear of ReduceMean's opset change.
            var mean = g.Node("MatMul", [g.Node("Mul", [x, x], path + ".sq"), g.Initializer(path + ".mean", [dim, 1], Enumerable.Repeat(1f / dim, (int)dim).ToArray())], path + ".mean_sq");
            var root = g.Node("Sqrt", [g.Node("Add", [mean, g.Initializer(path + ".eps", [], [1e-8f])], path + ".mean_sq_eps")], path + ".root");
            return g.Node("Div", [x, root], path);
        }

        /// <summary>EqualLinear: x · (weight · scale)ᵀ + bias · lr_mul, then (when fused) leaky ReLU 0.2 times √2.</summary>
        public string Linear(EqualLinear linear, string x, string path)
        {
            using var scope = NewDisposeScope();
            var weight = (linear.Weight * linear.Scale).t().contiguous();
            var y = g.Node("MatMul", [x, g.Initializer(path + ".weight", weight)], path + ".matmul");
            var bias = linear.named_parameters().FirstOrDefault(p => p.name == "bias").parameter;
            if (bias is not null) y = g.Node("Add", [y, g.Initializer(path + ".bias", bias * linear.LrMul)], path + ".add");
            return linear.FusedLeakyRelu ? LeakyGain(y, path) : y;
        }

        string LeakyGain(string x, string path) =>
            g.Node("Mul", [g.Node("LeakyRelu", [x], path + ".leaky", Float("alpha", (float)FusedLeakyReLU.NegativeSlope)),
                g.Initializer(path + ".gain", [], [(float)FusedLeakyReLU.Gain])], path + ".act");

        string StyledConv(StyledConv layer, string x, string w, Tensor noise, string path)
        {
            var children = layer.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
            var y = ModulatedConv(layer.Conv, x, w, path + ".conv");
            // NoiseInjection with the stored map: y + strength · noise, the map a constant (1, 1, H, W).
            var strength = children["noise"].named_parameters().Single().parameter;
            y = g.Node("Add", [y, g.Node("Mul", [g.Initializer(path + ".noise_map", noise), g.Initializer(path + ".noise.weight", strength)], path + ".noise")], path + ".noised");
            var bias = children["activate"].named_parameters().Single().parameter;
            using (var b = bias.view(1, -1, 1, 1)) y = g.Node("Add", [y, g.Initializer(path + ".activate.bias", b.clone())], path + ".biased");
            y = LeakyGain(y, path + ".activate");
            return layer.Clamp is { } c ? Clip(y, c, path) : y;
        }

        string ToRgb(ToRGB layer, string x, string w, string? skip, string path)
        {
            var children = layer.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
            var bias = layer.named_parameters().First(p => p.name == "bias").parameter;
            var y = g.Node("Add", [ModulatedConv((ModulatedConv2d)children["conv"], x, w, path + ".conv"), g.Initializer(path + ".bias", bias)], path + ".biased");
            if (layer.Clamp is { } c) y = Clip(y, c, path);
            if (skip is null) return y;
            var up = (StyleGan.Upsample)children["upsample"];
            var kernel = up.named_buffers().Single().buffer;
            return g.Node("Add", [y, Fir(ZeroInsert(skip, 3, path + ".upsample"), kernel, 3, up.Pad, path + ".upsample")], path);
        }

        string Clip(string x, double c, string path) =>
            g.Node("Clip", [x, g.Initializer(path + ".clamp_min", [], [(float)-c]), g.Initializer(path + ".clamp_max", [], [(float)c])], path + ".clamp");

        string ModulatedConv(ModulatedConv2d m, string x, string w, string path)
        {
            using var scope = NewDisposeScope();
            long cin = m.InChannels, cout = m.OutChannels, k = m.KernelSize;
            // The style s = modulation(w): N × in.
            var s = Linear(m.Modulation, w, path + ".modulation");
            var xs = g.Node("Mul", [x, g.Node("Reshape", [s, g.Int64Initializer(path + ".style_shape", -1, cin, 1, 1)], path + ".style")], path + ".modulated");
            var weight = (m.Weight[0] * m.Scale).contiguous(); // out × in × k × k
            string y;
            if (m.IsUpsampling)
            {
                // conv_transpose2d with stride 2, then the blur (rosinality's order).
                var wt = weight.transpose(0, 1).contiguous();
                y = g.Node("ConvTranspose", [xs, g.Initializer(path + ".weight", wt)], path + ".convT",
                    Ints("kernel_shape", k, k), Ints("strides", 2, 2), Ints("pads", 0, 0, 0, 0));
                var blur = (Blur)m.named_children().Single(c => c.name == "blur").module;
                y = Fir(y, blur.named_buffers().Single().buffer, cout, blur.Pad, path + ".blur");
            }
            else
                y = g.Node("Conv", [xs, g.Initializer(path + ".weight", weight)], path + ".conv",
                    Ints("kernel_shape", k, k), Ints("strides", 1, 1), Ints("pads", k / 2, k / 2, k / 2, k / 2));
            if (!m.Demodulate) return y;
            // demod[n, o] = rsqrt(Σ_i s[n, i]² Σ_k w[o, i, k]² + 1e-8).
            var w2 = weight.square().sum([2L, 3L]).t().contiguous(); // in × out
            var energy = g.Node("MatMul", [g.Node("Mul", [s, s], path + ".s2"), g.Initializer(path + ".w2", w2)], path + ".energy");
            var demod = g.Node("Reciprocal", [g.Node("Sqrt", [g.Node("Add", [energy, g.Initializer(path + ".eps", [], [1e-8f])], path + ".energy_eps")], path + ".norm")], path + ".demod_flat");
            return g.Node("Mul", [y, g.Node("Reshape", [demod, g.Int64Initializer(path + ".demod_shape", -1, cout, 1, 1)], path + ".demod")], path);
        }

        /// <summary>Each sample followed by one zero along height and width (upfirdn2d's up = 2); the channels must be known.</summary>
        string ZeroInsert(string x, long channels, string path)
        {
            // N×C×H×W → N×C×H×1×W×1, pad the unit axes to 2, → N×C×2H×2W. H and W come from the shape at run time.
            var shape = g.Node("Shape", [x], path + ".shape");
            var h = g.Node("Slice", [shape, g.Int64Initializer(path + ".h0", 2), g.Int64Initializer(path + ".h1", 3), g.Int64Initializer(path + ".ax0", 0)], path + ".h");
            var wd = g.Node("Slice", [shape, g.Int64Initializer(path + ".w0", 3), g.Int64Initializer(path + ".w1", 4), g.Int64Initializer(path + ".ax1", 0)], path + ".w");
            var one = g.Int64Initializer(path + ".one", 1);
            var six = g.Node("Concat", [g.Int64Initializer(path + ".nc", 0, channels), h, one, wd, one], path + ".shape6", Int("axis", 0));
            var x6 = g.Node("Reshape", [x, six], path + ".x6");
            var padded = g.Node("Pad", [x6, g.Int64Initializer(path + ".pads", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1)], path + ".zeros");
            var two = g.Int64Initializer(path + ".two", 2);
            var four = g.Node("Concat", [g.Int64Initializer(path + ".nc4", 0, channels), g.Node("Mul", [h, two], path + ".h2"), g.Node("Mul", [wd, two], path + ".w2")], path + ".shape4", Int("axis", 0));
            return g.Node("Reshape", [padded, four], path + ".up");
        }

        /// <summary>Zero padding (begin, end) and a true convolution with the 2-D FIR kernel, each channel on its own.</summary>
        string Fir(string x, Tensor kernel, long channels, (int Begin, int End) pad, string path)
        {
            if (pad.Begin < 0 || pad.End < 0)
                throw new AtelierException($"cannot export {path} to ONNX: negative FIR padding ({pad.Begin}, {pad.End}) is not written");
            using var scope = NewDisposeScope();
            var padded = g.Node("Pad", [x, g.Int64Initializer(path + ".pads", 0, 0, pad.Begin, pad.Begin, 0, 0, pad.End, pad.End)], path + ".pad");
            long kh = kernel.shape[0], kw = kernel.shape[1];
            var depthwise = kernel.flip(0, 1).reshape(1, 1, kh, kw).expand(channels, 1, kh, kw).contiguous();
            return g.Node("Conv", [padded, g.Initializer(path + ".kernel", depthwise)], path,
                Ints("kernel_shape", kh, kw), Ints("strides", 1, 1), Ints("pads", 0, 0, 0, 0), Int("group", channels));
        }
    }
}
