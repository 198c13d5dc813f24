using System.Globalization;
using Atelier.Methods;

namespace Atelier.Bench;

/// <summary>
/// Every registered method's examples (MethodRegistry), timed as the demo and the front ends run them:
/// `methods [--repeat N] [--quick] [--out FILE]`. A new registered method is benchmarked without touching this file.
/// The median of N runs after one warm-up run; resident memory after each method shows whether it stays flat.
/// </summary>
public static class MethodsBench
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args);
        int repeat = a.Int("--repeat", 3);
        bool quick = a.Has("--quick");
        var outFile = a.Get("--out");
        var lines = new List<string> { "| method | example | output | median s | runs | RSS MiB after |", "|---|---|---|---|---|---|" };
        foreach (var method in MethodRegistry.All)
            foreach (var example in method.Examples)
            {
                var values = MethodValues.Create(method, MethodExample.WithModelFiles(method, example.Resolve(method, quick, 1)));
                // Networks are loaded once per example, as the studio keeps them: the runs time the method, not the load.
                using var resources = new MethodResources();
                method.Run(values, new MethodContext { Resources = resources }); // warm-up: JIT, first-touch memory and the network's load out of the timing
                Atelier.Imaging.Image? last = null;
                double seconds = BenchSupport.MedianSeconds(0, repeat, _ => last = method.Run(values, new MethodContext { Resources = resources }).Image);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"| {method.Id} | {example.Name} | {last!.Width}x{last.Height} | {seconds:0.000} | {repeat} | {BenchSupport.ResidentMiB():0} |");
                Console.WriteLine(line);
                lines.Add(line);
            }
        var report = $"Registered methods, {Environment.ProcessorCount} cores, load average {BenchSupport.LoadAverage()} at the end{(quick ? ", quick examples" : "")}\n\n{string.Join('\n', lines)}\n";
        if (outFile != null) File.WriteAllText(outFile, report);
        return 0;
    }
}
