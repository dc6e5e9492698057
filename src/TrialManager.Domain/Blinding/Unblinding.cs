namespace TrialManager.Domain.Blinding;

/// <summary>
/// A blind person (an assessor) or an admin was told one participant's arm, for a stated reason. The row holds who and
/// why, never the arm: whoever may read the record already may, or may not, see the allocation itself.
/// </summary>
public sealed class Unblinding
{
    public const int MaxReasonLength = 2_000;

    private Unblinding()
    {
        TrialId = ParticipantId = UnblindedBy = Role = Reason = string.Empty;
    }

    public Unblinding(string trialId, string participantId, string unblindedBy, string role, string reason, DateTimeOffset unblindedAt)
    {
        Id = Guid.NewGuid();
        TrialId = trialId;
        ParticipantId = participantId;
        UnblindedBy = unblindedBy;
        Role = role;
        Reason = reason;
        UnblindedAt = unblindedAt;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }
    public string UnblindedBy { get; private set; }
    public string Role { get; private set; }
    public string Reason { get; private set; }
    public DateTimeOffset UnblindedAt { get; private set; }
}
