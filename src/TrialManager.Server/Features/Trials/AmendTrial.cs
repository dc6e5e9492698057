using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Trials;

/// <summary>
/// POST /api/trials/{id}/amendments: a new definition version with its ethics approval. The design members are known
/// fields here on purpose: naming one is a 409 that says why, not a 400 for an unknown field.
/// </summary>
public sealed record AmendTrial(string TrialId, string? Version, DateOnly? EffectiveOn, EthicsApprovalRequest? EthicsApproval, AmendmentChangesRequest? Changes)
    : ICommand<AmendmentView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record AmendTrialRequest(string? Version, DateOnly? EffectiveOn, EthicsApprovalRequest? EthicsApproval, AmendmentChangesRequest? Changes);

public sealed record EthicsApprovalRequest(string? Reference, DateOnly? Date);

public sealed record AmendmentChangesRequest(
    List<string?>? AddSites,
    int? TargetEnrollment,
    string? ConsentVersion,
    Dictionary<string, string?>? ProtocolVersions,
    JsonElement? Randomization,
    JsonElement? Hypothesis,
    JsonElement? Arms,
    JsonElement? Formulations)
{
    /// <summary>The design members the request names (<see cref="DefinitionVersions.FixedMembers"/>), in that order.</summary>
    public IReadOnlyList<string> FixedMembersNamed =>
        [.. new[] { ("randomization", Randomization), ("hypothesis", Hypothesis), ("arms", Arms), ("formulations", Formulations) }
            .Where(m => m.Item2 is not null).Select(m => m.Item1)];
}

public sealed class AmendTrialValidator : AbstractValidator<AmendTrial>
{
    public AmendTrialValidator()
    {
        RuleFor(a => a.Version).NotEmpty().WithMessage("is required")
            .Must(DefinitionVersions.IsVersion).WithMessage("must be a version such as 1.1");
        RuleFor(a => a.EffectiveOn).NotNull().WithMessage("is required");
        RuleFor(a => a.EthicsApproval).NotNull().WithMessage("is required: the approval's reference and date");
        When(a => a.EthicsApproval is not null, () =>
        {
            RuleFor(a => a.EthicsApproval!.Reference).NotEmpty().WithMessage("is required").MaximumLength(100)
                .OverridePropertyName("ethicsApproval.reference");
            RuleFor(a => a.EthicsApproval!.Date).NotNull().WithMessage("is required").OverridePropertyName("ethicsApproval.date");
        });
        RuleFor(a => a.Changes).NotNull().WithMessage("is required");
        When(a => a.Changes is not null, () =>
        {
            RuleFor(a => a.Changes!.AddSites).Must(s => s!.Count <= 100).When(a => a.Changes!.AddSites is not null)
                .WithMessage("at most 100 sites").OverridePropertyName("changes.addSites");
            RuleForEach(a => a.Changes!.AddSites).NotEmpty().Matches("^[A-Za-z0-9]{1,16}$")
                .WithMessage("a site code is 1 to 16 letters or digits").OverridePropertyName("changes.addSites");
            RuleFor(a => a.Changes!.TargetEnrollment).InclusiveBetween(1, 1_000_000).OverridePropertyName("changes.targetEnrollment");
            RuleFor(a => a.Changes!.ConsentVersion).Must(DefinitionVersions.IsVersion).When(a => a.Changes!.ConsentVersion is not null)
                .WithMessage("must be a version such as 2.0").OverridePropertyName("changes.consentVersion");
            RuleFor(a => a.Changes!.ProtocolVersions).Must(p => p!.Values.All(v => !string.IsNullOrEmpty(v)))
                .When(a => a.Changes!.ProtocolVersions is not null)
                .WithMessage("maps a protocol text id to a version, such as {\"cognitive-mediator\": \"1.1\"}").OverridePropertyName("changes.protocolVersions");
        });
    }
}

public sealed class AmendTrialHandler(TrialDbContext db, ProtocolLibrary protocols, TimeProvider clock)
    : ICommandHandler<AmendTrial, AmendmentView>
{
    public async ValueTask<AmendmentView> Handle(AmendTrial command, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(command.TrialId, cancellationToken);
        var changes = command.Changes!;
        var amendment = new TrialAmendment(
            command.Version!,
            command.EffectiveOn!.Value,
            new EthicsApproval(command.EthicsApproval!.Reference!.Trim(), command.EthicsApproval.Date!.Value),
            new AmendmentChanges(
                [.. (changes.AddSites ?? []).Select(s => s!)],
                changes.TargetEnrollment,
                changes.ConsentVersion,
                (changes.ProtocolVersions ?? []).ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal)),
            clock.GetUtcNow());
        // Counted only when the amendment sets a target (the allocations: withdrawn participants stay randomized).
        var randomized = changes.TargetEnrollment is null ? 0 : await db.Allocations.CountAsync(a => a.TrialId == trial.Id, cancellationToken);
        trial.Amend(amendment, changes.FixedMembersNamed, protocols, randomized);
        return AmendmentView.From(amendment);
    }
}
