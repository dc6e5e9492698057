using CsCheck;
using TrialManager.Domain.Documents;

namespace TrialManager.Domain.Tests.Documents;

/// <summary>The one lifecycle of protocol documents and reports, against a plain model of its rules.</summary>
public class OwedDocumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);

    private enum Op
    {
        Start,
        Fail,
        Complete,
    }

    /// <summary>An operation, the length of a failure's message and which of a few hashes a completion brings.</summary>
    private static readonly Gen<(Op Op, int ErrorLength, int Content)[]> Histories =
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 1_500], Gen.Int[0, 4]).Array[0, 25];

    private static Report NewReport() => new(Guid.NewGuid(), "trial-1", ReportKind.EthicsProgress, scheduled: false, "dev-ethics", Now);

    private static string Sha(int content) => new((char)('a' + content), 64);

    /// <summary>Applies one step; true when it was a start that began an attempt.</summary>
    private static bool Apply(OwedDocument document, (Op Op, int ErrorLength, int Content) step, int index)
    {
        switch (step.Op)
        {
            case Op.Start:
                return document.Start();
            case Op.Fail:
                document.Fail(new string('e', step.ErrorLength));
                return false;
            default:
                document.Complete(new DocumentContent(Sha(step.Content)), Now.AddMinutes(index));
                return false;
        }
    }

    [Fact]
    public void AnyHistory_FollowsTheLifecycle_StartsCountedUntilDone_TheLastFailureKept_TheFirstCompletionFinal()
    {
        Histories.Sample(history =>
        {
            var report = NewReport();
            (DocumentStatus Status, int Attempts, string? Error, string? Sha, DateTimeOffset? At) model = (DocumentStatus.Queued, 0, null, null, null);
            for (int i = 0; i < history.Length; i++)
            {
                var step = history[i];
                bool done = model.Status == DocumentStatus.Ready;
                bool started = Apply(report, step, i);
                if (!done)
                {
                    model = step.Op switch
                    {
                        Op.Start => (DocumentStatus.Running, model.Attempts + 1, model.Error, null, null),
                        Op.Fail => (DocumentStatus.Failed, model.Attempts, new string('e', Math.Min(step.ErrorLength, 1_000)), null, null),
                        _ => (DocumentStatus.Ready, model.Attempts, null, Sha(step.Content), Now.AddMinutes(i)),
                    };
                }

                Assert.Equal(step.Op == Op.Start && !done, started);
                Assert.Equal(model, (report.Status, report.Attempts, report.LastError, report.Sha256, report.GeneratedAt));
                Assert.Equal(model.Status == DocumentStatus.Ready, report.IsDone);
            }
        }, iter: 500);
    }

    [Fact]
    public void ADoneDocument_NeverChanges_WhateverFollows()
    {
        Gen.Select(Histories, Histories).Sample((before, after) =>
        {
            var report = NewReport();
            for (int i = 0; i < before.Length; i++)
            {
                Apply(report, before[i], i);
            }

            report.Complete(new DocumentContent(Sha(0)), Now.AddDays(1));
            var done = (report.Status, report.Attempts, report.LastError, report.Sha256, report.GeneratedAt);
            for (int i = 0; i < after.Length; i++)
            {
                Apply(report, after[i], i);
                Assert.Equal(done, (report.Status, report.Attempts, report.LastError, report.Sha256, report.GeneratedAt));
            }

            Assert.Equal(DocumentStatus.Ready, report.Status);
        }, iter: 300);
    }

    [Fact]
    public void AFailedDocument_IsRetried_AsANewAttempt_KeepingItsLastError_UntilDone()
    {
        var document = new ProtocolDocument("P-001", Now);
        Assert.True(document.Start());
        document.Fail("IOException: disk full");

        Assert.True(document.Start());
        Assert.Equal((DocumentStatus.Running, 2, "IOException: disk full"), (document.Status, document.Attempts, document.LastError));

        document.Complete(new ProtocolDocumentContent(Sha(1), "cognitive-a", "1.2", Sha(2)), Now);
        Assert.Equal((DocumentStatus.Ready, 2, null, Sha(1)), (document.Status, document.Attempts, document.LastError, document.Sha256));
        Assert.False(document.Start());
    }

    [Fact]
    public void AProtocolDocument_RecordsTheProtocolItCarries_AndRefusesContentThatNamesNone_ChangingNothing()
    {
        var document = new ProtocolDocument("P-001", Now);
        document.Start();

        Assert.Throws<ArgumentException>(() => document.Complete(new DocumentContent(Sha(1)), Now));
        Assert.Equal((DocumentStatus.Running, null, null, null), (document.Status, document.Sha256, document.ProtocolId, document.GeneratedAt));

        document.Complete(new ProtocolDocumentContent(Sha(1), "cognitive-a", "1.2", Sha(2)), Now);
        Assert.Equal((DocumentStatus.Ready, Sha(1), "cognitive-a", "1.2", Sha(2), (DateTimeOffset?)Now),
            (document.Status, document.Sha256, document.ProtocolId, document.ProtocolVersion, document.ProtocolSha256, document.GeneratedAt));
    }
}
