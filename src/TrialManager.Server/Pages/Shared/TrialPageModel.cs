using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TrialManager.Domain.Common;
using TrialManager.Server.Common;

namespace TrialManager.Server.Pages.Shared;

/// <summary>
/// Base of every page: turns the same exceptions the API maps to 400/403/404/409 into messages on the page,
/// next to the field they name, so the rules stay in the commands and the page only shows their answers.
/// </summary>
public abstract class TrialPageModel : PageModel
{
    /// <summary>Set when the record could not be shown (unknown id, other site); the page shows it instead of content.</summary>
    public string? Problem { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public Actor Actor => Actor.From(User);

    /// <summary>
    /// Runs a page action. Validation errors land on their fields (keys as in the API: ageYears, scores.cognitive),
    /// a workflow conflict on <paramref name="formKey"/>; the page is shown again with what was typed.
    /// </summary>
    protected async Task<IActionResult> Attempt(string formKey, Func<Task<IActionResult>> action)
    {
        var status = StatusCodes.Status400BadRequest;
        try
        {
            return await action();
        }
        catch (RequestValidationException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                foreach (var message in messages)
                {
                    ModelState.AddModelError(field, message);
                }
            }
        }
        catch (DomainValidationException e)
        {
            ModelState.AddModelError(e.Field, e.Message);
        }
        catch (WorkflowConflictException e)
        {
            ModelState.AddModelError(formKey, e.Message);
            status = ConflictStatus;
        }
        catch (NotFoundException e)
        {
            return ShowProblem(StatusCodes.Status404NotFound, e.Message);
        }
        catch (ForbiddenException e)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, e.Message);
        }

        Response.StatusCode = status;
        return Page();
    }

    /// <summary>
    /// The status of a page refused by a workflow conflict (the API's 409). 400 on the pages that have always answered
    /// so; a page whose answer follows the API's overrides it with 409.
    /// </summary>
    protected virtual int ConflictStatus => StatusCodes.Status400BadRequest;

    /// <summary>Loads what a page shows; an unknown id or a record of another site becomes a message and its status.</summary>
    protected async Task<IActionResult> Show(Func<Task> load)
    {
        try
        {
            await load();
            return Page();
        }
        catch (NotFoundException e)
        {
            return ShowProblem(StatusCodes.Status404NotFound, e.Message);
        }
        catch (ForbiddenException e)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, e.Message);
        }
        catch (RequestValidationException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                ModelState.AddModelError(field, string.Join(" ", messages));
            }

            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
    }

    protected IActionResult ShowProblem(int status, string message)
    {
        Problem = message;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>Every message for a field, or an empty list.</summary>
    public IReadOnlyList<string> ErrorsFor(string key) =>
        ModelState.TryGetValue(key, out var entry) ? [.. entry.Errors.Select(e => e.ErrorMessage)] : [];
}
