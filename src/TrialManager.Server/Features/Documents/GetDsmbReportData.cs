using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The closed report's figures from the measures, by arm: outcome trajectories (each participant-answered questionnaire
/// with severity bands, at each session and visit), the working alliance by formulation, and fidelity and
/// differentiation from the fidelity forms' item tags, and adverse events by relatedness. Only allocated participants count.
/// </summary>
public sealed record GetDsmbReportData(string TrialId) : IQuery<DsmbReportData>;

public sealed record DsmbReportData(
    IReadOnlyList<OutcomeMeans> Trajectories, IReadOnlyList<AllianceMeans> Alliance, IReadOnlyList<FidelityMeans> Fidelity,
    IReadOnlyList<RelatednessHarms> Relatedness);

public sealed class GetDsmbReportDataHandler(TrialDbContext db, InstrumentCatalogue catalogue) : IQueryHandler<GetDsmbReportData, DsmbReportData>
{
    /// <summary>The alliance questionnaire of the contract's session instruments.</summary>
    public const string AllianceInstrument = "alliance12";

    public async ValueTask<DsmbReportData> Handle(GetDsmbReportData query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var allocations = await db.Allocations.AsNoTracking().Where(a => a.TrialId == trial.Id)
            .Select(a => new { a.ParticipantId, a.Arm, a.Formulation, a.RandomizedAt }).ToListAsync(cancellationToken);
        var allocated = allocations.ToDictionary(a => a.ParticipantId, a => (a.Arm, a.Formulation));
        // Streamed, each measure kept as the few values these figures use (a fidelity form's answers as its profile): the
        // measures as entities, every answer and score in dictionaries, held hundreds of MB at 10,000 participants.
        var measures = new List<MeasureFigures>();
        await foreach (var m in db.Measures.AsNoTracking().Where(m => m.TrialId == trial.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!allocated.TryGetValue(m.ParticipantId, out var allocation) || catalogue.Find(m.Instrument, m.Version)?.Definition is not { } definition)
            {
                continue;
            }

            measures.Add(new MeasureFigures(m.ParticipantId, m.Instrument, m.Session, m.Visit, m.Scores.GetValueOrDefault(InstrumentDefinition.TotalScore),
                definition, allocation.Arm, definition.Items.Any(i => i.Tag is not null) ? FidelityProfile.Of(definition, m.Answers) : null));
        }

        // Time points in the order of the schedule: a session at its nominal day, a visit at its day (visits first on a tie).
        var schedule = trial.Definition.Schedule;
        var interval = schedule?.SessionIntervalDays ?? 7;
        (int Day, int Visit, string Label) TimePoint(MeasureFigures m) => m.Visit is { } visit
            ? (schedule?.FindVisit(visit)?.Day ?? int.MaxValue, 0, visit)
            : ((m.Session ?? 0) * interval, 1, "session " + (m.Session ?? 0).ToString(CultureInfo.InvariantCulture));
        var trajectories = measures
            .Where(m => m.Definition.Respondent == InstrumentRespondent.Participant && m.Definition.BandList.Count > 0 && m.Total is not null)
            .GroupBy(m => (m.Instrument, Point: TimePoint(m)))
            .OrderBy(g => g.Key.Instrument, StringComparer.Ordinal).ThenBy(g => g.Key.Point.Day).ThenBy(g => g.Key.Point.Visit)
            .ThenBy(g => g.Key.Point.Label, StringComparer.Ordinal)
            .Select(g => new OutcomeMeans(g.Key.Instrument, g.Key.Point.Label, Means(g.Select(m => (m.Arm, m.Total!.Value)))))
            .ToList();

        // Alliance: each participant's mean over their sessions, then the mean of those per formulation and arm.
        var alliance = measures
            .Where(m => m.Instrument == AllianceInstrument && m.Total is not null)
            .GroupBy(m => m.ParticipantId)
            .Select(g => (allocated[g.Key].Formulation, allocated[g.Key].Arm, Value: g.Average(m => m.Total!.Value)))
            .GroupBy(p => p.Formulation).OrderBy(g => g.Key)
            .Select(g => new AllianceMeans(g.Key.Wire(), Means(g.Select(p => (p.Arm, p.Value)))))
            .ToList();

        var profiles = measures.Where(m => m.Profile is not null).Select(m => (m.Arm, Profile: m.Profile!)).ToList();
        var fidelity = new List<FidelityMeans>();
        if (profiles.Count > 0)
        {
            foreach (var (dimension, select) in new (string, Func<FidelityProfile, IReadOnlyDictionary<FidelityTag, double?>>)[]
                         { ("Adherence", p => p.Adherence), ("Competence", p => p.Competence) })
            {
                fidelity.AddRange(Enum.GetValues<FidelityTag>().Select(tag => new FidelityMeans(
                    $"{dimension}: {TagLabel(tag)}",
                    Means(profiles.Where(p => select(p.Profile)[tag] is not null).Select(p => (p.Arm, select(p.Profile)[tag]!.Value))))));
            }

            fidelity.Add(new FidelityMeans("Differentiation (own arm's prescribed minus the other's)", Means(profiles
                .Select(p => (p.Arm, Value: p.Profile.Differentiation(p.Arm.Wire()))).Where(p => p.Value is not null).Select(p => (p.Arm, p.Value!.Value)))));
        }

        return new DsmbReportData(trajectories, alliance, fidelity,
            await RelatednessAsync(trial.Id, allocations.ToDictionary(a => a.ParticipantId, a => (a.Arm, On: DateOnly.FromDateTime(a.RandomizedAt.UtcDateTime))), cancellationToken));
    }

    private sealed record MeasureFigures(
        string ParticipantId, string Instrument, int? Session, string? Visit, double? Total, InstrumentDefinition Definition, ArmCode Arm, FidelityProfile? Profile);

    /// <summary>The relatedness summary counts from this code on: a causal reading (possible, probable, definite).</summary>
    public const string PossibleOrMore = "possibleOrMore";

    /// <summary>
    /// Adverse events by seriousness and relatedness, attributed to the arm as the harms table attributes them (from the
    /// day of randomization on): participants with at least one such event, and the events. Every category is listed,
    /// zeros included; events recorded before relatedness existed are "unrecorded", never guessed into a category.
    /// </summary>
    private async Task<IReadOnlyList<RelatednessHarms>> RelatednessAsync(
        string trialId, Dictionary<string, (ArmCode Arm, DateOnly On)> randomized, CancellationToken cancellationToken)
    {
        // Owned events come with their participant (SQLite cannot flatten them in SQL); only those with events load.
        var events = (await db.Participants.AsNoTracking().Where(p => p.TrialId == trialId && p.Events.Any()).ToListAsync(cancellationToken))
            .Where(p => randomized.ContainsKey(p.Id))
            .SelectMany(p => p.Events
                .Where(e => AdverseEventRules.IsAdverse(e.Type) && e.OccurredOn >= randomized[p.Id].On)
                .Select(e => (ParticipantId: p.Id, randomized[p.Id].Arm, e.IsSerious, e.Relatedness)))
            .ToList();
        var rows = new List<RelatednessHarms>();
        foreach (var serious in new[] { false, true })
        {
            var of = events.Where(e => e.IsSerious == serious).ToList();
            RelatednessHarms Row(string label, Func<EventRelatedness?, bool> counts)
            {
                var matching = of.Where(e => counts(e.Relatedness)).ToList();
                return new RelatednessHarms(serious, label,
                    ArmCounts.Of(matching.DistinctBy(e => e.ParticipantId).Select(e => e.Arm)), ArmCounts.Of(matching.Select(e => e.Arm)));
            }

            rows.AddRange(Enum.GetValues<EventRelatedness>().Select(r => Row(r.Wire(), e => e == r)));
            rows.Add(Row(PossibleOrMore, e => e >= EventRelatedness.Possible));
            if (of.Any(e => e.Relatedness is null))
            {
                rows.Add(Row("unrecorded", e => e is null));
            }
        }

        return rows;
    }


    private static string TagLabel(FidelityTag tag) => tag switch
    {
        FidelityTag.PrescribedMediator => "items prescribed as mediator",
        FidelityTag.PrescribedModerator => "items prescribed as moderator",
        FidelityTag.Shared => "items shared by both arms",
        _ => "proscribed items",
    };

    private static ArmMeans Means(IEnumerable<(ArmCode Arm, double Value)> values)
    {
        var list = values.ToList();
        Mean? Of(ArmCode arm) => list.Where(v => v.Arm == arm).Select(v => v.Value).ToList() is { Count: > 0 } xs ? new Mean(xs.Average(), xs.Count) : null;
        return new ArmMeans(Of(ArmCode.Mediator), Of(ArmCode.Moderator), Of(ArmCode.Comparator));
    }
}
