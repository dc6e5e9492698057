using Mediator;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Instruments;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// The fidelity form that rates session <see cref="Session"/> of a participant: their primary formulation's
/// (<see cref="FidelityForms"/>), the only one <see cref="RecordMeasure"/> accepts. For the rater's fidelity page, which
/// offers that form alone. The session must be recorded as attended, with <see cref="RecordMeasure"/>'s own 409 otherwise,
/// so the form (and with it the formulation) is told only for a session there is to rate, never before randomization.
/// </summary>
public sealed record GetFidelityForm(string ParticipantId, int? Session) : IQuery<InstrumentView>;

public sealed class GetFidelityFormHandler(TrialDbContext db, InstrumentCatalogue catalogue, IActorAccessor actors)
    : IQueryHandler<GetFidelityForm, InstrumentView>
{
    public async ValueTask<InstrumentView> Handle(GetFidelityForm query, CancellationToken cancellationToken)
    {
        if (query.Session is not { } session || session is < 1 or > 200)
        {
            throw RequestValidationException.For("session", "is required: the number of the recorded session, 1 to 200");
        }

        var participant = await db.LoadParticipantAsync(query.ParticipantId, actors.Current, cancellationToken);
        Measure.AttendedSession(participant, session);
        var code = participant.PrimaryFormulation is { } primary
            ? FidelityForms.CodeFor(primary)
            : throw new WorkflowConflictException("This participant has no primary formulation; there is no fidelity form for their sessions.");
        return catalogue.Find(code) is { } form
            ? InstrumentView.From(form)
            : throw new WorkflowConflictException($"This server has no fidelity form {code}.");
    }
}
