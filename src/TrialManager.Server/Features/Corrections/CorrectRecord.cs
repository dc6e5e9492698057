using System.Text.Json;
using FluentValidation;
using Mediator;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Features.Corrections;

/// <summary>
/// POST /api/participants/{id}/corrections: corrects one recorded value with a reason, by the role that may enter it.
/// Nothing is overwritten without a trace: the correction keeps the old value, who, when and why.
/// </summary>
public sealed record CorrectRecord(string ParticipantId, string? Target, string? Field, JsonElement Value, string? Reason)
    : ICommand<CorrectionView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

/// <param name="Value">Required; JSON null clears an optional answer (motivation, expectancy, a rating's rationale).</param>
public sealed record CorrectRecordRequest(string? Target, string? Field, JsonElement Value, string? Reason);

public sealed class CorrectRecordValidator : AbstractValidator<CorrectRecord>
{
    public const string TargetPattern = "^(participant|rating:[0-9]{1,3}|session:[0-9]{1,3}|measure:[0-9a-fA-F-]{36}|event:[0-9a-fA-F-]{36})$";

    public CorrectRecordValidator()
    {
        RuleFor(c => c.Target).Matches(TargetPattern)
            .WithMessage("must be participant, rating:N, session:N, measure:{id} or event:{id}").When(c => c.Target is not null);
        RuleFor(c => c.Field).NotEmpty().WithMessage("is required: the name of the corrected value, e.g. severity").MaximumLength(60);
        RuleFor(c => c.Value).Must(v => v.ValueKind != JsonValueKind.Undefined)
            .WithMessage("is required: the corrected value (null clears an optional answer)");
        RuleFor(c => c.Reason).NotEmpty().WithMessage("is required: why the value is corrected").MaximumLength(2_000);
    }
}

public sealed class CorrectRecordHandler(
    TrialDbContext db, InstrumentCatalogue catalogue, IActorAccessor actors, TimeProvider clock, NotificationOutbox notifications)
    : ICommandHandler<CorrectRecord, CorrectionView>
{
    public async ValueTask<CorrectionView> Handle(CorrectRecord command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var correction = await new Corrector(db, catalogue, clock, notifications).CorrectAsync(
            actor, participant, command.Target, command.Field!, command.Value, command.Reason!.Trim(), null, cancellationToken);
        return CorrectionView.From(correction);
    }
}
