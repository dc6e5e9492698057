using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// POST /api/participants/{id}/consent: consent with a version and date, or a refusal. A participant who consented
/// already re-consents this way under the trial's current (newer) consent version, keeping their status.
/// </summary>
public sealed record RecordConsent(string ParticipantId, string? ConsentVersion, DateOnly? ConsentedOn, bool? Declined)
    : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RecordConsentRequest(string? ConsentVersion, DateOnly? ConsentedOn, bool? Declined);

public sealed class RecordConsentValidator : AbstractValidator<RecordConsent>
{
    public RecordConsentValidator(TimeProvider clock)
    {
        When(c => c.Declined == true, () =>
        {
            RuleFor(c => c.ConsentVersion).Null().WithMessage("must be absent when consent is declined");
            RuleFor(c => c.ConsentedOn).Null().WithMessage("must be absent when consent is declined");
        }).Otherwise(() =>
        {
            RuleFor(c => c.ConsentVersion).NotEmpty().WithMessage("is required (or send \"declined\": true)")
                .Matches("^[A-Za-z0-9._-]{1,20}$").WithMessage("must be a version label such as 1.0");
            RuleFor(c => c.ConsentedOn).NotNull().WithMessage("is required (or send \"declined\": true)")
                .Must(d => d >= new DateOnly(2000, 1, 1) && d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1)))
                .WithMessage("must be a real date, not in the future");
        });
    }
}

public sealed class RecordConsentHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<RecordConsent, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(RecordConsent command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        if (command.Declined == true)
        {
            participant.Decline(clock.GetUtcNow());
        }
        else if (participant.ConsentVersion is not null)
        {
            var trial = await db.ReadTrialAsync(participant.TrialId, cancellationToken);
            participant.Reconsent(command.ConsentVersion!, command.ConsentedOn!.Value, trial.ConsentVersion);
            var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
            return ParticipantView.From(participant, allocation);
        }
        else
        {
            participant.Consent(command.ConsentVersion!, command.ConsentedOn!.Value);
        }

        return ParticipantView.From(participant, null);
    }
}
