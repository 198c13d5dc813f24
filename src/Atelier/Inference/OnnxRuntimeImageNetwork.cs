using Atelier.Onnx;
using Atelier.Onnx.Export;
using Atelier.Runtime;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Atelier.Inference;

/// <summary>
/// An ONNX Runtime session on Atelier's export of a one-image network, built once (the export and the session take tens
/// of milliseconds) and run for every picture; safe to run from several threads.
/// </summary>
public sealed class OnnxRuntimeSession : IDisposable
{
    readonly InferenceSession _session;
    readonly string _inputName, _outputName;

    /// <summary>Exports <paramref name="export"/> (not disposed here: it may share its modules with a network still in use).</summary>
    public OnnxRuntimeSession(ExportableNetwork export)
    {
        if (export.Inputs.Count != 1 || !export.Inputs[0].IsImage)
            throw new ArgumentException($"{export.Description} takes {export.Inputs.Count} inputs; an image network takes one image", nameof(export));
        Description = export.Description;
        using var options = OnnxSessions.ForPasses(get_num_threads());
        _session = OnnxSessions.Open(OnnxExporter.Build(export).ToByteArray(), options, export.Description);
        _inputName = export.Inputs[0].Name;
        _outputName = _session.OutputNames[0];
    }

    public string Description { get; }

    /// <summary>How many passes the session computed.</summary>
    public int Passes => _passes;
    int _passes;

    /// <summary>One pass on <paramref name="input"/> (any device; computed on the CPU in float32); the output on the CPU.</summary>
    public Tensor Run(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32, CPU).contiguous();
        var data = x.data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(data, x.shape);
        using var runOptions = new RunOptions();
        // One call cannot be checked between layers: a stop request asks ONNX Runtime to end it instead.
        using var stop = AmbientCancellation.Token.Register(() => runOptions.Terminate = true);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try { outputs = _session.Run(runOptions, [_inputName], [value], [_outputName]); }
        catch (OnnxRuntimeException) when (AmbientCancellation.IsRequested) { throw new OperationCanceledException(AmbientCancellation.Token); }
        using (outputs)
        {
            var output = outputs[0];
            var y = tensor(output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
            Interlocked.Increment(ref _passes);
            return y.MoveToOuterDisposeScope();
        }
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// An <see cref="IImageNetwork"/> whose passes run in an <see cref="OnnxRuntimeSession"/> of the same network; everything
/// else (sides, overlap, memory, input preparation) is the Atelier network's. A pass under shared normalisation
/// statistics (tiles of an instance-norm network, video frames with momentum) runs on the Atelier network, whose layers
/// carry them.
/// </summary>
/// <param name="toInput">From <see cref="IImageNetwork.Forward"/>'s [0,1] input to the export's input scale.</param>
/// <param name="fromOutput">From the export's output to <see cref="IImageNetwork.Forward"/>'s [0,1] scale.</param>
public sealed class OnnxRuntimeImageNetwork(IImageNetwork network, OnnxRuntimeSession session, Func<Tensor, Tensor> toInput, Func<Tensor, Tensor> fromOutput)
    : IImageNetwork
{
    public string Name => network.Name;
    public int Multiple => network.Multiple;
    public int Overlap => network.Overlap;
    public long BytesPerPixel => network.BytesPerPixel;
    public bool UsesStatistics => network.UsesStatistics;
    public int OutputChannels => network.OutputChannels;
    public Atelier.Imaging.Image PrepareInput(Atelier.Imaging.Image image) => network.PrepareInput(image);

    public Tensor Forward(Tensor input01)
    {
        if (NormStatistics.Current is not null) return network.Forward(input01);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var y = session.Run(toInput(input01));
        return fromOutput(y).to(input01.device).MoveToOuterDisposeScope();
    }
}
