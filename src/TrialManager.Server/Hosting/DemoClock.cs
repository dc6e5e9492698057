namespace TrialManager.Server.Hosting;

/// <summary>
/// The Development clock: the system's, except while --seed-demo plays the demo trial's months of enrolment and
/// sessions through the real commands, each at its own date (a session cannot be dated after "now" nor before the
/// randomization). Outside Development the server uses <see cref="TimeProvider.System"/> itself.
/// </summary>
public sealed class DemoClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref offsetTicks));

    /// <summary>From now on the clock reads <paramref name="at"/> and runs on from there.</summary>
    public void Set(DateTimeOffset at) => Interlocked.Exchange(ref offsetTicks, (at - System.GetUtcNow()).Ticks);

    public void Reset() => Interlocked.Exchange(ref offsetTicks, 0);
}
