using FluentValidation;
using Mediator;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Trials;

/// <summary>POST /api/trials/{id}/status: the trial lifecycle decides whether the move is legal.</summary>
public sealed record ChangeTrialStatus(string TrialId, string? Status) : ICommand<TrialView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record ChangeTrialStatusRequest(string? Status);

public sealed class ChangeTrialStatusValidator : AbstractValidator<ChangeTrialStatus>
{
    public ChangeTrialStatusValidator() =>
        RuleFor(c => c.Status).Must(s => Wire.TryParse<TrialStatus>(s, out var status) && status != TrialStatus.Draft)
            .WithMessage("must be recruiting, paused or closed");
}

public sealed class ChangeTrialStatusHandler(TrialDbContext db, IActorAccessor actors, IOwedWork owedWork, AfterCommit afterCommit)
    : ICommandHandler<ChangeTrialStatus, TrialView>
{
    public async ValueTask<TrialView> Handle(ChangeTrialStatus command, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(command.TrialId, cancellationToken);
        if (trial.ChangeStatus(Wire.Parse<TrialStatus>(command.Status)))
        {
            // Recruiting trials get the scheduled ethics report; others stop receiving it.
            var recruiting = trial.Status == TrialStatus.Recruiting;
            afterCommit.Add(() => owedWork.ScheduleReports(trial.Id, recruiting));
        }

        return TrialView.From(trial, actors.Current, TrialCounts.None);
    }
}
