using System.Text.RegularExpressions;

namespace Atelier;

/// <summary>
/// A problem with the user's input (a file, an option, data) that deserves one clear line, not a stack trace.
/// Front ends print <see cref="Exception.Message"/> and exit with code 1.
/// </summary>
public class AtelierException : Exception
{
    public AtelierException(string message) : base(message) { }
    public AtelierException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A bad option value or combination: front ends exit with code 2 (usage error).
/// </summary>
/// <remarks>
/// The library names options in its own terms, never in a front end's: the message is a template in which
/// <c>{Name}</c> stands for a parameter, by the property name of its options record (<c>"{BatchSize} 0: must be 1 or
/// more"</c>, <c>"{LoadSize} 200: must be at least {CropSize} 256"</c>). <see cref="Exception.Message"/> shows the
/// names as they are (a library user sets <c>BatchSize</c>); a front end spells them its own way with
/// <see cref="Render"/>: the CLI as its flags (<c>--batch-size</c>), the studio as its form's fields. The first name
/// is the parameter at fault (<see cref="Parameter"/>).
/// </remarks>
public partial class AtelierUsageException : AtelierException
{
    public AtelierUsageException(string template) : base(Fill(template, name => name))
    {
        Template = template;
        Parameters = [.. Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct()];
    }

    /// <summary>The message with <c>{Name}</c> where a parameter is named.</summary>
    public string Template { get; }

    /// <summary>The parameters the message names, in order; the first is the one at fault.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>The parameter at fault, or null when the message names none.</summary>
    public string? Parameter => Parameters.Count > 0 ? Parameters[0] : null;

    /// <summary>The message with each parameter spelled by <paramref name="spell"/> (a front end's flag or field).</summary>
    public string Render(Func<string, string> spell) => Fill(Template, spell);

    static string Fill(string template, Func<string, string> spell) => Placeholder().Replace(template, m => spell(m.Groups[1].Value));

    [GeneratedRegex(@"\{([A-Z][A-Za-z0-9]*)\}")]
    private static partial Regex Placeholder();
}
