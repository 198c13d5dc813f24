namespace Atelier.Checkpoints.Pickle;

/// <summary>
/// Bounds on what one pickle stream may make the unpickler hold, so a hostile file cannot exhaust memory
/// (real checkpoints stay far below every one of them).
/// </summary>
public sealed record PickleLimits
{
    /// <summary>Largest pickle stream read (a state dict's data.pkl is typically KBs).</summary>
    public long MaxPickleBytes { get; init; } = 256L * 1024 * 1024;
    /// <summary>Values on the VM stack at once.</summary>
    public int MaxStack { get; init; } = 1_000_000;
    /// <summary>Open MARKs at once (how deeply literal containers nest).</summary>
    public int MaxMarkDepth { get; init; } = 1_000;
    /// <summary>Entries in the memo.</summary>
    public int MaxMemo { get; init; } = 2_000_000;
    /// <summary>Values created in total.</summary>
    public long MaxObjects { get; init; } = 5_000_000;
    /// <summary>Largest single string or byte string.</summary>
    public long MaxStringBytes { get; init; } = 64L * 1024 * 1024;

    public static PickleLimits Default { get; } = new();
}
