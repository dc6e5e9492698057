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

    /// <summary>
    /// Each corrected event's latest correction time (corrections name an event as <c>event:{id}</c>), read whole: the
    /// instants compare in memory on every provider.
    /// </summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> LastEventCorrectionsAsync(this IQueryable<Correction> corrections, CancellationToken cancellationToken)
    {
        var rows = await corrections.AsNoTracking().Where(c => c.Target.StartsWith(EventTarget))
            .Select(c => new { c.Target, c.CorrectedAt }).ToListAsync(cancellationToken);
        return rows
            .Select(c => (Ok: Guid.TryParse(c.Target.AsSpan(EventTarget.Length), out var id), Id: id, c.CorrectedAt))
            .Where(c => c.Ok)
            .GroupBy(c => c.Id)
            .ToDictionary(g => g.Key, g => g.Max(c => c.CorrectedAt));
    }

    private const string EventTarget = "event:";

    private static NotFoundException NoEvent(Guid eventId) => new($"No event with id {eventId}.");
}
