// Makes TorchSharp's libLibTorchSharp.so load on systems whose libstdc++ predates GLIBCXX_3.4.32
// (Debian 12 stops at 3.4.30). The library asks for that version only for
// std::ios_base_library_init(), which no relocation uses, so marking the one version requirement
// WEAK (VER_FLG_WEAK in its Vernaux entry) lets the dynamic loader accept an older libstdc++.
//
// This one file serves two builds: MSBuild compiles it as an inline task (see Directory.Build.targets)
// to patch the output copy after the native files are copied, and the Atelier library compiles it
// (with ATELIER_LIBRARY defined) so `atelier info` can report whether the patch is in effect.
#nullable enable
using System;
using System.IO;
using System.Text;

#if ATELIER_LIBRARY
namespace Atelier.Runtime
{
#endif
public static class LibStdCxxCompat
{
    public const string LibraryName = "libLibTorchSharp.so";
    public const string NeededVersion = "GLIBCXX_3.4.32";
    const ushort VerFlagWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    /// <summary>The system libstdc++ path, or null when none is found at the usual places.</summary>
    public static string? FindSystemLibStdCxx()
    {
        foreach (var p in LibStdCxxCandidates) if (File.Exists(p)) return p;
        return null;
    }

    /// <summary>True when the system libstdc++ defines the version TorchSharp asks for.</summary>
    public static bool SystemHasNeededVersion(string? libStdCxx)
    {
        if (libStdCxx == null) return true; // nothing to compare against: leave the library as shipped
        var bytes = File.ReadAllBytes(libStdCxx);
        var needle = Encoding.ASCII.GetBytes(NeededVersion + "\0");
        return IndexOf(bytes, needle) >= 0;
    }

    /// <summary>State of the version requirement in an ELF file: null when the file does not ask for it.</summary>
    public static bool? IsRequirementWeak(byte[] elf)
    {
        var offset = FindVernauxFlagsOffset(elf);
        if (offset < 0) return null;
        return (BitConverter.ToUInt16(elf, offset) & VerFlagWeak) != 0;
    }

    /// <summary>
    /// Patches <paramref name="path"/> in place (via a temporary file and a rename, so a hard link into a
    /// package cache is never written through). Returns a one-line description of what was done.
    /// </summary>
    public static string PatchFile(string path)
    {
        var elf = File.ReadAllBytes(path);
        int offset = FindVernauxFlagsOffset(elf);
        if (offset < 0) return $"{Path.GetFileName(path)} does not require {NeededVersion}; left as is";
        ushort flags = BitConverter.ToUInt16(elf, offset);
        if ((flags & VerFlagWeak) != 0) return $"{Path.GetFileName(path)}: {NeededVersion} already weak; nothing to do";
        flags |= VerFlagWeak;
        elf[offset] = (byte)(flags & 0xff);
        elf[offset + 1] = (byte)(flags >> 8);
        var tmp = path + ".atelier-tmp";
        File.WriteAllBytes(tmp, elf);
        File.Replace(tmp, path, null); // a rename: never writes through a hard link
        return $"{Path.GetFileName(path)}: marked {NeededVersion} weak so it loads with this system's libstdc++";
    }

    /// <summary>Byte offset of vna_flags for GLIBCXX_3.4.32 under libstdc++.so.6, or -1.</summary>
    public static int FindVernauxFlagsOffset(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
            throw new InvalidDataException("ELF section headers out of bounds");
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long secOff = BitConverter.ToInt64(elf, (int)sh + 0x18);
            long secSize = BitConverter.ToInt64(elf, (int)sh + 0x20);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strSh = shoff + (long)link * shentsize;
            long strOff = BitConverter.ToInt64(elf, (int)strSh + 0x18);
            long strSize = BitConverter.ToInt64(elf, (int)strSh + 0x20);
            long vn = secOff;
            for (int n = 0; n < count && vn + 16 <= secOff + secSize; n++)
            {
                int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                string file = ReadString(elf, strOff, strSize, BitConverter.ToUInt32(elf, (int)vn + 4));
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < cnt && aux + 16 <= secOff + secSize; a++)
                {
                    string name = ReadString(elf, strOff, strSize, BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (file.StartsWith("libstdc++", StringComparison.Ordinal) && name == NeededVersion)
                        return (int)aux + 4;
                    uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint vnNext = BitConverter.ToUInt32(elf, (int)vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
        return -1;
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        // netstandard2.0 (MSBuild's inline tasks) has no span search; a first-byte scan is fast enough here.
        for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length;
             i = Array.IndexOf(haystack, needle[0], i + 1))
        {
            int j = 1;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    static string ReadString(byte[] elf, long tableOff, long tableSize, uint index)
    {
        long start = tableOff + index;
        if (index >= tableSize || start >= elf.Length) throw new InvalidDataException("ELF string index out of bounds");
        long end = start;
        while (end < elf.Length && end < tableOff + tableSize && elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
    }
}
#if ATELIER_LIBRARY
}
#else
/// <summary>MSBuild task: patches every libLibTorchSharp.so under a folder when the system needs it.</summary>
public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var files = System.IO.Directory.GetFiles(Directory, LibStdCxxCompat.LibraryName, SearchOption.AllDirectories);
        if (files.Length == 0) return true;
        var lib = LibStdCxxCompat.FindSystemLibStdCxx();
        if (LibStdCxxCompat.SystemHasNeededVersion(lib))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                $"Atelier: {lib ?? "libstdc++"} has {LibStdCxxCompat.NeededVersion}; {LibStdCxxCompat.LibraryName} left as shipped");
            return true;
        }
        foreach (var f in files)
        {
            try
            {
                var line = LibStdCxxCompat.PatchFile(f);
                var importance = line.Contains("nothing to do") ? Microsoft.Build.Framework.MessageImportance.Low
                                                                : Microsoft.Build.Framework.MessageImportance.High;
                Log.LogMessage(importance, "Atelier: " + line);
            }
            catch (Exception e)
            {
                Log.LogWarning($"Atelier: could not patch {f}: {e.Message}");
            }
        }
        return true;
    }
}
#endif
