using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using Op = Atelier.Checkpoints.Pickle.PickleOpcodes;

namespace Atelier.Checkpoints.Pickle;

/// <summary>
/// A restricted pickle virtual machine for protocols 0-5, written so that reading a checkpoint can never run
/// code: every module-level name (GLOBAL/STACK_GLOBAL) must be on <see cref="RestrictedGlobals"/>'s allow-list,
/// calls (REDUCE/NEWOBJ) go to its fixed C# implementations, and nothing is instantiated by name. Stack, memo,
/// nesting, string sizes and the total number of values are bounded by <see cref="PickleLimits"/>.
/// Reads one pickle from the current position of a seekable stream and leaves the stream just after its STOP.
/// </summary>
public sealed class Unpickler
{
    readonly Stream _in;
    readonly RestrictedGlobals _globals;
    readonly PickleLimits _limits;
    readonly long _end;
    readonly List<object?> _stack = [];
    readonly List<int> _marks = [];
    readonly Dictionary<long, object?> _memo = [];
    long _objects;

    public Unpickler(Stream input, RestrictedGlobals globals, PickleLimits? limits = null)
    {
        if (!input.CanSeek) throw new ArgumentException("the pickle stream must be seekable", nameof(input));
        _in = input;
        _globals = globals;
        _limits = limits ?? PickleLimits.Default;
        _end = Math.Min(input.Length, input.Position + _limits.MaxPickleBytes);
    }

    /// <summary>Reads a whole pickle held in memory.</summary>
    public static object? Load(byte[] pickle, RestrictedGlobals globals, PickleLimits? limits = null)
    {
        var limit = (limits ?? PickleLimits.Default).MaxPickleBytes;
        if (pickle.LongLength > limit) throw new PickleException($"pickle is {pickle.LongLength} bytes, over the {limit}-byte limit");
        return new Unpickler(new MemoryStream(pickle, writable: false), globals, limits).Load();
    }

    /// <summary>Runs the VM to STOP and returns the pickled value.</summary>
    public object? Load()
    {
        while (true)
        {
            long at = _in.Position;
            int op = _in.ReadByte();
            if (op < 0) throw new PickleException("stream ends before STOP (truncated)");
            try
            {
                if (op == Op.Stop)
                {
                    if (_stack.Count != 1 || _marks.Count != 0) throw new PickleException($"STOP with {_stack.Count} values on the stack");
                    return _stack[0];
                }
                Step((byte)op);
            }
            catch (PickleException e) when (!e.Message.StartsWith("at byte", StringComparison.Ordinal))
            {
                throw new PickleException($"at byte {at} (opcode 0x{op:x2}): {e.Message}");
            }
        }
    }

    void Step(byte op)
    {
        switch (op)
        {
            case Op.Proto:
                int proto = ReadU8();
                if (proto > 5) throw new PickleException($"unsupported pickle protocol {proto}");
                break;
            case Op.Frame:
                long frame = (long)ReadU64();
                if (frame > Remaining) throw new PickleException($"frame of {frame} bytes runs past the end of the stream (truncated)");
                break;
            case Op.Mark:
                if (_marks.Count >= _limits.MaxMarkDepth) throw new PickleException($"more than {_limits.MaxMarkDepth} nested MARKs (nesting bomb)");
                _marks.Add(_stack.Count);
                break;
            case Op.Pop:
                // As CPython: POP on an empty frame pops the frame (discarding to the last MARK).
                if (_stack.Count == (_marks.Count > 0 ? _marks[^1] : 0)) PopMarkItems();
                else PopValue();
                break;
            case Op.PopMark: PopMarkItems(); break;
            case Op.Dup: Push(Peek()); break;

            // Scalars
            case Op.None: Push(null); break;
            case Op.NewTrue: Push(true); break;
            case Op.NewFalse: Push(false); break;
            case Op.BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
            case Op.BinInt1: Push((long)ReadU8()); break;
            case Op.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
            case Op.Long1: Push(DecodeLong(ReadBytes(ReadU8()))); break;
            case Op.Long4:
                int n4 = ReadI32();
                if (n4 < 0 || n4 > 4096) throw new PickleException($"LONG4 of {n4} bytes refused");
                Push(DecodeLong(ReadBytes(n4)));
                break;
            case Op.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
            case Op.Int:
            {
                var line = ReadLine();
                if (line == "01") Push(true);
                else if (line == "00") Push(false);
                else Push(ParseInt(line));
                break;
            }
            case Op.Long: Push(ParseInt(ReadLine().TrimEnd('L'))); break;
            case Op.Float:
                if (!double.TryParse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f)) throw new PickleException("bad FLOAT");
                Push(f);
                break;

            // Strings and bytes
            case Op.BinUnicode: Push(Utf8(ReadBytes(ReadLength(4)))); break;
            case Op.ShortBinUnicode: Push(Utf8(ReadBytes(ReadU8()))); break;
            case Op.BinUnicode8: Push(Utf8(ReadBytes(ReadLength(8)))); break;
            case Op.BinBytes: Push(ReadBytes(ReadLength(4))); break;
            case Op.ShortBinBytes: Push(ReadBytes(ReadU8())); break;
            case Op.BinBytes8: Push(ReadBytes(ReadLength(8))); break;
            case Op.ByteArray8: Push(ReadBytes(ReadLength(8))); break;
            // Python 2 str: PyTorch reads these as text; latin-1 keeps every byte.
            case Op.BinString: Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break;
            case Op.ShortBinString: Push(Encoding.Latin1.GetString(ReadBytes(ReadU8()))); break;
            case Op.String: Push(ParseQuotedString(ReadLine())); break;
            case Op.Unicode: Push(DecodeRawUnicodeEscape(ReadLine())); break;

            // Containers
            case Op.EmptyTuple: Push(PickleTuple.Empty); break;
            case Op.Tuple: Push(new PickleTuple(PopMarkItems().ToArray())); break;
            case Op.Tuple1: { var a = PopValue(); Push(new PickleTuple([a])); break; }
            case Op.Tuple2: { var b = PopValue(); var a = PopValue(); Push(new PickleTuple([a, b])); break; }
            case Op.Tuple3: { var c = PopValue(); var b = PopValue(); var a = PopValue(); Push(new PickleTuple([a, b, c])); break; }
            case Op.EmptyList: Push(new PickleList()); break;
            case Op.List: { var l = new PickleList(); l.AddRange(PopMarkItems()); Push(l); break; }
            case Op.Append: { var v = PopValue(); AsList(Peek()).Add(v); break; }
            case Op.Appends: { var items = PopMarkItems(); AsList(Peek()).AddRange(items); break; }
            case Op.EmptyDict: Push(new PickleDict()); break;
            case Op.Dict: { var items = PopMarkItems(); var d = new PickleDict(); SetItems(d, items); Push(d); break; }
            case Op.SetItem: { var v = PopValue(); var k = PopValue(); AsDict(Peek()).Set(k, v); break; }
            case Op.SetItems: { var items = PopMarkItems(); SetItems(AsDict(Peek()), items); break; }
            case Op.EmptySet: Push(new PickleSet()); break;
            case Op.AddItems:
            {
                var items = PopMarkItems();
                if (Peek() is not PickleSet set) throw new PickleException("ADDITEMS on a non-set");
                set.AddRange(items);
                break;
            }
            case Op.FrozenSet: { var s = new PickleSet(); s.AddRange(PopMarkItems()); Push(s); break; }

            // Memo
            case Op.BinPut: MemoPut(ReadU8()); break;
            case Op.LongBinPut: MemoPut(ReadU32()); break;
            case Op.Put: MemoPut(ParseMemoIndex(ReadLine())); break;
            case Op.Memoize: MemoPut(_memo.Count); break;
            case Op.BinGet: MemoGet(ReadU8()); break;
            case Op.LongBinGet: MemoGet(ReadU32()); break;
            case Op.Get: MemoGet(ParseMemoIndex(ReadLine())); break;

            // Names, calls, objects: all through the allow-list
            case Op.Global:
            {
                var module = ReadLine(256);
                var name = ReadLine(256);
                Push(_globals.Resolve(module, name));
                break;
            }
            case Op.StackGlobal:
            {
                var name = PopValue() as string ?? throw new PickleException("STACK_GLOBAL name is not a string");
                var module = PopValue() as string ?? throw new PickleException("STACK_GLOBAL module is not a string");
                Push(_globals.Resolve(module, name));
                break;
            }
            case Op.Reduce:
            {
                var args = PopValue() as PickleTuple ?? throw new PickleException("REDUCE arguments are not a tuple");
                var callable = PopValue();
                Push(_globals.Call(callable, args));
                break;
            }
            case Op.NewObj:
            {
                var args = PopValue() as PickleTuple ?? throw new PickleException("NEWOBJ arguments are not a tuple");
                var cls = PopValue();
                Push(_globals.New(cls, args));
                break;
            }
            case Op.NewObjEx:
            {
                var kwargs = PopValue() as PickleDict ?? throw new PickleException("NEWOBJ_EX keyword arguments are not a dict");
                var args = PopValue() as PickleTuple ?? throw new PickleException("NEWOBJ_EX arguments are not a tuple");
                var cls = PopValue();
                if (kwargs.Count != 0) throw new PickleException($"NEWOBJ_EX of {PickleFormat.Short(cls)} with keyword arguments refused");
                Push(_globals.New(cls, args));
                break;
            }
            case Op.Build:
            {
                var state = PopValue();
                _globals.Build(Peek(), state);
                break;
            }
            case Op.BinPersId: Push(_globals.PersistentLoad(PopValue())); break;
            case Op.PersId: Push(_globals.PersistentLoad(ReadLine())); break;

            case Op.Inst:
            case Op.Obj:
                throw new PickleException("INST/OBJ (instantiate a class by name) refused");
            case Op.Ext1:
            case Op.Ext2:
            case Op.Ext4:
                throw new PickleException("EXT opcodes (extension registry) refused");
            case Op.NextBuffer:
            case Op.ReadOnlyBuffer:
                throw new PickleException("out-of-band buffers refused");
            default:
                throw new PickleException($"unknown opcode 0x{op:x2}");
        }
    }

    // ---- stack ----

    void Push(object? value)
    {
        if (_stack.Count >= _limits.MaxStack) throw new PickleException($"more than {_limits.MaxStack} values on the stack");
        if (++_objects > _limits.MaxObjects) throw new PickleException($"more than {_limits.MaxObjects} values (memory bomb)");
        _stack.Add(value);
    }

    object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count)) throw new PickleException("stack underflow");
        return _stack[^1];
    }

    object? PopValue()
    {
        var v = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    List<object?> PopMarkItems()
    {
        if (_marks.Count == 0) throw new PickleException("no MARK to pop to");
        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    static PickleList AsList(object? v) => v as PickleList ?? throw new PickleException($"APPEND to {PickleFormat.Short(v)}, not a list");
    static PickleDict AsDict(object? v) => v as PickleDict ?? throw new PickleException($"SETITEM on {PickleFormat.Short(v)}, not a dict");

    static void SetItems(PickleDict d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new PickleException("odd number of items for a dict");
        for (int i = 0; i < items.Count; i += 2) d.Set(items[i], items[i + 1]);
    }

    void MemoPut(long index)
    {
        if (!_memo.ContainsKey(index) && _memo.Count >= _limits.MaxMemo) throw new PickleException($"more than {_limits.MaxMemo} memo entries");
        _memo[index] = Peek();
    }

    void MemoGet(long index)
    {
        if (!_memo.TryGetValue(index, out var v)) throw new PickleException($"memo entry {index} does not exist");
        Push(v);
    }

    // ---- input ----

    long Remaining => _end - _in.Position;

    int ReadU8()
    {
        if (Remaining < 1) throw new PickleException("stream ends inside an opcode's argument (truncated)");
        return _in.ReadByte();
    }

    int ReadI32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
    uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
    ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    long ReadLength(int width)
    {
        ulong n = width == 4 ? ReadU32() : ReadU64();
        if (n > (ulong)_limits.MaxStringBytes) throw new PickleException($"string of {n} bytes exceeds the {_limits.MaxStringBytes}-byte limit");
        return (long)n;
    }

    byte[] ReadBytes(long n)
    {
        if (n > Remaining) throw new PickleException($"needs {n} bytes but {Remaining} remain (truncated or lying length)");
        var b = new byte[n];
        _in.ReadExactly(b);
        return b;
    }

    string ReadLine(int max = 4096)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int c = ReadU8();
            if (c == '\n') return sb.ToString();
            if (sb.Length >= max) throw new PickleException($"text argument longer than {max} characters");
            sb.Append((char)c);
        }
    }

    static string Utf8(byte[] b)
    {
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(b); }
        catch (DecoderFallbackException) { throw new PickleException("string is not valid UTF-8"); }
    }

    static object DecodeLong(byte[] b)
    {
        if (b.Length == 0) return 0L;
        var v = new BigInteger(b, isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }

    static object ParseInt(string s)
    {
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (s.Length <= 1000 && BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)) return big;
        throw new PickleException("bad integer literal");
    }

    static long ParseMemoIndex(string s) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw new PickleException("bad memo index");

    /// <summary>Protocol 0 STRING: a Python repr of a byte string ('...' or "...") with backslash escapes.</summary>
    static string ParseQuotedString(string s)
    {
        if (s.Length < 2 || s[0] != s[^1] || (s[0] != '\'' && s[0] != '"')) throw new PickleException("bad STRING literal");
        var body = s[1..^1];
        var sb = new StringBuilder();
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= body.Length) throw new PickleException("bad STRING escape");
            switch (body[i])
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'x':
                    if (i + 2 >= body.Length || !int.TryParse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var x))
                        throw new PickleException("bad STRING escape");
                    sb.Append((char)x);
                    i += 2;
                    break;
                default: throw new PickleException("unsupported STRING escape");
            }
        }
        return sb.ToString();
    }

    /// <summary>Protocol 0 UNICODE: raw-unicode-escape (\uXXXX and \UXXXXXXXX; everything else is latin-1).</summary>
    static string DecodeRawUnicodeEscape(string s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && (s[i + 1] == 'u' || s[i + 1] == 'U'))
            {
                int len = s[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + len > s.Length || !int.TryParse(s.AsSpan(i + 2, len), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var cp)
                    || cp < 0 || cp > 0x10FFFF)
                    throw new PickleException("bad UNICODE escape");
                if (cp is >= 0xD800 and <= 0xDFFF) sb.Append((char)cp);
                else sb.Append(char.ConvertFromUtf32(cp));
                i += 1 + len;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
