using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TrialManager.Integration.Tests.Exports;

/// <summary>An analysis export read back: every entry's bytes, and its CSV files parsed per RFC 4180.</summary>
public sealed class ExportZip
{
    public ExportZip(byte[] zip)
    {
        Bytes = zip;
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Entries[entry.FullName] = copy.ToArray();
            Stamps[entry.FullName] = entry.LastWriteTime;
        }
    }

    public byte[] Bytes { get; }

    public Dictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DateTimeOffset> Stamps { get; } = new(StringComparer.Ordinal);

    public string Text(string name) => new UTF8Encoding(false, true).GetString(Entries[name]);

    public JsonElement Manifest => JsonDocument.Parse(Entries["manifest.json"]).RootElement;

    /// <summary>The header and the rows of a CSV entry, each row as a map from column to value.</summary>
    public (List<string> Header, List<Dictionary<string, string>> Rows) Csv(string name)
    {
        var records = Parse(Text(name));
        var header = records[0];
        Assert.Equal(header.Count, header.Distinct().Count());
        var rows = records.Skip(1).Select(r =>
        {
            Assert.Equal(header.Count, r.Count);
            return header.Zip(r).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        }).ToList();
        return (header, rows);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>RFC 4180: CRLF record ends, fields quoted with doubled quotes inside.</summary>
    private static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
                i++;
            }
            else
            {
                Assert.True(c != '\n' && c != '\r', "A bare line break outside quotes: records end with CRLF.");
                field.Append(c);
            }
        }

        Assert.True(field.Length == 0 && record.Count == 0, "The last record does not end with CRLF.");
        return records;
    }
}
