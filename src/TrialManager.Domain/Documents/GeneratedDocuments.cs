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
/// owes it, so it is its own outbox entry: whatever happens to the job, the debt stays on record. Its lifecycle is
/// the same for every kind: queued, then running for each attempt (a retry after a failure, or a lost job's repeat),
/// failed with the last reason, until ready with the content's hash, which never changes after: a done document is
/// not started, failed or completed again, so a duplicate job is harmless and what signatures name stays fixed.
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

    public bool IsDone => Status == DocumentStatus.Ready;

    /// <summary>Begins an attempt; false (and nothing changes) when the document is already done.</summary>
    public bool Start()
    {
        if (IsDone)
        {
            return false;
        }

        Status = DocumentStatus.Running;
        Attempts++;
        return true;
    }

    /// <summary>Records why an attempt failed (its job retries); a done document keeps its content.</summary>
    public void Fail(string error)
    {
        if (IsDone)
        {
            return;
        }

        Status = DocumentStatus.Failed;
        LastError = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
    }

    /// <summary>Records the stored content; completing a done document again changes nothing (its hash stays the first).</summary>
    public void Complete(DocumentContent content, DateTimeOffset generatedAt)
    {
        if (IsDone)
        {
            return;
        }

        Accept(content);
        Status = DocumentStatus.Ready;
        Sha256 = content.Sha256;
        GeneratedAt = generatedAt;
        LastError = null;
    }

    /// <summary>Records what this kind of document keeps beside the hash; refuses content of another kind before any change.</summary>
    protected virtual void Accept(DocumentContent content)
    {
    }
}

/// <summary>What a finished document's content is: its SHA-256 (its name in the document store).</summary>
public record DocumentContent(string Sha256);

/// <summary>A protocol document's content also says which approved protocol text it carries.</summary>
public sealed record ProtocolDocumentContent(string Sha256, string ProtocolId, string ProtocolVersion, string ProtocolSha256)
    : DocumentContent(Sha256);

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

    protected override void Accept(DocumentContent content)
    {
        var protocol = content as ProtocolDocumentContent
                       ?? throw new ArgumentException("A protocol document's content names the protocol it carries.", nameof(content));
        ProtocolId = protocol.ProtocolId;
        ProtocolVersion = protocol.ProtocolVersion;
        ProtocolSha256 = protocol.ProtocolSha256;
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
}
