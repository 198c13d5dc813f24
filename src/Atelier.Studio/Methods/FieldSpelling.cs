using System.Text;

namespace Atelier.Studio.Methods;

/// <summary>
/// Spells the parameters a library message names (<c>{BatchSize}</c> in an <see cref="AtelierException"/>'s template)
/// as a method's form fields, so a web user reads the label they see ("'Pyramid levels' 4: ..."), never a CLI flag or
/// a C# property name. A name matches the field whose <see cref="MethodParam.Name"/> is the same ignoring case, '-'
/// and '_' (BatchSize ~ batch_size, batchSize); a name no field matches is humanized ("batch size").
/// </summary>
public sealed class FieldSpelling(IReadOnlyList<MethodParam> fields)
{
    /// <summary>For messages outside a method's form (uploads, other requests): every name humanized.</summary>
    public static FieldSpelling None { get; } = new([]);

    /// <summary>The message of <paramref name="e"/> for a web user.</summary>
    public string Message(AtelierException e) => e.Render(Spell);

    public string Spell(string parameter)
    {
        var key = Key(parameter);
        var field = fields.FirstOrDefault(f => Key(f.Name) == key);
        return field != null ? $"'{field.Label}'" : Humanize(parameter);
    }

    static string Key(string name) => name.Replace("-", "").Replace("_", "").ToLowerInvariant();

    /// <summary>BatchSize -> batch size, MaxMemory -> max memory, R1 -> r1.</summary>
    public static string Humanize(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            // A word starts at a capital after a lower-case letter, or at the last capital of a run before lower case.
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append(' ');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
