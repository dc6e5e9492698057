using System.Globalization;
using System.Net;
using System.Text;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Benchmarks.Documents;

/// <summary>The protocol document as an HTML page, the input a headless-browser pipeline would print to PDF.</summary>
internal static class ProtocolDocumentHtml
{
    private const string Css = """
        body { font-family: 'DejaVu Sans', sans-serif; font-size: 9.5pt; }
        h1 { color: #1f4e79; font-size: 15pt; border-bottom: 1px solid #1f4e79; } h2 { font-size: 12pt; }
        table { width: 100%; border-collapse: collapse; } td, th { padding: 3.5pt; border-bottom: 0.5pt solid #d6dce2; text-align: left; }
        th { background: #e8eef4; } tr:nth-child(even) td { background: #f7f9fb; }
        """;

    public static string Render(ProtocolDocumentModel m)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        var title = E(m.Protocol.Title);
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(title).Append("</title><style>")
            .Append(Css).Append("</style></head><body><h1>").Append(title).Append("</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>This protocol applies to study participant <b>{E(m.StudyId)}</b>, allocated to <b>{E(DocumentLabels.Arm(m.Arm))}</b>.</p>")
            .Append("<h2>Allocation</h2><table>");
        foreach (var (k, v) in new[]
        {
            ("Study ID", m.StudyId), ("Site", m.Site), ("Trial", $"{m.TrialTitle} ({m.TrialId})"), ("Registration", m.Registration),
            ("Primary formulation", DocumentLabels.Formulation(m.PrimaryFormulation)), ("Arm", DocumentLabels.Arm(m.Arm)), ("Stratum", m.Stratum),
            ("Randomized at", m.RandomizedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
            ("Protocol", $"{m.Protocol.Id}, version {m.ProtocolVersion}"), ("Protocol SHA-256", m.ProtocolSha256),
        })
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>");
        }

        html.Append("</table><h2>Formulation ratings</h2><table><tr><th>Factor</th>");
        html.AppendJoin("", m.Ratings.Select(r => $"<th>{E(r.Rater)}</th>")).Append("</tr>");
        foreach (var (name, score) in new (string, Func<ProtocolDocumentRating, string>)[]
        {
            ("Cognitive", r => r.Cognitive.ToString(CultureInfo.InvariantCulture)), ("Interpersonal", r => r.Interpersonal.ToString(CultureInfo.InvariantCulture)),
            ("Behavioral", r => r.Behavioral.ToString(CultureInfo.InvariantCulture)), ("Environmental", r => r.Environmental.ToString(CultureInfo.InvariantCulture)),
            ("Consensus decision", r => r.Consensus ? "yes" : "no"), ("Rated at (UTC)", r => r.RatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)),
        })
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{name}</td>").AppendJoin("", m.Ratings.Select(r => $"<td>{score(r)}</td>")).Append("</tr>");
        }

        html.Append("</table>");
        foreach (var section in m.Protocol.Sections)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>{E(section.Heading)}</h2>");
            foreach (var block in section.Blocks)
            {
                html.Append(block switch
                {
                    ProtocolParagraph p => $"<p>{E(p.Text)}</p>",
                    ProtocolBulletList l => "<ul>" + string.Concat(l.Items.Select(i => $"<li>{E(i)}</li>")) + "</ul>",
                    _ => "",
                });
            }
        }

        return html.Append("</body></html>").ToString();
    }
}
