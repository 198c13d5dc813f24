using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Atelier.Networks;

namespace Atelier.Style;

/// <summary>
/// The image transformation network of Johnson, Alahi and Fei-Fei (2016) in the layout of pytorch/examples
/// fast_neural_style, so its published checkpoints (candy, mosaic, rain_princess, udnie) load by name:
/// conv1 (9x9), conv2, conv3 (stride 2) each with SharedInstanceNorm in1..in3 and ReLU; res1..res5 at 128 channels;
/// deconv1, deconv2 (nearest x2 upsampling) with in4, in5 and ReLU; deconv3 (9x9) without activation.
/// Input and output are RGB on the 0..255 scale; the output is not clamped (see <see cref="FastStyle.Stylize"/>).
/// </summary>
public sealed class TransformerNet : nn.Module<Tensor, Tensor>
{
    readonly FastStyleConvLayer conv1, conv2, conv3;
    readonly SharedInstanceNorm in1, in2, in3, in4, in5;
    readonly FastStyleResidualBlock res1, res2, res3, res4, res5;
    readonly FastStyleUpsampleConvLayer deconv1, deconv2;
    readonly FastStyleConvLayer deconv3;

    public TransformerNet() : base("TransformerNet")
    {
        conv1 = new FastStyleConvLayer(3, 32, 9, 1);
        in1 = new SharedInstanceNorm(32, affine: true);
        conv2 = new FastStyleConvLayer(32, 64, 3, 2);
        in2 = new SharedInstanceNorm(64, affine: true);
        conv3 = new FastStyleConvLayer(64, 128, 3, 2);
        in3 = new SharedInstanceNorm(128, affine: true);
        res1 = new FastStyleResidualBlock(128);
        res2 = new FastStyleResidualBlock(128);
        res3 = new FastStyleResidualBlock(128);
        res4 = new FastStyleResidualBlock(128);
        res5 = new FastStyleResidualBlock(128);
        deconv1 = new FastStyleUpsampleConvLayer(128, 64, 3, 1, upsample: 2);
        in4 = new SharedInstanceNorm(64, affine: true);
        deconv2 = new FastStyleUpsampleConvLayer(64, 32, 3, 1, upsample: 2);
        in5 = new SharedInstanceNorm(32, affine: true);
        deconv3 = new FastStyleConvLayer(32, 3, 9, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new AtelierException($"the fast-style network takes N×3×H×W RGB, got shape [{string.Join(", ", x.shape)}]");
        // Each intermediate is freed as soon as the next exists (no scope holding them all to the end): the peak of a
        // forward pass is then a few feature maps, not the sum of all of them (tiled runs size tiles by it).
        var y = Step(x, conv1.forward, false);
        y = Step(y, in1.forward, true);
        y = Step(y, t => t.relu(), true);
        y = Step(y, conv2.forward, true);
        y = Step(y, in2.forward, true);
        y = Step(y, t => t.relu(), true);
        y = Step(y, conv3.forward, true);
        y = Step(y, in3.forward, true);
        y = Step(y, t => t.relu(), true);
        y = Step(y, res1.forward, true);
        y = Step(y, res2.forward, true);
        y = Step(y, res3.forward, true);
        y = Step(y, res4.forward, true);
        y = Step(y, res5.forward, true);
        y = Step(y, deconv1.forward, true);
        y = Step(y, in4.forward, true);
        y = Step(y, t => t.relu(), true);
        y = Step(y, deconv2.forward, true);
        y = Step(y, in5.forward, true);
        y = Step(y, t => t.relu(), true);
        return Step(y, deconv3.forward, true);
    }

    /// <summary>Applies one layer and disposes its input if it is an intermediate (with grad on, autograd keeps what it needs).</summary>
    static Tensor Step(Tensor x, Func<Tensor, Tensor> layer, bool disposeInput)
    {
        var y = layer(x);
        if (disposeInput) x.Dispose();
        // A stop request ends the pass here, between layers, rather than after a large tile's whole pass.
        if (Runtime.AmbientCancellation.IsRequested)
        {
            y.Dispose();
            Runtime.AmbientCancellation.ThrowIfRequested();
        }
        return y;
    }

    /// <summary>
    /// Keys of published checkpoints that the network does not have: SharedInstanceNorm running statistics saved by
    /// PyTorch versions before 0.4 (the reference deletes them with a regex before load_state_dict).
    /// </summary>
    public static bool IsStaleKey(string key) =>
        key.EndsWith(".running_mean", StringComparison.Ordinal) || key.EndsWith(".running_var", StringComparison.Ordinal) ||
        key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    /// <summary>Copies a state dict into the network by name after dropping stale SharedInstanceNorm statistics; strict otherwise.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var filtered = stateDict.Where(kv => !IsStaleKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        StyleWeights.CopyStrict(this, filtered, source, "a fast neural style TransformerNet (pytorch/examples fast_neural_style: conv1.conv2d.weight, in1.weight, res1.conv1.conv2d.weight, ...)");
    }
}
