using static TorchSharp.torch;

namespace Atelier.Quality;

/// <summary>
/// The Fréchet distance between Gaussians fitted to two sets of feature vectors, FID's formula:
/// ‖μa − μb‖² + Tr(Σa) + Tr(Σb) − 2 Tr((Σa^½ Σb Σa^½)^½), with unbiased (n − 1) covariances. The matrix root is
/// taken in doubles by eigendecomposition of symmetric matrices (Σa^½ first, then of the symmetric Σa^½ Σb Σa^½),
/// with eigenvalues that rounding leaves below zero set to zero, so it stays real and stable when the covariances
/// are singular, as they are whenever a set has fewer pictures than the features have dimensions. 0 for identical
/// sets; a pure mean shift gives ‖Δμ‖². On the built-in ResNet-18's pooled features it is "FD-ResNet18": like FID
/// in form, not in scale (FID needs the Inception network's weights), comparable only with itself and only between
/// sets of similar sizes (it is biased upward for small sets).
/// </summary>
public sealed class FrechetDistance : SetMetric
{
    public override string Key => "fd";
    public override string Name => "FD-ResNet18";
    public override int MinimumSetSize => 2;

    protected override SetFigure Measure(FeatureSet a, FeatureSet b) => new(Between(a, b));

    public static double Between(FeatureSet a, FeatureSet b)
    {
        using var scope = NewDisposeScope();
        var (ma, ca) = MeanAndCovariance(a.ToTensor());
        var (mb, cb) = MeanAndCovariance(b.ToTensor());
        var rootA = SymmetricRoot(ca);
        var middle = rootA.matmul(cb).matmul(rootA);
        double traceRoot = Eigenvalues(middle).sqrt().sum().item<double>();
        double meanTerm = (ma - mb).square().sum().item<double>();
        double value = meanTerm + ca.trace().item<double>() + cb.trace().item<double>() - 2 * traceRoot;
        // Rounding can leave identical sets a hair below zero.
        return Math.Max(value, 0);
    }

    static (Tensor Mean, Tensor Covariance) MeanAndCovariance(Tensor x)
    {
        var mean = x.mean([0]);
        var centred = x - mean;
        return (mean, centred.t().matmul(centred) / (x.shape[0] - 1));
    }

    /// <summary>The symmetric positive semi-definite square root V diag(√λ⁺) Vᵀ.</summary>
    static Tensor SymmetricRoot(Tensor s)
    {
        var (values, vectors) = linalg.eigh(Symmetrise(s));
        return (vectors * Significant(values).sqrt()).matmul(vectors.t());
    }

    static Tensor Eigenvalues(Tensor s) => Significant(linalg.eigvalsh(Symmetrise(s)));

    /// <summary>
    /// Eigenvalues with rounding noise set to zero: below d·ε·λmax (numpy's matrix_rank tolerance) a value is
    /// noise, and a singular covariance's null space would otherwise add √noise ≈ 1e-8 per dimension to the root.
    /// </summary>
    static Tensor Significant(Tensor values)
    {
        double tolerance = values.shape[0] * 2.220446049250313e-16 * Math.Max(values.abs().max().item<double>(), 1e-300);
        return values.where(values > tolerance, zeros_like(values));
    }

    // Products of symmetric matrices are symmetric only up to rounding; eigh reads one triangle.
    static Tensor Symmetrise(Tensor s) => (s + s.t()) / 2;
}
