using System.Runtime.InteropServices;
using Atelier.Imaging;
using OpenCvSharp;

namespace Atelier.Video.Temporal;

/// <summary>
/// Farnebäck's dense optical flow through OpenCvSharp, on the frames' luma as 8-bit. The only file that names
/// OpenCV: everything else sees <see cref="IOpticalFlow"/> and managed <see cref="FlowField"/>s.
/// (OpenCV's DIS flow is not exported by the OpenCvSharp 4.13 native library, so Farnebäck it is.)
/// </summary>
sealed partial class FarnebackFlow : IOpticalFlow
{
    public string Name => "farneback";

    FarnebackFlow() { }

    /// <summary>Loads OpenCV's native library now, so a missing or unloadable one is one clear error, before any frame.</summary>
    public static FarnebackFlow Create() =>
        LoadError.Value is { } why
            ? throw AtelierException.Naming($"optical flow: {why}; or use {{Temporal}} none")
            : new FarnebackFlow();

    /// <summary>
    /// Why OpenCV's native library cannot be loaded, or null when it can; tried once per process. The official
    /// runtime is built with GTK 3 (highgui), so on a machine without a desktop stack it is GTK's libraries that are
    /// missing, not OpenCV: the message names the missing one.
    /// </summary>
    public static readonly Lazy<string?> LoadError = new(() =>
    {
        try
        {
            _ = Cv2.GetVersionString();
            // One thread: video frames are small work for Farnebäck, and OpenCV's own pool would compete with
            // libtorch's threads for the same cores.
            Cv2.SetNumThreads(1);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            var text = Innermost(e).Message;
            var missing = MissingLibrary().Match(text);
            return missing.Success
                ? $"OpenCV's native library (libOpenCvSharpExtern.so) needs {missing.Groups[1].Value}, which is not installed (Debian/Ubuntu: apt-get install libgtk-3-0 brings it and the rest of what OpenCV's runtime links)"
                : $"OpenCV's native library (libOpenCvSharpExtern.so, from the OpenCvSharp4.official.runtime.linux-x64 package beside the program) could not be loaded ({text.Split('\n')[0].Trim()})";
        }
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"([\w.+-]+\.so[.\d]*): cannot open shared object file")]
    private static partial System.Text.RegularExpressions.Regex MissingLibrary();

    static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    public FlowField Estimate(Image from, Image to)
    {
        if (from.Width != to.Width || from.Height != to.Height)
            throw new ArgumentException($"flow between frames of different sizes ({from.Width}x{from.Height}, {to.Width}x{to.Height})");
        int w = from.Width, h = from.Height;
        using var a = Luma(from);
        using var b = Luma(to);
        using var flow = new Mat();
        // Pyramid of 4 levels halving each time (motion up to ~16x the window at the top), 15 px windows, 3
        // iterations, degree-5 polynomials with sigma 1.2: OpenCV's documented settings for this polynomial size.
        Cv2.CalcOpticalFlowFarneback(a, b, flow, 0.5, 4, 15, 3, 5, 1.2, OpticalFlowFlags.None);
        var packed = new float[2 * w * h];
        Marshal.Copy(flow.Data, packed, 0, packed.Length);
        var field = new FlowField(w, h);
        for (int i = 0; i < w * h; i++)
        {
            field.Dx[i] = packed[2 * i];
            field.Dy[i] = packed[2 * i + 1];
        }
        return field;
    }

    /// <summary>Rec. 601 luma as 8-bit, what Farnebäck's method is tuned for.</summary>
    static Mat Luma(Image image)
    {
        int plane = image.PlaneSize;
        var bytes = new byte[plane];
        for (int i = 0; i < plane; i++)
        {
            float v = image.Channels >= 3
                ? 0.299f * image.Data[i] + 0.587f * image.Data[plane + i] + 0.114f * image.Data[2 * plane + i]
                : image.Data[i];
            bytes[i] = (byte)Math.Clamp(MathF.Round(v * 255), 0, 255);
        }
        var mat = new Mat(image.Height, image.Width, MatType.CV_8UC1);
        Marshal.Copy(bytes, 0, mat.Data, plane);
        return mat;
    }
}
