using Atelier.Inference;
using Atelier.Runtime;

namespace Atelier.Bench;

/// <summary>
/// Benchmarks (not tests): `dotnet run -c Release --project bench/Atelier.Bench -- SECTION [options]`.
/// Each section is one file; sections register here.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var sections = new Dictionary<string, Func<string[], int>>
        {
            ["methods"] = MethodsBench.Run,
            ["texture"] = TextureBench.Run,
            ["vgg"] = VggBench.Run,
            ["imaging"] = ImagingBench.Run,
            ["anysize"] = AnySizeBench.Run,
            ["gatys"] = GatysBench.Run,
            ["feedforward"] = FeedForwardBench.Run,
            ["translation"] = TranslationBench.Run,
            ["stylegan"] = StyleGanBench.Run,
            ["onnx"] = OnnxBench.Run,
            ["styletrain"] = StyleTrainingBench.Run,
            ["video"] = VideoBench.Run,
            ["resynthesizer"] = ResynthesizerBench.Run,
        };
        if (args.Length == 0 || !sections.TryGetValue(args[0], out var run))
        {
            Console.Error.WriteLine($"usage: Atelier.Bench SECTION [options]; sections: {string.Join(", ", sections.Keys)}");
            return 2;
        }
        // As the CLI does: freed native memory is reused rather than mapped afresh (NativeAllocator); `--malloc default`
        // measures glibc's default policy instead.
        var rest = args[1..].ToList();
        int at = rest.IndexOf("--malloc");
        string malloc = "reuse";
        if (at >= 0 && at + 1 < rest.Count) { malloc = rest[at + 1]; rest.RemoveRange(at, 2); }
        if (malloc is not ("reuse" or "default"))
        {
            Console.Error.WriteLine($"--malloc {malloc}: expected reuse or default");
            return 2;
        }
        if (malloc == "reuse") NativeAllocator.ReuseFreedMemory();
        return run(rest.ToArray());
    }
}
