namespace TrialManager.Domain.Instruments;

/// <summary>
/// One version of a questionnaire or rating form, as data (protocols/instruments/*.json): its items with our own
/// short labels, the response scales with their anchors, subscales, how it is scored, the missing-item rule, bands
/// over the total and alert rules. Checked once at load by <see cref="InstrumentValidator"/>.
/// </summary>
public sealed record InstrumentDefinition(
    string Code,
    string Version,
    string Title,
    InstrumentRespondent Respondent,
    string Licence,
    IReadOnlyList<ResponseScale> Scales,
    IReadOnlyList<InstrumentItem> Items,
    InstrumentScoring Scoring,
    IReadOnlyList<Subscale>? Subscales = null,
    IReadOnlyList<ScoreBand>? Bands = null,
    IReadOnlyList<AlertRule>? Alerts = null)
{
    public const string TotalScore = "total";

    public IReadOnlyList<Subscale> SubscaleList => Subscales ?? [];

    public IReadOnlyList<ScoreBand> BandList => Bands ?? [];

    public IReadOnlyList<AlertRule> AlertList => Alerts ?? [];

    public ResponseScale ScaleOf(InstrumentItem item) => Scales.First(s => s.Code == item.Scale);
}

/// <summary>Who answers: the participant (also on their phone), the therapist after a session, or a blind rater.</summary>
public enum InstrumentRespondent
{
    Participant,
    Therapist,
    Rater,
}

/// <summary>
/// An integer response scale. Anchors label some values (at least both ends); a coded scale (every anchor has a
/// <see cref="ScaleAnchor.Code"/>) is categorical: every value has an anchor, and the code is what the value means.
/// </summary>
public sealed record ResponseScale(string Code, int Min, int Max, IReadOnlyList<ScaleAnchor> Anchors)
{
    public bool IsCoded => Anchors.Any(a => a.Code is not null);
}

public sealed record ScaleAnchor(int Value, string Label, string? Code = null);

/// <summary>
/// An item: id ("1".."n" in order), our own short label, the scale it is answered on, and, for an item that only
/// applies after another answer (a rupture's type only when there was a rupture), that condition. Fidelity items
/// carry the tag that places them in the two arms' checklists and the dimension rated.
/// </summary>
public sealed record InstrumentItem(
    string Id,
    string Label,
    string Scale,
    ItemCondition? AppliesWhen = null,
    FidelityTag? Tag = null,
    FidelityDimension? Dimension = null);

/// <summary>The item applies only when item <see cref="Item"/> was answered with one of <see cref="Values"/>.</summary>
public sealed record ItemCondition(string Item, IReadOnlyList<int> Values);

public sealed record Subscale(string Code, string Label, IReadOnlyList<string> Items);

/// <summary>
/// How scores are computed: the sum or the mean of the items (the total when <see cref="Total"/>, and each subscale),
/// rounded half away from zero to <see cref="Decimals"/>; or no scores at all (logs whose answers are the data).
/// </summary>
public sealed record InstrumentScoring(ScoringMethod Method, bool Total, int Decimals, MissingItemRule Missing);

public enum ScoringMethod
{
    Sum,
    Mean,
    None,
}

/// <summary>
/// What happens when an item that applies is not answered. <c>prorate</c>: a score is still computed while at most
/// <see cref="MaxMissing"/> of the total's items (<see cref="MaxMissingPerSubscale"/> of a subscale's) are missing,
/// from the mean of the answered items (times the item count for a sum), else it is null. <c>refuse</c>: every item
/// that applies must be answered.
/// </summary>
public sealed record MissingItemRule(MissingItemPolicy Policy, int MaxMissing = 0, int MaxMissingPerSubscale = 0);

public enum MissingItemPolicy
{
    Prorate,
    Refuse,
}

/// <summary>A band of the total, both ends included; bands are contiguous and cover the total's range.</summary>
public sealed record ScoreBand(string Code, double Min, double Max);

/// <summary>
/// <c>itemAbove</c>: the answer to <see cref="Item"/> is above <see cref="Above"/>. <c>deterioration</c>: the total
/// rose by at least <see cref="By"/> since the participant's previous total on the same instrument (higher is worse).
/// </summary>
public sealed record AlertRule(string Code, AlertKind Kind, string? Item = null, int? Above = null, double? By = null);

public enum AlertKind
{
    ItemAbove,
    Deterioration,
}

/// <summary>Where a fidelity item sits in the two arms' checklists; the form itself never names an arm.</summary>
public enum FidelityTag
{
    PrescribedMediator,
    PrescribedModerator,
    Shared,
    Proscribed,
}

public enum FidelityDimension
{
    Adherence,
    Competence,
}
