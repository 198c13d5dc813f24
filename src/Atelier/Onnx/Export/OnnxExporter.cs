using Atelier.IO;
using Atelier.Onnx.Proto;
using Google.Protobuf;

namespace Atelier.Onnx.Export;

/// <summary>What an export wrote and how its verification came out.</summary>
public sealed record OnnxExportResult(string Output, string Kind, string Network, int Opset, long Bytes, string DynamicAxes, OnnxVerification Verification);

/// <summary>
/// Exports a network to ONNX and proves it: the model is built node by node from the network's modules, run in ONNX
/// Runtime at two sizes against the network's own output, and written (atomically) only when it agrees within
/// <see cref="OnnxVerifier.Tolerance"/>.
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// The ONNX model of <paramref name="network"/>: its inputs (images N×C×H×W with dynamic N, H and W) and one output
    /// "output", N×C×H×W likewise.
    /// </summary>
    public static ModelProto Build(ExportableNetwork network, int opset = OnnxGraphBuilder.DefaultOpset)
    {
        var g = new OnnxGraphBuilder(network.Kind);
        var inputs = network.Inputs.Select(i => i.IsImage ? g.ImageInput(i.Name, i.Channels) : g.Input(i.Name, i.Dims!)).ToList();
        var y = network.Emit(g, inputs);
        if (network.OutputDims is { } dims) g.Output(y, "output", dims);
        else g.ImageOutput(y, "output", network.OutputChannels);
        var described = string.Join(", ", network.Inputs.Select(i => i.IsImage ? $"{i.Name} N×{i.Channels}×H×W on {i.Low}..{i.High}" : $"{i.Name} [{string.Join(", ", i.Dims!.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] on {i.Low}..{i.High}"));
        return g.Build(opset, $"Atelier {network.Description}; inputs {described}; output {(network.OutputDims is { } o ? string.Join("×", o.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) : $"N×{network.OutputChannels}×H×W")}");
    }

    /// <summary>
    /// Builds, verifies and writes <paramref name="network"/> to <paramref name="output"/>. When the verification fails
    /// nothing is written and the result says so (the caller decides how to fail).
    /// </summary>
    public static OnnxExportResult Export(ExportableNetwork network, string output, int opset = OnnxGraphBuilder.DefaultOpset, int seed = 0)
    {
        var bytes = Build(network, opset).ToByteArray();
        var verification = OnnxVerifier.Verify(bytes, network, seed);
        if (verification.Passed) AtomicFile.WriteAllBytes(output, bytes);
        return new OnnxExportResult(output, network.Kind, network.Description, opset, bytes.LongLength,
            network.Inputs.Any(i => i.IsImage) ? "batch, height, width" : "batch", verification);
    }
}
