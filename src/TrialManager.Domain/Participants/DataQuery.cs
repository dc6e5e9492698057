using TrialManager.Domain.Common;

namespace TrialManager.Domain.Participants;

/// <summary>
/// A data query (the data-cleaning loop of an EDC): a monitor asks about one recorded value, the participant's site
/// answers, with a correction or without. Open until answered; never deleted.
/// </summary>
public sealed class DataQuery
{
    private DataQuery()
    {
        TrialId = ParticipantId = Site = Target = Field = Question = RaisedBy = string.Empty;
    }

    public DataQuery(Participant participant, string target, string field, string question, string raisedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(participant);
        Id = Guid.NewGuid();
        TrialId = participant.TrialId;
        ParticipantId = participant.Id;
        Site = participant.Site;
        Target = target;
        Field = field;
        Question = question;
        RaisedBy = raisedBy;
        RaisedAt = now;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }

    /// <summary>The participant's site when the query was raised: who answers it, and whose list shows it.</summary>
    public string Site { get; private set; }

    public string Target { get; private set; }
    public string Field { get; private set; }
    public string Question { get; private set; }
    public string RaisedBy { get; private set; }
    public DateTimeOffset RaisedAt { get; private set; }
    public string? Answer { get; private set; }
    public string? AnsweredBy { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }

    /// <summary>The correction the answer made, if any.</summary>
    public Guid? CorrectionId { get; private set; }

    public bool IsOpen => AnsweredAt is null;

    /// <summary>Answers the query once; a second answer is a conflict (raise a new query instead).</summary>
    public void Close(string answer, Guid? correctionId, string answeredBy, DateTimeOffset now)
    {
        if (!IsOpen)
        {
            throw new WorkflowConflictException($"The query was already answered by {AnsweredBy}; raise a new query to ask again.");
        }

        Answer = answer;
        CorrectionId = correctionId;
        AnsweredBy = answeredBy;
        AnsweredAt = now;
    }
}
