using Atelier.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.Tests.Networks;

/// <summary>
/// The safe convolution against libtorch's double-precision convolution (which does not go through oneDNN),
/// over strides, paddings, kernel sizes, groups and odd sizes.
/// </summary>
public class SafeConvTests
{
    public static TheoryData<int, int, int, int, int, int, int, int> Cases => new()
    {
        // cin, cout, k, stride, padding, groups, height, width
        { 3, 5, 3, 1, 1, 1, 7, 6 },
        { 4, 1, 4, 1, 1, 1, 4, 5 },
        { 4, 6, 4, 2, 1, 1, 9, 8 },
        { 2, 3, 3, 2, 1, 1, 7, 7 },
        { 3, 2, 7, 1, 3, 1, 5, 9 },
        { 6, 4, 3, 2, 0, 2, 9, 10 },
        { 2, 2, 1, 2, 0, 1, 5, 6 },
        { 4, 8, 3, 3, 2, 4, 11, 8 },
        { 5, 3, 9, 1, 4, 1, 10, 9 },
        { 2, 4, 5, 2, 2, 1, 8, 13 },
        { 16, 32, 4, 2, 1, 1, 8, 9 },   // multiples of 16: libtorch's own autograd
        { 32, 32, 3, 1, 1, 2, 6, 7 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2dGradientsMatchDoublePrecision(int cin, int cout, int k, int stride, int padding, int groups, int height, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(cin * 100 + cout * 10 + k);
        var x64 = randn(2, cin, height, width, float64);
        var w64 = randn(cout, cin / groups, k, k, float64) * 0.3;
        var b64 = randn(cout, float64);
        var g64 = randn(F.conv2d(x64, w64, b64, new long[] { stride, stride }, new long[] { padding, padding }, groups: groups).shape, float64);

        var (xr, wr, br) = Leaves(x64, w64, b64, float64);
        var yr = F.conv2d(xr, wr, br, new long[] { stride, stride }, new long[] { padding, padding }, groups: groups);
        yr.backward(new[] { g64 });

        var (x, w, b) = Leaves(x64, w64, b64, float32);
        var y = SafeConv.Conv2d(x, w, b, stride, padding, groups);
        y.backward(new[] { g64.to_type(float32) });

        AssertClose(yr, y, "output");
        AssertClose(xr.grad!, x.grad!, "input gradient");
        AssertClose(wr.grad!, w.grad!, "weight gradient");
        AssertClose(br.grad!, b.grad!, "bias gradient");
    }

    [Theory]
    [InlineData(4, 3, 4, 2, 1, 0, 1, 5, 4)]
    [InlineData(6, 2, 3, 2, 1, 1, 1, 4, 5)]
    [InlineData(3, 3, 3, 1, 1, 0, 1, 6, 6)]
    [InlineData(4, 4, 3, 2, 0, 0, 2, 4, 3)]
    [InlineData(2, 3, 5, 3, 1, 2, 1, 3, 4)]
    public void ConvTranspose2dMatchesDoublePrecision(int cin, int cout, int k, int stride, int padding, int outputPadding, int groups, int height, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(cin * 100 + cout * 10 + k + stride);
        var x64 = randn(2, cin, height, width, float64);
        var w64 = randn(cin, cout / groups, k, k, float64) * 0.3;
        var b64 = randn(cout, float64);
        long[] s = { stride, stride }, p = { padding, padding }, op = { outputPadding, outputPadding };
        var reference = F.conv_transpose2d(x64, w64, b64, s, p, op, groups: groups);
        var g64 = randn(reference.shape, float64);

        var (xr, wr, br) = Leaves(x64, w64, b64, float64);
        F.conv_transpose2d(xr, wr, br, s, p, op, groups: groups).backward(new[] { g64 });

        var (x, w, b) = Leaves(x64, w64, b64, float32);
        var y = SafeConv.ConvTranspose2d(x, w, b, stride, padding, outputPadding, groups);
        Assert.Equal(reference.shape, y.shape);
        y.backward(new[] { g64.to_type(float32) });

        AssertClose(reference, y, "output");
        AssertClose(xr.grad!, x.grad!, "input gradient");
        AssertClose(wr.grad!, w.grad!, "weight gradient");
        AssertClose(br.grad!, b.grad!, "bias gradient");
    }

    /// <summary>
    /// The configuration that made libtorch's own kernel return NaN input gradients (16 -> 1 channels, 4x4 kernel,
    /// tiny maps) a few times in a few hundred runs: the safe path must stay finite and equal to double precision.
    /// </summary>
    [Fact]
    public void SmallChannelConvolutionsStayFiniteOverManyRuns()
    {
        manual_seed(7);
        var w = randn(1, 16, 4, 4) * 0.1;
        int bad = 0;
        for (int i = 0; i < 400; i++)
        {
            using var scope = NewDisposeScope();
            var x = randn(1, 16, 3 + i % 3, 4).requires_grad_(true);
            SafeConv.Conv2d(x, w, null, 1, 1).pow(2).mean().backward();
            var t = SafeConv.ConvTranspose2d(randn(1, 16, 3, 3), w.transpose(0, 1).contiguous(), null, 1, 1);
            if (!x.grad!.isfinite().all().item<bool>() || !t.isfinite().all().item<bool>()) bad++;
        }
        Assert.Equal(0, bad);
    }

    /// <summary>
    /// libtorch 2.10's forward kernel reads uninitialised channel padding for input channel counts above 16 that are
    /// not multiples of 16 (StyleGAN's discriminator has 33 after its minibatch-stddev channel): with NaN left in
    /// recycled memory, every call came back NaN. The heap is poisoned with NaN before each call, under the reuse
    /// policy that recycles it; SafeConv must match double precision, with and without gradients.
    /// </summary>
    [Theory]
    [InlineData(33, 3, 1)]
    [InlineData(17, 3, 2)]
    [InlineData(65, 3, 1)]
    [InlineData(33, 1, 1)]
    [InlineData(32, 3, 1)] // multiples of 16: libtorch's own autograd
    [InlineData(16, 4, 2)]
    [InlineData(3, 3, 1)]
    public void OddChannelCountsAreRightOnARecycledHeap(int cin, int k, int stride)
    {
        Atelier.Runtime.NativeAllocator.ReuseFreedMemory();
        manual_seed(3);
        var x = randn(8, cin, 8, 8);
        var w = randn(32, cin, k, k);
        var b = randn(32);
        var xd = x.to(float64).requires_grad_(true);
        var expectedD = F.conv2d(xd, w.to(float64), b.to(float64), [stride], [k / 2]);
        expectedD.pow(2).sum().backward();
        var expectedGrad = xd.grad!.to(float32);
        var expected = expectedD.detach().to(float32);
        for (int i = 0; i < 10; i++)
        {
            using var scope = NewDisposeScope();
            PoisonHeap();
            Tensor y;
            using (no_grad()) y = SafeConv.Conv2d(x, w, b, stride, k / 2);
            Assert.True(y.allclose(expected, 1e-3, 1e-2), $"no grad, call {i}: max error {(y - expected).abs().max().item<float>()}");
            PoisonHeap();
            var xg = x.clone().requires_grad_(true);
            var yg = SafeConv.Conv2d(xg, w, b, stride, k / 2);
            Assert.True(yg.allclose(expected, 1e-3, 1e-2), $"with grad, call {i}: max error {(yg - expected).abs().max().item<float>()}");
            PoisonHeap();
            yg.pow(2).sum().backward();
            Assert.True(xg.grad!.allclose(expectedGrad, 1e-3, 1e-2), $"input gradient, call {i}: max error {(xg.grad! - expectedGrad).abs().max().item<float>()}");
        }
    }

    /// <summary>
    /// conv_transpose2d on a NaN-poisoned heap: channel counts that are multiples of 16 go to the native kernel, the
    /// others to the adjoint of forward convolutions; both must match double precision, output and input gradient.
    /// </summary>
    [Theory]
    [InlineData(32, 32, 1, 2)]
    [InlineData(32, 32, 4, 2)]
    [InlineData(16, 64, 1, 1)]
    [InlineData(32, 33, 1, 2)]
    [InlineData(3, 32, 1, 1)]
    [InlineData(8, 8, 1, 1)]
    public void TransposedConvolutionsAreRightOnARecycledHeap(int cin, int cout, int groups, int stride)
    {
        Atelier.Runtime.NativeAllocator.ReuseFreedMemory();
        manual_seed(5);
        var x = randn(2, cin * groups, 6, 6);
        var w = randn(cin * groups, cout, 3, 3);
        var xd = x.to(float64).requires_grad_(true);
        var expected = F.conv_transpose2d(xd, w.to(float64), null, [stride], [1], groups: groups);
        expected.pow(2).sum().backward();
        var expectedGrad = xd.grad!.to(float32);
        var expectedOut = expected.detach().to(float32);
        for (int i = 0; i < 10; i++)
        {
            using var scope = NewDisposeScope();
            var xi = x.clone().requires_grad_(true);
            PoisonHeap();
            var y = SafeConv.ConvTranspose2d(xi, w, null, stride, 1, 0, groups);
            Assert.True(y.allclose(expectedOut, 1e-3, 1e-2), $"call {i}: max error {(y - expectedOut).abs().max().item<float>()}");
            PoisonHeap();
            y.pow(2).sum().backward();
            Assert.True(xi.grad!.allclose(expectedGrad, 1e-3, 1e-2), $"call {i}: input gradient max error {(xi.grad! - expectedGrad).abs().max().item<float>()}");
        }
    }

    /// <summary>
    /// Weight and bias gradients on a NaN-poisoned heap, for the shapes the trainers use: a first layer on RGB whose
    /// input needs no gradient (TransformerNet's 9x9 conv1, at its training size too), odd and block-filling channel
    /// counts. Each must match double precision.
    /// </summary>
    [Theory]
    [InlineData(3, 32, 9, 1, false)]
    [InlineData(3, 64, 3, 2, false)]
    [InlineData(32, 64, 3, 2, true)]
    [InlineData(33, 32, 3, 1, true)]
    [InlineData(32, 3, 9, 1, true)]
    [InlineData(3, 32, 9, 1, false, 136)]
    public void WeightAndBiasGradientsAreRightOnARecycledHeap(int cin, int cout, int k, int stride, bool inputGrad, int size = 24)
    {
        Atelier.Runtime.NativeAllocator.ReuseFreedMemory();
        manual_seed(7);
        var x = randn(4, cin, size, size) * 100;
        var w = randn(cout, cin, k, k) * 0.05;
        var b = randn(cout);
        var (wd, bd) = (w.to(float64).requires_grad_(true), b.to(float64).requires_grad_(true));
        F.conv2d(x.to(float64), wd, bd, [stride], [k / 2]).pow(2).mean().backward();
        var (expectedW, expectedB) = (wd.grad!.to(float32), bd.grad!.to(float32));
        for (int i = 0; i < 10; i++)
        {
            using var scope = NewDisposeScope();
            var (wi, bi) = (w.clone().requires_grad_(true), b.clone().requires_grad_(true));
            var xi = inputGrad ? x.clone().requires_grad_(true) : x;
            PoisonHeap();
            var y = SafeConv.Conv2d(xi, wi, bi, stride, k / 2);
            PoisonHeap();
            y.pow(2).mean().backward();
            Assert.True(wi.grad!.allclose(expectedW, 1e-3, 1e-2), $"call {i}: weight gradient max error {(wi.grad! - expectedW).abs().max().item<float>()}");
            Assert.True(bi.grad!.allclose(expectedB, 1e-3, 1e-2), $"call {i}: bias gradient max error {(bi.grad! - expectedB).abs().max().item<float>()}");
        }
    }

    /// <summary>Frees NaN-filled blocks of many sizes, so the next allocations of those sizes start out holding NaN.</summary>
    static void PoisonHeap()
    {
        foreach (long n in new long[] { 1 << 8, 1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 3 << 18 })
            using (full(n, float.NaN)) { }
    }

    [Fact]
    public void WithoutGradientsItIsThePlainConvolution()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 3, 8, 8);
        var w = randn(4, 3, 3, 3);
        using var noGrad = no_grad();
        var y = SafeConv.Conv2d(x, w, null, 2, 1);
        Assert.False(y.requires_grad);
        Assert.True(y.allclose(F.conv2d(x, w, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 })));
    }

    /// <summary>
    /// Double backward (create_graph), as the R1 penalty needs: a penalty on the input gradient of two stacked
    /// convolutions (with a leaky ReLU between) differentiated again w.r.t. both weights and the input.
    /// </summary>
    [Theory]
    [InlineData(3, 4, 3, 1, 1, 1, 6, 7)]
    [InlineData(4, 4, 3, 2, 1, 2, 8, 8)]
    [InlineData(2, 3, 4, 2, 1, 1, 9, 8)]
    [InlineData(16, 32, 3, 2, 1, 1, 8, 8)] // multiples of 16: libtorch's own double backward
    public void DoubleBackwardMatchesDoublePrecision(int cin, int cout, int k, int stride, int padding, int groups, int height, int width)
    {
        using var scope = NewDisposeScope();
        manual_seed(7 + cin + 10 * k);
        var x64 = randn(2, cin, height, width, float64);
        var w1_64 = randn(cout, cin / groups, k, k, float64) * 0.3;
        var w2_64 = randn(2, cout, 3, 3, float64) * 0.3;

        (Tensor X, Tensor W1, Tensor W2) Run(ScalarType type, bool safe)
        {
            var x = x64.to_type(type).detach().requires_grad_(true);
            var w1 = w1_64.to_type(type).detach().requires_grad_(true);
            var w2 = w2_64.to_type(type).detach().requires_grad_(true);
            Tensor Conv(Tensor input, Tensor w, long s, long p, long g) => safe
                ? SafeConv.Conv2d(input, w, null, s, p, g)
                : F.conv2d(input, w, null, new[] { s, s }, new[] { p, p }, groups: g);
            var y = Conv(F.leaky_relu(Conv(x, w1, stride, padding, groups), 0.2), w2, 1, 1, 1);
            var grad = autograd.grad(new[] { y.sum() }, new[] { x }, retain_graph: true, create_graph: true)[0];
            var penalty = grad.pow(2).sum() + (grad * x).sum();
            penalty.backward();
            return (x.grad!, w1.grad!, w2.grad!);
        }

        var expected = Run(float64, safe: false);
        var actual = Run(float32, safe: true);
        AssertClose(expected.X, actual.X, "input second-order gradient");
        AssertClose(expected.W1, actual.W1, "first weight second-order gradient");
        AssertClose(expected.W2, actual.W2, "second weight second-order gradient");
    }

    static (Tensor X, Tensor W, Tensor B) Leaves(Tensor x, Tensor w, Tensor b, ScalarType type) =>
        (x.to_type(type).detach().requires_grad_(true), w.to_type(type).detach().requires_grad_(true), b.to_type(type).detach().requires_grad_(true));

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var e = expected.to_type(float64);
        var a = actual.to_type(float64);
        Assert.Equal(e.shape, a.shape);
        double scale = Math.Max(1.0, e.abs().max().item<double>());
        double err = (e - a).abs().max().item<double>();
        Assert.True(err <= 1e-4 * scale, $"{what}: max error {err:g3} (scale {scale:g3})");
    }
}
