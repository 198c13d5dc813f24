namespace Atelier.Studio;

/// <summary>A request the studio refuses: answered as {"error": message} with the given 4xx status.</summary>
public sealed class StudioRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
