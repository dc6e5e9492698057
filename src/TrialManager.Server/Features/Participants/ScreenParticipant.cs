using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

/// <summary>POST /api/trials/{trialId}/participants: screen a new participant. No names, no birth dates.</summary>
public sealed record ScreenParticipant(
    string TrialId, string? Site, int? AgeYears, int? Severity, List<string?>? Exclusions, int? Motivation, int? Expectancy)
    : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record ScreenParticipantRequest(string? Site, int? AgeYears, int? Severity, List<string?>? Exclusions, int? Motivation, int? Expectancy);

public sealed class ScreenParticipantValidator : AbstractValidator<ScreenParticipant>
{
    public ScreenParticipantValidator()
    {
        RuleFor(s => s.Site).NotEmpty().Matches("^[A-Za-z0-9]{1,16}$").WithMessage("must be a site code of the trial");
        RuleFor(s => s.AgeYears).NotNull().InclusiveBetween(0, 120).WithMessage("must be between 0 and 120");
        RuleFor(s => s.Severity).NotNull().InclusiveBetween(0, 1000).WithMessage("must be between 0 and 1000");
        // Absent is "not asked", which must not pass for "none apply": that is an empty list.
        RuleFor(s => s.Exclusions).NotNull().WithMessage("is required: the exclusion criteria that apply, or [] when none apply")
            .Must(e => e!.Count <= 50).WithMessage("at most 50 exclusions");
        RuleForEach(s => s.Exclusions).NotEmpty().Matches("^[a-zA-Z][a-zA-Z0-9]{0,39}$")
            .WithMessage("an exclusion is a criterion code, e.g. psychosis");
        RuleFor(s => s.Motivation).InclusiveBetween(0, 10).WithMessage("must be between 0 and 10");
        RuleFor(s => s.Expectancy).InclusiveBetween(0, 10).WithMessage("must be between 0 and 10");
    }
}

public sealed class ScreenParticipantHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<ScreenParticipant, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(ScreenParticipant command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var trial = await db.LoadTrialAsync(command.TrialId, cancellationToken);
        var site = trial.Definition.Sites.FirstOrDefault(s => string.Equals(s, command.Site, StringComparison.OrdinalIgnoreCase))
            ?? throw RequestValidationException.For("site", $"must be one of the trial's sites: {string.Join(", ", trial.Definition.Sites)}");
        if (!actor.MaySeeSite(site))
        {
            throw new ForbiddenException($"Your key is limited to sites {string.Join(", ", actor.Sites)}.");
        }

        var exclusions = command.Exclusions!.Select(e => e!).ToList();
        var unknown = exclusions.FirstOrDefault(e => !trial.Definition.Eligibility.Exclusions.Contains(e, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw RequestValidationException.For("exclusions",
                $"'{unknown}' is not an exclusion criterion of this trial ({string.Join(", ", trial.Definition.Eligibility.Exclusions)})");
        }

        trial.EnsureRecruiting("screening");
        var answers = new ScreeningAnswers(site, command.AgeYears!.Value, command.Severity!.Value, exclusions, command.Motivation, command.Expectancy);
        var participant = Participant.Screen(await NextStudyIdAsync(trial.Id, site, cancellationToken), trial, answers, clock.GetUtcNow());
        db.Participants.Add(participant);
        return ParticipantView.From(participant, null);
    }

    /// <summary>The site's next study id (<see cref="SiteStudyNumbers"/>): the counter row is read and saved under the write gate.</summary>
    private async Task<string> NextStudyIdAsync(string trialId, string site, CancellationToken cancellationToken)
    {
        var counter = await db.SiteCounters.SingleOrDefaultAsync(c => c.TrialId == trialId && c.Site == site, cancellationToken);
        if (counter is null)
        {
            counter = new SiteCounter { TrialId = trialId, Site = site };
            db.SiteCounters.Add(counter);
        }

        var numbers = new SiteStudyNumbers(trialId, site, counter.LastNumber);
        var studyId = numbers.IssueStudyId();
        counter.LastNumber = numbers.LastIssued;
        return studyId;
    }
}
