using System.Text.RegularExpressions;
using TrialManager.Domain.Common;

namespace TrialManager.Domain.Trials;

/// <summary>The protocol texts an amendment may name: only versions that exist can be put in force.</summary>
public interface IProtocolTextVersions
{
    bool Exists(string id, string version);

    /// <summary>The version a trial uses when no amendment named one; null for an unknown id.</summary>
    string? Base(string id);
}

/// <summary>
/// Versions of a trial's definition: the base definition is version 1.0, each amendment makes a greater one, and the
/// definition in force is the base with every amendment applied in order. Versions are dotted numbers compared part by
/// part (1.10 is after 1.9; 1.1 and 1.1.0 are the same).
/// </summary>
public static partial class DefinitionVersions
{
    public const string Base = "1.0";

    /// <summary>The definition members an amendment can never change once the trial has left draft.</summary>
    public static readonly IReadOnlyList<string> FixedMembers = ["randomization", "hypothesis", "arms", "formulations"];

    public static bool IsVersion(string? text) => text is not null && VersionPattern().IsMatch(text);

    /// <summary>Compares two versions; a label that is no version (a consent form called "1.0a") sorts before every version.</summary>
    public static int Compare(string a, string b)
    {
        if (!IsVersion(a) || !IsVersion(b))
        {
            return IsVersion(a) == IsVersion(b) ? string.CompareOrdinal(a, b) : IsVersion(a) ? 1 : -1;
        }

        var x = a.Split('.').Select(int.Parse).ToArray();
        var y = b.Split('.').Select(int.Parse).ToArray();
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var c = (i < x.Length ? x[i] : 0).CompareTo(i < y.Length ? y[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    /// <summary>The definition in force: sites added, the target replaced. Everything else is the base's, unchanged.</summary>
    public static TrialDefinition Apply(TrialDefinition definition, IReadOnlyList<TrialAmendment> amendments)
    {
        if (amendments.Count == 0)
        {
            return definition;
        }

        return definition with
        {
            Sites = [.. definition.Sites, .. amendments.SelectMany(a => a.Changes.AddSites)],
            TargetEnrollment = amendments.LastOrDefault(a => a.Changes.TargetEnrollment is not null)?.Changes.TargetEnrollment ?? definition.TargetEnrollment,
        };
    }

    public static string Current(IReadOnlyList<TrialAmendment> amendments) => amendments.Count == 0 ? Base : amendments[^1].Version;

    /// <summary>The consent version participants must have signed; null while no amendment introduced one.</summary>
    public static string? ConsentVersion(IReadOnlyList<TrialAmendment> amendments) =>
        amendments.LastOrDefault(a => a.Changes.ConsentVersion is not null)?.Changes.ConsentVersion;

    /// <summary>Protocol text id to the version amendments put in force (texts not named use their base version).</summary>
    public static IReadOnlyDictionary<string, string> ProtocolVersions(IReadOnlyList<TrialAmendment> amendments)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, version) in amendments.SelectMany(a => a.Changes.ProtocolVersions))
        {
            versions[id] = version;
        }

        return versions;
    }

    /// <summary>Whether a participant consented under <paramref name="signed"/> must re-consent under <paramref name="current"/>.</summary>
    public static bool NeedsReconsent(string? signed, string? current) =>
        signed is not null && current is not null && Compare(signed, current) < 0;

    /// <summary>
    /// Checks an amendment against the trial as it stands; throws a 409 (<see cref="WorkflowConflictException"/>) for a
    /// change the trial's state forbids and a 400 (<see cref="DomainValidationException"/>) for one that does not fit.
    /// </summary>
    public static void Check(
        TrialStatus status, TrialDefinition current, IReadOnlyList<TrialAmendment> amendments, TrialAmendment amendment,
        IReadOnlyCollection<string> fixedMembersNamed, IProtocolTextVersions protocols, int randomized)
    {
        if (status == TrialStatus.Closed)
        {
            throw new WorkflowConflictException("The trial is closed; a closed trial takes no amendments.");
        }

        if (fixedMembersNamed.Count > 0)
        {
            var named = string.Join(", ", fixedMembersNamed);
            throw new WorkflowConflictException(status == TrialStatus.Draft
                ? $"An amendment cannot change {named}: the design is the one the trial was created with, and it is fixed once the trial leaves draft."
                : $"The trial is {status.Wire()}; {named} cannot change once the trial has left draft: the allocation sequence, the arms and " +
                  "the pre-registered hypothesis must stay as randomization began (an amendment may add sites, change the target, the consent " +
                  "version and protocol text versions).");
        }

        var version = Current(amendments);
        if (!IsVersion(amendment.Version) || Compare(amendment.Version, version) <= 0)
        {
            throw new DomainValidationException("version", $"must be a version greater than the current definition version {version}");
        }

        if (amendment.EffectiveOn < amendment.EthicsApproval.Date)
        {
            throw new DomainValidationException("effectiveOn", "must not be before the ethics approval's date");
        }

        var changes = amendment.Changes;
        if (changes.IsEmpty())
        {
            throw new DomainValidationException("changes", "must change at least one of addSites, targetEnrollment, consentVersion, protocolVersions");
        }

        var sites = new HashSet<string>(current.Sites, StringComparer.OrdinalIgnoreCase);
        foreach (var site in changes.AddSites)
        {
            if (!sites.Add(site))
            {
                throw new DomainValidationException("changes.addSites", $"site {site} is already a site of the trial (site codes are case-insensitive)");
            }
        }

        if (sites.Count > 100)
        {
            throw new DomainValidationException("changes.addSites", "a trial has at most 100 sites");
        }

        if (changes.TargetEnrollment is { } target && target == current.TargetEnrollment)
        {
            throw new DomainValidationException("changes.targetEnrollment", $"is already the target ({target})");
        }

        // The allocations stand (intention to treat): a target below them would count participants the trial has.
        if (changes.TargetEnrollment is { } lower && lower < randomized)
        {
            throw new WorkflowConflictException(
                $"{randomized} participants are already randomized: the target enrollment cannot be set below that number ({lower} asked).");
        }

        if (changes.ConsentVersion is { } consent && ConsentVersion(amendments) is { } inForce && Compare(consent, inForce) <= 0)
        {
            throw new DomainValidationException("changes.consentVersion", $"must be newer than the current consent version {inForce}");
        }

        var protocolVersions = ProtocolVersions(amendments);
        foreach (var (id, text) in changes.ProtocolVersions)
        {
            var field = $"changes.protocolVersions.{id}";
            if (protocols.Base(id) is not { } baseVersion)
            {
                throw new DomainValidationException(field, $"there is no protocol text {id}");
            }

            if (!protocols.Exists(id, text))
            {
                throw new DomainValidationException(field, $"protocol text {id} has no version {text}");
            }

            var used = protocolVersions.GetValueOrDefault(id) ?? baseVersion;
            if (Compare(text, used) <= 0)
            {
                throw new DomainValidationException(field, $"must be newer than the version in force ({used})");
            }
        }
    }

    [GeneratedRegex("^[0-9]{1,6}(\\.[0-9]{1,6}){0,3}$")]
    private static partial Regex VersionPattern();
}
