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
    string Regenerate,
    IReadOnlyDictionary<string, string?>? Hypothesis,
    string PlanSha256);

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
        var imbalance = r.Method == RandomizationMethod.Minimization ? r.Imbalance : (ImbalanceMeasure?)null;
        var hypothesis = Trials.TrialView.HypothesisView(trial.Definition);
        return new RandomizationPlanView(
            trial.Id, r.Method, trial.Definition.Arms, r.BlockSizes, r.StratifyBy, r.Factors, r.Probability,
            imbalance, r.SeverityCutoff,
            trial.Seed, "utf-8", trial.SeedDerivation, Randomizer.Describe(r.Method, trial.Derivation()), strata,
            $"POST /api/trials/{trial.Id}/randomization-plan/verify regenerates the sequence from this plan and compares it with every " +
            "recorded allocation. To regenerate it independently, apply the algorithm above to the seed's UTF-8 bytes, arm indices " +
            "following the order of 'arms', and the participants' factor levels from the allocation table in sequence order. " +
            $"The stream keys follow key derivation version {trial.SeedDerivation} ('derivation')" +
            (trial.SeedDerivation == 1 ? ", which does not include the trial id." : $", which includes the trial id '{trial.Id}' in every key."),
            hypothesis,
            PlanHash(trial, imbalance, hypothesis));
    }

    /// <summary>
    /// SHA-256 (hex) of the plan's fixed part, as canonical JSON in this order: trialId, method, arms, blockSizes,
    /// stratifyBy, factors, probability, imbalance, severityCutoff, seed, derivation, hypothesis. A statistician records
    /// it in the analysis plan; the same trial always gives the same hash, and any change to the design or the
    /// pre-specified hypothesis gives another.
    /// </summary>
    private static string PlanHash(Trial trial, ImbalanceMeasure? imbalance, IReadOnlyDictionary<string, string?>? hypothesis)
    {
        var d = trial.Definition;
        var r = d.Randomization;
        var canonical = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            trialId = trial.Id,
            method = Wire.Text(r.Method),
            arms = d.Arms.Select(a => new { code = a.Code.Wire(), ratio = a.Ratio }),
            blockSizes = r.BlockSizes,
            stratifyBy = r.StratifyBy,
            factors = r.Factors,
            probability = r.Probability,
            imbalance = imbalance is { } i ? Wire.Text(i) : null,
            severityCutoff = r.SeverityCutoff,
            seed = trial.Seed,
            derivation = trial.SeedDerivation,
            hypothesis = hypothesis?.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new { formulation = h.Key, arm = h.Value }),
        });
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(canonical));
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
