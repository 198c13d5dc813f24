using System.IO.Compression;
using Atelier.IO;

namespace Atelier.Models;

/// <summary>
/// Takes one member out of a publisher's zip without trusting the zip: every entry's name is checked first, and an
/// archive naming anything outside itself (<c>../</c>, an absolute path, a drive, a backslash, a symbolic link) is
/// refused whole. The member is written under the name the caller chooses (never one from the zip), through a
/// temporary file and a rename, and no longer than the size the zip declares for it.
/// </summary>
public static class SafeZip
{
    /// <summary>The first entry name that could leave the extraction folder, or null when all are plain.</summary>
    public static string? HostileEntry(ZipArchive zip)
    {
        foreach (var e in zip.Entries)
        {
            var name = e.FullName;
            bool link = ((e.ExternalAttributes >> 16) & 0xF000) == 0xA000; // S_IFLNK in the Unix mode bits
            if (name.Length == 0 || name.Contains('\\') || name.Contains(':') || name.StartsWith('/') || name.Contains('\0')
                || name.Split('/').Any(part => part == "..") || link)
                return name;
        }
        return null;
    }

    /// <summary>Extracts <paramref name="member"/> of <paramref name="zipPath"/> to <paramref name="destination"/>.</summary>
    public static void Extract(string zipPath, string member, string destination, CancellationToken ct = default)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException e) { throw new AtelierException($"{zipPath}: not a readable zip ({e.Message})"); }
        using (zip)
        {
            if (HostileEntry(zip) is { } bad)
                throw new AtelierException($"{zipPath}: refused: the zip names '{bad}', a path outside the folder it unpacks into");
            var entry = zip.Entries.FirstOrDefault(e => e.FullName == member)
                ?? throw new AtelierException($"{zipPath}: has no member '{member}' (it holds {string.Join(", ", zip.Entries.Take(8).Select(e => e.FullName))})");
            AtomicFile.Write(destination, output =>
            {
                using var input = entry.Open();
                var buffer = new byte[1 << 16];
                long written = 0;
                int n;
                while ((n = input.Read(buffer)) > 0)
                {
                    ct.ThrowIfCancellationRequested();
                    written += n;
                    if (written > entry.Length)
                        throw new AtelierException($"{zipPath}: member '{member}' unpacks to more than the {entry.Length} bytes it declares; refused");
                    output.Write(buffer, 0, n);
                }
            });
        }
    }
}
