using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

/// <summary>GET /api/therapists/me/participants (therapist): the participants assigned to the calling therapist, in every trial.</summary>
public sealed record GetMyParticipants : IQuery<IReadOnlyList<TherapistParticipant>>;

/// <summary>What a therapist needs to find a case: they deliver the arm, so they see it; nothing about other therapists' cases.</summary>
public sealed record TherapistParticipant(string Id, string TrialId, string Site, ParticipantStatus Status, ArmCode Arm, DateTimeOffset RandomizedAt);

public sealed class GetMyParticipantsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetMyParticipants, IReadOnlyList<TherapistParticipant>>
{
    public async ValueTask<IReadOnlyList<TherapistParticipant>> Handle(GetMyParticipants query, CancellationToken cancellationToken)
    {
        var therapist = actors.Current.Name;
        var rows = await (
                from p in db.Participants.AsNoTracking().Where(p => p.TherapistCode == therapist)
                join a in db.Allocations.AsNoTracking() on p.Id equals a.ParticipantId
                select new TherapistParticipant(p.Id, p.TrialId, p.Site, p.Status, a.Arm, a.RandomizedAt))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.TrialId, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }
}
