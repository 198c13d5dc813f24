using Atelier.Networks;
using Atelier.Style;
using Atelier.Translation;
using TorchSharp;
using TorchSharp.Modules;
using static Atelier.Onnx.Export.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace Atelier.Onnx.Export;

/// <summary>
/// Writes Atelier's modules into an ONNX graph one node at a time, following each module's forward pass in eval mode
/// (batch norm from its running statistics, dropout dropped). A module it has no ONNX form for is refused in one line
/// naming its path and type.
/// </summary>
public sealed class ModuleExporter
{
    readonly OnnxGraphBuilder _g;

    public ModuleExporter(OnnxGraphBuilder graph) => _g = graph;

    /// <summary>Emits <paramref name="module"/> applied to the value <paramref name="x"/>; returns the output value's name.</summary>
    public string Emit(nn.Module module, string x, string path)
    {
        switch (module)
        {
            case TransformerNet:
                foreach (var step in new[] { "conv1", "in1", "relu", "conv2", "in2", "relu", "conv3", "in3", "relu",
                    "res1", "res2", "res3", "res4", "res5", "deconv1", "in4", "relu", "deconv2", "in5", "relu", "deconv3" })
                    x = step == "relu" ? _g.Node("Relu", [x], path + "relu") : Emit(Child(module, step, path), x, Join(path, step));
                return x;
            case FastStyleConvLayer:
                return Emit(Child(module, "conv2d", path), Emit(Child(module, "reflection_pad", path), x, Join(path, "reflection_pad")), Join(path, "conv2d"));
            case FastStyleUpsampleConvLayer up:
                if (up.Upsample > 1) x = NearestUpsample(x, up.Upsample, path);
                return Emit(Child(module, "conv2d", path), Emit(Child(module, "reflection_pad", path), x, Join(path, "reflection_pad")), Join(path, "conv2d"));
            case FastStyleResidualBlock:
            {
                var y = Emit(Child(module, "conv1", path), x, Join(path, "conv1"));
                y = Emit(Child(module, "in1", path), y, Join(path, "in1"));
                y = _g.Node("Relu", [y], path + ".relu");
                y = Emit(Child(module, "conv2", path), y, Join(path, "conv2"));
                y = Emit(Child(module, "in2", path), y, Join(path, "in2"));
                return _g.Node("Add", [y, x], path + ".add");
            }
            case AdaInDecoder:
                foreach (var (name, child) in module.named_children())
                    x = Emit(child, x, Join(path, name));
                return x;
            case Vgg { Layout: VggLayout.Normalised }:
                // Registered in forward order under the reference's indices (0 is the 1x1 input convolution).
                foreach (var (name, child) in module.named_children())
                    x = Emit(child, x, Join(path, name));
                return x;
            case ResnetGenerator or UnetGenerator:
                return Emit(Child(module, "model", path), x, Join(path, "model"));
            case ResnetBlock:
                return _g.Node("Add", [x, Emit(Child(module, "conv_block", path), x, Join(path, "conv_block"))], path + ".add");
            case UnetSkipBlock unet:
            {
                var y = Emit(Child(module, "model", path), x, Join(path, "model"));
                return unet.Outermost ? y : _g.Node("Concat", [x, y], path + ".cat", Int("axis", 1));
            }
            case Sequential:
                foreach (var (name, child) in module.named_children())
                    x = Emit(child, x, Join(path, name));
                return x;
            case SafeConv2d conv:
                return Conv(conv.Weight, conv.Bias, conv.Stride, conv.Padding, conv.Groups, x, path);
            case SafeConvTranspose2d convT:
                return ConvTranspose(convT, x, path);
            case SharedInstanceNorm norm:
                return InstanceNorm(norm, module, x, path);
            case BatchNorm2d bn:
                return BatchNorm(bn, x, path);
            case ReflectionPad2d pad:
                return ReflectionPad(pad.padding, x, path);
            case MaxPool2d pool:
                return MaxPool(pool, x, path);
            case Upsample up when up.mode == UpsampleMode.Nearest && up.size.IsEmpty && up.scale_factor.Length == 2
                && up.scale_factor[0] == up.scale_factor[1] && up.scale_factor[0] == Math.Floor(up.scale_factor[0]) && up.scale_factor[0] >= 1:
                return NearestUpsample(x, (int)up.scale_factor[0], path);
            case ReLU:
                return _g.Node("Relu", [x], path);
            case LeakyReLU leaky:
                return _g.Node("LeakyRelu", [x], path, Float("alpha", (float)leaky.negative_slope));
            case Tanh:
                return _g.Node("Tanh", [x], path);
            case Dropout or Identity:
                // Eval mode: dropout passes its input through unchanged, as does the identity that stands for norm 'none'.
                return x;
            default:
                throw new AtelierException($"cannot export {(path.Length == 0 ? "the network" : path)} ({module.GetType().Name}) to ONNX: Atelier has no ONNX form for this module (it exports TransformerNet, the ResNet and U-Net generators and AdaIN)");
        }
    }

    static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    static nn.Module Child(nn.Module module, string name, string path) =>
        module.named_children().FirstOrDefault(c => c.name == name).module
        ?? throw new AtelierException($"cannot export {Join(path, name)}: {module.GetType().Name} has no child '{name}'");

    string Conv(Tensor weight, Tensor? bias, long stride, long padding, long groups, string x, string path)
    {
        var inputs = new List<string> { x, _g.Initializer(path + ".weight", weight) };
        if (bias is not null) inputs.Add(_g.Initializer(path + ".bias", bias));
        return _g.Node("Conv", inputs, path,
            Ints("kernel_shape", weight.shape[2], weight.shape[3]), Ints("strides", stride, stride),
            Ints("pads", padding, padding, padding, padding), Ints("dilations", 1, 1), Int("group", groups));
    }

    string ConvTranspose(SafeConvTranspose2d m, string x, string path)
    {
        // ONNX and torch store transposed weights alike: (in, out / groups, kH, kW).
        var inputs = new List<string> { x, _g.Initializer(path + ".weight", m.Weight) };
        if (m.Bias is not null) inputs.Add(_g.Initializer(path + ".bias", m.Bias));
        return _g.Node("ConvTranspose", inputs, path,
            Ints("kernel_shape", m.Weight.shape[2], m.Weight.shape[3]), Ints("strides", m.Stride, m.Stride),
            Ints("pads", m.Padding, m.Padding, m.Padding, m.Padding), Ints("output_padding", m.OutputPadding, m.OutputPadding),
            Ints("dilations", 1, 1), Int("group", m.Groups));
    }

    string InstanceNorm(SharedInstanceNorm norm, nn.Module module, string x, string path)
    {
        // ONNX's InstanceNormalization always takes a scale and bias; the non-affine norm is scale 1, bias 0.
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var scale = parameters.TryGetValue("weight", out var w) ? _g.Initializer(path + ".weight", w) : _g.Initializer(path + ".weight", [norm.Channels], Enumerable.Repeat(1f, (int)norm.Channels).ToArray());
        var bias = parameters.TryGetValue("bias", out var b) ? _g.Initializer(path + ".bias", b) : _g.Initializer(path + ".bias", [norm.Channels], new float[norm.Channels]);
        return _g.Node("InstanceNormalization", [x, scale, bias], path, Float("epsilon", (float)norm.Eps));
    }

    string BatchNorm(BatchNorm2d bn, string x, string path)
    {
        if (bn.running_mean is null || bn.running_var is null)
            throw new AtelierException($"cannot export {path} (BatchNorm2d) to ONNX: it keeps no running statistics, so it has no eval-mode form");
        long c = bn.running_mean.shape[0];
        var scale = bn.weight is { } w ? _g.Initializer(path + ".weight", w) : _g.Initializer(path + ".weight", [c], Enumerable.Repeat(1f, (int)c).ToArray());
        var bias = bn.bias is { } b ? _g.Initializer(path + ".bias", b) : _g.Initializer(path + ".bias", [c], new float[c]);
        return _g.Node("BatchNormalization",
            [x, scale, bias, _g.Initializer(path + ".running_mean", bn.running_mean), _g.Initializer(path + ".running_var", bn.running_var)],
            path, Float("epsilon", (float)bn.eps));
    }

    string ReflectionPad(long[] padding, string x, string path)
    {
        // torch lists (left, right, top, bottom); ONNX wants all begins then all ends over N, C, H, W.
        var (l, r, t, b) = padding.Length switch
        {
            1 => (padding[0], padding[0], padding[0], padding[0]),
            4 => (padding[0], padding[1], padding[2], padding[3]),
            _ => throw new AtelierException($"cannot export {path} (ReflectionPad2d) to ONNX: padding [{string.Join(", ", padding)}] is not 1 or 4 values"),
        };
        var pads = _g.Int64Initializer(path + ".pads", 0, 0, t, l, 0, 0, b, r);
        return _g.Node("Pad", [x, pads], path, OnnxGraphBuilder.String("mode", "reflect"));
    }

    string MaxPool(MaxPool2d pool, string x, string path)
    {
        long k = pool.kernel_size[0], s = pool.stride?[0] ?? k, p = pool.padding?[0] ?? 0;
        if (pool.kernel_size.Length != 2 && pool.kernel_size.Length != 1 || pool.kernel_size.Any(v => v != k))
            throw new AtelierException($"cannot export {path} (MaxPool2d) to ONNX: only square kernels are written");
        return _g.Node("MaxPool", [x], path, Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", p, p, p, p),
            Int("ceil_mode", pool.ceil_mode ? 1 : 0));
    }

    string NearestUpsample(string x, int factor, string path)
    {
        // torch's nearest interpolation picks floor(dst / scale): ONNX's asymmetric coordinates with floor rounding.
        var scales = _g.Initializer(path + ".scales", [4], [1f, 1f, factor, factor]);
        return _g.Node("Resize", [x, "", scales], path + ".upsample",
            OnnxGraphBuilder.String("mode", "nearest"), OnnxGraphBuilder.String("coordinate_transformation_mode", "asymmetric"),
            OnnxGraphBuilder.String("nearest_mode", "floor"));
    }
}
