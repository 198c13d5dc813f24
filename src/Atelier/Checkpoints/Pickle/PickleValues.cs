using System.Numerics;

namespace Atelier.Checkpoints.Pickle;

// The values the restricted unpickler builds. Python's int, float, str, bytes, bool and None map to long (or
// BigInteger), double, string, byte[], bool and null; containers and the few allowed objects map to the types below.
// Nothing is ever instantiated by name: a Python object becomes data describing it.

/// <summary>A Python tuple (immutable, compared by value so it can be a dict key).</summary>
public sealed class PickleTuple : IReadOnlyList<object?>, IEquatable<PickleTuple>
{
    readonly object?[] _items;
    /// <summary>Tuples nested deeper than this are refused (hashing and comparing them recurses).</summary>
    public const int MaxDepth = 100;

    public PickleTuple(object?[] items)
    {
        _items = items;
        int depth = 1;
        foreach (var x in items) if (x is PickleTuple t && t.Depth + 1 > depth) depth = t.Depth + 1;
        if (depth > MaxDepth) throw new PickleException($"tuples nested more than {MaxDepth} deep");
        Depth = depth;
    }

    public int Depth { get; }
    public static readonly PickleTuple Empty = new([]);
    public object? this[int index] => _items[index];
    public int Count => _items.Length;
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();
    public bool Equals(PickleTuple? other) => other != null && _items.SequenceEqual(other._items);
    public override bool Equals(object? obj) => Equals(obj as PickleTuple);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var x in _items) h.Add(x);
        return h.ToHashCode();
    }
    public override string ToString() => "(" + string.Join(", ", _items.Take(8).Select(PickleFormat.Short)) + (_items.Length > 8 ? ", ...)" : _items.Length == 1 ? ",)" : ")");
}

/// <summary>A Python list.</summary>
public sealed class PickleList : List<object?>
{
    public override string ToString() => $"list({Count})";
}

/// <summary>A Python set or frozenset (kept as an ordered list of its items).</summary>
public sealed class PickleSet : List<object?>
{
    public override string ToString() => $"set({Count})";
}

/// <summary>
/// A Python dict or OrderedDict, in insertion order. <see cref="Attributes"/> holds instance attributes set by
/// BUILD (PyTorch's state dicts carry <c>_metadata</c> there): they are not items.
/// </summary>
public sealed class PickleDict
{
    readonly List<KeyValuePair<object, object?>> _items = [];
    readonly Dictionary<object, int> _index = [];

    public bool IsOrdered { get; init; }
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);

    public int Count => _items.Count;
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    public void Set(object? key, object? value)
    {
        if (key is null) key = PickleNone.Instance;
        if (key is PickleList or PickleDict or PickleSet) throw new PickleException("unhashable dict key");
        if (_index.TryGetValue(key, out var i)) _items[i] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out var i)) { value = _items[i].Value; return true; }
        value = null;
        return false;
    }

    public override string ToString() => $"dict({Count})";
}

/// <summary>Stands for Python's None as a dict key (null cannot be a .NET dictionary key).</summary>
public sealed class PickleNone
{
    public static readonly PickleNone Instance = new();
    public override string ToString() => "None";
}

/// <summary>A reference to an allowed module-level name (class or function), e.g. torch.FloatStorage.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;
    public override string ToString() => FullName;
}

/// <summary>
/// An instance of an allowed plain-data class (argparse.Namespace): its class name and attributes, nothing more.
/// </summary>
public sealed class PickleObject
{
    public PickleObject(PickleGlobal type) => Type = type;
    public PickleGlobal Type { get; }
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
    public override string ToString() => $"{Type.Name}(...)";
}

/// <summary>A malformed, hostile or unsupported pickle stream (the reader adds the file name).</summary>
public sealed class PickleException : Exception
{
    public PickleException(string message) : base(message) { }
}

internal static class PickleFormat
{
    public static string Short(object? v) => v switch
    {
        null => "None",
        string s => "'" + (s.Length > 40 ? s[..40] + "..." : s) + "'",
        bool b => b ? "True" : "False",
        byte[] b => $"<{b.Length} bytes>",
        BigInteger i => i.ToString(),
        PickleTuple t => $"tuple({t.Count})",
        double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "?",
    };
}
