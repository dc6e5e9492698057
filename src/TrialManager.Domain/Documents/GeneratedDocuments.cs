namespace TrialManager.Domain.Documents;

public enum DocumentStatus
{
    Queued,
    Running,
    Ready,
    Failed,
}

/// <summary>
/// A generated PDF that is owed until it is Ready. The row is written in the same transaction as the change that
/// owes it, so it is its own outbox entry: whatever happens to the job, the debt stays on record.
/// </summary>
public abstract class OwedDocument
{
    private const int MaxErrorLength = 1_000;

    public DocumentStatus Status { get; private set; } = DocumentStatus.Queued;
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>SHA-256 of the PDF, which is also its name in the document store.</summary>
    public string? Sha256 { get; private set; }

    public DateTimeOffset? GeneratedAt { get; private set; }

    public void MarkRunning()
    {
        Status = DocumentStatus.Running;
        Attempts++;
    }

    public void MarkFailed(string error)
    {
        Status = DocumentStatus.Failed;
        LastError = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
    }

    protected void MarkReady(string sha256, DateTimeOffset generatedAt)
    {
        Status = DocumentStatus.Ready;
        Sha256 = sha256;
        GeneratedAt = generatedAt;
        LastError = null;
    }
}

/// <summary>The protocol document owed to a randomized participant, recorded with the allocation.</summary>
public sealed class ProtocolDocument : OwedDocument
{
    private ProtocolDocument()
    {
        ParticipantId = string.Empty;
    }

    public ProtocolDocument(string participantId, DateTimeOffset requestedAt)
    {
        ParticipantId = participantId;
        RequestedAt = requestedAt;
    }

    public string ParticipantId { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }

    /// <summary>Which approved protocol text the therapist received: id, version and the file's SHA-256.</summary>
    public string? ProtocolId { get; private set; }

    public string? ProtocolVersion { get; private set; }
    public string? ProtocolSha256 { get; private set; }

    public void MarkReady(string sha256, string protocolId, string protocolVersion, string protocolSha256, DateTimeOffset generatedAt)
    {
        MarkReady(sha256, generatedAt);
        ProtocolId = protocolId;
        ProtocolVersion = protocolVersion;
        ProtocolSha256 = protocolSha256;
    }
}

public enum ReportKind
{
    /// <summary>Open, pooled over the arms: for the ethics board (and anyone who may read reports).</summary>
    EthicsProgress,

    /// <summary>Closed, by arm: requested and read by the data and safety monitoring board alone.</summary>
    DsmbClosed,
}

/// <summary>A report for the ethics board or the DSMB, requested by a person or (the ethics report) by the schedule.</summary>
public sealed class Report : OwedDocument
{
    private Report()
    {
        TrialId = RequestedBy = string.Empty;
    }

    public Report(Guid id, string trialId, ReportKind kind, bool scheduled, string requestedBy, DateTimeOffset createdAt, Guid? freezeId = null)
    {
        CreatedAt = createdAt;
        FreezeId = freezeId;
        Id = id;
        TrialId = trialId;
        Kind = kind;
        Scheduled = scheduled;
        RequestedBy = requestedBy;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public ReportKind Kind { get; private set; }
    public bool Scheduled { get; private set; }
    public string RequestedBy { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The freeze whose figures the report shows (the data as of the freeze); null for the data as of generation.</summary>
    public Guid? FreezeId { get; private set; }

    public new void MarkReady(string sha256, DateTimeOffset generatedAt) => base.MarkReady(sha256, generatedAt);
}
