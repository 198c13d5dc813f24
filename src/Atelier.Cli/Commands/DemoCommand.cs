using System.CommandLine;
using System.Text;
using Atelier.Cli.Infrastructure;
using Atelier.Studio.Demo;
using Atelier.Studio.Hosting;

namespace Atelier.Cli.Commands;

/// <summary>`atelier demo -o DIR`: Atelier's methods on built-in material, written as a gallery page.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder for the gallery (index.html and PNGs)", Required = true };
        var cache = new Option<string?>("--cache") { Description = "Where models made on first run are kept (default: ~/.cache/atelier, or $ATELIER_CACHE)" };
        var quick = new Option<bool>("--quick") { Description = "Tiny sizes and few iterations: a smoke run for CI (worse pictures)" };
        var cmd = new Command("demo", "Run Atelier's methods on built-in material (nothing downloaded) and write a gallery page") { output, cache, quick };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var dir = ctx.Get(output)!;
            if (File.Exists(dir)) throw new AtelierUsageException($"--output {dir}: is a file; give a folder");
            var cacheDir = ctx.Get(cache) ?? StudioOptions.DefaultCacheDirectory();
            int seed = (int)(ctx.Seed ?? 1);
            var sections = ctx.WithProgress("demo", p => DemoGallery.Write(dir, seed, cacheDir, ctx.Get(quick), p, ct));
            var index = Path.GetFullPath(Path.Combine(dir, "index.html"));
            var human = new StringBuilder();
            foreach (var s in sections)
                human.AppendLine(s.Missing == null
                    ? $"  {s.Title}: {s.Pictures.Count} pictures ({s.Seconds:0.0} s)"
                    : $"  {s.Title}: {(s.Pictures.Count > 0 ? $"{s.Pictures.Count} pictures; " : "")}{s.Missing}");
            human.Append($"gallery: {index}");
            ctx.Result(new
            {
                index,
                sections = sections.Select(s => new { s.Title, pictures = s.Pictures.Select(p => p.File), s.Missing, s.Seconds }),
            }, human.ToString());
            return CliRunner.Success;
        });
        return cmd;
    }
}
