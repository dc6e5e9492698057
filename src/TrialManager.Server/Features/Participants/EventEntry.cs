using FluentValidation;
using TrialManager.Domain.Participants;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// The body of a new event, as the events route and the alert-to-event route take it: adverse events require their
/// safety fields, protocol deviations take none of them.
/// </summary>
public interface IEventEntry
{
    string? Type { get; }
    DateOnly? OccurredOn { get; }
    string? Description { get; }
    IReadOnlyList<string>? Serious { get; }
    string? Severity { get; }
    string? Relatedness { get; }
    bool? Expected { get; }
    string? Outcome { get; }
    DateOnly? ResolvedOn { get; }
}

public sealed record EventEntryRequest(
    string? Type, DateOnly? OccurredOn, string? Description, IReadOnlyList<string>? Serious, string? Severity, string? Relatedness, bool? Expected,
    string? Outcome, DateOnly? ResolvedOn);

public static class EventEntry
{
    /// <summary>The safety fields as the domain takes them; null for a protocol deviation. Call after validation.</summary>
    public static AdverseEventDetails? Details(IEventEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return AdverseEventRules.IsAdverse(Wire.Parse<ParticipantEventType>(entry.Type))
            ? new AdverseEventDetails(
                [.. entry.Serious!.Select(Wire.Parse<SeriousnessCriterion>)], Wire.Parse<EventSeverity>(entry.Severity),
                Wire.Parse<EventRelatedness>(entry.Relatedness), entry.Expected!.Value, Wire.Parse<EventOutcome>(entry.Outcome), entry.ResolvedOn)
            : null;
    }

    internal static string Codes<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(Domain.Common.WireNames.Wire));
}

/// <summary>Each field named on its own: a missing or misspelled one is a 400 that says which, never a default.</summary>
public abstract class EventEntryValidator<T> : AbstractValidator<T> where T : IEventEntry
{
    protected EventEntryValidator(TimeProvider clock)
    {
        var latest = () => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1));
        RuleFor(e => e.Type).Must(t => Wire.TryParse<ParticipantEventType>(t, out _))
            .WithMessage("must be adverseEvent, seriousAdverseEvent or protocolDeviation");
        RuleFor(e => e.OccurredOn).NotNull()
            .Must(d => d >= new DateOnly(2000, 1, 1) && d <= latest())
            .WithMessage("must be a real date, not in the future");
        RuleFor(e => e.Description).NotEmpty().MaximumLength(4_000);
        RuleFor(e => e).Custom((e, context) =>
        {
            if (!Wire.TryParse<ParticipantEventType>(e.Type, out var type))
            {
                return;
            }

            if (!AdverseEventRules.IsAdverse(type))
            {
                foreach (var (field, present) in new (string, bool)[]
                         {
                             ("serious", e.Serious is not null), ("severity", e.Severity is not null), ("relatedness", e.Relatedness is not null),
                             ("expected", e.Expected is not null), ("outcome", e.Outcome is not null), ("resolvedOn", e.ResolvedOn is not null),
                         })
                {
                    if (present)
                    {
                        context.AddFailure(field, "a protocol deviation takes only type, occurredOn and description");
                    }
                }

                return;
            }

            var valid = true;
            if (e.Serious is null)
            {
                context.AddFailure("serious", $"is required: the seriousness criteria met ({EventEntry.Codes<SeriousnessCriterion>()}), [] when none");
                valid = false;
            }
            else if (e.Serious.Any(c => !Wire.TryParse<SeriousnessCriterion>(c, out _)))
            {
                var unknown = e.Serious.First(c => !Wire.TryParse<SeriousnessCriterion>(c, out _)) ?? "null";
                context.AddFailure("serious", $"'{unknown}' is not a seriousness criterion ({EventEntry.Codes<SeriousnessCriterion>()})");
                valid = false;
            }

            valid &= Coded<EventSeverity>(context, "severity", e.Severity);
            valid &= Coded<EventRelatedness>(context, "relatedness", e.Relatedness);
            valid &= Coded<EventOutcome>(context, "outcome", e.Outcome);
            if (e.Expected is null)
            {
                context.AddFailure("expected", "is required: true when the event is expected for this therapy, false when not");
                valid = false;
            }

            if (e.ResolvedOn is { } resolved && (resolved < new DateOnly(2000, 1, 1) || resolved > latest()))
            {
                context.AddFailure("resolvedOn", "must be a real date, not in the future");
                valid = false;
            }

            if (valid && e.OccurredOn is { } occurredOn)
            {
                foreach (var (field, error) in AdverseEventRules.Check(type, occurredOn, EventEntry.Details(e)))
                {
                    context.AddFailure(field, error);
                }
            }
        });
    }

    private static bool Coded<TCode>(ValidationContext<T> context, string field, string? text) where TCode : struct, Enum
    {
        if (Wire.TryParse<TCode>(text, out _))
        {
            return true;
        }

        context.AddFailure(field, text is null ? $"is required: one of {EventEntry.Codes<TCode>()}" : $"must be one of {EventEntry.Codes<TCode>()}");
        return false;
    }
}
