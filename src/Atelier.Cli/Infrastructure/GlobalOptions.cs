using System.CommandLine;

namespace Atelier.Cli.Infrastructure;

/// <summary>Options every command accepts (declared once on the root, recursive).</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Device = new("--device")
    {
        Description = "Where tensors run: auto, cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
        Recursive = true,
    };

    public static readonly Option<int> Threads = new("--threads")
    {
        Description = "CPU threads: libtorch's intra-op threads and the texture engines' searches (0 = every core)",
        DefaultValueFactory = _ => 0,
        Recursive = true,
    };

    public static readonly Option<long?> Seed = new("--seed")
    {
        Description = "Random seed; the same seed gives the same result",
        Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "No progress bars or notes; errors only",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one machine-readable JSON result object on stdout",
        Recursive = true,
    };

    public static readonly Option<bool> Offline = new("--offline")
    {
        Description = "Never touch the network: a catalogue model not in the cache is an error saying where to put it (also ATELIER_OFFLINE=1)",
        Recursive = true,
    };

    public static readonly Option<string?> Mirror = new("--mirror")
    {
        Description = "Fetch catalogue models from this base URL or local folder (laid out NAME/FILE, like the cache) instead of the publishers (also ATELIER_MIRROR)",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Device);
        root.Options.Add(Threads);
        root.Options.Add(Seed);
        root.Options.Add(Quiet);
        root.Options.Add(Json);
        root.Options.Add(Offline);
        root.Options.Add(Mirror);
    }
}
