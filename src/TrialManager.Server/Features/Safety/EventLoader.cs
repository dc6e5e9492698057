using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Safety;

internal static class EventLoader
{
    /// <summary>The participant (tracked) that owns an event; 404 for an unknown event or one of a site the key does not see.</summary>
    public static async Task<Participant> LoadEventParticipantAsync(this TrialDbContext db, Guid eventId, Actor actor, CancellationToken cancellationToken)
    {
        var participantId = await db.Participants.AsNoTracking().Where(p => p.Events.Any(e => e.Id == eventId)).Select(p => p.Id)
            .SingleOrDefaultAsync(cancellationToken);
        try
        {
            return participantId is null ? throw NoEvent(eventId) : await db.LoadParticipantAsync(participantId, actor, cancellationToken);
        }
        catch (NotFoundException)
        {
            throw NoEvent(eventId);
        }
    }

    private static NotFoundException NoEvent(Guid eventId) => new($"No event with id {eventId}.");
}
