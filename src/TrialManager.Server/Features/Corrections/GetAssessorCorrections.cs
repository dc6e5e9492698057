using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Corrections;

/// <summary>
/// The corrections an assessor reads beside their visit measures (the visits page): those they made themselves of the
/// participant's visit measures, oldest first. Never a session's measure, and never another person's reason: a
/// reason is free text written by people who may know the arm.
/// </summary>
public sealed record GetAssessorCorrections(string ParticipantId) : IQuery<IReadOnlyList<CorrectionView>>;

public sealed class GetAssessorCorrectionsHandler(TrialDbContext db, IActorAccessor actors)
    : IQueryHandler<GetAssessorCorrections, IReadOnlyList<CorrectionView>>
{
    public async ValueTask<IReadOnlyList<CorrectionView>> Handle(GetAssessorCorrections query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        if (actor.Role != Roles.Assessor)
        {
            throw new ForbiddenException("Only an assessor reads the corrections of their visit measures here.");
        }

        var participant = await db.LoadParticipantAsync(query.ParticipantId, actor, cancellationToken);
        var visitMeasures = (await db.Measures.AsNoTracking().Where(m => m.ParticipantId == participant.Id && m.Visit != null).Select(m => m.Id)
                .ToListAsync(cancellationToken))
            .Select(id => $"measure:{id:D}").ToHashSet(StringComparer.Ordinal);
        var corrections = await db.Corrections.AsNoTracking()
            .Where(c => c.ParticipantId == participant.Id && c.CorrectedBy == actor.Name).ToListAsync(cancellationToken);
        return [.. corrections.Where(c => visitMeasures.Contains(c.Target)).OrderBy(c => c.CorrectedAt).Select(CorrectionView.From)];
    }
}
