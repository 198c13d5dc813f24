using System.Globalization;
using System.Text;
using Atelier.IO;

namespace Atelier.Training;

/// <summary>
/// A run folder's log of named series against steps, in long format (step,name,value: the names can differ between
/// kinds of run and stay one simple table): losses.csv for the losses, metrics.csv for the held-out figures. Holds
/// the series in memory for the plots; rows after a resumed checkpoint are dropped (they will be redone).
/// </summary>
sealed class SeriesLog : IDisposable
{
    readonly string _path;
    readonly string _header;
    StreamWriter? _writer;

    public Dictionary<string, List<(double X, double Y)>> History { get; } = [];

    /// <param name="column">The name column's heading ("loss", "metric").</param>
    public SeriesLog(string path, string column)
    {
        _path = path;
        _header = $"step,{column},value";
    }

    /// <summary>Forgets what is in memory, rereads the file's rows up to <paramref name="upTo"/> and rewrites the file with only those.</summary>
    public void Restart(long upTo, bool read)
    {
        _writer?.Dispose();
        History.Clear();
        if (read) Read(upTo);
        Rewrite();
        _writer = new StreamWriter(new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    /// <summary>One step's values (none: nothing is written).</summary>
    public void Append(long step, IReadOnlyDictionary<string, double> values)
    {
        if (values.Count == 0) return;
        foreach (var (k, v) in values)
        {
            if (!History.TryGetValue(k, out var list)) History[k] = list = [];
            list.Add((step, v));
        }
        _writer!.WriteLine(string.Join(Environment.NewLine, values.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{step},{kv.Key},{kv.Value.ToString("R", CultureInfo.InvariantCulture)}")));
    }

    public void Flush() => _writer?.Flush();

    public IReadOnlyDictionary<string, IReadOnlyList<(double X, double Y)>> Snapshot() =>
        History.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(double X, double Y)>)kv.Value.ToList());

    void Read(long upTo)
    {
        if (!File.Exists(_path)) return;
        foreach (var line in File.ReadLines(_path).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) || s > upTo) continue;
            if (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) continue;
            if (!History.TryGetValue(parts[1], out var list)) History[parts[1]] = list = [];
            list.Add((s, v));
        }
    }

    void Rewrite()
    {
        var sb = new StringBuilder(_header).Append('\n');
        foreach (var row in History.SelectMany(kv => kv.Value.Select(p => (Step: (long)p.X, Name: kv.Key, p.Y))).OrderBy(r => r.Step).ThenBy(r => r.Name, StringComparer.Ordinal))
            sb.Append(CultureInfo.InvariantCulture, $"{row.Step},{row.Name},{row.Y.ToString("R", CultureInfo.InvariantCulture)}\n");
        AtomicFile.WriteAllText(_path, sb.ToString());
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
