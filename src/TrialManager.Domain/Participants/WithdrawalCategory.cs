namespace TrialManager.Domain.Participants;

/// <summary>
/// Why a participant withdrew, as a code: reports print these, never the free-text note (which can name people).
/// </summary>
public enum WithdrawalCategory
{
    WithdrewConsent,
    LostToFollowUp,
    AdverseEvent,
    MovedAway,
    ClinicalDecision,
    Other,
}
