using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Measures;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// POST /api/participants/{id}/questionnaire-links: a single-use link the participant opens on their phone to answer
/// one of their own questionnaires at a session. The token is in the answer only; the database keeps its hash.
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
        RuleFor(l => l.Session).NotNull().WithMessage("is required: the session the answers belong to").InclusiveBetween(1, 200);
        // Visit measures need the trial's schedule, which this server does not take yet: refused, never guessed.
        RuleFor(l => l.Visit).Null().WithMessage("visit questionnaires are not supported yet; link the questionnaire to its session");
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
        var existing = await db.Measures.AsNoTracking()
            .Where(m => m.ParticipantId == participant.Id && m.Instrument == definition.Code && m.Session != null)
            .Select(m => m.Session!.Value)
            .ToListAsync(cancellationToken);

        var token = QuestionnaireTokens.NewToken();
        var now = clock.GetUtcNow();
        var link = QuestionnaireLink.ForSession(
            participant, definition, command.Session!.Value, existing.Select(s => (definition.Code, s)),
            QuestionnaireTokens.Hash(token), actor.Name, now, settings.Lifetime);
        db.QuestionnaireLinks.Add(link);
        return new QuestionnaireLinkView(QuestionnaireTokens.PathOf(token), link.ExpiresAt);
    }
}
