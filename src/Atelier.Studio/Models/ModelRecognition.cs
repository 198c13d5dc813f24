namespace Atelier.Studio.Models;

/// <summary>What kind of checkpoint a file is: its container format (from magic bytes) and its architecture.</summary>
public static class ModelRecognition
{
    /// <summary>"safetensors", "pytorch-zip", "pytorch-legacy" or "unknown", from the first bytes.</summary>
    public static string FormatOf(string path)
    {
        Span<byte> head = stackalloc byte[16];
        int n;
        try
        {
            using var fs = File.OpenRead(path);
            n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException) { return "unreadable"; }
        catch (UnauthorizedAccessException) { return "unreadable"; }
        head = head[..n];
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return "pytorch-zip";
        if (n >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return "pytorch-legacy";
        if (n >= 9 && head[8] == '{' && BitConverter.ToUInt64(head[..8]) < (100UL << 20)) return "safetensors";
        return "unknown";
    }

    /// <summary>The architecture the file's tensors match, with a note; (null, why) when unrecognized.</summary>
    public static (string? Architecture, string? Note) Recognize(string path) =>
        (null, "architecture recognition is not available in this build");
}
