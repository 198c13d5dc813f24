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

/// <summary>A bad option value or combination: front ends exit with code 2 (usage error).</summary>
public class AtelierUsageException : AtelierException
{
    public AtelierUsageException(string message) : base(message) { }
}
