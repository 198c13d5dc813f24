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
            ["texture"] = TextureBench.Run,
            ["vgg"] = VggBench.Run,
            ["imaging"] = ImagingBench.Run,
            ["anysize"] = AnySizeBench.Run,
            ["gatys"] = GatysBench.Run,
            ["feedforward"] = FeedForwardBench.Run,
            ["translation"] = TranslationBench.Run,
            ["stylegan"] = StyleGanBench.Run,
        };
        if (args.Length == 0 || !sections.TryGetValue(args[0], out var run))
        {
            Console.Error.WriteLine($"usage: Atelier.Bench SECTION [options]; sections: {string.Join(", ", sections.Keys)}");
            return 2;
        }
        return run(args[1..]);
    }
}
