using Mediator;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Instruments;

public static class InstrumentEndpoints
{
    public const string WordingDirectorySetting = "TrialManager:Instruments:WordingDirectory";

    /// <summary>
    /// Loads the instruments from the protocols folder (and the licensed wording a trial configured) while the server
    /// is set up, so an invalid definition stops the start with a message naming the file and its problems.
    /// </summary>
    public static IServiceCollection AddInstrumentCatalogue(this IServiceCollection services, string protocolsDirectory, IConfiguration configuration) =>
        services.AddSingleton(InstrumentCatalogue.Load(
            Path.Combine(protocolsDirectory, InstrumentCatalogue.FolderName),
            configuration[WordingDirectorySetting] is { Length: > 0 } wording ? Path.GetFullPath(wording) : null));

    public static void MapInstrumentEndpoints(this IEndpointRouteBuilder app)
    {
        var instruments = app.MapGroup("/api/instruments").WithTags("Instruments");

        instruments.MapGet("/", async (PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetInstruments(), ct), page, i => i.Code))
            .RequireAuthorization(Policies.AnyRole)
            .WithSummary("Every instrument (newest version), by code: items, scales, subscales, scoring, missing-item rule, bands, alert rules, licence.");

        instruments.MapGet("/{code}", (string code, ISender sender, CancellationToken ct) => sender.Send(new GetInstrument(code), ct))
            .RequireAuthorization(Policies.AnyRole)
            .WithSummary("One instrument's definition; 404 for an unknown code.");
    }
}
