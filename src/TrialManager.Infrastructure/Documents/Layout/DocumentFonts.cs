using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using PdfSharp.Fonts;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>
/// Resolves the fonts our documents use from files on the machine. PDFsharp has no font fallback, so
/// Latin text uses DejaVu Sans and CJK runs use whichever CJK font the machine has.
/// </summary>
public sealed class DocumentFonts : IFontResolver
{
    public const string Sans = "DejaVu Sans";
    public const string Mono = "DejaVu Sans Mono";
    public const string Cjk = "TrialManager CJK";
    public const string CjkPackageHint = "fonts-droid-fallback (or fonts-wqy-microhei)";

    private const string DejaVuDirectory = "/usr/share/fonts/truetype/dejavu/";
    private const string CjkFace = "cjk";

    private static readonly string[] CjkCandidates =
    [
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    ];

    private static readonly Lock Gate = new();
    private static readonly Lazy<string?> CjkPath = new(FindCjkFont);
    private static bool installed;
    private readonly ConcurrentDictionary<string, byte[]> faces = new();

    private DocumentFonts()
    {
    }

    /// <summary>Path of the CJK font file used for CJK runs, or null when the machine has none.</summary>
    public static string? CjkFontPath => CjkPath.Value;

    /// <summary>Sets PDFsharp's global font resolver once per process; safe to call from any thread.</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (installed)
            {
                return;
            }

            GlobalFontSettings.FontResolver ??= new DocumentFonts();
            installed = true;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        if (familyName == Cjk)
        {
            return new FontResolverInfo(CjkFace, bold, italic);
        }

        var family = familyName == Mono ? "DejaVuSansMono" : "DejaVuSans";
        var face = (bold, italic) switch
        {
            (true, true) => "-BoldOblique",
            (true, false) => "-Bold",
            (false, true) => "-Oblique",
            _ => "",
        };
        return new FontResolverInfo(family + face);
    }

    public byte[]? GetFont(string faceName) => faces.GetOrAdd(faceName, static face =>
    {
        if (face != CjkFace)
        {
            return File.ReadAllBytes(Path.Combine(DejaVuDirectory, face + ".ttf"));
        }

        var path = CjkFontPath ?? throw new CjkFontMissingException();
        var bytes = File.ReadAllBytes(path);
        return IsCollection(bytes) ? FirstFaceOfCollection(bytes) : bytes;
    });

    private static string? FindCjkFont()
    {
        var known = CjkCandidates.FirstOrDefault(File.Exists);
        if (known is not null)
        {
            return known;
        }

        try
        {
            using var fcList = Process.Start(new ProcessStartInfo("fc-list", ":lang=zh file")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (fcList is null)
            {
                return null;
            }

            var output = fcList.StandardOutput.ReadToEnd();
            fcList.WaitForExit();
            return output.Split('\n')
                .Select(line => line.Trim().TrimEnd(':'))
                .Where(line => line.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase)
                    || line.EndsWith(".ttc", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no fontconfig on this machine
        }
    }

    private static bool IsCollection(byte[] font) => font.Length > 12 && font[0] == 't' && font[1] == 't' && font[2] == 'c' && font[3] == 'f';

    /// <summary>
    /// PDFsharp reads TrueType files but not collections (.ttc): copy the first face's tables into a
    /// stand-alone font file, rewriting the table offsets.
    /// </summary>
    private static byte[] FirstFaceOfCollection(byte[] ttc)
    {
        var start = (int)BinaryPrimitives.ReadUInt32BigEndian(ttc.AsSpan(12));
        var tableCount = BinaryPrimitives.ReadUInt16BigEndian(ttc.AsSpan(start + 4));
        var headerLength = 12 + (16 * tableCount);
        var tables = Enumerable.Range(0, tableCount)
            .Select(i => start + 12 + (16 * i))
            .Select(record => (
                Offset: (int)BinaryPrimitives.ReadUInt32BigEndian(ttc.AsSpan(record + 8)),
                Length: (int)BinaryPrimitives.ReadUInt32BigEndian(ttc.AsSpan(record + 12))))
            .ToList();
        var result = new byte[headerLength + tables.Sum(t => (t.Length + 3) & ~3)];
        ttc.AsSpan(start, headerLength).CopyTo(result);
        var position = headerLength;
        for (var i = 0; i < tables.Count; i++)
        {
            ttc.AsSpan(tables[i].Offset, tables[i].Length).CopyTo(result.AsSpan(position));
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(12 + (16 * i) + 8), (uint)position);
            position += (tables[i].Length + 3) & ~3;
        }

        return result;
    }
}

/// <summary>Thrown when a document contains CJK text and the machine has no font that can show it.</summary>
public sealed class CjkFontMissingException : InvalidOperationException
{
    public CjkFontMissingException()
        : base("The document contains Chinese, Japanese or Korean text, but no CJK font is installed. "
            + $"Install one, e.g. `apt-get install -y {DocumentFonts.CjkPackageHint}`, and restart the process.")
    {
    }

    public CjkFontMissingException(string message)
        : base(message)
    {
    }

    public CjkFontMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
