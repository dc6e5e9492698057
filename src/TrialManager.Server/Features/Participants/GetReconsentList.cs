using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// GET /api/trials/{trialId}/reconsent (coordinator, their sites): participants still in the trial who consented under
/// an older consent version than the one an amendment made current. They re-consent through POST .../consent.
/// </summary>
public sealed record GetReconsentList(string TrialId) : IQuery<IReadOnlyList<ReconsentView>>;

/// <param name="CurrentVersion">The trial's consent version they must re-consent under.</param>
public sealed record ReconsentView(string ParticipantId, string Site, ParticipantStatus Status, string ConsentVersion, DateOnly? ConsentedOn, string CurrentVersion)
{
    /// <summary>The list's order and page key: by site, then study id.</summary>
    public string Key => $"{Site}|{ParticipantId}";
}

public sealed class GetReconsentListHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetReconsentList, IReadOnlyList<ReconsentView>>
{
    // Participants who left (declined, withdrawn, completed, excluded, ineligible) have nothing left to consent to.
    private static readonly ParticipantStatus[] InTrial =
    [
        ParticipantStatus.Consented, ParticipantStatus.FormulationPending, ParticipantStatus.Formulated, ParticipantStatus.Randomized,
        ParticipantStatus.FollowUp,
    ];

    public async ValueTask<IReadOnlyList<ReconsentView>> Handle(GetReconsentList query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        if (trial.ConsentVersion is not { } current)
        {
            return [];
        }

        var participants = db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && InTrial.Contains(p.Status) && p.ConsentVersion != null && p.ConsentVersion != current);
        if (actors.Current.Sites is { Count: > 0 } sites)
        {
            var own = sites.ToList();
            participants = participants.Where(p => own.Contains(p.Site));
        }

        var rows = await participants.Select(p => new { p.Id, p.Site, p.Status, p.ConsentVersion, p.ConsentedOn }).ToListAsync(cancellationToken);
        return [.. rows
            .Where(p => DefinitionVersions.NeedsReconsent(p.ConsentVersion, current))
            .Select(p => new ReconsentView(p.Id, p.Site, p.Status, p.ConsentVersion!, p.ConsentedOn, current))
            .OrderBy(p => p.Key, StringComparer.Ordinal)];
    }
}
