using System.Text.Json;
using Mediator;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages.Admin;

/// <summary>Admin: create a trial from its JSON definition (read exactly as POST /api/trials reads it) and move its status.</summary>
[PagePolicy(Policies.Admin)]
public sealed class TrialAdminModel(ISender sender, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : TrialPageModel
{
    [BindProperty]
    public string? Definition { get; set; }

    public IReadOnlyList<TrialView> Trials { get; private set; } = [];

    /// <summary>The next page of trials, while more remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(async () =>
    {
        Definition = await ExampleAsync(ct);
        await LoadTrialsAsync(after, ct);
    });

    public Task<IActionResult> OnPostCreateAsync(CancellationToken ct) => Attempt("definition", async () =>
    {
        await LoadTrialsAsync(null, ct);
        CreateTrial? command;
        try
        {
            command = JsonSerializer.Deserialize<CreateTrial>(Definition ?? string.Empty, json.Value.SerializerOptions);
        }
        catch (JsonException e)
        {
            throw RequestValidationException.For("definition",
                $"is not a valid trial definition in JSON{(e.Path is { Length: > 1 } path ? $" (at {path})" : "")}: line {e.LineNumber + 1}");
        }

        var trial = await sender.Send(command ?? throw RequestValidationException.For("definition", "is empty"), ct);
        Notice = $"Trial {trial.Id} created as a draft. Set it to recruiting to start screening.";
        return Redirect("/admin/trials");
    });

    public Task<IActionResult> OnPostStatusAsync(string trialId, string? status, CancellationToken ct) => Attempt("status-" + trialId, async () =>
    {
        await LoadTrialsAsync(null, ct);
        Definition = await ExampleAsync(ct);
        var trial = await sender.Send(new ChangeTrialStatus(trialId, status), ct);
        Notice = $"Trial {trial.Id} is now {trial.Status.Wire()}.";
        return Redirect("/admin/trials");
    });

    private async Task LoadTrialsAsync(string? after, CancellationToken ct)
    {
        var page = await sender.Send(new GetTrials(PageRequest.From(null, after)), ct);
        Trials = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "handler") : null;
    }

    /// <summary>The demo trial's definition as a starting point, with an id not yet taken.</summary>
    private async Task<string> ExampleAsync(CancellationToken ct)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "protocols", "demo-trial.json");
        return System.IO.File.Exists(path) ? await System.IO.File.ReadAllTextAsync(path, ct) : "{}";
    }
}
