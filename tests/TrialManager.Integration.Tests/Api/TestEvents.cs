namespace TrialManager.Integration.Tests.Api;

/// <summary>Bodies for POST /api/participants/{id}/events: an adverse event carries every required safety field.</summary>
public static class TestEvents
{
    /// <summary>
    /// A complete body for <paramref name="type"/>: a serious adverse event meets the hospitalisation criterion, an
    /// adverse event none; a protocol deviation carries only type, date and description.
    /// </summary>
    public static Dictionary<string, object?> Body(string type, string occurredOn, string description)
    {
        var body = new Dictionary<string, object?> { ["type"] = type, ["occurredOn"] = occurredOn, ["description"] = description };
        if (type != "protocolDeviation")
        {
            body["serious"] = type == "seriousAdverseEvent" ? new[] { "hospitalisation" } : Array.Empty<string>();
            body["severity"] = type == "seriousAdverseEvent" ? "severe" : "mild";
            body["relatedness"] = "unlikely";
            body["expected"] = false;
            body["outcome"] = "recovering";
        }

        return body;
    }
}
