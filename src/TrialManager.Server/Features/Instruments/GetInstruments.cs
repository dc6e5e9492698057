using Mediator;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Instruments;

public sealed record GetInstruments : IQuery<IReadOnlyList<InstrumentView>>;

public sealed record GetInstrument(string Code) : IQuery<InstrumentView>;

/// <summary>The definitions loaded at start: nothing here reads the database or differs by role.</summary>
public sealed class GetInstrumentsHandler(InstrumentCatalogue catalogue)
    : IQueryHandler<GetInstruments, IReadOnlyList<InstrumentView>>, IQueryHandler<GetInstrument, InstrumentView>
{
    public ValueTask<IReadOnlyList<InstrumentView>> Handle(GetInstruments query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<InstrumentView>>([.. catalogue.All.Select(InstrumentView.From)]);

    public ValueTask<InstrumentView> Handle(GetInstrument query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InstrumentView.From(catalogue.Find(query.Code) ?? throw new NotFoundException($"No instrument with code {query.Code}.")));
}
