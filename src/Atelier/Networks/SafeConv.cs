using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.Networks;

/// <summary>
/// Convolutions whose input gradients and transposed convolutions are computed with forward convolutions only.
/// </summary>
/// <remarks>
/// Why: in libtorch 2.10 (TorchSharp-cpu 0.107) on AVX-512 CPUs, oneDNN's convolution backward-data kernel
/// intermittently returns NaN or garbage (measured: hundreds of bad results in 5,000 small random convolutions,
/// with 1 or 2 threads; see docs/performance.md). That kernel computes both the input gradient of conv2d and the
/// forward pass of conv_transpose2d. Its forward and backward-weights kernels are correct, and so is the same work
/// in double precision. So here the input gradient (the adjoint of a strided convolution) is split into stride^2
/// phases, each a small forward convolution with a flipped, channel-transposed slice of the kernel; the phases are
/// interleaved back. The arithmetic equals the native kernel's; the weight gradient still comes from libtorch.
/// Double backward (create_graph, as R1 and gradient penalties need) works: with grad mode on, the input gradient
/// is built from differentiable SafeConv calls, so it is differentiable in the output gradient and the weight.
/// </remarks>
public static class SafeConv
{
    // Every network convolves through here: the first use also switches off NNPACK, which cannot run on this CPU
    // and otherwise prints a warning on convolution calls (see TorchRuntime.DisableNnpack).
    static SafeConv() => Runtime.TorchRuntime.DisableNnpack();

    /// <summary>conv2d with a safe input gradient. Same result as <c>F.conv2d</c> (dilation 1).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null,
        long stride = 1, long padding = 0, long groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), groups);

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias,
        (long H, long W) stride, (long H, long W) padding, long groups = 1)
    {
        var strides = new[] { stride.H, stride.W };
        var pads = new[] { padding.H, padding.W };
        // Only the CPU (oneDNN) kernel is faulty: CUDA keeps cuDNN's own backward.
        if (input.device_type != DeviceType.CPU)
            return F.conv2d(input, weight, bias, strides, pads, groups: groups);
        if (!is_grad_enabled() || !input.requires_grad)
            return NativeConv2d(input, weight, bias, strides, pads, groups);
        // With both channel counts (per group) multiples of oneDNN's block there is no padding for its backward-data
        // kernel to read uninitialised (measured right in every call on a NaN-poisoned heap; docs/performance.md), so
        // libtorch's own autograd runs: 20-45% faster forward + backward than the adjoint below.
        if (FillsChannelBlocks(weight, groups))
            return F.conv2d(input, weight, bias, strides, pads, groups: groups);

        using var scope = NewDisposeScope();
        // The native convolution of the detached input carries the weight and bias gradients (backward-weights only);
        // the bridge adds the input gradient.
        var native = NativeConv2d(input.detach(), weight, bias, strides, pads, groups);
        // The weight goes in undetached so that a double backward (R1, gradient penalties: create_graph) can
        // differentiate the input gradient with respect to it; the bridge itself gives the weight no gradient.
        var output = InputGradientBridge.apply(input, native, weight, stride, padding, groups);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// libtorch's CPU conv2d, with input channels zero-padded to a multiple of 16 where its oneDNN kernel would read
    /// uninitialised memory. Why: libtorch 2.10's forward kernel for more than 16 input channels that are not a multiple
    /// of 16 (kernels larger than 1x1) pads the channels of its blocked copy of the input without writing the padding,
    /// and multiplies it by zero weights. Garbage times zero is zero, unless the recycled memory holds NaN or infinity:
    /// then the output is NaN. Measured with NaN-poisoned heap memory, 33 input channels (StyleGAN's discriminator
    /// after the minibatch-stddev channel): NaN in every call; 16, 32, 48, 64 and up to 15 channels: never; PyTorch
    /// 1.13: never. That was the cause of the StyleGAN trainer's skipped updates. Padding with real zeros (input and
    /// weight; gradients flow through the pad) leaves nothing uninitialised; grouped convolutions were not affected.
    /// </summary>
    static Tensor NativeConv2d(Tensor input, Tensor weight, Tensor? bias, long[] strides, long[] pads, long groups)
    {
        long inChannels = weight.shape[1];
        if (groups != 1 || inChannels <= ChannelBlock || inChannels % ChannelBlock == 0)
            return F.conv2d(input, weight, bias, strides, pads, groups: groups);
        using var scope = NewDisposeScope();
        long extra = ChannelBlock - inChannels % ChannelBlock;
        var paddedInput = F.pad(input, [0, 0, 0, 0, 0, extra]);
        var paddedWeight = F.pad(weight, [0, 0, 0, 0, 0, extra]);
        return F.conv2d(paddedInput, paddedWeight, bias, strides, pads).MoveToOuterDisposeScope();
    }

    /// <summary>oneDNN's channel block on AVX-512: input channel counts that are multiples of it are never padded.</summary>
    const long ChannelBlock = 16;

    /// <summary>
    /// True when both per-group channel counts of a conv2d weight (out, in/groups, k, k) or a conv_transpose2d weight
    /// (in, out/groups, k, k) are multiples of <see cref="ChannelBlock"/>: oneDNN then has no padding to leave unwritten.
    /// </summary>
    static bool FillsChannelBlocks(Tensor weight, long groups) =>
        (weight.shape[0] / groups) % ChannelBlock == 0 && weight.shape[1] % ChannelBlock == 0;

    /// <summary>
    /// conv_transpose2d (weight laid out (in, out / groups, kH, kW), as torch's) computed as the adjoint of a strided
    /// convolution by forward convolutions; differentiable in input, weight and bias.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null,
        long stride = 1, long padding = 0, long outputPadding = 0, long groups = 1) =>
        ConvTranspose2d(input, weight, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), groups);

    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias,
        (long H, long W) stride, (long H, long W) padding, (long H, long W) outputPadding, long groups = 1)
    {
        if (input.device_type != DeviceType.CPU)
            return F.conv_transpose2d(input, weight, bias, new[] { stride.H, stride.W }, new[] { padding.H, padding.W },
                new[] { outputPadding.H, outputPadding.W }, groups: groups);
        if (input.dim() != 4 || weight.dim() != 4)
            throw new ArgumentException($"conv_transpose2d expects 4-d input and weight, got {input.dim()}-d and {weight.dim()}-d");
        if (input.shape[1] != weight.shape[0])
            throw new ArgumentException($"conv_transpose2d: input has {input.shape[1]} channels, weight expects {weight.shape[0]}");
        // Channel counts that are multiples of oneDNN's block leave it no padding to read uninitialised (the fault
        // behind both its conv2d and its backward-data failures; docs/performance.md): measured with NaN-poisoned memory,
        // conv_transpose2d and its gradients were then always right, so the native kernel runs (one call instead of
        // stride² convolutions and an interleave: StyleGAN's upsampling convolutions).
        if (FillsChannelBlocks(weight, groups))
            return F.conv_transpose2d(input, weight, bias, new[] { stride.H, stride.W }, new[] { padding.H, padding.W },
                new[] { outputPadding.H, outputPadding.W }, groups: groups);
        long height = (input.shape[2] - 1) * stride.H - 2 * padding.H + weight.shape[2] + outputPadding.H;
        long width = (input.shape[3] - 1) * stride.W - 2 * padding.W + weight.shape[3] + outputPadding.W;
        using var scope = NewDisposeScope();
        var output = AdjointOfConv(input, weight, stride, padding, (height, width), groups, differentiable: true);
        if (bias is not null) output = output + bias.view(1, -1, 1, 1);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The adjoint of <c>conv2d(x, weight, stride, padding, groups)</c> for x of the given size, applied to
    /// <paramref name="gradOutput"/>: the input gradient of that convolution, and the forward pass of the transposed one.
    /// </summary>
    internal static Tensor AdjointOfConv(Tensor gradOutput, Tensor weight, (long H, long W) stride, (long H, long W) padding,
        (long H, long W) inputSize, long groups, bool differentiable)
    {
        using var scope = NewDisposeScope();
        long n = gradOutput.shape[0], outChannels = weight.shape[0], inPerGroup = weight.shape[1];
        long kh = weight.shape[2], kw = weight.shape[3];
        long inChannels = inPerGroup * groups;
        long sh = stride.H, sw = stride.W;
        long qh = (inputSize.H + sh - 1) / sh, qw = (inputSize.W + sw - 1) / sw;

        // Kernel with input and output channels swapped per group: (in, out / groups, kh, kw).
        var swapped = weight.reshape(groups, outChannels / groups, inPerGroup, kh, kw).transpose(1, 2)
            .reshape(inChannels, outChannels / groups, kh, kw);

        var phases = new List<Tensor>();
        for (long th = 0; th < sh; th++)
        for (long tw = 0; tw < sw; tw++)
            phases.Add(Phase(gradOutput, swapped, th, tw, stride, padding, inputSize, (qh, qw), groups, differentiable)
                       ?? zeros(n, inChannels, qh, qw, gradOutput.dtype, gradOutput.device));

        Tensor result;
        if (sh == 1 && sw == 1) result = phases[0];
        else
        {
            // (sh, sw, n, c, qh, qw) -> (n, c, qh, sh, qw, sw): row q*sh + t holds phase t.
            // Each copy is freed as soon as the next exists (autograd keeps what it needs), so the peak is two
            // output-sized tensors rather than three held to the end of the scope (tiled inference sizes tiles by it).
            var stacked = stack(phases);
            foreach (var p in phases) p.Dispose();
            result = stacked.view(sh, sw, n, inChannels, qh, qw).permute(2, 3, 4, 0, 5, 1)
                .reshape(n, inChannels, qh * sh, qw * sw);
            stacked.Dispose();
        }
        if (result.shape[2] != inputSize.H || result.shape[3] != inputSize.W)
            result = result[.., .., ..(int)inputSize.H, ..(int)inputSize.W];
        return result.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows h = t + s q of the adjoint (one phase per axis): h + p = s j + a, so only taps a ≡ (t + p) mod s
    /// contribute, and the phase is a stride-1 correlation of the padded gradient with those taps reversed.
    /// Returns null when no tap reaches the phase (kernel smaller than the stride).
    /// </summary>
    static Tensor? Phase(Tensor gradOutput, Tensor swapped, long th, long tw, (long H, long W) stride, (long H, long W) padding,
        (long H, long W) inputSize, (long H, long W) phaseSize, long groups, bool differentiable)
    {
        var (ch, eh, mh, lh, rh) = Axis(th, stride.H, padding.H, swapped.shape[2], inputSize.H, gradOutput.shape[2]);
        var (cw, ew, mw, lw, rw) = Axis(tw, stride.W, padding.W, swapped.shape[3], inputSize.W, gradOutput.shape[3]);
        if (mh <= 0 || mw <= 0) return null;
        long rowsH = (inputSize.H - th + stride.H - 1) / stride.H, rowsW = (inputSize.W - tw + stride.W - 1) / stride.W;
        if (rowsH <= 0 || rowsW <= 0) return null;

        var taps = swapped[.., .., TensorIndex.Slice(ch, null, stride.H), TensorIndex.Slice(cw, null, stride.W)].flip(2, 3).contiguous();
        // Symmetric non-negative padding (always the case at stride 1) goes to the convolution itself: no padded copy.
        bool symmetric = lh == rh && lw == rw && lh >= 0 && lw >= 0;
        var source = symmetric ? gradOutput : F.pad(gradOutput, new[] { lw, rw, lh, rh });
        (long H, long W) pad = symmetric ? (lh, lw) : (0, 0);
        var phase = differentiable
            ? Conv2d(source, taps, null, (1, 1), pad, groups)
            : NativeConv2d(source, taps, null, [1, 1], [pad.H, pad.W], groups);
        if (!symmetric) source.Dispose(); // a padded copy of the input: one per phase otherwise stays to the end
        // Phases after the first may be a row or column short of the common size; pad with zeros (cropped later).
        long padH = phaseSize.H - phase.shape[2], padW = phaseSize.W - phase.shape[3];
        if (padH != 0 || padW != 0)
        {
            var padded = F.pad(phase, new[] { 0L, padW, 0L, padH });
            phase.Dispose();
            phase = padded;
        }
        return phase;
    }

    static (long C, long E, long Taps, long PadBefore, long PadAfter) Axis(long t, long s, long p, long k, long inputLength, long outputLength)
    {
        long c = (t + p) % s, e = (t + p) / s;
        long taps = c >= k ? 0 : (k - c + s - 1) / s;
        long rows = (inputLength - t + s - 1) / s;
        // Correlation start for row q is q + e - (taps - 1); the last row reads up to (rows - 1) + e.
        long before = taps - 1 - e;
        long after = rows + e - outputLength;
        return (c, e, taps, before, after);
    }

    /// <summary>Identity on the native output; its backward supplies the input gradient by <see cref="AdjointOfConv"/>.</summary>
    sealed class InputGradientBridge : autograd.SingleTensorFunction<InputGradientBridge>
    {
        public override string Name => "SafeConv2dInputGradient";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var native = (Tensor)vars[1];
            var weight = (Tensor)vars[2];
            ctx.save_for_backward(new List<Tensor> { weight });
            ctx.save_data("stride", vars[3]);
            ctx.save_data("padding", vars[4]);
            ctx.save_data("groups", vars[5]);
            ctx.save_data("size", (input.shape[2], input.shape[3]));
            // A copy, not a view: callers (VGG's in-place ReLU) modify the output in place, which autograd forbids on views.
            return native.clone();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var weight = ctx.get_saved_variables()[0];
            var stride = ((long, long))ctx.get_data("stride");
            var padding = ((long, long))ctx.get_data("padding");
            var groups = (long)ctx.get_data("groups");
            var size = ((long, long))ctx.get_data("size");
            Tensor gradInput;
            if (is_grad_enabled())
            {
                // create_graph: the adjoint is itself a convolution, so build it from differentiable SafeConv ops;
                // the input gradient is then differentiable in both the output gradient and the weight.
                gradInput = AdjointOfConv(gradOutput, weight, stride, padding, size, groups, differentiable: true);
            }
            else
            {
                using (no_grad())
                    gradInput = AdjointOfConv(gradOutput, weight.detach(), stride, padding, size, groups, differentiable: false);
            }
            // One entry per forward argument: input, native output, weight (no gradient: the native conv carries it), then the three non-tensors.
            return new List<Tensor> { gradInput, gradOutput, null!, null!, null!, null! };
        }
    }
}
