namespace Atelier.Data;

/// <summary>Which package installed a file (dpkg's lists), its version (dpkg's status) and its licences (DEP-5 copyright).</summary>
internal sealed class PackageIndex
{
    public sealed record Entry(string Package, string? Version);

    readonly Dictionary<string, string> _ownerOf = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _versions = new(StringComparer.Ordinal);
    readonly string _root;

    PackageIndex(string root) => _root = root;

    public static PackageIndex Read(string root)
    {
        var index = new PackageIndex(root);
        var info = Path.Combine(root, "var", "lib", "dpkg", "info");
        if (Directory.Exists(info))
            foreach (var list in Directory.GetFiles(info, "*.list"))
            {
                var package = Path.GetFileNameWithoutExtension(list).Split(':')[0];
                foreach (var line in File.ReadLines(list)) index._ownerOf.TryAdd(line.Trim(), package);
            }
        var status = Path.Combine(root, "var", "lib", "dpkg", "status");
        if (File.Exists(status))
        {
            string? package = null;
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("Package: ", StringComparison.Ordinal)) package = line[9..].Trim();
                else if (line.StartsWith("Version: ", StringComparison.Ordinal) && package is not null) index._versions[package] = line[9..].Trim();
            }
        }
        return index;
    }

    public Entry? Owner(string installedPath) =>
        _ownerOf.TryGetValue(installedPath, out var p) ? new Entry(p, _versions.GetValueOrDefault(p)) : null;

    /// <summary>The licences named by the package's copyright file for its files (not for debian/*), in order.</summary>
    public List<string> Licences(string package)
    {
        var file = Path.Combine(_root, "usr", "share", "doc", package, "copyright");
        var result = new List<string>();
        if (!File.Exists(file)) return result;
        string? files = null;
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith("Files:", StringComparison.Ordinal)) files = line[6..].Trim();
            else if (line.Length == 0) files = null;
            else if (line.StartsWith("License:", StringComparison.Ordinal) && files is not null && !files.StartsWith("debian/", StringComparison.Ordinal))
            {
                var licence = line[8..].Trim();
                if (licence.Length > 0 && !result.Contains(licence)) result.Add(licence);
            }
        }
        return result;
    }
}
