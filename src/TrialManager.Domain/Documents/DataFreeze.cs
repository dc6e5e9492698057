namespace TrialManager.Domain.Documents;

/// <summary>
/// A trial's data as of one moment, kept as the analysis export written then: every later download returns the same
/// bytes (its SHA-256 is recorded here and in the audit trail), whatever is recorded or corrected afterwards.
/// </summary>
public sealed class DataFreeze
{
    private DataFreeze()
    {
        TrialId = FrozenBy = Sha256 = string.Empty;
    }

    public DataFreeze(
        Guid id, string trialId, DateTimeOffset frozenAt, string frozenBy, string sha256, string? ethicsReportSha256 = null, string? dsmbReportSha256 = null)
    {
        Id = id;
        TrialId = trialId;
        FrozenAt = frozenAt;
        FrozenBy = frozenBy;
        Sha256 = sha256;
        EthicsReportSha256 = ethicsReportSha256;
        DsmbReportSha256 = dsmbReportSha256;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public DateTimeOffset FrozenAt { get; private set; }

    /// <summary>The statistician's key (or token) name.</summary>
    public string FrozenBy { get; private set; }

    /// <summary>SHA-256 of the export's zip, which is also its name in the document store.</summary>
    public string Sha256 { get; private set; }

    /// <summary>
    /// SHA-256 (and document-store name) of the ethics report's figures taken in the export's read snapshot, so an ethics
    /// report can be made from the freeze; null for a freeze made before reports were (it can make none).
    /// </summary>
    public string? EthicsReportSha256 { get; private set; }

    /// <summary>The same for the closed DSMB report's figures: read by the board alone, concealed in the audit trail.</summary>
    public string? DsmbReportSha256 { get; private set; }
}
