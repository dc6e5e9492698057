using System.Security.Claims;

namespace TrialManager.Server.Security;

/// <summary>
/// Who acts when a participant answers through their link: the link itself (no account, no key). The page sets this
/// principal for the one request that records the answers, so the measure's recordedBy and the audit event name the
/// link. Its role is no role of any policy: the principal opens nothing else.
/// </summary>
public static class QuestionnaireLinkActor
{
    public const string Role = "questionnaireLink";

    private const string AuthenticationType = "TrialManager.QuestionnaireLink";

    public static string NameOf(Guid linkId) => $"questionnaire-link:{linkId:D}";

    public static ClaimsPrincipal PrincipalFor(Guid linkId) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, NameOf(linkId)), new Claim(ClaimTypes.Role, Role)], AuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
}
