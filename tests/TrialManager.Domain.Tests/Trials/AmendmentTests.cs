using System.Text;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Tests.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Trials;

public sealed class AmendmentTests
{
    private static readonly DateOnly Approved = new(2026, 12, 4);

    private sealed class Texts : IProtocolTextVersions
    {
        public bool Exists(string id, string version) => id == "cognitive-mediator" && version is "1.0" or "1.1" or "1.2";

        public string? Base(string id) => id == "cognitive-mediator" ? "1.0" : null;
    }

    private static TrialAmendment Amendment(
        string version = "1.1", string[]? addSites = null, int? target = null, string? consent = null, Dictionary<string, string>? protocols = null) =>
        new(version, Approved.AddDays(1), new EthicsApproval("IRB-2026-114", Approved),
            new AmendmentChanges(addSites ?? [], target, consent, protocols ?? []), Walk.Now);

    private static void Amend(Trial trial, TrialAmendment amendment, params string[] fixedMembers) => trial.Amend(amendment, fixedMembers, new Texts(), randomized: 0);

    [Fact]
    public void Amend_AddsSitesAndTarget_KeepsTheBaseDefinitionAndTheDesign()
    {
        var trial = Walk.RecruitingTrial();
        var before = trial.Definition;

        Amend(trial, Amendment(addSites: ["SEA"], target: 300));

        Assert.Equal(["AAA", "BBB", "SEA"], trial.Definition.Sites);
        Assert.Equal(300, trial.Definition.TargetEnrollment);
        Assert.Equal("1.1", trial.DefinitionVersion);
        Assert.Same(before, trial.BaseDefinition);
        Assert.Equal(["AAA", "BBB"], trial.BaseDefinition.Sites);
        Assert.Equal(100, trial.BaseDefinition.TargetEnrollment);
        Assert.Same(before.Randomization, trial.Definition.Randomization);
        Assert.Same(before.Arms, trial.Definition.Arms);
    }

    [Fact]
    public void Amend_WhenTheTargetIsBelowTheNumberRandomized_IsAConflictThatSaysHowMany_AndThatNumberItselfIsATarget()
    {
        var trial = Walk.RecruitingTrial();

        var e = Assert.Throws<WorkflowConflictException>(() => trial.Amend(Amendment(target: 11), [], new Texts(), randomized: 12));
        var one = Assert.Throws<WorkflowConflictException>(() => trial.Amend(Amendment(target: 1), [], new Texts(), randomized: 2));

        Assert.Contains("12 participants are already randomized", e.Message, StringComparison.Ordinal);
        Assert.Contains("(11 asked)", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 participants are already randomized", one.Message, StringComparison.Ordinal);
        Assert.Empty(trial.Amendments);
        trial.Amend(Amendment(target: 12), [], new Texts(), randomized: 12);
        Assert.Equal(12, trial.Definition.TargetEnrollment);
    }

    [Fact]
    public void NewTrial_IsVersion1_0_WithoutConsentVersion() =>
        Assert.Equal(("1.0", (string?)null), (Walk.RecruitingTrial().DefinitionVersion, Walk.RecruitingTrial().ConsentVersion));

    [Theory]
    [InlineData("randomization")]
    [InlineData("hypothesis")]
    [InlineData("arms")]
    [InlineData("formulations")]
    public void Amend_WhenNamingADesignMemberAfterDraft_IsAConflictThatSaysWhy(string member)
    {
        var trial = Walk.RecruitingTrial();

        var e = Assert.Throws<WorkflowConflictException>(() => Amend(trial, Amendment(target: 300), member));

        Assert.Contains(member, e.Message, StringComparison.Ordinal);
        Assert.Contains("left draft", e.Message, StringComparison.Ordinal);
        Assert.Empty(trial.Amendments);
    }

    [Fact]
    public void Amend_WhenClosed_IsAConflict()
    {
        var trial = Walk.RecruitingTrial();
        trial.ChangeStatus(TrialStatus.Closed);

        Assert.Throws<WorkflowConflictException>(() => Amend(trial, Amendment(target: 300)));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("0.9")]
    [InlineData("1.1")]
    [InlineData("1.1.0")]
    [InlineData("v2")]
    public void Amend_WhenTheVersionDoesNotIncrease_IsRefused(string version)
    {
        var trial = Walk.RecruitingTrial();
        Amend(trial, Amendment("1.1", target: 300));

        var e = Assert.Throws<DomainValidationException>(() => Amend(trial, Amendment(version, target: 400)));

        Assert.Equal("version", e.Field);
        Assert.Single(trial.Amendments);
    }

    [Fact]
    public void Versions_CompareByNumber_NotByText()
    {
        Assert.True(DefinitionVersions.Compare("1.10", "1.9") > 0);
        Assert.Equal(0, DefinitionVersions.Compare("1.1", "1.1.0"));
        Assert.True(DefinitionVersions.Compare("2", "1.99") > 0);
    }

    [Fact]
    public void Versions_AreOrdered_ForAnyPairOfNumbers()
    {
        // Property: for dotted numbers the order is the order of their parts, whatever their digits' count.
        var random = new Random(17);
        for (var i = 0; i < 500; i++)
        {
            int[] a = [random.Next(0, 30), random.Next(0, 30)], b = [random.Next(0, 30), random.Next(0, 30)];
            var expected = a[0] != b[0] ? a[0].CompareTo(b[0]) : a[1].CompareTo(b[1]);
            Assert.Equal(Math.Sign(expected), Math.Sign(DefinitionVersions.Compare($"{a[0]}.{a[1]}", $"{b[0]}.{b[1]}")));
        }
    }

    [Fact]
    public void Amend_WhenASiteExists_IsRefusedWhateverItsCase()
    {
        var trial = Walk.RecruitingTrial();

        var e = Assert.Throws<DomainValidationException>(() => Amend(trial, Amendment(addSites: ["aaa"])));

        Assert.Equal("changes.addSites", e.Field);
    }

    [Fact]
    public void Amend_WithNothingToChange_IsRefused() =>
        Assert.Equal("changes", Assert.Throws<DomainValidationException>(() => Amend(Walk.RecruitingTrial(), Amendment())).Field);

    [Fact]
    public void Amend_WhenEffectiveBeforeItsApproval_IsRefused()
    {
        var early = Amendment(target: 300) with { EffectiveOn = Approved.AddDays(-1) };

        Assert.Equal("effectiveOn", Assert.Throws<DomainValidationException>(() => Amend(Walk.RecruitingTrial(), early)).Field);
    }

    [Fact]
    public void ConsentVersion_MustIncrease_AndTheLatestIsCurrent()
    {
        var trial = Walk.RecruitingTrial();
        Amend(trial, Amendment("1.1", consent: "2.0"));
        Amend(trial, Amendment("1.2", target: 200));

        Assert.Equal("2.0", trial.ConsentVersion);
        Assert.Equal("changes.consentVersion",
            Assert.Throws<DomainValidationException>(() => Amend(trial, Amendment("1.3", consent: "2.0"))).Field);
    }

    [Theory]
    [InlineData("cognitive-mediator", "1.9", "changes.protocolVersions.cognitive-mediator")]
    [InlineData("cognitive-mediator", "1.0", "changes.protocolVersions.cognitive-mediator")]
    [InlineData("no-such-text", "1.1", "changes.protocolVersions.no-such-text")]
    public void ProtocolVersions_MustExistAndBeNewer(string id, string version, string field)
    {
        var e = Assert.Throws<DomainValidationException>(() =>
            Amend(Walk.RecruitingTrial(), Amendment(protocols: new() { [id] = version })));

        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void ProtocolVersions_InForce_AreTheLatestPerText()
    {
        var trial = Walk.RecruitingTrial();
        Amend(trial, Amendment("1.1", protocols: new() { ["cognitive-mediator"] = "1.1" }));
        Amend(trial, Amendment("1.2", protocols: new() { ["cognitive-mediator"] = "1.2" }));

        Assert.Equal("1.2", trial.ProtocolVersions["cognitive-mediator"]);
        Assert.Throws<DomainValidationException>(() => Amend(trial, Amendment("1.3", protocols: new() { ["cognitive-mediator"] = "1.1" })));
    }

    [Fact]
    public void NewSite_GetsItsOwnStratum_AndLeavesEveryExistingStratumsSequenceAsItWas()
    {
        // Property over seeds: a stratum's sequence depends on the seed and its own key only, so allocations in a site
        // added by an amendment (interleaved anywhere) never shift an existing site's list, and the design is unchanged.
        var trial = Walk.RecruitingTrial();
        var design = trial.Definition.ToDesign();
        Amend(trial, Amendment(addSites: ["SEA"]));
        Assert.Equal(Describe(design), Describe(trial.Definition.ToDesign()));

        var random = new Random(5);
        for (var run = 0; run < 50; run++)
        {
            var seed = Encoding.UTF8.GetBytes($"seed-{random.Next()}");
            var alone = Sequence(new Randomizer(design, seed), "AAA", null, random.Next(1, 4));
            var interleaved = Sequence(new Randomizer(trial.Definition.ToDesign(), seed), "AAA", "SEA", random.Next(1, 4));
            Assert.Equal(alone, interleaved);
        }
    }

    private static string Describe(RandomizationDesign d) =>
        $"{d.Method}|{string.Join(",", d.Ratios)}|{string.Join(",", d.BlockSizes)}|{string.Join(",", d.StratifyBy)}|{string.Join(",", d.Factors)}|{d.Probability}|{d.Imbalance}";

    /// <summary>20 allocations in <paramref name="site"/>, with <paramref name="every"/>-th step also allocating in <paramref name="other"/>.</summary>
    private static List<int> Sequence(Randomizer randomizer, string site, string? other, int every)
    {
        var states = new Dictionary<string, string?>(StringComparer.Ordinal);
        Allocation Next(string s)
        {
            var levels = new Dictionary<string, string>(StringComparer.Ordinal) { ["formulation"] = "cognitive", ["site"] = s, ["severity"] = "low" };
            var key = randomizer.StateKey(levels);
            var allocation = randomizer.Allocate(states.GetValueOrDefault(key), levels, out var state);
            states[key] = state;
            return allocation;
        }

        var arms = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            if (other is not null && i % every == 0)
            {
                Next(other);
            }

            arms.Add(Next(site).Arm);
        }

        return arms;
    }
}
