using TrialManager.Domain.Instruments;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Tests.Documents;

namespace TrialManager.Infrastructure.Tests.Instruments;

/// <summary>The catalogue as shipped in protocols/instruments, and a short way to score against it.</summary>
internal static class ShippedInstruments
{
    public static string Directory => Path.Combine(DocumentSamples.ProtocolsDirectory, InstrumentCatalogue.FolderName);

    public static InstrumentCatalogue Catalogue { get; } = InstrumentCatalogue.Load(Directory);

    public static InstrumentDefinition Get(string code) => Catalogue.Find(code)!.Definition;

    /// <summary>Answers "1".."n" in order; null is a missing item.</summary>
    public static MeasureOutcome Score(string code, int?[] answers, double? previousTotal = null) =>
        MeasureScorer.Score(Get(code), answers.Select((a, i) => (Id: (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), a))
            .ToDictionary(x => x.Id, x => (decimal?)x.a), previousTotal);

    public static ScoredMeasure Scored(string code, int?[] answers, double? previousTotal = null) =>
        Score(code, answers, previousTotal).Measure ?? throw new InvalidOperationException(
            string.Join("; ", Score(code, answers, previousTotal).Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
}
