using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Features.Safety;

/// <summary>
/// POST /api/events/{eventId}/review (admin or dsmb): the medical review of a serious adverse event, who, when and the
/// comment; once per event, or again once it was corrected since its review, and only of a serious one (409 otherwise).
/// Audited like every command, so an earlier review a new one replaces stays on the trail.
/// </summary>
public sealed record ReviewEvent(Guid EventId, string? Comment) : ICommand<EventView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record ReviewEventRequest(string? Comment);

public sealed class ReviewEventValidator : AbstractValidator<ReviewEvent>
{
    public ReviewEventValidator() =>
        RuleFor(r => r.Comment).NotEmpty().WithMessage("is required: the medical reviewer's assessment").MaximumLength(4_000);
}

public sealed class ReviewEventHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<ReviewEvent, EventView>
{
    public async ValueTask<EventView> Handle(ReviewEvent command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadEventParticipantAsync(command.EventId, actor, cancellationToken);
        var corrected = await db.Corrections.Where(c => c.ParticipantId == participant.Id).LastEventCorrectionsAsync(cancellationToken);
        return EventView.From(participant.ReviewEvent(
            command.EventId, actor.Name, command.Comment!.Trim(), clock.GetUtcNow(), corrected.TryGetValue(command.EventId, out var at) ? at : null));
    }
}
