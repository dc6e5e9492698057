using System.Globalization;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Pages.Trials;

/// <summary>The report forms' choice of data: now (empty) or a freeze, named in the table and the notice.</summary>
public static class ReportFreezes
{
    /// <summary>Empty is the data now; anything else must be a freeze id, never quietly read as "now".</summary>
    public static Guid? Parse(string? freezeId) =>
        string.IsNullOrWhiteSpace(freezeId) ? null
        : Guid.TryParse(freezeId, out var id) ? id
        : throw RequestValidationException.For("freezeId", "must be one of the freezes offered, or empty for the data now");

    public static string Of(ReportView report) => report.FreezeId is { } id ? $" from freeze {id.ToString()[..8]}…" : string.Empty;

    public static string Label(ReportFreeze freeze) =>
        $"as of the freeze of {freeze.FrozenAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({freeze.Id.ToString()[..8]}…)";
}
