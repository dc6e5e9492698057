using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Participants;

/// <summary>
/// The allocation of one participant, as recorded at randomization. Never updated or deleted: the database
/// holds one per participant and one per (trial, state key, sequence).
/// </summary>
public sealed class ParticipantAllocation
{
    private ParticipantAllocation()
    {
        ParticipantId = TrialId = Site = Stratum = StateKey = RandomizedBy = string.Empty;
        Levels = new Dictionary<string, string>();
    }

    public ParticipantAllocation(
        Participant participant, Trial trial, Formulation formulation, IReadOnlyDictionary<string, string> levels,
        string stateKey, Allocation allocation, string randomizedBy, DateTimeOffset randomizedAt)
    {
        ParticipantId = participant.Id;
        TrialId = trial.Id;
        Site = participant.Site;
        Formulation = formulation;
        Levels = levels;
        Method = trial.Definition.Randomization.Method;
        StateKey = stateKey;
        Stratum = allocation.Stratum;
        Sequence = allocation.Sequence;
        BlockNumber = allocation.BlockNumber;
        BlockSize = allocation.BlockSize;
        Arm = trial.Definition.Arms[allocation.Arm].Code;
        ImbalanceScores = allocation.ImbalanceScores is { } scores ? [.. scores] : null;
        PreferredArm = allocation.PreferredArm is { } preferred ? trial.Definition.Arms[preferred].Code : null;
        TookPreferred = allocation.TookPreferred;
        RandomizedBy = randomizedBy;
        RandomizedAt = randomizedAt;
    }

    public string ParticipantId { get; private set; }
    public string TrialId { get; private set; }
    public string Site { get; private set; }
    public Formulation Formulation { get; private set; }

    /// <summary>The participant's level on every factor, as the randomizer saw them.</summary>
    public IReadOnlyDictionary<string, string> Levels { get; private set; }

    public RandomizationMethod Method { get; private set; }

    /// <summary>Which randomization state row this allocation advanced (the stratum for blocks, "trial" otherwise).</summary>
    public string StateKey { get; private set; }

    public string Stratum { get; private set; }
    public int Sequence { get; private set; }
    public int? BlockNumber { get; private set; }
    public int? BlockSize { get; private set; }
    public ArmCode Arm { get; private set; }
    public IReadOnlyList<double>? ImbalanceScores { get; private set; }
    public ArmCode? PreferredArm { get; private set; }
    public bool? TookPreferred { get; private set; }
    public string RandomizedBy { get; private set; }
    public DateTimeOffset RandomizedAt { get; private set; }
}
