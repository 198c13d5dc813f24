using System.Diagnostics;
using Atelier.Imaging;
using static TorchSharp.torch;

namespace Atelier.Bench;

/// <summary>
/// Image I/O, resizing and tensor conversion speed: median of several runs per operation, on a shared photograph
/// (../shared/images/content/avril.jpg, 1680x1050, or --image FILE) or a synthetic 1680x1050 image.
/// Options: --image FILE, --runs N (default 7).
/// </summary>
public static class ImagingBench
{
    public static int Run(string[] args)
    {
        int runs = int.Parse(ArgValue(args, "--runs") ?? "7");
        var path = ArgValue(args, "--image") ?? FindShared("images/content/avril.jpg");
        byte[] encoded;
        string origin;
        if (path != null && File.Exists(path)) { encoded = File.ReadAllBytes(path); origin = path; }
        else
        {
            encoded = ImageIO.Encode(BenchSupport.Noise(1680, 1050, new Random(1)), ImageFileFormat.Jpeg, 90);
            origin = "synthetic noise JPEG";
        }
        var img = ImageIO.Decode(encoded, origin);
        Console.WriteLine($"imaging benchmark on {Environment.ProcessorCount} cores; image: {origin} ({img.Width}x{img.Height}); median of {runs} runs");

        Measure("decode JPEG/PNG (ImageIO.Decode)", runs, () => ImageIO.Decode(encoded, origin));
        Measure("encode PNG", runs, () => ImageIO.Encode(img, ImageFileFormat.Png));
        Measure("encode JPEG q95", runs, () => ImageIO.Encode(img, ImageFileFormat.Jpeg, 95));
        Measure("resize bicubic antialiased -> 1/3", runs, () => ImageResize.Resize(img, img.Width / 3, img.Height / 3));
        Measure("resize area -> 1/2", runs, () => ImageResize.Resize(img, img.Width / 2, img.Height / 2, ResizeFilter.Area));
        Measure("resize bicubic x2 upscale", runs, () => ImageResize.Resize(img, img.Width * 2, img.Height * 2));
        Measure("resize like PIL bicubic -> 1/3", runs, () => ImageResize.ResizeLikePil(img, img.Width / 3, img.Height / 3));
        Measure("ToTensor + FromTensor [-1,1]", runs, () =>
        {
            using var scope = NewDisposeScope();
            return ImageTensors.FromTensor(ImageTensors.ToTensor(img, ValueRange.MinusOneOne), ValueRange.MinusOneOne);
        });
        return 0;
    }

    static void Measure(string name, int runs, Func<object> action)
    {
        action(); // warm up (JIT, native libraries)
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"  {name,-40} {times[times.Count / 2],9:0.0} ms   (min {times[0]:0.0})");
    }

    static string? FindShared(string relative)
    {
        var env = Environment.GetEnvironmentVariable("ATELIER_SHARED");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(env, relative);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return Path.Combine(dir.FullName, "..", "shared", relative);
        return null;
    }

    static string? ArgValue(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
