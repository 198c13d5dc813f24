using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Atelier.Video;

/// <summary>What ffprobe says about a video: the first video stream's size, frame rate and frame count, and whether there is audio.</summary>
public sealed record VideoInfo(int Width, int Height, double FrameRate, string FrameRateText, int? FrameCount, bool HasAudio);

/// <summary>
/// Debian's ffmpeg/ffprobe, driven as child processes with raw RGB frames through pipes (no native bindings).
/// Missing tools and unreadable input are <see cref="AtelierException"/>s that say what to do.
/// </summary>
public static class Ffmpeg
{
    public const string InstallHint = "install it (Debian/Ubuntu: apt-get install ffmpeg), or give a folder of frames instead of a video file";

    /// <summary>Full path of a tool on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, tool);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    public static bool Available => Find("ffmpeg") is not null && Find("ffprobe") is not null;

    static string Require(string tool) =>
        Find(tool) ?? throw new AtelierException($"{tool} is not installed, and it is needed to read and write video files; {InstallHint}");

    /// <summary>Probes <paramref name="path"/>; an unreadable or unsupported file is an <see cref="AtelierException"/> naming it.</summary>
    public static VideoInfo Probe(string path)
    {
        if (!File.Exists(path)) throw new AtelierException($"{path}: no such file");
        var (code, stdout, stderr) = RunToEnd(Require("ffprobe"), ["-v", "error", "-show_entries", "stream=codec_type,width,height,r_frame_rate,nb_frames", "-of", "json", path]);
        if (code != 0) throw new AtelierException($"{path}: not a readable video ({FirstLine(stderr)})");
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            var streams = doc.RootElement.GetProperty("streams").EnumerateArray().ToList();
            var video = streams.FirstOrDefault(s => s.TryGetProperty("codec_type", out var t) && t.GetString() == "video");
            if (video.ValueKind != JsonValueKind.Object) throw new AtelierException($"{path}: has no video stream");
            bool audio = streams.Any(s => s.TryGetProperty("codec_type", out var t) && t.GetString() == "audio");
            string rate = video.GetProperty("r_frame_rate").GetString() ?? "25/1";
            int? count = video.TryGetProperty("nb_frames", out var nb) && int.TryParse(nb.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
            return new VideoInfo(video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(), ParseRate(rate), rate, count, audio);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new AtelierException($"{path}: ffprobe could not describe it as a video ({e.Message})");
        }
    }

    static double ParseRate(string text)
    {
        var parts = text.Split('/');
        double num = double.Parse(parts[0], CultureInfo.InvariantCulture);
        double den = parts.Length > 1 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : 1;
        return den == 0 ? 0 : num / den;
    }

    /// <summary>Decodes every frame as packed RGB24 (width·height·3 bytes each), in order.</summary>
    public static IEnumerable<byte[]> ReadFrames(string path, VideoInfo info, CancellationToken ct = default)
    {
        var psi = Start(Require("ffmpeg"), ["-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-vsync", "passthrough", "-"]);
        using var proc = Process.Start(psi) ?? throw new AtelierException($"{path}: could not start ffmpeg");
        var errors = proc.StandardError.ReadToEndAsync(ct);
        var stream = proc.StandardOutput.BaseStream;
        int size = info.Width * info.Height * 3;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var frame = new byte[size];
                int got = 0;
                while (got < size)
                {
                    int r = stream.Read(frame, got, size - got);
                    if (r == 0) break;
                    got += r;
                }
                if (got == 0) break;
                if (got < size) throw new AtelierException($"{path}: a truncated frame ({got} of {size} bytes); the file may be damaged");
                yield return frame;
            }
            proc.WaitForExit();
            if (proc.ExitCode != 0) throw new AtelierException($"{path}: ffmpeg could not decode it ({FirstLine(errors.Result)})");
        }
        finally
        {
            if (!proc.HasExited) { try { proc.Kill(); } catch (InvalidOperationException) { } }
        }
    }

    /// <summary>
    /// Encodes numbered PNG frames (<paramref name="pattern"/>, e.g. dir/frame_%06d.png) at <paramref name="rate"/> into
    /// <paramref name="output"/>, taking the audio of <paramref name="audioFrom"/> when given. H.264 (4:2:0 when both sides are
    /// even, 4:4:4 otherwise so odd sizes are kept) for .mp4/.mkv/.mov, the container's default codec otherwise.
    /// </summary>
    public static void Encode(string pattern, string rate, int width, int height, string output, string? audioFrom)
    {
        var args = new List<string> { "-v", "error", "-nostdin", "-y", "-framerate", rate, "-i", pattern };
        if (audioFrom is not null) args.AddRange(["-i", audioFrom, "-map", "0:v:0", "-map", "1:a?", "-c:a", "copy", "-shortest"]);
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is ".mp4" or ".mkv" or ".mov")
            args.AddRange(["-c:v", "libx264", "-crf", "18", "-pix_fmt", width % 2 == 0 && height % 2 == 0 ? "yuv420p" : "yuv444p"]);
        args.AddRange(["-r", rate, output]);
        var (code, _, stderr) = RunToEnd(Require("ffmpeg"), args);
        if (code != 0) throw new AtelierException($"{output}: ffmpeg could not write it ({FirstLine(stderr)})");
    }

    static ProcessStartInfo Start(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    static (int Code, string Stdout, string Stderr) RunToEnd(string exe, IEnumerable<string> args)
    {
        using var proc = Process.Start(Start(exe, args)) ?? throw new AtelierException($"could not start {exe}");
        var err = proc.StandardError.ReadToEndAsync();
        var output = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        return (proc.ExitCode, output, err.Result);
    }

    static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "no message" : line;
    }
}
