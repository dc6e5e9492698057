using System.Net.Mail;

namespace TrialManager.Domain.Trials;

/// <summary>The trial's safety contacts: e-mail addresses told of its safety alerts.</summary>
public static class SafetyContacts
{
    /// <summary>
    /// A plain address (local@domain, no display name, no list): what is stored is exactly what the mail goes to, and
    /// "Name &lt;a@b&gt;" or "a@b, c@d" would reach someone other than the address an admin reads back.
    /// </summary>
    public static bool IsAddress(string? text)
    {
        if (text is null || text.Trim() is not { Length: > 0 and <= 254 } address || address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        return MailAddress.TryCreate(address, out var parsed)
               && parsed.DisplayName.Length == 0
               && string.Equals(parsed.Address, address, StringComparison.Ordinal)
               && parsed.Host.Contains('.', StringComparison.Ordinal)
               && !address.Contains('<', StringComparison.Ordinal);
    }
}
