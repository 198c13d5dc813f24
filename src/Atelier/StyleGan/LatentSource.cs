using System.Globalization;
using static TorchSharp.torch;

namespace Atelier.StyleGan;

/// <summary>
/// Where a latent code comes from (<see cref="Methods.ParameterKind.Latent"/>): a seed (its z mapped to w), a latent
/// file (its first code, in the space the method names), or a finished inversion a front end kept.
/// </summary>
public abstract record LatentSource
{
    /// <summary>How results name the code ("seed 3", the file's name, "inversion").</summary>
    public abstract string Label { get; }

    /// <summary>The code as w+ (1, n_latent, dim) on the generator's device; <paramref name="parameter"/> is named in errors.</summary>
    public abstract Tensor WPlus(Generator generator, LatentSpace fileSpace, string parameter);

    public sealed record Seed(long Value) : LatentSource
    {
        public override string Label => $"seed {Value}";
        public override Tensor WPlus(Generator generator, LatentSpace fileSpace, string parameter)
        {
            using var scope = NewDisposeScope();
            return generator.Broadcast(generator.SeedW(Value)).MoveToOuterDisposeScope();
        }
    }

    public sealed record File(string Path) : LatentSource
    {
        public override string Label => System.IO.Path.GetFileName(Path);
        public override Tensor WPlus(Generator generator, LatentSpace fileSpace, string parameter)
        {
            if (!System.IO.File.Exists(Path)) throw AtelierException.Naming($"{{{parameter}}} {Path}: neither a seed nor an existing latent file");
            using var scope = NewDisposeScope();
            var first = LatentFile.Load(Path, fileSpace, generator).to(generator.Device).narrow(0, 0, 1);
            return generator.Broadcast(fileSpace == LatentSpace.Z ? generator.Map(first) : first).MoveToOuterDisposeScope();
        }
    }

    public sealed record Inverted(InvertedCode Code) : LatentSource
    {
        public override string Label => "inversion";
        public override Tensor WPlus(Generator generator, LatentSpace fileSpace, string parameter) => Code.WPlusTensor(generator.Device);
    }

    /// <summary>"N" or "seed:N" (a non-negative seed), else a latent file's path.</summary>
    public static LatentSource Parse(string text, string parameter)
    {
        var t = text.Trim();
        if (t.Length == 0) throw new AtelierUsageException($"{{{parameter}}}: empty; give a seed or a latent file");
        var digits = t.StartsWith("seed:", StringComparison.Ordinal) ? t[5..] : t;
        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)) return new Seed(seed);
        return new File(t);
    }
}
