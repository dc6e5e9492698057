using Mediator;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Trials;

/// <summary>GET /api/trials/{id}/amendments: the definition's versions after the base 1.0, in the order they were recorded.</summary>
public sealed record GetAmendments(string TrialId) : IQuery<IReadOnlyList<AmendmentView>>;

public sealed class GetAmendmentsHandler(TrialDbContext db) : IQueryHandler<GetAmendments, IReadOnlyList<AmendmentView>>
{
    public async ValueTask<IReadOnlyList<AmendmentView>> Handle(GetAmendments query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        return [.. trial.Amendments.Select(AmendmentView.From)];
    }
}
