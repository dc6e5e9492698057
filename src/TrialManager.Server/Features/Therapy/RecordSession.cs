using FluentValidation;
using Mediator;
using TrialManager.Domain.Therapy;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

/// <summary>
/// POST /api/participants/{id}/sessions: one numbered session, by the participant's therapist (a therapist key reaches
/// only their own participants) or a coordinator.
/// </summary>
public sealed record RecordSession(string ParticipantId, int? Number, DateOnly? Date, string? Attendance) : ICommand<SessionView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RecordSessionRequest(int? Number, DateOnly? Date, string? Attendance);

public sealed class RecordSessionValidator : AbstractValidator<RecordSession>
{
    public RecordSessionValidator(TimeProvider clock)
    {
        RuleFor(s => s.Number).NotNull().InclusiveBetween(1, 200);
        RuleFor(s => s.Date).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1))).WithMessage("must not be in the future");
        RuleFor(s => s.Attendance).Must(a => Wire.TryParse<SessionAttendance>(a, out _))
            .WithMessage("is required: attended, cancelled or noShow");
    }
}

public sealed class RecordSessionHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<RecordSession, SessionView>
{
    public async ValueTask<SessionView> Handle(RecordSession command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var session = participant.RecordSession(
            command.Number!.Value, command.Date!.Value, Wire.Parse<SessionAttendance>(command.Attendance), actor.Name, clock.GetUtcNow());
        return SessionView.From(session);
    }
}
