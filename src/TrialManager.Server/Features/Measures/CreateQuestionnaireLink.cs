using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Measures;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// POST /api/participants/{id}/questionnaire-links: a single-use link the participant opens on their phone to answer
/// one of their own questionnaires at a session or at a visit of the trial's schedule. The token is in the answer only; the database keeps its hash.
/// </summary>
public sealed record CreateQuestionnaireLink(string ParticipantId, string? Instrument, int? Session, string? Visit)
    : ICommand<QuestionnaireLinkView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record CreateQuestionnaireLinkRequest(string? Instrument, int? Session, string? Visit);

/// <summary>The link to hand to the participant (a path on this server) and when it stops working.</summary>
public sealed record QuestionnaireLinkView(string Url, DateTimeOffset ExpiresAt);

public sealed class CreateQuestionnaireLinkValidator : AbstractValidator<CreateQuestionnaireLink>
{
    public CreateQuestionnaireLinkValidator(InstrumentCatalogue catalogue)
    {
        // The same checks as recording the measure, so a link never leads to answers the server would refuse.
        RuleFor(l => l.Instrument).NotEmpty().Must(code => catalogue.Find(code!) is not null)
            .WithMessage(l => $"is not an instrument of this server ({string.Join(", ", catalogue.All.Select(i => i.Definition.Code).Distinct())})");
        // Exactly one of the two, as for the measure itself: never guessed.
        RuleFor(l => l.Session).NotNull().When(l => l.Visit is null)
            .WithMessage("is required (or visit): the session number or the visit code the answers belong to");
        RuleFor(l => l.Visit).Null().When(l => l.Session is not null).WithMessage("give session or visit, not both");
        RuleFor(l => l.Session).InclusiveBetween(1, 200);
        RuleFor(l => l.Visit).NotEmpty().MaximumLength(40).When(l => l.Visit is not null);
    }
}

public sealed class CreateQuestionnaireLinkHandler(
    TrialDbContext db, InstrumentCatalogue catalogue, IActorAccessor actors, TimeProvider clock, QuestionnaireLinkSettings settings)
    : ICommandHandler<CreateQuestionnaireLink, QuestionnaireLinkView>
{
    public async ValueTask<QuestionnaireLinkView> Handle(CreateQuestionnaireLink command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        // A coordinator's own sites, a therapist's own participants; anyone else's is a 404.
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var definition = catalogue.Find(command.Instrument!)!.Definition;
        var token = QuestionnaireTokens.NewToken();
        var now = clock.GetUtcNow();
        QuestionnaireLink link;
        if (command.Visit is { } visit)
        {
            // Visits are the blind assessor's outcome measures; the therapist knows the arm, so a therapist's link there
            // would let the treating side choose when and whether the outcome is taken. Coordinators link visits.
            if (actor.Role == Roles.Therapist)
            {
                throw new ForbiddenException("Visit questionnaires are linked by a coordinator; a therapist links the questionnaires of a session.");
            }

            var recorded = await db.Measures.AsNoTracking()
                .Where(m => m.ParticipantId == participant.Id && m.Instrument == definition.Code && m.Visit != null)
                .Select(m => m.Visit!)
                .ToListAsync(cancellationToken);
            link = QuestionnaireLink.ForVisit(
                participant, (await db.ReadTrialAsync(participant.TrialId, cancellationToken)).Definition.Schedule, definition, visit,
                recorded.Select(v => (definition.Code, v)), QuestionnaireTokens.Hash(token), actor.Name, now, settings.Lifetime);
        }
        else
        {
            var existing = await db.Measures.AsNoTracking()
                .Where(m => m.ParticipantId == participant.Id && m.Instrument == definition.Code && m.Session != null)
                .Select(m => m.Session!.Value)
                .ToListAsync(cancellationToken);
            link = QuestionnaireLink.ForSession(
                participant, definition, command.Session!.Value, existing.Select(s => (definition.Code, s)),
                QuestionnaireTokens.Hash(token), actor.Name, now, settings.Lifetime);
        }

        db.QuestionnaireLinks.Add(link);
        return new QuestionnaireLinkView(QuestionnaireTokens.PathOf(token), link.ExpiresAt);
    }
}
