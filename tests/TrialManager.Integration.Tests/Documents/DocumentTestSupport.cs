using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>Text of a served PDF as PdfPig extracts it.</summary>
public sealed class ServedPdfText
{
    public ServedPdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        PageCount = document.NumberOfPages;
        All = string.Join(' ', document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text)))).Replace('\u00A0', ' ');
        Raw = string.Concat(document.GetPages().Select(p => p.Text)).Replace('\u00A0', ' ');
    }

    public int PageCount { get; }

    /// <summary>The words of every page, joined by single spaces.</summary>
    public string All { get; }

    /// <summary>The letters in content order.</summary>
    public string Raw { get; }

    /// <summary>True when the text is drawn; text that wraps inside a table cell is found with whitespace ignored.</summary>
    public bool Contains(string text) =>
        All.Contains(text, StringComparison.Ordinal)
        || Raw.Contains(text, StringComparison.Ordinal)
        || NoSpaces(Raw).Contains(NoSpaces(text), StringComparison.Ordinal);

    private static string NoSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}

public static class DocumentSupport
{
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The protocol text file of a cell in the repository, as the ethics board reviews it.</summary>
    public static (string Version, string Sha256) ProtocolFile(string formulation, string arm)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Source($"protocols/{formulation}-{arm}.md"));
        var version = Regex.Match(System.Text.Encoding.UTF8.GetString(bytes), @"^version:\s*(\S+)\s*$", RegexOptions.Multiline).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(version), $"protocols/{formulation}-{arm}.md has no version in its front matter.");
        return (version, Sha256(bytes));
    }

    /// <summary>Screens, consents, formulates and randomizes one participant; returns the randomization body.</summary>
    public static async Task<JsonElement> RandomizedParticipantAsync(TrialServer server, string trialId, string site = "AAA", string lead = "cognitive")
    {
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId, site, lead);
        var response = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>
    /// Polls the protocol-document route until the PDF is served. Every answer before it must be the documented
    /// 202 {status: queued|running} with Retry-After (or failed, while a retry is awaited). Returns the PDF and whether a 202 was seen.
    /// </summary>
    public static async Task<(byte[] Pdf, int Accepted)> WaitForProtocolDocumentAsync(
        HttpClient client, string participantId, TimeSpan timeout, bool allowFailed = false)
    {
        var accepted = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/api/participants/{participantId}/protocol-document", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
                return (await response.Content.ReadAsByteArrayAsync(), accepted);
            }

            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            var status = (await response.JsonAsync()).GetProperty("status").GetString();
            Assert.True(status is "queued" or "running" || (allowFailed && status == "failed"), $"Unexpected document status '{status}' for {participantId}.");
            accepted++;
            Assert.True(DateTime.UtcNow < deadline, $"No protocol document for {participantId} within {timeout} (last status {status}).");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls GET /api/reports/{id} until it is ready or failed.</summary>
    public static async Task<JsonElement> WaitForReportAsync(HttpClient client, Uri location, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var report = await (await client.GetAsync(location)).JsonAsync();
            var status = report.GetProperty("status").GetString();
            if (status is "ready" or "failed")
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Report {location} not ready within {timeout} (status {status}).");
            await Task.Delay(100);
        }
    }
}
