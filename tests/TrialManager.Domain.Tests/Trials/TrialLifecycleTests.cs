using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Tests.Participants;
using TrialManager.Domain.Trials;
using static TrialManager.Domain.Trials.TrialStatus;

namespace TrialManager.Domain.Tests.Trials;

/// <summary>Every trial status against every target: draft -> recruiting &lt;-> paused -> closed.</summary>
public sealed class TrialLifecycleTests
{
    private static readonly HashSet<(TrialStatus From, TrialStatus To)> Legal =
        [(Draft, Recruiting), (Recruiting, Paused), (Recruiting, Closed), (Paused, Recruiting), (Paused, Closed)];

    public static TheoryData<TrialStatus, TrialStatus> AllMoves()
    {
        var data = new TheoryData<TrialStatus, TrialStatus>();
        foreach (var from in Enum.GetValues<TrialStatus>())
        {
            foreach (var to in Enum.GetValues<TrialStatus>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllMoves))]
    public void ChangeStatus_FollowsTheLifecycle(TrialStatus from, TrialStatus to)
    {
        var trial = TrialIn(from);

        if (from == to)
        {
            Assert.False(trial.ChangeStatus(to)); // already there: nothing to do, not an error
            Assert.Equal(from, trial.Status);
        }
        else if (Legal.Contains((from, to)))
        {
            Assert.True(trial.ChangeStatus(to));
            Assert.Equal(to, trial.Status);
        }
        else
        {
            var error = Assert.Throws<WorkflowConflictException>(() => trial.ChangeStatus(to));
            Assert.Equal($"The trial is {from.Wire()}; it cannot move to {to.Wire()}.", error.Message);
            Assert.Equal(from, trial.Status);
        }
    }

    [Theory]
    [InlineData(Draft)]
    [InlineData(Paused)]
    [InlineData(Closed)]
    public void Screening_OnlyWhileRecruiting(TrialStatus status)
    {
        var trial = TrialIn(status);

        var error = Assert.Throws<WorkflowConflictException>(() => Participant.Screen("p", trial, Walk.EligibleAnswers, Walk.Now));

        Assert.Contains($"The trial is {status.Wire()};", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewTrial_StartsAsDraft()
    {
        Assert.Equal(Draft, new Trial(Walk.Definition(), "seed", Walk.Now).Status);
    }

    private static Trial TrialIn(TrialStatus status)
    {
        var trial = new Trial(Walk.Definition(), "seed", Walk.Now);
        var path = status switch
        {
            Draft => Array.Empty<TrialStatus>(),
            Recruiting => [Recruiting],
            Paused => [Recruiting, Paused],
            Closed => [Recruiting, Closed],
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        foreach (var step in path)
        {
            trial.ChangeStatus(step);
        }

        Assert.Equal(status, trial.Status);
        return trial;
    }
}
