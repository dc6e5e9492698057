using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Errors;

namespace TrialManager.Server.Features.Statistics;

/// <summary>GET /api/trials/{id}/randomization-plan: everything needed to regenerate the sequence.</summary>
public sealed record GetRandomizationPlan(string TrialId) : IQuery<RandomizationPlanView>;

public sealed record RandomizationPlanView(
    string TrialId,
    RandomizationMethod Method,
    IReadOnlyList<ArmDefinition> Arms,
    IReadOnlyList<int> BlockSizes,
    IReadOnlyList<string> StratifyBy,
    IReadOnlyList<string> Factors,
    double? Probability,
    ImbalanceMeasure? Imbalance,
    int? SeverityCutoff,
    string Seed,
    string SeedEncoding,
    int Derivation,
    string Algorithm,
    IReadOnlyList<PlanStratum> Strata,
    string Regenerate);

public sealed record PlanStratum(string StateKey, int Allocated);

/// <summary>POST /api/trials/{id}/randomization-plan/verify: regenerate and compare with every recorded allocation.</summary>
public sealed record VerifyRandomizationPlan(string TrialId) : IQuery<VerificationView>;

public sealed record VerificationView(bool Matches, int Checked, VerificationMismatch? FirstMismatch);

public sealed class RandomizationPlanHandler(TrialDbContext db)
    : IQueryHandler<GetRandomizationPlan, RandomizationPlanView>, IQueryHandler<VerifyRandomizationPlan, VerificationView>
{
    public async ValueTask<RandomizationPlanView> Handle(GetRandomizationPlan query, CancellationToken cancellationToken)
    {
        var trial = await LoadAsync(query.TrialId, cancellationToken);
        var r = trial.Definition.Randomization;
        var strata = await db.RandomizationStates.AsNoTracking().Where(s => s.TrialId == trial.Id).OrderBy(s => s.StateKey)
            .Select(s => new PlanStratum(s.StateKey, s.Allocated)).ToListAsync(cancellationToken);
        return new RandomizationPlanView(
            trial.Id, r.Method, trial.Definition.Arms, r.BlockSizes, r.StratifyBy, r.Factors, r.Probability,
            r.Method == RandomizationMethod.Minimization ? r.Imbalance : null, r.SeverityCutoff,
            trial.Seed, "utf-8", trial.SeedDerivation, Randomizer.Describe(r.Method, trial.Derivation()), strata,
            $"POST /api/trials/{trial.Id}/randomization-plan/verify regenerates the sequence from this plan and compares it with every " +
            "recorded allocation. To regenerate it independently, apply the algorithm above to the seed's UTF-8 bytes, arm indices " +
            "following the order of 'arms', and the participants' factor levels from the allocation table in sequence order. " +
            $"The stream keys follow key derivation version {trial.SeedDerivation} ('derivation')" +
            (trial.SeedDerivation == 1 ? ", which does not include the trial id." : $", which includes the trial id '{trial.Id}' in every key."));
    }

    public async ValueTask<VerificationView> Handle(VerifyRandomizationPlan query, CancellationToken cancellationToken)
    {
        var trial = await LoadAsync(query.TrialId, cancellationToken);
        var arms = trial.Definition.Arms.Select(a => a.Code).ToList();
        var randomizer = new Randomizer(trial.Definition.ToDesign(), Encoding.UTF8.GetBytes(trial.Seed), trial.Derivation());
        var recorded = db.Allocations.AsNoTracking().Where(a => a.TrialId == trial.Id)
            .OrderBy(a => a.StateKey).ThenBy(a => a.Sequence)
            .Select(a => new { a.Arm, a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, a.Levels })
            .AsEnumerable()
            .Select(a => new RecordedAllocation(arms.IndexOf(a.Arm), a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, a.Levels));
        var result = randomizer.Verify(recorded);
        return new VerificationView(result.Matches, result.Checked, result.FirstMismatch);
    }

    private async Task<Trial> LoadAsync(string trialId, CancellationToken cancellationToken) =>
        await db.Trials.AsNoTracking().SingleOrDefaultAsync(t => t.Id == trialId, cancellationToken)
        ?? throw new NotFoundException($"No trial with id {trialId}.");
}
