using Microsoft.Extensions.DependencyInjection;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Exports;

namespace TrialManager.Integration.Tests.Exports;

/// <summary>
/// The export's measure files as each table writes it reading the measures alone (as the export wrote them before it
/// read the measures once for all three): an export's item_responses.csv, scores.csv and visits.csv must equal these
/// byte for byte.
/// </summary>
internal static class MeasureFilesReadAlone
{
    public static readonly string[] Files = [ExportTables.ItemResponsesFile, ExportTables.ScoresFile, ExportTables.VisitsFile];

    public static async Task<Dictionary<string, byte[]>> RenderAsync(TrialServer server, string trialId)
    {
        await using var scope = server.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        var trial = await db.ReadTrialAsync(trialId, CancellationToken.None);
        var tables = new ExportTables(db, scope.ServiceProvider.GetRequiredService<InstrumentCatalogue>(), trial, new Dictionary<string, bool>()).All();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var table in tables.Where(t => Files.Contains(t.File)))
        {
            using var body = new MemoryStream();
            await AnalysisExport.WriteCsvAsync(body, [.. table.Columns.Select(c => c.Variable)], table.Rows(CancellationToken.None), CancellationToken.None);
            files[table.File] = body.ToArray();
        }

        return files;
    }

    public static void AssertEqual(Dictionary<string, byte[]> alone, ExportZip zip)
    {
        foreach (var file in Files)
        {
            Assert.True(alone[file].AsSpan().SequenceEqual(zip.Entries[file]),
                $"{file}: the export's {zip.Entries[file].Length} bytes differ from the {alone[file].Length} its table writes reading alone");
        }
    }
}
