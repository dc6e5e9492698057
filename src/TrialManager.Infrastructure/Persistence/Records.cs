using TrialManager.Domain.Participants;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>The randomizer's opaque state for one (trial, state key): a stratum's current block, or the marginal counts.</summary>
public sealed class RandomizationState
{
    public required string TrialId { get; init; }
    public required string StateKey { get; init; }
    public required string State { get; set; }
    public int Allocated { get; set; }
}

/// <summary>The last study number issued at one site of one trial; study ids are gap-free per site.</summary>
public sealed class SiteCounter
{
    public required string TrialId { get; init; }
    public required string Site { get; init; }
    public int LastNumber { get; set; }
}

/// <summary>
/// How many participants of one site of a trial are in one status, and how many of those were randomized: the counts
/// the trial list shows, kept by the write path as participants change (a grouped count per request read every
/// participant of the trial). Rows at zero stay.
/// </summary>
public sealed class ParticipantCount
{
    public required string TrialId { get; init; }
    public required string Site { get; init; }
    public required ParticipantStatus Status { get; init; }
    public int Participants { get; set; }
    public int Randomized { get; set; }
}
