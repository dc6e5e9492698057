using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

/// <summary>POST /api/trials/{trialId}/therapists (admin): a therapist of one site, delivering some of the trial's arms.</summary>
public sealed record RegisterTherapist(string TrialId, string? Code, string? Site, List<string?>? Arms) : ICommand<TherapistView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record RegisterTherapistRequest(string? Code, string? Site, List<string?>? Arms);

public sealed record TherapistView(string Code, string Site, IReadOnlyList<string> Arms)
{
    public static TherapistView From(Therapist t) => new(t.Code, t.Site, [.. t.Arms.Select(a => a.Wire())]);
}

public sealed class RegisterTherapistValidator : AbstractValidator<RegisterTherapist>
{
    public RegisterTherapistValidator()
    {
        // The code is the name of the therapist's key or token, so it has a key name's shape.
        RuleFor(t => t.Code).NotEmpty().Matches("^[A-Za-z0-9._-]{1,40}$").WithMessage("is the name of the therapist's key: 1 to 40 letters, digits, '.', '_' or '-'");
        RuleFor(t => t.Site).NotEmpty();
        RuleFor(t => t.Arms).NotEmpty().WithMessage("is required: the arms this therapist delivers");
        RuleForEach(t => t.Arms).Must(a => Wire.TryParse<ArmCode>(a, out _)).WithMessage("must be mediator, moderator or comparator");
    }
}

public sealed class RegisterTherapistHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<RegisterTherapist, TherapistView>
{
    public async ValueTask<TherapistView> Handle(RegisterTherapist command, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(command.TrialId, cancellationToken);
        if (await db.Therapists.AnyAsync(t => t.TrialId == trial.Id && t.Code == command.Code, cancellationToken))
        {
            throw new WorkflowConflictException($"Therapist {command.Code} is already registered in trial {trial.Id}.");
        }

        var therapist = Therapist.Register(trial, command.Code!, command.Site!, [.. command.Arms!.Select(a => Wire.Parse<ArmCode>(a))], clock.GetUtcNow());
        db.Therapists.Add(therapist);
        return TherapistView.From(therapist);
    }
}
