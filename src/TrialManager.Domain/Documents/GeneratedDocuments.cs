namespace TrialManager.Domain.Documents;

public enum DocumentStatus
{
    Queued,
    Running,
    Ready,
    Failed,
}

/// <summary>
/// The protocol document owed to a randomized participant. Written in the same transaction as the allocation,
/// so the row itself is the outbox: whatever happens to the job, the debt is on record until it is Ready.
/// </summary>
public sealed class ProtocolDocument
{
    private ProtocolDocument()
    {
        ParticipantId = string.Empty;
    }

    public ProtocolDocument(string participantId, DateTimeOffset requestedAt)
    {
        ParticipantId = participantId;
        RequestedAt = requestedAt;
        Status = DocumentStatus.Queued;
    }

    public string ParticipantId { get; private set; }
    public DocumentStatus Status { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public string? Sha256 { get; private set; }
    public string? ProtocolId { get; private set; }
    public string? ProtocolVersion { get; private set; }
    public string? ProtocolSha256 { get; private set; }
    public DateTimeOffset? GeneratedAt { get; private set; }

    public void MarkRunning()
    {
        Status = DocumentStatus.Running;
        Attempts++;
    }

    public void MarkReady(string sha256, string protocolId, string protocolVersion, string protocolSha256, DateTimeOffset generatedAt)
    {
        Status = DocumentStatus.Ready;
        Sha256 = sha256;
        ProtocolId = protocolId;
        ProtocolVersion = protocolVersion;
        ProtocolSha256 = protocolSha256;
        GeneratedAt = generatedAt;
        LastError = null;
    }

    public void MarkFailed(string error)
    {
        Status = DocumentStatus.Failed;
        LastError = error;
    }
}

public enum ReportKind
{
    EthicsProgress,
}

/// <summary>A report for the ethics board; the queued row is its own outbox entry.</summary>
public sealed class Report
{
    private Report()
    {
        TrialId = RequestedBy = string.Empty;
    }

    public Report(Guid id, string trialId, ReportKind kind, bool scheduled, string requestedBy, DateTimeOffset createdAt)
    {
        Id = id;
        TrialId = trialId;
        Kind = kind;
        Scheduled = scheduled;
        RequestedBy = requestedBy;
        CreatedAt = createdAt;
        Status = DocumentStatus.Queued;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public ReportKind Kind { get; private set; }
    public bool Scheduled { get; private set; }
    public string RequestedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DocumentStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public string? Sha256 { get; private set; }
    public DateTimeOffset? GeneratedAt { get; private set; }

    public void MarkRunning()
    {
        Status = DocumentStatus.Running;
        Attempts++;
    }

    public void MarkReady(string sha256, DateTimeOffset generatedAt)
    {
        Status = DocumentStatus.Ready;
        Sha256 = sha256;
        GeneratedAt = generatedAt;
        LastError = null;
    }

    public void MarkFailed(string error)
    {
        Status = DocumentStatus.Failed;
        LastError = error;
    }
}
