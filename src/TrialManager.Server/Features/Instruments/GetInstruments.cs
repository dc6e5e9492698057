using Mediator;
using TrialManager.Domain.Instruments;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Instruments;

public sealed record GetInstruments : IQuery<IReadOnlyList<InstrumentView>>;

public sealed record GetInstrument(string Code) : IQuery<InstrumentView>;

/// <summary>
/// The definitions loaded at start: nothing here reads the database. An assessor, blind to the arm, gets the
/// instruments the participant answers only: the therapist's logs code their moves by the arms' protocols. The
/// formulation rating is listed with them (its anchored scale), for the roles that see raters' forms.
/// </summary>
public sealed class GetInstrumentsHandler(InstrumentCatalogue catalogue, IActorAccessor actors)
    : IQueryHandler<GetInstruments, IReadOnlyList<InstrumentView>>, IQueryHandler<GetInstrument, InstrumentView>
{
    public ValueTask<IReadOnlyList<InstrumentView>> Handle(GetInstruments query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<InstrumentView>>([
            .. catalogue.All.Where(i => Shown(i.Definition.Respondent)).Select(InstrumentView.From),
            .. Shown(FormulationInstrument.View.Respondent) ? [FormulationInstrument.View] : Array.Empty<InstrumentView>()]);

    public ValueTask<InstrumentView> Handle(GetInstrument query, CancellationToken cancellationToken)
    {
        if (query.Code == FormulationInstrument.Code)
        {
            return Shown(FormulationInstrument.View.Respondent)
                ? ValueTask.FromResult(FormulationInstrument.View)
                : throw new ForbiddenException("An assessor enters the instruments the participant answers; the formulation is rated by raters.");
        }

        var instrument = catalogue.Find(query.Code) ?? throw new NotFoundException($"No instrument with code {query.Code}.");
        return Shown(instrument.Definition.Respondent)
            ? ValueTask.FromResult(InstrumentView.From(instrument))
            : throw new ForbiddenException($"An assessor enters the instruments the participant answers; {query.Code} is not one of them.");
    }

    private bool Shown(InstrumentRespondent respondent) =>
        actors.Current.Role != Roles.Assessor || respondent == InstrumentRespondent.Participant;
}
