using Atelier.Imaging;

namespace Atelier.Video;

/// <summary>Frames to process, in order: a video file (through ffmpeg) or a folder of numbered images.</summary>
public sealed class FrameSource
{
    public string Path { get; }
    public int Width { get; }
    public int Height { get; }
    /// <summary>Frame rate as ffmpeg writes it (e.g. 30000/1001), kept exactly for the output.</summary>
    public string RateText { get; }
    public double Rate { get; }
    public int? Count { get; }
    public bool HasAudio { get; }
    public bool IsFolder { get; }
    readonly List<string>? _files;
    readonly VideoInfo? _info;

    FrameSource(string path, int w, int h, string rateText, double rate, int? count, bool audio, List<string>? files, VideoInfo? info)
    {
        Path = path; Width = w; Height = h; RateText = rateText; Rate = rate; Count = count; HasAudio = audio;
        IsFolder = files is not null; _files = files; _info = info;
    }

    /// <summary>A video file (probed by ffprobe) or a folder of frames (sorted by name; <paramref name="folderRate"/> frames per second).</summary>
    public static FrameSource Open(string path, double folderRate = 25)
    {
        if (Directory.Exists(path))
        {
            var files = ImageIO.ImagesIn(path);
            if (files.Count == 0) throw new AtelierException($"{path}: no frames {ImageIO.ReadableExtensionList} in this folder");
            var first = ImageIO.Load(files[0]);
            string rate = folderRate.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new FrameSource(path, first.Width, first.Height, rate, folderRate, files.Count, false, files, null);
        }
        var info = Ffmpeg.Probe(path);
        return new FrameSource(path, info.Width, info.Height, info.FrameRateText, info.FrameRate, info.FrameCount, info.HasAudio, null, info);
    }

    /// <summary>The frames as RGB images in [0,1]; a folder's frames must all have the first one's size.</summary>
    public IEnumerable<Image> Frames(CancellationToken ct = default)
    {
        if (_files is not null)
        {
            foreach (var f in _files)
            {
                ct.ThrowIfCancellationRequested();
                var img = ImageIO.Load(f);
                if (img.Width != Width || img.Height != Height)
                    throw new AtelierException($"{f}: {img.Width}x{img.Height}, but the first frame is {Width}x{Height}; frames of a clip must share one size");
                yield return img.Channels == 3 ? img : ImageOps.ToRgb(img);
            }
            yield break;
        }
        int plane = Width * Height;
        foreach (var bytes in Ffmpeg.ReadFrames(Path, _info!, ct))
        {
            var img = new Image(Width, Height, 3);
            for (int i = 0; i < plane; i++)
            {
                img.Data[i] = bytes[3 * i] / 255f;
                img.Data[plane + i] = bytes[3 * i + 1] / 255f;
                img.Data[2 * plane + i] = bytes[3 * i + 2] / 255f;
            }
            yield return img;
        }
    }
}
