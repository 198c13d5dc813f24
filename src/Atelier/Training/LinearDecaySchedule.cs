namespace Atelier.Training;

/// <summary>
/// The reference's 'linear' lr policy, counted in steps: the base rate for <see cref="ConstantSteps"/>, then a
/// straight line down to zero over <see cref="DecaySteps"/> (the reference uses 100 + 100 epochs).
/// </summary>
public sealed record LinearDecaySchedule(long ConstantSteps, long DecaySteps)
{
    public long TotalSteps => ConstantSteps + DecaySteps;

    /// <summary>The multiplier of the base rate for the update made at <paramref name="step"/> (0-based).</summary>
    public double Factor(long step)
    {
        if (step < ConstantSteps || DecaySteps <= 0) return 1.0;
        return Math.Clamp(1.0 - (double)(step - ConstantSteps + 1) / (DecaySteps + 1), 0.0, 1.0);
    }
}
