namespace TrialManager.Infrastructure.Documents;

/// <summary>Labels shared by the documents; arms and formulations are the lower-case strings the trial stores.</summary>
public static class DocumentLabels
{
    public static string WithdrawalCategory(string category) => category switch
    {
        "withdrewConsent" => "Withdrew consent",
        "lostToFollowUp" => "Lost to follow-up",
        "adverseEvent" => "Adverse event",
        "movedAway" => "Moved away",
        "clinicalDecision" => "Clinical decision",
        "other" => "Other",
        "unrecorded" => "Unrecorded (withdrawn before categories were recorded)",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown withdrawal category."),
    };

    public static string Arm(string arm) => arm switch
    {
        "mediator" => "Relationship as mediator",
        "moderator" => "Relationship as moderator",
        "comparator" => "Comparator (treatment chosen by diagnosis)",
        _ => throw new ArgumentOutOfRangeException(nameof(arm), arm, "Arm is 'mediator', 'moderator' or 'comparator'."),
    };

    public static string Formulation(string formulation) => formulation switch
    {
        "cognitive" => "Cognitive",
        "interpersonal" => "Interpersonal",
        "behavioral" => "Behavioral",
        "environmental" => "Environmental",
        _ => throw new ArgumentOutOfRangeException(nameof(formulation), formulation, "Unknown formulation."),
    };
}
