using System.Text.RegularExpressions;

namespace Atelier;

/// <summary>
/// A problem with the user's input (a file, an option, data) that deserves one clear line, not a stack trace.
/// Front ends print the message (<see cref="Render"/>) and exit with code 1.
/// </summary>
/// <remarks>
/// The library names options in its own terms, never in a front end's: a message that names a parameter is a template
/// in which <c>{Name}</c> stands for it, by the property name of its options record (<c>"{BatchSize} 0: must be 1 or
/// more"</c>, <c>"{LoadSize} 200: must be at least {CropSize} 256"</c>). <see cref="Exception.Message"/> shows the
/// names as they are (a library user sets <c>BatchSize</c>); a front end spells them its own way with
/// <see cref="Render"/>: the CLI as its flags (<c>--batch-size</c>), the studio as its form's fields. The first name
/// is the parameter at fault (<see cref="Parameter"/>). Most such messages are usage errors
/// (<see cref="AtelierUsageException"/>); <see cref="Naming"/> makes a failure of another kind that names one.
/// </remarks>
public partial class AtelierException : Exception
{
    /// <summary>A message as it is: it names no parameter (braces in it are text).</summary>
    public AtelierException(string message) : base(message) { }
    public AtelierException(string message, Exception inner) : base(message, inner) { }

    private protected AtelierException(ParameterTemplate template) : base(Fill(template.Text, name => name))
    {
        Template = template.Text;
        Parameters = [.. Placeholder().Matches(template.Text).Select(m => m.Groups[1].Value).Distinct()];
    }

    /// <summary>
    /// A failure (not a usage error) whose message names parameters as <c>{Name}</c>, e.g. a file that does not fit the
    /// option it was read with: <c>"... (is it a w+ file? use {Space} w+)"</c>.
    /// </summary>
    public static AtelierException Naming(string template) => new(new ParameterTemplate(template));

    /// <summary>The message with <c>{Name}</c> where a parameter is named; null for a message that names none.</summary>
    public string? Template { get; }

    /// <summary>The parameters the message names, in order; the first is the one at fault.</summary>
    public IReadOnlyList<string> Parameters { get; } = [];

    /// <summary>The parameter at fault, or null when the message names none.</summary>
    public string? Parameter => Parameters.Count > 0 ? Parameters[0] : null;

    /// <summary>The message with each parameter spelled by <paramref name="spell"/> (a front end's flag or field).</summary>
    public string Render(Func<string, string> spell) => Template is null ? Message : Fill(Template, spell);

    static string Fill(string template, Func<string, string> spell) => Placeholder().Replace(template, m => spell(m.Groups[1].Value));

    [GeneratedRegex(@"\{([A-Z][A-Za-z0-9]*)\}")]
    private static partial Regex Placeholder();

    /// <summary>Marks a message as a template (so a plain message is never read as one).</summary>
    private protected readonly record struct ParameterTemplate(string Text);
}

/// <summary>
/// A bad option value or combination: front ends exit with code 2 (usage error). The message is a template that
/// names the parameters by library name (<c>{BatchSize}</c>; see <see cref="AtelierException"/>).
/// </summary>
public class AtelierUsageException : AtelierException
{
    public AtelierUsageException(string template) : base(new ParameterTemplate(template)) { }
}
