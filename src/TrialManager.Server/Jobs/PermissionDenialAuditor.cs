using Mediator;
using TrialManager.Server.Security;

namespace TrialManager.Server.Jobs;

/// <summary>Writes the closed windows of <see cref="PermissionDenials"/> to the audit chain, and what is left on shutdown.</summary>
public sealed class PermissionDenialAuditor(PermissionDenials denials, IServiceScopeFactory scopes, TimeProvider clock, ILogger<PermissionDenialAuditor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(denials.Window / 4, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(all: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(all: true, cancellationToken);
    }

    private async Task FlushAsync(bool all, CancellationToken cancellationToken)
    {
        foreach (var record in denials.TakeClosed(all))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ISender>().Send(record, cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "Could not audit the permission failures of {Actor}: {Changes}", record.Actor?.Name, record.Changes);
            }
        }
    }
}
