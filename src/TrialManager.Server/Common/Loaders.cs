using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Common;

/// <summary>The one way to load a trial or a participant by id, and the one 404 each answers when there is none.</summary>
internal static class Loaders
{
    // Compiled: every command on a participant starts with this read (with its ratings and events).
    private static readonly CompiledPerModel<Func<TrialDbContext, string, CancellationToken, Task<Participant?>>> ParticipantQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string id, CancellationToken _) => db.Participants.SingleOrDefault(p => p.Id == id)));

    /// <summary>
    /// Loads a participant for the actor: 404 when unknown or of a site the key is not limited to. The same answer
    /// for both, so that trying ids tells nothing about another site's screening count.
    /// </summary>
    public static async Task<Participant> LoadParticipantAsync(this TrialDbContext db, string id, Actor actor, CancellationToken cancellationToken)
    {
        var participant = await ParticipantQuery.For(db)(db, id, cancellationToken);
        return participant is not null && actor.MaySeeParticipant(participant.Site, participant.TherapistCode)
            ? participant
            : throw NoParticipant(id);
    }

    /// <summary>
    /// The loader above, for a page under one trial: a participant of another trial is the same 404,
    /// so a trial's page never acts on another trial's participant. A null <paramref name="trialId"/> checks no trial.
    /// </summary>
    public static async Task<Participant> LoadParticipantAsync(this TrialDbContext db, string id, string? trialId, Actor actor, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(id, actor, cancellationToken);
        return trialId is null || participant.TrialId == trialId ? participant : throw NoParticipant(id);
    }

    /// <summary>The trial, tracked, for a command that changes it or what it owns; 404 when there is none.</summary>
    public static async Task<Trial> LoadTrialAsync(this TrialDbContext db, string trialId, CancellationToken cancellationToken) =>
        await db.Trials.SingleOrDefaultAsync(t => t.Id == trialId, cancellationToken) ?? throw NoTrial(trialId);

    /// <summary>The trial, untracked, for a read; 404 when there is none.</summary>
    public static async Task<Trial> ReadTrialAsync(this TrialDbContext db, string trialId, CancellationToken cancellationToken) =>
        await db.Trials.AsNoTracking().SingleOrDefaultAsync(t => t.Id == trialId, cancellationToken) ?? throw NoTrial(trialId);

    /// <summary>404 unless the trial exists, for a request about what a trial owns that needs nothing of the trial itself.</summary>
    public static async Task EnsureTrialExistsAsync(this TrialDbContext db, string trialId, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == trialId, cancellationToken))
        {
            throw NoTrial(trialId);
        }
    }

    private static NotFoundException NoTrial(string trialId) => new($"No trial with id {trialId}.");

    private static NotFoundException NoParticipant(string id) => new($"No participant with id {id}.");
}
