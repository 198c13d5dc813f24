namespace Atelier.Quality;

/// <summary>A set figure and, where it is an average over random subsets, its standard error.</summary>
public sealed record SetFigure(double Value, double? StandardError = null);

/// <summary>
/// One figure of two sets of pictures given as feature vectors (<see cref="FeatureSet"/>): how far apart the two
/// distributions are, not any picture from any other. The base every set metric shares.
/// </summary>
public abstract class SetMetric
{
    /// <summary>The short name in JSON, CSV columns and logs ("fd").</summary>
    public abstract string Key { get; }

    /// <summary>What a person reads ("FD-ResNet18").</summary>
    public abstract string Name { get; }

    /// <summary>The fewest vectors each set needs for the figure to be defined.</summary>
    public abstract int MinimumSetSize { get; }

    public SetFigure Compare(FeatureSet a, FeatureSet b)
    {
        if (a.Dimension != b.Dimension)
            throw new ArgumentException($"{Name}: the sets' vectors differ in length ({a.Dimension} and {b.Dimension})");
        if (a.Count < MinimumSetSize || b.Count < MinimumSetSize)
            throw new AtelierException($"{Name} needs at least {MinimumSetSize} pictures in each set, got {a.Count} and {b.Count}");
        return Measure(a, b);
    }

    protected abstract SetFigure Measure(FeatureSet a, FeatureSet b);

    public override string ToString() => Name;
}
