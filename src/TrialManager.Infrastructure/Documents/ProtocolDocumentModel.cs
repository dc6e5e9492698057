using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Infrastructure.Documents;

/// <summary>One rater's formulation scores per maintaining factor, as the protocol document prints them.</summary>
public sealed record ProtocolDocumentRating(
    string Rater,
    int Cognitive,
    int Interpersonal,
    int Behavioral,
    int Environmental,
    bool Consensus,
    DateTimeOffset RatedAt);

/// <summary>What the therapist receives for one allocated participant.</summary>
public sealed record ProtocolDocumentModel(
    string StudyId,
    string Site,
    string TrialId,
    string TrialTitle,
    string Registration,
    string PrimaryFormulation,
    IReadOnlyList<ProtocolDocumentRating> Ratings,
    string Arm,
    string Stratum,
    DateTimeOffset RandomizedAt,
    ProtocolText Protocol,
    string ProtocolVersion,
    string ProtocolSha256,
    DateTimeOffset GeneratedAt);
