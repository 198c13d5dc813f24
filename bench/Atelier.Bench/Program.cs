namespace Atelier.Bench;

/// <summary>`dotnet run -c Release --project bench/Atelier.Bench -- NAME [options]`: a tiny dispatcher on args[0].</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "";
        var rest = args.Skip(1).ToArray();
        switch (name)
        {
            case "vgg": return VggBench.Run(rest);
            // Other benchmarks register here, one line each.
            default:
                Console.Error.WriteLine("usage: Atelier.Bench vgg [--sizes 256,512] [--threads 2] [--iters 5] [--warmup 2] [--no-python]");
                return 2;
        }
    }
}
