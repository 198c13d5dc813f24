using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atelier.Imaging;

namespace Atelier.Bench;

/// <summary>
/// Resynthesizer's engine (bootchk/resynthesizer, built by bench/resynthesizer/build.sh from a checkout the user
/// has) run as a separate process on the same pictures: the picture as a PPM, the pixels to synthesise and the pixels
/// to copy from as two PGM masks (its imageSynth2 API, what GIMP's heal-selection plug-in calls).
/// </summary>
public sealed class Resynthesizer(string driver)
{
    public string Driver { get; } = driver;

    /// <summary>The driver at <paramref name="path"/>, else artifacts/resynthesizer/resynth-driver; null when neither exists.</summary>
    public static Resynthesizer? Find(string? path)
    {
        path ??= Path.Combine(BenchSupport.FindRepoRoot(), "artifacts", "resynthesizer", "resynth-driver");
        return File.Exists(path) ? new Resynthesizer(path) : null;
    }

    public sealed record Result(Image Image, double EngineSeconds, double ProcessSeconds);

    /// <summary>
    /// Synthesises the <paramref name="target"/> pixels of <paramref name="canvas"/> from its <paramref name="corpus"/>
    /// pixels. <paramref name="arguments"/>: the driver's engine options (--patch, --probes, --context).
    /// </summary>
    public Result Run(Image canvas, bool[] target, bool[] corpus, string arguments)
    {
        string dir = Directory.CreateTempSubdirectory("atelier-resynth-").FullName;
        try
        {
            string image = Path.Combine(dir, "image.ppm"), t = Path.Combine(dir, "target.pgm"), c = Path.Combine(dir, "corpus.pgm"), o = Path.Combine(dir, "out.ppm");
            WritePpm(canvas, image);
            WritePgm(target, canvas.Width, canvas.Height, t);
            WritePgm(corpus, canvas.Width, canvas.Height, c);
            var info = new ProcessStartInfo(Driver) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { image, t, c, o }.Concat(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))) info.ArgumentList.Add(a);
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(info)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            double wall = sw.Elapsed.TotalSeconds;
            if (p.ExitCode != 0) throw new InvalidOperationException($"resynth-driver failed ({p.ExitCode}): {stderr.Trim()}");
            double engine = double.Parse(stdout.Trim().Split('=')[1], CultureInfo.InvariantCulture);
            return new Result(ReadPpm(o), engine, wall);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static byte Byte(float v) => (byte)Math.Clamp(MathF.Round(v * 255), 0, 255);

    static void WritePpm(Image image, string path)
    {
        var rgb = ImageOps.ToRgb(image);
        int n = rgb.PlaneSize;
        var bytes = new byte[3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) bytes[3 * i + c] = Byte(rgb.Data[c * n + i]);
        Write(path, $"P6\n{rgb.Width} {rgb.Height}\n255\n", bytes);
    }

    static void WritePgm(bool[] mask, int width, int height, string path) =>
        Write(path, $"P5\n{width} {height}\n255\n", mask.Select(m => m ? (byte)255 : (byte)0).ToArray());

    static void Write(string path, string header, byte[] body)
    {
        using var f = File.Create(path);
        f.Write(Encoding.ASCII.GetBytes(header));
        f.Write(body);
    }

    static Image ReadPpm(string path)
    {
        var data = File.ReadAllBytes(path);
        // "P6\nW H\n255\n": three header lines.
        int pos = 0, lines = 0;
        while (lines < 3) if (data[pos++] == '\n') lines++;
        var fields = Encoding.ASCII.GetString(data, 0, pos).Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries);
        int w = int.Parse(fields[1], CultureInfo.InvariantCulture), h = int.Parse(fields[2], CultureInfo.InvariantCulture), n = w * h;
        var image = new Image(w, h, 3);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) image.Data[c * n + i] = data[pos + 3 * i + c] / 255f;
        return image;
    }
}
