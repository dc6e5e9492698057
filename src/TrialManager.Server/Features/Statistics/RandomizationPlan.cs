using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

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

/// <summary>
/// POST /api/trials/{id}/randomization-plan/verify: regenerate and compare with every recorded allocation, its levels
/// with the participant's and each stratum's count with its state row.
/// </summary>
public sealed record VerifyRandomizationPlan(string TrialId) : IQuery<VerificationView>;

/// <summary>
/// <see cref="MisStratified"/> lists allocations made on a level that a correction recorded later changed: they stand
/// (an allocation never changes) and are no mismatch.
/// </summary>
public sealed record VerificationView(bool Matches, int Checked, VerificationMismatch? FirstMismatch, IReadOnlyList<MisStratifiedAllocation> MisStratified);

public sealed record MisStratifiedAllocation(string ParticipantId, string Stratum, int Sequence, string Factor, string Recorded, string Corrected);

public sealed class RandomizationPlanHandler(TrialDbContext db)
    : IQueryHandler<GetRandomizationPlan, RandomizationPlanView>, IQueryHandler<VerifyRandomizationPlan, VerificationView>
{
    public async ValueTask<RandomizationPlanView> Handle(GetRandomizationPlan query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
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
            method = r.Method.Wire(),
            arms = d.Arms.Select(a => new { code = a.Code.Wire(), ratio = a.Ratio }),
            blockSizes = r.BlockSizes,
            stratifyBy = r.StratifyBy,
            factors = r.Factors,
            probability = r.Probability,
            imbalance = imbalance is { } i ? i.Wire() : null,
            severityCutoff = r.SeverityCutoff,
            seed = trial.Seed,
            derivation = trial.SeedDerivation,
            hypothesis = hypothesis?.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new { formulation = h.Key, arm = h.Value }),
        });
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(canonical));
    }

    public async ValueTask<VerificationView> Handle(VerifyRandomizationPlan query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var arms = trial.Definition.Arms.Select(a => a.Code).ToList();
        var randomizer = new Randomizer(trial.Definition.ToDesign(), Encoding.UTF8.GetBytes(trial.Seed), trial.Derivation());
        var recorded = db.Allocations.AsNoTracking().Where(a => a.TrialId == trial.Id)
            .Join(db.Participants, a => a.ParticipantId, p => p.Id, (a, p) => new
            {
                a.ParticipantId, a.RandomizedAt, a.Arm, a.Stratum, a.StateKey, a.Sequence, a.BlockNumber, a.BlockSize, a.Levels, a.Formulation, a.Site,
                ParticipantSite = p.Site, p.PrimaryFormulation, p.Severity,
            })
            .OrderBy(a => a.StateKey).ThenBy(a => a.Sequence);

        // As of the state rows read first: an allocation commits with its state row's count, so the rows within those
        // counts are all there is to compare. Rows past them either committed during this read (within the counts read
        // after it: left to the next verification) or were put there around the application (past them too: checked).
        var before = await AllocatedAsync(trial.Id, cancellationToken);
        var rows = await recorded.ToListAsync(cancellationToken);
        var after = await AllocatedAsync(trial.Id, cancellationToken);
        var corrections = (await db.Corrections.AsNoTracking()
                .Where(c => c.TrialId == trial.Id && c.Target == Correction.ParticipantTarget && (c.Field == "site" || c.Field == "severity"))
                .Select(c => new { c.ParticipantId, c.Field, c.OldValue, c.CorrectedAt })
                .ToListAsync(cancellationToken))
            .ToLookup(c => c.ParticipantId, StringComparer.Ordinal);

        // A value as it was at randomization: the old value of the first correction made after it, else the value now.
        T AtRandomization<T>(string participantId, DateTimeOffset randomizedAt, string field, T now) =>
            corrections[participantId].Where(c => c.Field == field && c.CorrectedAt > randomizedAt).MinBy(c => c.CorrectedAt) is { OldValue: { } old }
                ? JsonSerializer.Deserialize<T>(old)!
                : now;

        var stratifying = trial.Definition.Randomization.StratifyBy.Concat(trial.Definition.Randomization.Factors).ToHashSet(StringComparer.Ordinal);
        var misStratified = new List<MisStratifiedAllocation>();
        var compared = rows
            .Where(a => a.Sequence <= before.GetValueOrDefault(a.StateKey) || a.Sequence > after.GetValueOrDefault(a.StateKey))
            .Select(a =>
            {
                // The participant's values at randomization are compared; a later correction is listed, not a mismatch.
                var then = ParticipantLevels(trial.Definition,
                    AtRandomization(a.ParticipantId, a.RandomizedAt, "site", a.ParticipantSite), a.PrimaryFormulation,
                    AtRandomization(a.ParticipantId, a.RandomizedAt, "severity", a.Severity));
                if (corrections.Contains(a.ParticipantId))
                {
                    var current = ParticipantLevels(trial.Definition, a.ParticipantSite, a.PrimaryFormulation, a.Severity);
                    misStratified.AddRange(a.Levels
                        .Where(l => stratifying.Contains(l.Key) && current.TryGetValue(l.Key, out var c) && c != l.Value && then.GetValueOrDefault(l.Key) == l.Value)
                        .Select(l => new MisStratifiedAllocation(a.ParticipantId, a.Stratum, a.Sequence, l.Key, l.Value, current[l.Key])));
                }

                return new RecordedAllocation(arms.IndexOf(a.Arm), a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, a.Levels)
                {
                    ParticipantLevels = then,
                    LevelCopies = [new(Factors.Formulation, a.Formulation.Wire()), new(Factors.Site, a.Site)],
                };
            })
            .ToList();
        var result = randomizer.Verify(compared, before);
        return new VerificationView(result.Matches, result.Checked, result.FirstMismatch, misStratified);
    }

    private Task<Dictionary<string, int>> AllocatedAsync(string trialId, CancellationToken cancellationToken) =>
        db.RandomizationStates.AsNoTracking().Where(s => s.TrialId == trialId)
            .ToDictionaryAsync(s => s.StateKey, s => s.Allocated, StringComparer.Ordinal, cancellationToken);

    private static IReadOnlyDictionary<string, string> ParticipantLevels(TrialDefinition trial, string site, Formulation? formulation, int severity)
    {
        var levels = new Dictionary<string, string>(trial.FactorLevels(site, formulation ?? default, severity), StringComparer.Ordinal);
        if (formulation is null)
        {
            levels.Remove(Factors.Formulation); // an allocated participant always has one; its absence is reported
        }

        return levels;
    }
}
