namespace TrialManager.Server.Common;

/// <summary>
/// Work to do only once the command's transaction has committed (enqueueing a job for a row it wrote).
/// If the process dies in between, the row is still owed and the start-up sweep enqueues it.
/// </summary>
public sealed class AfterCommit
{
    private readonly List<Action> _actions = [];

    public void Add(Action action) => _actions.Add(action);

    internal void Run(ILogger logger)
    {
        foreach (var action in _actions)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                // The outbox row stays owed; the sweep on the next start picks it up.
                logger.LogWarning(e, "A post-commit action failed; the owed work will be picked up by the sweep.");
            }
        }

        _actions.Clear();
    }
}
