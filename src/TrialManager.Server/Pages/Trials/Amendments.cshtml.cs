using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The trial's definition versions and amendments (admin), and a form that records an amendment through the API's
/// <see cref="AmendTrial"/>: its 400s land on their fields and its 409s (a design member named, a closed trial) on the form.
/// </summary>
[PagePolicy(Policies.Admin)]
public sealed class AmendmentsModel(ISender sender) : TrialPageModel
{
    /// <summary>The design members an amendment may name only to be told why not (<see cref="AmendmentChangesRequest.FixedMembersNamed"/>).</summary>
    public static readonly string[] DesignMembers = ["randomization", "hypothesis", "arms", "formulations"];

    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    [BindProperty]
    public string? Version { get; set; }

    [BindProperty]
    public DateOnly? EffectiveOn { get; set; }

    [BindProperty]
    public string? EthicsReference { get; set; }

    [BindProperty]
    public DateOnly? EthicsDate { get; set; }

    /// <summary>Site codes separated by commas or spaces.</summary>
    [BindProperty]
    public string? AddSites { get; set; }

    /// <summary>Typed as text so that a value that is not a number is refused here, never sent as "no change".</summary>
    [BindProperty]
    public string? TargetEnrollment { get; set; }

    [BindProperty]
    public string? ConsentVersion { get; set; }

    /// <summary>One "text id = version" a line.</summary>
    [BindProperty]
    public string? ProtocolVersions { get; set; }

    [BindProperty]
    public string? DesignMember { get; set; }

    [BindProperty]
    public string? DesignValue { get; set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<AmendmentView> Amendments { get; private set; } = [];

    /// <summary>A design member named after draft, or a closed trial, is the API's 409 here too (issue 17), not a 400.</summary>
    protected override int ConflictStatus => StatusCodes.Status409Conflict;

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(() => LoadAsync(ct));

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Attempt("amend", async () =>
    {
        await LoadAsync(ct);
        if (DesignMember is not null && !DesignMembers.Contains(DesignMember))
        {
            throw RequestValidationException.For("designMember", $"must be one of {string.Join(", ", DesignMembers)}, or none");
        }

        var changes = new AmendmentChangesRequest(
            Sites(), Target(), Blank(ConsentVersion), Protocols(),
            Design("randomization"), Design("hypothesis"), Design("arms"), Design("formulations"));
        var amendment = await sender.Send(new AmendTrial(
            TrialId, Blank(Version), EffectiveOn,
            EthicsReference is null && EthicsDate is null ? null : new EthicsApprovalRequest(Blank(EthicsReference), EthicsDate), changes), ct);
        Notice = $"Amendment {amendment.Version} recorded (ethics approval {amendment.EthicsApproval.Reference}); the definition is now version {amendment.Version}.";
        return Redirect($"/trials/{TrialId}/amendments");
    });

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private List<string?>? Sites() =>
        Blank(AddSites) is { } sites ? [.. sites.Split([',', ' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)] : null;

    private int? Target()
    {
        if (Blank(TargetEnrollment) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var target)
            ? target
            : throw RequestValidationException.For("changes.targetEnrollment", "must be a whole number of participants");
    }

    private Dictionary<string, string?>? Protocols()
    {
        if (Blank(ProtocolVersions) is not { } text)
        {
            return null;
        }

        var versions = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !versions.TryAdd(parts[0], Blank(parts[1])))
            {
                throw RequestValidationException.For("changes.protocolVersions", $"each line is a protocol text id, '=' and its version, once per id (not \"{line}\")");
            }
        }

        return versions;
    }

    /// <summary>The design member chosen, with its new value as JSON: the command refuses it with the reason (409).</summary>
    private JsonElement? Design(string member)
    {
        if (DesignMember != member)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(Blank(DesignValue) ?? "null").RootElement.Clone();
        }
        catch (JsonException)
        {
            throw RequestValidationException.For("designValue", "must be the new value as JSON, e.g. {\"method\": \"simple\"}");
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        Amendments = await sender.Send(new GetAmendments(TrialId), ct);
    }
}
