using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

/// <summary>Builds trials and walks participants to any status through the public API only.</summary>
internal static class Walk
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    public static readonly FormulationScores CognitiveLeads = new(4, 1, 0, 0);
    public static readonly FormulationScores InterpersonalLeads = new(0, 4, 1, 0);
    public static readonly FormulationScores Tied = new(3, 3, 0, 0);
    public static readonly FormulationScores BehavioralLeads = new(0, 1, 4, 0);

    public static TrialDefinition Definition(int minMargin = 1) => new()
    {
        Id = "t-domain",
        Title = "Domain test trial",
        TargetEnrollment = 100,
        Sites = ["AAA", "BBB"],
        Formulations = [Formulation.Cognitive, Formulation.Interpersonal],
        Arms = [new ArmDefinition(ArmCode.Mediator, 1), new ArmDefinition(ArmCode.Moderator, 1)],
        Randomization = new RandomizationSettings { Method = RandomizationMethod.PermutedBlocks, BlockSizes = [2, 4], StratifyBy = ["formulation", "site"] },
        Eligibility = new EligibilityCriteria(18, 65, 10, 27, ["psychosis", "bipolar", "activeSuicidality"]),
        FormulationRule = new FormulationRule(minMargin),
    };

    public static Trial RecruitingTrial(int minMargin = 1)
    {
        var trial = new Trial(Definition(minMargin), "seed", Now);
        trial.ChangeStatus(TrialStatus.Recruiting);
        return trial;
    }

    /// <summary>A therapist at site AAA delivering both arms.</summary>
    public static Therapist Therapist(Trial trial, string code = "T01") =>
        Domain.Therapy.Therapist.Register(trial, code, "AAA", [ArmCode.Mediator, ArmCode.Moderator], Now);

    public static ScreeningAnswers EligibleAnswers => new("AAA", 30, 15, [], 5, 5);

    /// <summary>A participant in <paramref name="status"/>, reached the way the server reaches it.</summary>
    public static (Participant Participant, Trial Trial) To(ParticipantStatus status)
    {
        var trial = RecruitingTrial();
        if (status == ParticipantStatus.ScreenFailed)
        {
            return (Participant.Screen("p", trial, EligibleAnswers with { AgeYears = 12 }, Now), trial);
        }

        var p = Participant.Screen("p", trial, EligibleAnswers, Now);
        switch (status)
        {
            case ParticipantStatus.Eligible:
                break;
            case ParticipantStatus.Declined:
                p.Decline(Now);
                break;
            case ParticipantStatus.Withdrawn:
                p.Withdraw(WithdrawalCategory.MovedAway, "moved away", Now);
                break;
            default:
                p.Consent("1.0", new DateOnly(2026, 11, 20));
                var scores = status switch
                {
                    ParticipantStatus.FormulationPending => Tied,
                    ParticipantStatus.Excluded => BehavioralLeads,
                    ParticipantStatus.Consented => null,
                    _ => CognitiveLeads,
                };
                if (scores is not null)
                {
                    p.RateFormulation(trial.Definition, "R01", scores, false, null, Now);
                }

                if (status is ParticipantStatus.Randomized or ParticipantStatus.FollowUp or ParticipantStatus.Completed)
                {
                    p.MarkRandomized(Now);
                    p.AssignTherapist(Therapist(trial), ArmCode.Mediator);
                }

                if (status == ParticipantStatus.FollowUp)
                {
                    p.StopTreatment(TreatmentStopCategory.ParticipantChoice, null, Now);
                }

                if (status == ParticipantStatus.Completed)
                {
                    p.Complete(Now);
                }

                if (status == ParticipantStatus.Ineligible)
                {
                    p.DeclareIneligible("bipolar", null, Now);
                }

                break;
        }

        Assert.Equal(status, p.Status);
        return (p, trial);
    }
}
