using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;

namespace TrialManager.Domain.Tests.Documents;

public class ReportSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);

    private static Report Queued() => new(Guid.NewGuid(), "trial-1", ReportKind.EthicsProgress, scheduled: false, "dev-ethics", Now);

    [Fact]
    public void Sign_AReadyReport_NamesItsContentHash_AndLeavesTheReportAsItWas()
    {
        var report = Queued();
        var sha = new string('a', 64);
        report.Complete(new DocumentContent(sha), Now);

        var signature = ReportSignature.Sign(report, "dev-ethics", "ethics", SignatureMeaning.Approved, Now.AddMinutes(5));

        Assert.Equal((report.Id, "dev-ethics", "ethics", SignatureMeaning.Approved, Now.AddMinutes(5), sha),
            (signature.ReportId, signature.Signer, signature.Role, signature.Meaning, signature.SignedAt, signature.ContentSha256));
        Assert.Equal((DocumentStatus.Ready, sha), (report.Status, report.Sha256));
    }

    [Fact]
    public void Sign_AReportNotReady_IsAConflictNamingItsStatus()
    {
        var queued = Queued();
        var failed = Queued();
        failed.Fail("boom");

        Assert.Contains("queued", Assert.Throws<WorkflowConflictException>(() => ReportSignature.Sign(queued, "e", "ethics", SignatureMeaning.Reviewed, Now)).Message, StringComparison.Ordinal);
        Assert.Contains("failed", Assert.Throws<WorkflowConflictException>(() => ReportSignature.Sign(failed, "e", "ethics", SignatureMeaning.Reviewed, Now)).Message, StringComparison.Ordinal);
    }
}
