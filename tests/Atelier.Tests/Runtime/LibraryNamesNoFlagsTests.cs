using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Atelier.Tests.Runtime;

/// <summary>
/// The library never speaks a front end's language: no string in src/Atelier names a command-line flag. Messages name
/// options by their properties (<c>{BatchSize}</c>, see <see cref="AtelierException"/>) and each front end spells them.
/// </summary>
public class LibraryNamesNoFlagsTests
{
    static readonly Regex Flag = new("--[a-z]");

    [Fact]
    public void NoStringLiteralInTheLibraryNamesAFlag()
    {
        var library = Path.Combine(TestPaths.RepoRoot, "src", "Atelier");
        var found = new List<string>();
        int literals = 0;
        foreach (var file in LibrarySources(library))
            foreach (var (line, text) in StringLiterals(File.ReadAllText(file)))
            {
                literals++;
                if (Flag.IsMatch(text)) found.Add($"{Path.GetRelativePath(library, file)}:{line}: \"{text}\"");
            }
        Assert.True(literals > 1000, $"only {literals} string literals found: the scan is not reading the library");
        Assert.True(found.Count == 0, "strings naming CLI flags (name the property as {Name} instead):\n" + string.Join("\n", found));
    }

    [Fact]
    public void TheScanFindsLiteralsInEveryFormAndSkipsComments()
    {
        const string source = """"
            // a comment naming --not-this
            /* nor --this */
            var a = "--plain";
            var b = $"{x} --interpolated {string.Join(", ", y)}";
            var c = @"--verbatim ""quoted""";
            var d = $@"{{braces}} --both";
            char e = '"';
            var f = $$"""--raw {{x}}""";
            """";
        var texts = StringLiterals(source).Select(l => l.Text).ToList();
        Assert.Equal(["--plain", "{} --interpolated {}", ", ", "--verbatim \"\"quoted\"\"", "{{braces}} --both", "--raw {{x}}"], texts);
        Assert.Equal(3, StringLiterals(source).First().Line);
    }

    /// <summary>The library's own C# files: no build output, no generated code (*.g.cs, the ONNX protobuf classes).</summary>
    static IEnumerable<string> LibrarySources(string library) =>
        Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
            {
                var parts = Path.GetRelativePath(library, f).Split(Path.DirectorySeparatorChar);
                return !parts.Contains("obj") && !parts.Contains("bin") && !(parts[0] == "Onnx" && parts.Length > 1 && parts[1] == "Proto")
                    && !f.EndsWith(".g.cs", StringComparison.Ordinal);
            })
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// The text of every string literal in C# <paramref name="source"/> with the line it starts on: regular, verbatim,
    /// interpolated (the literal parts, "{}" for each hole; strings inside the holes count on their own) and raw.
    /// Comments and character literals are skipped. Escapes are kept as written: only the words matter here.
    /// </summary>
    internal static List<(int Line, string Text)> StringLiterals(string source)
    {
        var found = new List<(int, string)>();
        int i = 0;
        Code(source, ref i, found, stopAtBrace: false);
        return found;
    }

    /// <summary>Reads code up to the end, or (in an interpolation hole) up to the '}' that closes it.</summary>
    static void Code(string s, ref int i, List<(int, string)> found, bool stopAtBrace)
    {
        int depth = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '/' && At(s, i + 1, '/')) { while (i < s.Length && s[i] != '\n') i++; }
            else if (c == '/' && At(s, i + 1, '*')) { int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal); i = end < 0 ? s.Length : end + 2; }
            else if (c == '\'') { i++; while (i < s.Length && s[i] != '\'') i += s[i] == '\\' ? 2 : 1; i++; }
            else if (c is '"' or '$' or '@' && StringStart(s, i) is { } start) String(s, ref i, start, found);
            else if (c == '{') { depth++; i++; }
            else if (c == '}')
            {
                if (stopAtBrace && depth == 0) return; // the caller consumes the closing brace
                depth--; i++;
            }
            else i++;
        }
    }

    /// <summary>The prefix of a string literal at <paramref name="i"/>: its '$' count, whether verbatim, and its opening quotes.</summary>
    static (int Dollars, bool Verbatim, int Quotes)? StringStart(string s, int i)
    {
        int j = i, dollars = 0;
        bool verbatim = false;
        while (j < s.Length && (s[j] == '$' || s[j] == '@')) { if (s[j] == '$') dollars++; else verbatim = true; j++; }
        int quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"') quotes++;
        if (quotes == 0) return null;
        // Three or more quotes open a raw string; two are an empty regular string.
        return (dollars, verbatim, quotes >= 3 ? quotes : 1);
    }

    static void String(string s, ref int i, (int Dollars, bool Verbatim, int Quotes) start, List<(int, string)> found)
    {
        int line = 1 + s.AsSpan(0, i).Count('\n');
        while (s[i] != '"') i++;
        i += start.Quotes;
        var text = new StringBuilder();
        if (start.Quotes >= 3)
        {
            // Raw: up to the same number of quotes; holes open with as many braces as there are dollars (kept as text).
            var close = new string('"', start.Quotes);
            int end = s.IndexOf(close, i, StringComparison.Ordinal);
            if (end < 0) end = s.Length;
            text.Append(s, i, end - i);
            i = Math.Min(s.Length, end + start.Quotes);
            found.Add((line, RawContent(text.ToString())));
            return;
        }
        bool interpolated = start.Dollars > 0;
        var parts = new List<(int, string)>();
        while (i < s.Length)
        {
            char c = s[i];
            if (!start.Verbatim && c == '\\') { text.Append(s, i, Math.Min(2, s.Length - i)); i += 2; }
            else if (c == '"' && start.Verbatim && At(s, i + 1, '"')) { text.Append("\"\""); i += 2; }
            else if (c == '"') { i++; break; }
            else if (interpolated && (c == '{' || c == '}') && At(s, i + 1, c)) { text.Append(c, 2); i += 2; }
            else if (interpolated && c == '{')
            {
                i++;
                Code(s, ref i, parts, stopAtBrace: true); // strings inside the hole are literals of their own
                text.Append("{}");
                i++;
            }
            else { text.Append(c); i++; }
        }
        found.Add((line, text.ToString()));
        found.AddRange(parts);
    }

    /// <summary>A raw literal's content: a multi-line one without its first and last lines' quotes-only layout.</summary>
    static string RawContent(string text) => text.Contains('\n') ? text.Trim('\r', '\n') : text;

    static bool At(string s, int i, char c) => i < s.Length && s[i] == c;
}
